"""Badge images: the default one drawn from the course's name and level."""

import io
import textwrap
from pathlib import Path

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from .openbadges import baking

SIZE = 512
# Colours per level, dark enough for white text at 4.5:1.
LEVEL_COLOURS = {
    "beginner": "#0b5c46",
    "intermediate": "#0b4f8a",
    "advanced": "#6a1b9a",
    "expert_specialised": "#8a3b00",
    "professional_certification": "#7a1026",
}
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def image_media_type(data: bytes) -> str:
    """A badge image is a PNG or an SVG (uploads are checked to be one or the other)."""
    return "image/png" if data.startswith(baking.PNG_SIGNATURE) else "image/svg+xml"


def version_image_bytes(version) -> bytes:
    """The image of a badge design version. A version's image changes only while no badge uses
    it, and then its stored name changes (uploads never overwrite): the name keys the cache."""
    key = f"badge-image:{version.pk}:{version.image.name}"
    data = cache.get(key)
    if data is None:
        with version.image.open("rb") as handle:
            data = handle.read()
        cache.set(key, data, 3600)
    return data


def _font(size):
    if FONT.exists():
        return ImageFont.truetype(str(FONT), size)
    return ImageFont.load_default(size=size)


def default_badge_image(*, name: str, level: str) -> ContentFile:
    """A square PNG: a coloured disc with the badge's name and level, for badges with no upload."""
    colour = LEVEL_COLOURS.get(level, "#0b5c46")
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=colour, outline="#ffffff", width=10)
    draw.ellipse((40, 40, SIZE - 40, SIZE - 40), outline="#ffffff", width=3)
    lines = textwrap.wrap(name, width=16)[:4]
    font = _font(40 if len(lines) <= 2 else 32)
    line_height = font.size + 10
    top = SIZE // 2 - (len(lines) * line_height) // 2 - 20
    for i, line in enumerate(lines):
        draw.text((SIZE / 2, top + i * line_height), line, fill="#ffffff", font=font, anchor="mt")
    label = level.replace("_", " ").upper()
    draw.text((SIZE / 2, SIZE - 110), label, fill="#ffffff", font=_font(24), anchor="mt")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{slugify(name)[:60] or 'badge'}.png")


def png_as_svg(png: bytes) -> bytes:
    """An SVG showing ``png`` at its own size (the PNG embedded as a data URI), so a badge drawn
    as a PNG can be offered as an SVG too, to be baked like any SVG (OB 3.0 §5.3.2)."""
    import base64

    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    data = base64.b64encode(png).decode("ascii")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<image width="{width}" height="{height}" href="data:image/png;base64,{data}"/>'
        "</svg>"
    ).encode("ascii")
