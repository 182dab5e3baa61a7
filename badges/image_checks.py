"""Checks of an uploaded badge image: a square PNG or SVG, small, and safe to serve and bake.

Every refusal is a ``ValidationError`` with a machine-readable ``code`` and a sentence the LEADS
admin can act on; nothing is stored until the image has passed every check.

PNG (PNG Third Edition §11.2.2 IHDR, https://www.w3.org/TR/png-3/): the size is checked before
the file is read, and the width and height the IHDR chunk declares are checked before Pillow
decodes anything, so a "decompression bomb" (a few kilobytes declaring 100000 × 100000 pixels) is
refused without allocating its pixels. Pillow's own guard, ``Image.MAX_IMAGE_PIXELS``, is
process-wide and only warns below twice its limit, so it is a second line here, with its warning
turned into a refusal.

SVG: first scanned without building anything (``baking.check_svg_shape``): nesting deeper than
``baking.MAX_SVG_DEPTH`` or more than ``baking.MAX_SVG_NODES`` elements and attributes is refused
before the DOM is built, whose walks recurse once per level. Then parsed with ``defusedxml`` (no
DTD, no entities, no external references), and refused if it could run script or fetch anything
when shown: an SVG is a document, and a badge image is shown on our pages, downloaded and baked.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zlib
from dataclasses import dataclass
from xml.dom import Node
from xml.parsers.expat import ExpatError

import defusedxml
import defusedxml.minidom
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import slugify
from PIL import Image, UnidentifiedImageError

from .openbadges import baking

MAX_BYTES = 2 * 1024 * 1024
MIN_SIDE = 256
MAX_SIDE = 2048
# Declared sizes beyond this are treated as a decompression bomb, whatever Pillow's setting.
BOMB_PIXELS = 8192 * 8192
SVG_NAMESPACE = "http://www.w3.org/2000/svg"

# Elements that run script or embed another document (SVG 2 §15.2 script, §23.2 foreignObject;
# SVG Tiny 1.2 handler and listener; HTML elements a browser honours inside an SVG document).
FORBIDDEN_ELEMENTS = {
    "script", "foreignobject", "handler", "listener", "iframe", "embed", "object", "frame",
    "frameset", "audio", "video", "base", "meta", "link",
}  # fmt: skip
REFERENCE_ATTRIBUTES = {"href", "src"}
ANIMATION_ELEMENTS = {"set", "animate", "animatetransform", "animatemotion", "discard"}
# data: images a browser shows as pixels. An SVG inside a data: URL would escape these checks.
SAFE_DATA_PREFIXES = ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_NUMBER_UNIT = re.compile(
    r"^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*(px|pt|pc|mm|cm|in)?\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class CheckedImage:
    kind: str  # "png" or "svg"
    width: float
    height: float
    data: bytes

    def as_file(self, name: str) -> ContentFile:
        """The image to store, named by what it is rather than by what the upload was called."""
        stem = slugify(name)[:60] or "badge"
        return ContentFile(self.data, name=f"{stem}.{self.kind}")


def _refuse(message, code, **params):
    raise ValidationError(message, code=code, params=params or None)


def _mb(n):
    return f"{n / (1024 * 1024):.1f} MB"


def _read_bounded(upload) -> bytes:
    """The upload's bytes, refusing a large one by its declared size before reading it."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        _refuse(
            f"The image is {_mb(size)}; a badge image can be at most {_mb(MAX_BYTES)}.",
            "too_large",
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1)  # never more than the limit, whatever size said
    if len(data) > MAX_BYTES:
        _refuse(f"The image is larger than {_mb(MAX_BYTES)}, the limit for a badge.", "too_large")
    if not data:
        _refuse("The file is empty.", "empty")
    return data


def check_badge_image(upload) -> CheckedImage:
    """Check an uploaded file (anything with ``read``; ``size`` when known) as a badge image."""
    data = _read_bounded(upload)
    if data.startswith(baking.PNG_SIGNATURE):
        return _check_png(data)
    if _looks_like_xml(data):
        return _check_svg(data)
    _refuse("This file is not a PNG or SVG image. Upload a square PNG or SVG.", "not_an_image")


# --- PNG ------------------------------------------------------------------------------------------


def _png_declared_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk (PNG §11.2.2), read by hand: nothing is decoded."""
    header = data[8 : 8 + 8 + 13 + 4]
    if len(header) < 25 or header[4:8] != b"IHDR" or struct.unpack(">I", header[:4])[0] != 13:
        _refuse("The PNG file is damaged: it does not start with an image header.", "damaged")
    if zlib.crc32(header[4:21]) != struct.unpack(">I", header[21:25])[0]:
        _refuse("The PNG file is damaged: its image header fails its checksum.", "damaged")
    return struct.unpack(">II", header[8:16])


def _check_png(data: bytes) -> CheckedImage:
    width, height = _png_declared_size(data)
    limit = min(Image.MAX_IMAGE_PIXELS or BOMB_PIXELS, BOMB_PIXELS)
    if width * height > limit:
        _refuse(
            f"The PNG declares {width} × {height} pixels, far more than a badge needs: it was "
            "refused without being opened, as a possible decompression bomb.",
            "decompression_bomb",
        )
    _check_png_dimensions(width, height)
    _check_png_chunk_count(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
                if image.size != (width, height):
                    _refuse("The PNG file is damaged: its size is inconsistent.", "damaged")
                image.verify()  # every chunk's CRC, without decoding
            with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
                image.load()  # decode it once: a truncated or corrupt image fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse("The PNG was refused as a possible decompression bomb.", "decompression_bomb")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        # Pillow reports damage as any of these; SyntaxError is its "broken PNG file".
        raise ValidationError(
            "The PNG file is damaged and cannot be shown.", code="damaged"
        ) from error
    _check_bakeable(data)
    return CheckedImage("png", width, height, data)


def _check_png_chunk_count(data: bytes):
    """Refuse a PNG of more chunks than any encoder writes before Pillow steps through them.
    Other damage is left to Pillow below, which reports it in its own words."""
    try:
        for _chunk in baking.iter_png_chunks(data):
            pass
    except baking.TooManyChunksError:
        _refuse(
            f"The PNG is split into more than {baking.MAX_PNG_CHUNKS:,} chunks, far more than "
            "an image needs: save it afresh from an image editor and upload it again.",
            "too_many_chunks",
        )
    except baking.BakingError:
        pass


def _check_png_dimensions(width, height):
    if width != height:
        _refuse(
            f"The image is {width} × {height} pixels; a badge image must be square.", "not_square"
        )
    if width < MIN_SIDE:
        _refuse(
            f"The image is {width} × {height} pixels; it must be at least {MIN_SIDE} × "
            f"{MIN_SIDE} to stay sharp.",
            "too_small",
        )
    if width > MAX_SIDE:
        _refuse(
            f"The image is {width} × {height} pixels; it can be at most {MAX_SIDE} × {MAX_SIDE}.",
            "too_big",
        )


def _check_bakeable(data: bytes):
    """The issued badge is this image with the assertion baked in: make sure that will work."""
    try:
        if data.startswith(baking.PNG_SIGNATURE):
            baking.bake_png(data, "{}")
        else:
            baking.bake_svg(data, verify="https://example.invalid/check")
    except baking.BakingError as error:
        raise ValidationError(
            "The image cannot hold the badge data (%(reason)s).",
            code="not_bakeable",
            params={"reason": str(error)},
        ) from error


# --- SVG ------------------------------------------------------------------------------------------


def _looks_like_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def _parse_svg(data: bytes):
    try:
        baking.check_svg_shape(data)
    except baking.SvgTooComplexError as error:
        raise ValidationError(
            "The SVG was refused because %(reason)s, far more than a badge image needs: "
            "simplify it (fewer nested groups, fewer shapes) and upload it again.",
            code="svg_too_complex",
            params={"reason": str(error).replace("the SVG", "it", 1)},
        ) from error
    try:
        document = defusedxml.minidom.parseString(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DTDForbidden as error:
        raise ValidationError(
            "The SVG has a DOCTYPE declaration, which is not allowed: remove the <!DOCTYPE …> "
            "line and upload it again.",
            code="svg_dtd",
        ) from error
    except defusedxml.DefusedXmlException as error:
        raise ValidationError(
            "The SVG declares entities or external references, which are not allowed.",
            code="svg_entities",
        ) from error
    except (ExpatError, ValueError) as error:
        raise ValidationError(
            "This file is not a PNG image or a well-formed SVG image.", code="not_an_image"
        ) from error
    root = document.documentElement
    if root.localName != "svg" or root.namespaceURI != SVG_NAMESPACE:
        _refuse(
            "This file is not an SVG image: its root element is not <svg> in the SVG namespace.",
            "not_an_image",
        )
    return document


def _is_internal(url: str) -> bool:
    return url.startswith("#")


def _css_problem(css: str) -> str | None:
    compact = css.lower()
    if "\\" in compact:
        return "its styles use CSS escapes, which can hide references"
    if "@import" in compact:
        return "its styles import another style sheet"
    if "expression(" in compact or "javascript:" in _squash(compact):
        return "its styles contain script"
    for start in (m.start() for m in re.finditer(r"url\(", css, re.IGNORECASE)):
        match = _URL.match(css, start)
        if match is None:
            return "its styles have a reference that cannot be read"
        if not _is_internal(match.group(2).strip()):
            return f"its styles refer to “{match.group(2).strip()[:80]}”"
    return None


def _squash(value: str) -> str:
    """The value as a browser reads a URL scheme: without whitespace and control characters."""
    return "".join(ch for ch in value if ord(ch) > 32).lower()


def _attribute_problem(element, attribute) -> str | None:
    name = (attribute.localName or attribute.name).lower()
    value = attribute.value
    if name.startswith("on"):
        return f"<{element.localName}> has an event handler ({attribute.name})"
    squashed = _squash(value)
    if "javascript:" in squashed or "vbscript:" in squashed:
        return f"<{element.localName}> has a javascript: URL"
    if name in REFERENCE_ATTRIBUTES:
        url = value.strip()
        if not (_is_internal(url) or url.lower().startswith(SAFE_DATA_PREFIXES)):
            return f"<{element.localName}> refers to “{url[:80]}” outside the image"
    if (
        element.localName.lower() in ANIMATION_ELEMENTS
        and name == "attributename"
        and value.strip().lower().rpartition(":")[2] in REFERENCE_ATTRIBUTES
    ):
        return f"<{element.localName}> changes a link"
    if "url(" in value.lower() or name == "style":
        problem = _css_problem(value)
        if problem:
            return f"<{element.localName}> {problem.removeprefix('its styles ')}"
    return None


def _svg_problem(document) -> str | None:
    for node in document.childNodes:  # before and after the root: <?xml-stylesheet?> and kin
        if node.nodeType == Node.PROCESSING_INSTRUCTION_NODE:
            return f"it has a processing instruction (<?{node.target} …?>)"
    stack = [document.documentElement]
    while stack:
        element = stack.pop()
        tag = (element.localName or element.tagName).lower()
        if tag in FORBIDDEN_ELEMENTS:
            return f"it contains a <{element.localName}> element"
        for attribute in element.attributes.values():
            problem = _attribute_problem(element, attribute)
            if problem:
                return problem
        if tag == "style":
            css = "".join(
                n.data
                for n in element.childNodes
                if n.nodeType in (Node.TEXT_NODE, Node.CDATA_SECTION_NODE)
            )
            problem = _css_problem(css)
            if problem:
                return problem
        for child in element.childNodes:
            if child.nodeType == Node.ELEMENT_NODE:
                stack.append(child)
            elif child.nodeType == Node.PROCESSING_INSTRUCTION_NODE:
                return f"it has a processing instruction (<?{child.target} …?>)"
    return None


def _length(value: str):
    """A length as (number, unit), or None for a percentage, 'auto' or anything unreadable."""
    match = _NUMBER_UNIT.match(value or "")
    if not match:
        return None
    return float(match.group(1)), (match.group(2) or "px").lower()


def _svg_size(root) -> tuple[float, float]:
    """The SVG's drawing size from its viewBox, and its width and height when given."""
    view_box = None
    if root.hasAttribute("viewBox"):
        parts = re.split(r"[\s,]+", root.getAttribute("viewBox").strip())
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            numbers = []
        if len(numbers) != 4 or numbers[2] <= 0 or numbers[3] <= 0:
            _refuse("The SVG's viewBox is not four numbers with a positive size.", "svg_size")
        view_box = numbers[2], numbers[3]
    width, height = _length(root.getAttribute("width")), _length(root.getAttribute("height"))
    if width and height:
        if width[1] != height[1] or not _close(width[0], height[0]):
            _refuse(
                f"The SVG is {root.getAttribute('width')} × {root.getAttribute('height')}; a "
                "badge image must be square.",
                "not_square",
            )
        if width[0] <= 0:
            _refuse("The SVG's width and height must be positive.", "svg_size")
    if view_box is None:
        if not (width and height):
            _refuse(
                "The SVG has no viewBox and no width and height, so it cannot be checked to be "
                "square: add a viewBox such as “0 0 512 512”.",
                "svg_size",
            )
        return width[0], height[0]
    if not _close(*view_box):
        _refuse(
            f"The SVG's viewBox is {view_box[0]:g} × {view_box[1]:g}; a badge image must be "
            "square.",
            "not_square",
        )
    return view_box


def _close(a, b):
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1)


def _check_svg(data: bytes) -> CheckedImage:
    document = _parse_svg(data)
    problem = _svg_problem(document)
    if problem:
        _refuse(
            "The SVG was refused because %(problem)s. A badge image must not run script or load "
            "anything from elsewhere.",
            "svg_unsafe",
            problem=problem,
        )
    width, height = _svg_size(document.documentElement)
    _check_bakeable(data)
    return CheckedImage("svg", width, height, data)
