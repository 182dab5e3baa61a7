"""Bake badge data into PNG and SVG images, and read it back safely.

Specs:
- Open Badges 2.0 Baking, https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/baking/index.html
  (cited as "Baking 2.0 §PNGs/§SVGs").
- Open Badges 3.0 §Baking, https://www.imsglobal.org/spec/ob/v3p0/#baking (cited as
  "OB 3.0 §Baking"): the same mechanics with another PNG keyword, SVG element and SVG namespace,
  bundled here as :data:`OB3`.
- PNG (Third Edition) §5.3 chunk layout, §11.3.3.4 iTXt, https://www.w3.org/TR/png-3/.

PNG chunks are read and written here directly (length, type, data, CRC-32 by ``zlib.crc32``): the
image data is never decoded, which keeps baking a 256x256 badge well under a millisecond and means a
hostile image cannot make us decompress anything. SVG is parsed with ``defusedxml``: entity
declarations (billion laughs, XXE) and external references are refused before anything is expanded.
Before that, one streaming pass that builds nothing (:func:`check_svg_shape`) refuses an SVG nested
deeper than :data:`MAX_SVG_DEPTH` or with more than :data:`MAX_SVG_NODES` elements and attributes:
the DOM's own walks (``getElementsByTagNameNS``, ``toxml``) recurse once per level, and building
it costs microseconds a node, so neither may be left to the input to decide.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.dom import Node
from xml.dom.minidom import Document, Element
from xml.parsers import expat
from xml.parsers.expat import ExpatError

import defusedxml
import defusedxml.minidom

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"

# Badge images are small (a 256x256 PNG is tens of kilobytes). The cap bounds the memory a hostile
# upload can make us use, most of all in the SVG DOM, which is many times the size of its source.
MAX_INPUT_BYTES = 4 * 1024 * 1024
# A badge's SVG nests a few groups deep and has hundreds of nodes; an editor's export, thousands.
MAX_SVG_DEPTH = 64  # as config/parsers.py: MAX_NESTING for JSON
MAX_SVG_NODES = 40_000  # elements and attributes together
# A PNG has a dozen chunks, or a few hundred where an encoder splits its image data finely; each
# costs a CRC and a Python step here, and more in Pillow.
MAX_PNG_CHUNKS = 10_000

_PNG_MAX_CHUNK_LENGTH = 2**31 - 1  # PNG §5.3: a chunk length is at most 2^31 - 1.
_CHUNK_HEADER = struct.Struct(">I4s")
_CRC = struct.Struct(">I")


@dataclass(frozen=True)
class BakingFormat:
    """Where a badge lives in an image: the PNG iTXt keyword, and the SVG element and namespace."""

    png_keyword: str
    svg_element: str
    svg_namespace: str

    @property
    def svg_prefix(self) -> str:
        return self.svg_element.partition(":")[0]

    @property
    def svg_local_name(self) -> str:
        return self.svg_element.partition(":")[2]


# Baking 2.0 §PNGs (keyword `openbadges`) and §SVGs (`openbadges:assertion`, http://openbadges.org).
OB2 = BakingFormat("openbadges", "openbadges:assertion", "http://openbadges.org")
# OB 3.0 §Baking (keyword `openbadgecredential`, `openbadges:credential`, its own namespace).
OB3 = BakingFormat(
    "openbadgecredential", "openbadges:credential", "https://purl.imsglobal.org/ob/v3p0"
)


# --- Errors ---------------------------------------------------------------------------------------


class BakingError(ValueError):
    """Base class: the image cannot be baked or holds no usable badge. Safe to show to users."""


class InputTooLargeError(BakingError):
    """The image is larger than the size cap."""


class UnsupportedImageError(BakingError):
    """The bytes are not a PNG or not an SVG (whichever was expected)."""


class NoBadgeError(BakingError):
    """The image is valid but holds no badge data."""


class MultipleBadgesError(BakingError):
    """The image holds the badge element or chunk more than once, which the baking specs forbid."""


class MalformedImageError(BakingError):
    """The image or its badge data is damaged or not as the spec describes."""


class MalformedChunkError(MalformedImageError):
    """A PNG chunk is truncated, fails its CRC, or its iTXt fields are not as the spec says."""


class TooManyChunksError(MalformedChunkError):
    """The PNG has more than MAX_PNG_CHUNKS chunks before IEND."""


class UnsafeSVGError(MalformedImageError):
    """The SVG declares entities or external references; it is refused before expansion."""


class SvgTooComplexError(MalformedImageError):
    """The SVG nests deeper than MAX_SVG_DEPTH or has more than MAX_SVG_NODES nodes."""


def _check_size(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise InputTooLargeError(f"image is {len(data)} bytes; the limit is {max_bytes}")


# --- PNG chunks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    """One PNG chunk (PNG §5.3): its four-letter type and its data, CRC already checked."""

    type: bytes
    data: bytes


def iter_png_chunks(png: bytes) -> Iterator[Chunk]:
    """Yield the chunks of a PNG datastream up to and including IEND, checking every CRC.

    Bytes after IEND are ignored, as PNG decoders do. Raises :class:`UnsupportedImageError` without
    the PNG signature and :class:`MalformedChunkError` on truncation, an oversize length, a bad CRC,
    a missing IEND, or more than :data:`MAX_PNG_CHUNKS` chunks (:class:`TooManyChunksError`).
    """
    if not png.startswith(PNG_SIGNATURE):
        raise UnsupportedImageError("not a PNG image (bad signature)")
    offset = len(PNG_SIGNATURE)
    for _ in range(MAX_PNG_CHUNKS):
        chunk, offset = _read_chunk(png, offset)
        yield chunk
        if chunk.type == b"IEND":
            return
    raise TooManyChunksError(f"the PNG has more than {MAX_PNG_CHUNKS:,} chunks")


def _read_chunk(png: bytes, offset: int) -> tuple[Chunk, int]:
    """Read the chunk at ``offset``; return it and the offset of the next one."""
    if offset + _CHUNK_HEADER.size > len(png):
        raise MalformedChunkError("PNG ends before IEND")
    length, chunk_type = _CHUNK_HEADER.unpack_from(png, offset)
    if length > _PNG_MAX_CHUNK_LENGTH:
        raise MalformedChunkError(f"chunk length {length} exceeds the PNG maximum")
    data_start = offset + _CHUNK_HEADER.size
    data_end = data_start + length
    if data_end + _CRC.size > len(png):
        raise MalformedChunkError(f"{chunk_type!r} chunk is truncated")
    data = png[data_start:data_end]
    (crc,) = _CRC.unpack_from(png, data_end)
    if crc != zlib.crc32(data, zlib.crc32(chunk_type)):
        raise MalformedChunkError(f"{chunk_type!r} chunk fails its CRC")
    return Chunk(chunk_type, data), data_end + _CRC.size


def encode_png_chunk(chunk_type: bytes, data: bytes) -> bytes:
    """One chunk in PNG §5.3 layout: length, type, data, and CRC-32 over type and data."""
    crc = zlib.crc32(data, zlib.crc32(chunk_type))
    return _CHUNK_HEADER.pack(len(data), chunk_type) + data + _CRC.pack(crc)


def encode_itxt(keyword: str, text: str) -> bytes:
    """iTXt chunk data (PNG §11.3.3.4) as Baking 2.0 §PNGs and OB 3.0 §Baking require: the keyword,
    compression flag 0 and method 0 (compression MUST NOT be used), empty language tag and
    translated keyword, then the UTF-8 text."""
    return keyword.encode("latin-1") + b"\x00\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")


def _is_badge_chunk(chunk: Chunk, keyword: bytes) -> bool:
    # Legacy tEXt and zTXt chunks under the keyword count too: leaving one beside a new iTXt would
    # give older unbakers (which take whichever comes first) two different answers.
    return chunk.type in (b"iTXt", b"tEXt", b"zTXt") and chunk.data.startswith(keyword + b"\x00")


def bake_png(
    png: bytes, text: str, *, fmt: BakingFormat = OB2, max_bytes: int = MAX_INPUT_BYTES
) -> bytes:
    """Return ``png`` with ``text`` (assertion JSON or a compact JWS) in an iTXt chunk under
    ``fmt.png_keyword`` (Baking 2.0 §PNGs, OB 3.0 §Baking).

    The chunk goes straight after IHDR, so readers that stop at the first badge chunk stop early.
    Any existing badge chunk under the keyword is replaced, never duplicated: the spec says it MUST
    NOT appear more than once, and lets the baker choose between refusing and overwriting.
    """
    _check_size(png, max_bytes)
    keyword = fmt.png_keyword.encode("latin-1")
    chunks = iter_png_chunks(png)
    header = next(chunks)
    if header.type != b"IHDR":
        raise MalformedChunkError("PNG does not start with an IHDR chunk")  # PNG §5.6
    parts = [
        PNG_SIGNATURE,
        encode_png_chunk(header.type, header.data),
        encode_png_chunk(b"iTXt", encode_itxt(fmt.png_keyword, text)),
    ]
    parts += [encode_png_chunk(c.type, c.data) for c in chunks if not _is_badge_chunk(c, keyword)]
    return b"".join(parts)


def decode_itxt(data: bytes) -> tuple[str, str]:
    """Split iTXt chunk data (PNG §11.3.3.4) into keyword and text.

    Compressed text is refused rather than inflated: the baking specs forbid compression, and
    inflating attacker-supplied data is how decompression bombs work.
    """
    keyword, sep, rest = data.partition(b"\x00")
    if not sep or len(rest) < 2:
        raise MalformedChunkError("iTXt chunk is too short")
    compression_flag, compression_method = rest[0], rest[1]
    if compression_flag != 0 or compression_method != 0:
        raise MalformedChunkError("badge iTXt chunk is compressed; the baking spec forbids it")
    _language, sep1, rest = rest[2:].partition(b"\x00")
    _translated, sep2, text = rest.partition(b"\x00")
    if not sep1 or not sep2:
        raise MalformedChunkError("iTXt chunk lacks its language tag or translated keyword")
    try:
        return keyword.decode("latin-1"), text.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedChunkError("iTXt text is not UTF-8") from error


def unbake_png(png: bytes, *, fmt: BakingFormat = OB2, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Return the text of the one iTXt chunk under ``fmt.png_keyword`` (Baking 2.0 §PNGs
    "Extracting", OB 3.0 §Baking).

    The whole stream is read, not just up to the first badge chunk as the spec allows, so that a
    second badge chunk (which the spec forbids) or a damaged chunk is reported instead of ignored.
    Legacy ``tEXt`` badge chunks (pre-2.0 URLs) are not read.
    """
    _check_size(png, max_bytes)
    keyword = fmt.png_keyword.encode("latin-1")
    found = [c for c in iter_png_chunks(png) if c.type == b"iTXt" and _is_badge_chunk(c, keyword)]
    if not found:
        raise NoBadgeError(f"PNG has no iTXt chunk with keyword {fmt.png_keyword!r}")
    if len(found) > 1:
        raise MultipleBadgesError(f"PNG has {len(found)} {fmt.png_keyword!r} iTXt chunks")
    return decode_itxt(found[0].data)[1]


# --- SVG ------------------------------------------------------------------------------------------


class _StopScan(Exception):
    """The shape scan stops: what it met is for the defused parse that follows to judge."""


def check_svg_shape(
    svg: bytes, *, max_depth: int = MAX_SVG_DEPTH, max_nodes: int = MAX_SVG_NODES
) -> None:
    """Refuse an SVG nested deeper than ``max_depth`` elements, or with more than ``max_nodes``
    elements and attributes, with :class:`SvgTooComplexError`, before any DOM is built.

    One pass of expat with a counter, linear in the input and building nothing. It stops, without
    a verdict, at the first entity declaration, external reference or well-formedness error:
    those are for the defused parse that follows to refuse with its own message, and an entity is
    never expanded here.
    """
    parser = expat.ParserCreate()
    parser.ordered_attributes = True  # attributes as a flat list: counted without a dict
    depth = nodes = 0

    def start(_name, attributes):
        nonlocal depth, nodes
        depth += 1
        nodes += 1 + len(attributes) // 2
        if depth > max_depth:
            raise SvgTooComplexError(f"the SVG nests elements more than {max_depth} levels deep")
        if nodes > max_nodes:
            raise SvgTooComplexError(f"the SVG has more than {max_nodes:,} elements and attributes")

    def end(_name):
        nonlocal depth
        depth -= 1

    def stop(*_args):
        raise _StopScan

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = stop
    parser.UnparsedEntityDeclHandler = stop
    parser.ExternalEntityRefHandler = stop
    try:
        parser.Parse(svg, True)
    except (_StopScan, ExpatError):
        return


def _parse_svg(svg: bytes, max_bytes: int) -> Document:
    """Parse SVG with entity declarations and external references forbidden.

    A DOCTYPE alone is allowed: many editors write the SVG 1.1 DOCTYPE, and it is harmless once
    entities are refused (the external DTD is never loaded).
    """
    _check_size(svg, max_bytes)
    check_svg_shape(svg)
    try:
        document = defusedxml.minidom.parseString(svg)
    except defusedxml.DefusedXmlException as error:
        raise UnsafeSVGError(f"SVG refused: {error}") from error
    except ExpatError as error:
        raise UnsupportedImageError(f"not a well-formed XML document: {error}") from error
    root = document.documentElement
    if root.localName != "svg" or root.namespaceURI not in (SVG_NAMESPACE, None):
        raise UnsupportedImageError("not an SVG image (the root element is not <svg>)")
    return document


def _badge_elements(document: Document, fmt: BakingFormat) -> list[Element]:
    # Matched by namespace, not by the literal prefix: a document may bind another prefix to it.
    return document.getElementsByTagNameNS(fmt.svg_namespace, fmt.svg_local_name)


def _cdata_safe(body: str) -> str:
    """Make a JSON body safe inside CDATA, which cannot contain ``]]>``.

    In JSON that sequence can only occur inside a string, where ``>`` may be written ``\\u003e``
    with the same meaning, so the JSON value is unchanged.
    """
    return body.replace("]]>", "]]\\u003e")


def bake_svg(
    svg: bytes,
    *,
    verify: str,
    body: str | None = None,
    fmt: BakingFormat = OB2,
    max_bytes: int = MAX_INPUT_BYTES,
) -> bytes:
    """Return ``svg`` with the badge element as the first child of ``<svg>`` (Baking 2.0 §SVGs).

    Hosted OB 2.0: ``verify`` is the assertion URL and ``body`` the assertion JSON, in CDATA.
    Signed: ``verify`` is the compact JWS and ``body`` is None; the element is then self-closing.
    OB 3.0 (``fmt=OB3``) follows the same rule with ``openbadges:credential``; for a credential with
    an embedded proof, pass the JSON as ``body`` and its id as ``verify``.
    An existing badge element is replaced; the spec allows only one.
    """
    document = _parse_svg(svg, max_bytes)
    root = document.documentElement
    bound = root.getAttributeNS(XMLNS_NAMESPACE, fmt.svg_prefix)
    if bound and bound != fmt.svg_namespace:
        raise MalformedImageError(f"prefix {fmt.svg_prefix!r} is already bound to {bound!r}")
    for old in _badge_elements(document, fmt):
        old.parentNode.removeChild(old)
    root.setAttributeNS(XMLNS_NAMESPACE, f"xmlns:{fmt.svg_prefix}", fmt.svg_namespace)
    element = document.createElementNS(fmt.svg_namespace, fmt.svg_element)
    element.setAttribute("verify", verify)
    if body is not None:
        element.appendChild(document.createCDATASection(_cdata_safe(body)))
    root.insertBefore(element, root.firstChild)
    return document.toxml(encoding="utf-8")


def read_svg_badge(
    svg: bytes, *, fmt: BakingFormat = OB2, max_bytes: int = MAX_INPUT_BYTES
) -> tuple[str | None, str | None]:
    """Return ``(verify, body)`` of the one badge element: its ``verify`` attribute and its CDATA or
    text body, each None when absent."""
    document = _parse_svg(svg, max_bytes)
    elements = _badge_elements(document, fmt)
    if not elements:
        raise NoBadgeError(f"SVG has no <{fmt.svg_element}> element")
    if len(elements) > 1:
        raise MultipleBadgesError(f"SVG has {len(elements)} <{fmt.svg_element}> elements")
    element = elements[0]
    text_types = (Node.CDATA_SECTION_NODE, Node.TEXT_NODE)
    body = "".join(n.data for n in element.childNodes if n.nodeType in text_types).strip()
    verify = element.getAttribute("verify") if element.hasAttribute("verify") else None
    return verify, body or None


def unbake_svg(svg: bytes, *, fmt: BakingFormat = OB2, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Return the badge in an SVG (Baking 2.0 §SVGs "Extracting"): the body (assertion JSON) when
    there is one, otherwise the ``verify`` attribute (a signature)."""
    verify, body = read_svg_badge(svg, fmt=fmt, max_bytes=max_bytes)
    if body is not None:
        return body
    if verify:
        return verify
    raise NoBadgeError(f"<{fmt.svg_element}> has neither a body nor a verify attribute")


# --- Either format --------------------------------------------------------------------------------


def unbake(image: bytes, *, fmt: BakingFormat = OB2, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Return the badge text in a PNG or SVG image, chosen by the PNG signature."""
    _check_size(image, max_bytes)
    if image.startswith(PNG_SIGNATURE):
        return unbake_png(image, fmt=fmt, max_bytes=max_bytes)
    return unbake_svg(image, fmt=fmt, max_bytes=max_bytes)


def bake_hosted_assertion(image: bytes, *, assertion_id: str, assertion_json: str) -> bytes:
    """Bake a hosted OB 2.0 assertion into a PNG or SVG (Baking 2.0 §PNGs, §SVGs): the JSON goes
    in the iTXt chunk, or in the element body with the assertion URL as ``verify``."""
    if image.startswith(PNG_SIGNATURE):
        return bake_png(image, assertion_json)
    return bake_svg(image, verify=assertion_id, body=assertion_json)
