import io
import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from badges import image_checks
from badges.image_checks import MAX_BYTES, check_badge_image
from badges.openbadges import baking

from .admin_factories import SizedStream, bomb_png, png_bytes, png_chunk, svg_bytes


def refusal(data_or_file):
    upload = data_or_file if hasattr(data_or_file, "read") else SizedStream(data_or_file)
    with pytest.raises(ValidationError) as caught:
        check_badge_image(upload)
    return caught.value


@pytest.mark.parametrize("side", [256, 512, 2048])
def test_a_square_png_within_the_limits_is_accepted(side):
    checked = check_badge_image(SizedStream(png_bytes(side)))
    assert (checked.kind, checked.width, checked.height) == ("png", side, side)
    stored = checked.as_file("My Upload.PNG")
    assert stored.name == "my-uploadpng.png"
    assert stored.read(8) == baking.PNG_SIGNATURE


@pytest.mark.parametrize(
    "width, height, code",
    [(300, 256, "not_square"), (255, 255, "too_small"), (2049, 2049, "too_big")],
)
def test_a_png_of_the_wrong_shape_or_size_is_refused(width, height, code):
    error = refusal(png_bytes(width, height))
    assert error.code == code
    assert f"{width} × {height}" in error.messages[0]


def test_a_decompression_bomb_is_refused_from_its_header_without_decoding(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("Pillow must not open a declared bomb")

    monkeypatch.setattr(Image, "open", never)
    data = bomb_png(100_000, 100_000)
    assert len(data) < 1000
    tracemalloc.start()
    try:
        error = refusal(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.code == "decompression_bomb"
    assert "100000 × 100000" in error.messages[0]
    assert peak < 1024 * 1024  # 10^10 pixels were never allocated


def test_a_lower_pillow_limit_is_honoured(monkeypatch):
    # Image.MAX_IMAGE_PIXELS, lowered for the process, lowers the limit read from the header.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    error = refusal(png_bytes(256))
    assert error.code == "decompression_bomb"


def test_a_large_file_is_refused_by_its_size_before_it_is_read():
    upload = SizedStream(b"\x89PNG\r\n\x1a\n", size=20 * 1024 * 1024)
    error = refusal(upload)
    assert error.code == "too_large"
    assert "20.0 MB" in error.messages[0]
    assert upload.bytes_read == 0


def test_a_stream_of_unknown_size_is_read_no_further_than_the_limit():
    class Unsized(io.BytesIO):
        reads = []

        def read(self, n=-1):
            self.reads.append(n)
            return super().read(n)

    upload = Unsized(b"\x89PNG\r\n\x1a\n" + b"\x00" * (3 * 1024 * 1024))
    assert refusal(upload).code == "too_large"
    assert Unsized.reads == [MAX_BYTES + 1]


@pytest.mark.parametrize(
    "data",
    [
        b"Just some text, not an image.",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",  # a JPEG's start
        b"GIF89a\x01\x00\x01\x00",
        b"<html><body>Hello</body></html>",
        b"<?xml version='1.0'?><note>not svg</note>",
    ],
)
def test_anything_but_a_png_or_svg_is_refused(data):
    assert refusal(data).code == "not_an_image"


def test_an_empty_file_is_refused():
    assert refusal(b"").code == "empty"


def test_a_damaged_png_is_refused():
    good = png_bytes(256)
    assert refusal(good[:-40]).code == "damaged"  # truncated
    bad_crc = bytearray(good)
    bad_crc[29] ^= 0xFF  # inside the IHDR chunk's CRC
    assert refusal(bytes(bad_crc)).code == "damaged"
    no_header = baking.PNG_SIGNATURE + png_chunk(b"IEND", b"")
    assert refusal(no_header).code == "damaged"


# --- SVG ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, attrs",
    [
        ("<circle r='4' fill='url(#g)'/>", 'viewBox="0 0 100 100"'),
        ("<rect width='10' height='10'/>", 'width="512" height="512"'),
        ("<rect/>", 'width="10cm" height="10cm" viewBox="0 0 10 10"'),
        ("<use href='#shape'/><use xlink:href='#shape'/>", 'viewBox="0,0,64,64"'),
        ("<image href='data:image/png;base64,iVBORw0KGgo='/>", 'viewBox="0 0 64 64"'),
        ("<style>.a { fill: url(#grad); }</style><rect class='a'/>", 'viewBox="0 0 64 64"'),
        ("<rect style='fill: url( \"#g\" )'/>", 'viewBox="0 0 64 64"'),
    ],
)
def test_a_safe_square_svg_is_accepted(body, attrs):
    checked = check_badge_image(SizedStream(svg_bytes(body, attrs=attrs), name="b.svg"))
    assert checked.kind == "svg"
    assert checked.as_file("Badge").name == "badge.svg"


@pytest.mark.parametrize(
    "body, words",
    [
        ("<script>alert(1)</script>", "<script>"),
        ("<html:script xmlns:html='http://www.w3.org/1999/xhtml'>x()</html:script>", "<script>"),
        ("<foreignObject><div/></foreignObject>", "<foreignObject>"),
        ("<rect onclick='steal()'/>", "event handler"),
        ("<rect ONMOUSEOVER='steal()'/>", "event handler"),
        ("<a href='javascript:alert(1)'><rect/></a>", "javascript:"),
        ("<a href=' java&#9;script:alert(1)'><rect/></a>", "javascript:"),
        ("<a xlink:href='https://evil.example/'><rect/></a>", "https://evil.example/"),
        ("<image href='https://evil.example/track.png'/>", "track.png"),
        ("<image xlink:href='//evil.example/x.png'/>", "evil.example"),
        ("<image href='badge.png'/>", "badge.png"),
        ("<image src='http://evil.example/x.png'/>", "evil.example"),
        ("<image href='data:image/svg+xml;base64,PHN2Zz4='/>", "data:image/svg+xml"),
        ("<rect style='fill: url(https://evil.example/x)'/>", "evil.example"),
        ("<rect fill='url(https://evil.example/#g)'/>", "evil.example"),
        ("<style>rect { fill: url(http://evil.example/a) }</style>", "evil.example"),
        ("<style>@import 'https://evil.example/a.css';</style>", "import"),
        ("<style>rect { background: \\75 rl(http://evil.example) }</style>", "escapes"),
        ("<set attributeName='href' to='https://evil.example'/>", "changes a link"),
        ("<iframe src='#x'/>", "<iframe>"),
    ],
)
def test_an_svg_that_could_run_script_or_load_anything_is_refused(body, words):
    error = refusal(svg_bytes(body))
    assert error.code == "svg_unsafe"
    assert words in error.messages[0]


def test_an_svg_stylesheet_processing_instruction_is_refused():
    data = b'<?xml-stylesheet href="https://evil.example/a.css"?>' + svg_bytes()
    error = refusal(data)
    assert error.code == "svg_unsafe" and "xml-stylesheet" in error.messages[0]


@pytest.mark.parametrize(
    "prolog, code",
    [
        ('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
         '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">', "svg_dtd"),
        ('<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "svg_dtd"),
        ('<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>', "svg_dtd"),
    ],
)  # fmt: skip
def test_an_svg_with_a_dtd_or_entities_is_refused_before_expansion(prolog, code):
    assert refusal(prolog.encode() + svg_bytes()).code == code


@pytest.mark.parametrize(
    "attrs, code",
    [
        ('viewBox="0 0 100 50"', "not_square"),
        ('width="100" height="50"', "not_square"),
        ('width="100px" height="100mm" viewBox="0 0 1 1"', "not_square"),
        ('width="100%" height="100%"', "svg_size"),
        ("", "svg_size"),
        ('viewBox="0 0 0 0"', "svg_size"),
        ('viewBox="zero"', "svg_size"),
    ],
)
def test_an_svg_that_is_not_square_or_has_no_size_is_refused(attrs, code):
    assert refusal(svg_bytes(attrs=attrs)).code == code


def test_a_refusal_is_a_validation_error_with_a_readable_message():
    error = refusal(svg_bytes("<script/>"))
    assert error.messages[0].startswith("The SVG was refused because it contains a <script>")
    assert "%(" not in error.messages[0]


def test_the_limits_are_the_documented_ones():
    assert image_checks.MAX_BYTES == 2 * 1024 * 1024
    assert (image_checks.MIN_SIDE, image_checks.MAX_SIDE) == (256, 2048)


# --- Nesting and size of the SVG tree: refused before the DOM is built --------------------------


def test_an_svg_nested_1000_levels_deep_is_refused_with_a_sentence():
    error = refusal(svg_bytes("<g>" * 1000 + "</g>" * 1000))
    assert error.code == "svg_too_complex"
    assert "nests elements more than 64 levels deep" in error.messages[0]


def test_an_svg_of_500000_elements_is_refused_before_the_dom_is_built(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the DOM must not be built")

    monkeypatch.setattr(image_checks.defusedxml.minidom, "parseString", never)
    data = svg_bytes("<g/>" * 500_000)
    assert len(data) < MAX_BYTES
    error = refusal(data)
    assert error.code == "svg_too_complex"
    assert "more than 40,000 elements and attributes" in error.messages[0]


def test_an_svg_at_the_nesting_limit_is_accepted():
    body = "<g>" * 62 + "<circle cx='50' cy='50' r='40'/>" + "</g>" * 62  # <svg>: 64 levels
    assert check_badge_image(SizedStream(svg_bytes(body))).kind == "svg"


def test_a_png_split_into_more_than_10000_chunks_is_refused_before_pillow(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("Pillow must not step through the chunks")

    monkeypatch.setattr(Image, "open", never)
    image = png_bytes(256)
    flood = image[:33] + png_chunk(b"tEXt", b"") * 10_000 + image[33:]
    error = refusal(flood)
    assert error.code == "too_many_chunks"
    assert "more than 10,000 chunks" in error.messages[0]
