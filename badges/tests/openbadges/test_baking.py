"""Baking and unbaking PNG and SVG badges (badges.openbadges.baking), including hostile input.

Pillow reads the baked PNGs back as an independent PNG implementation; the 1EdTech bakery does the
same in test_validator.py.
"""

from __future__ import annotations

import io
import json
import random
import statistics
import struct
import time
import zlib

import pytest
from PIL import Image

from badges.openbadges import baking, ob2
from badges.openbadges.baking import OB2, OB3

from .conftest import ASSERTION_ID, png_bytes

ASSERTION_TEXT = '{"id":"https://badges.example.edu/public/assertions/1","name":"Ünïcode ✓"}'


def chunk_types(png: bytes) -> list[bytes]:
    return [chunk.type for chunk in baking.iter_png_chunks(png)]


def badge_chunks(png: bytes, keyword: bytes = b"openbadges") -> list[baking.Chunk]:
    return [c for c in baking.iter_png_chunks(png) if c.data.startswith(keyword + b"\x00")]


def insert_after_ihdr(png: bytes, raw_chunk: bytes) -> bytes:
    ihdr_end = 8 + 4 + 4 + 13 + 4
    return png[:ihdr_end] + raw_chunk + png[ihdr_end:]


# --- PNG round trips ------------------------------------------------------------------------------


def test_png_round_trip(badge_png):
    baked = baking.bake_png(badge_png, ASSERTION_TEXT)
    assert baking.unbake_png(baked) == ASSERTION_TEXT
    assert baking.unbake(baked) == ASSERTION_TEXT


def test_png_chunk_is_uncompressed_itxt_right_after_ihdr(badge_png):
    baked = baking.bake_png(badge_png, ASSERTION_TEXT)
    chunks = list(baking.iter_png_chunks(baked))
    assert chunks[0].type == b"IHDR"
    assert chunks[1].type == b"iTXt"
    # Baking 2.0 §PNGs: keyword, no compression, empty language tag and translated keyword.
    assert chunks[1].data == b"openbadges\x00\x00\x00\x00\x00" + ASSERTION_TEXT.encode("utf-8")


def test_pillow_reads_the_baked_png_and_its_pixels(badge_png):
    baked = baking.bake_png(badge_png, ASSERTION_TEXT)
    with Image.open(io.BytesIO(baked)) as image:
        image.load()  # decodes IDAT: the image data is intact
        assert image.size == (256, 256)
        assert image.text["openbadges"] == ASSERTION_TEXT
    with Image.open(io.BytesIO(badge_png)) as original, Image.open(io.BytesIO(baked)) as copy:
        assert original.tobytes() == copy.tobytes()


def test_rebaking_replaces_the_chunk_instead_of_adding_one(badge_png):
    once = baking.bake_png(badge_png, ASSERTION_TEXT)
    twice = baking.bake_png(once, '{"second":true}')
    assert len(badge_chunks(twice)) == 1
    assert baking.unbake_png(twice) == '{"second":true}'
    assert chunk_types(twice) == chunk_types(once)


def test_baking_removes_legacy_text_badge_chunks(badge_png):
    legacy = baking.encode_png_chunk(b"tEXt", b"openbadges\x00https://example.org/old.json")
    baked = baking.bake_png(insert_after_ihdr(badge_png, legacy), ASSERTION_TEXT)
    assert [c.type for c in badge_chunks(baked)] == [b"iTXt"]


def test_other_text_chunks_are_kept(badge_png):
    comment = baking.encode_png_chunk(b"tEXt", b"Comment\x00made by the design team")
    baked = baking.bake_png(insert_after_ihdr(badge_png, comment), ASSERTION_TEXT)
    with Image.open(io.BytesIO(baked)) as image:
        assert image.text["Comment"] == "made by the design team"


def test_unbake_reads_a_chunk_placed_anywhere(badge_png):
    # Other bakers append the chunk before IEND; extraction must not depend on the position.
    chunk = baking.encode_png_chunk(b"iTXt", baking.encode_itxt("openbadges", ASSERTION_TEXT))
    iend = badge_png.rindex(b"IEND") - 4
    assert baking.unbake_png(badge_png[:iend] + chunk + badge_png[iend:]) == ASSERTION_TEXT


def test_png_with_palette_and_bytes_after_iend(badge_png):
    palette_png = png_bytes(size=64, mode="P") + b"trailing garbage"
    assert baking.unbake_png(baking.bake_png(palette_png, ASSERTION_TEXT)) == ASSERTION_TEXT


def test_ob3_keyword_is_separate_from_ob2(badge_png):
    credential = '{"type":["VerifiableCredential","OpenBadgeCredential"]}'
    baked = baking.bake_png(badge_png, credential, fmt=OB3)
    assert baking.unbake_png(baked, fmt=OB3) == credential
    with pytest.raises(baking.NoBadgeError):
        baking.unbake_png(baked, fmt=OB2)
    both = baking.bake_png(baked, ASSERTION_TEXT, fmt=OB2)
    assert baking.unbake_png(both, fmt=OB2) == ASSERTION_TEXT
    assert baking.unbake_png(both, fmt=OB3) == credential


def test_hosted_assertion_helper_bakes_png_json(badge_png, assertion_data):
    text = ob2.dumps(ob2.assertion_json(assertion_data))
    baked = baking.bake_hosted_assertion(badge_png, assertion_id=ASSERTION_ID, assertion_json=text)
    assert json.loads(baking.unbake(baked)) == ob2.assertion_json(assertion_data)


# --- PNG bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"GIF89a" + b"\x00" * 100, b"\xff\xd8\xff\xe0" + b"\x00" * 100, b"\x89PNG\r\n"],
    ids=["empty", "gif", "jpeg", "short-signature"],
)
def test_bake_refuses_input_that_is_not_a_png(data):
    with pytest.raises(baking.UnsupportedImageError):
        baking.bake_png(data, ASSERTION_TEXT)
    with pytest.raises(baking.UnsupportedImageError):
        baking.unbake_png(data)


def test_png_without_badge(badge_png):
    with pytest.raises(baking.NoBadgeError):
        baking.unbake_png(badge_png)


def test_png_with_two_badge_chunks(badge_png):
    baked = baking.bake_png(badge_png, ASSERTION_TEXT)
    extra = baking.encode_png_chunk(b"iTXt", baking.encode_itxt("openbadges", '{"other":1}'))
    with pytest.raises(baking.MultipleBadgesError):
        baking.unbake_png(insert_after_ihdr(baked, extra))


@pytest.mark.parametrize("cut", [10, 40, 60, -13, -1])
def test_truncated_png(badge_png, cut):
    baked = baking.bake_png(badge_png, ASSERTION_TEXT)
    with pytest.raises(baking.MalformedChunkError):
        baking.unbake_png(baked[:cut])


def test_bad_crc_in_badge_chunk(badge_png):
    baked = bytearray(baking.bake_png(badge_png, ASSERTION_TEXT))
    position = baked.index(b"badges.example.edu")
    baked[position] ^= 0x20  # same length, different text: only the CRC can tell
    with pytest.raises(baking.MalformedChunkError, match="CRC"):
        baking.unbake_png(bytes(baked))


def test_bad_crc_anywhere_is_refused_when_baking(badge_png):
    damaged = bytearray(badge_png)
    damaged[-5] ^= 0xFF  # the IEND CRC
    with pytest.raises(baking.MalformedChunkError, match="CRC"):
        baking.bake_png(bytes(damaged), ASSERTION_TEXT)


def test_chunk_length_beyond_the_png_maximum(badge_png):
    huge = struct.pack(">I4s", 2**31, b"tEXt")
    with pytest.raises(baking.MalformedChunkError, match="maximum"):
        baking.unbake_png(insert_after_ihdr(badge_png, huge))


def test_png_missing_iend(badge_png):
    iend = badge_png.rindex(b"IEND") - 4
    with pytest.raises(baking.MalformedChunkError, match="before IEND"):
        baking.unbake_png(badge_png[:iend])


def test_png_not_starting_with_ihdr(badge_png):
    chunk = baking.encode_png_chunk(b"tEXt", b"Comment\x00first")
    with pytest.raises(baking.MalformedChunkError, match="IHDR"):
        baking.bake_png(baking.PNG_SIGNATURE + chunk + badge_png[8:], ASSERTION_TEXT)


def test_compressed_badge_chunk_is_refused_not_inflated(badge_png):
    compressed = b"openbadges\x00\x01\x00\x00\x00" + zlib.compress(ASSERTION_TEXT.encode())
    png = insert_after_ihdr(badge_png, baking.encode_png_chunk(b"iTXt", compressed))
    with pytest.raises(baking.MalformedChunkError, match="compress"):
        baking.unbake_png(png)


@pytest.mark.parametrize(
    "data",
    [
        b"openbadges\x00\x00",
        b"openbadges\x00\x00\x00no-terminators",
        b"openbadges\x00\x00\x00\x00\x00\xff",
    ],
    ids=["too-short", "missing-separators", "not-utf8"],
)
def test_malformed_itxt_fields(badge_png, data):
    png = insert_after_ihdr(badge_png, baking.encode_png_chunk(b"iTXt", data))
    with pytest.raises(baking.MalformedChunkError):
        baking.unbake_png(png)


def test_oversize_input_is_refused_before_parsing(badge_png):
    with pytest.raises(baking.InputTooLargeError):
        baking.unbake(badge_png, max_bytes=len(badge_png) - 1)
    with pytest.raises(baking.InputTooLargeError):
        baking.bake_png(badge_png, ASSERTION_TEXT, max_bytes=100)
    oversized = b"\x00" * (baking.MAX_INPUT_BYTES + 1)
    with pytest.raises(baking.InputTooLargeError):
        baking.unbake(oversized)


def test_errors_share_one_base_class():
    for error in (
        baking.InputTooLargeError,
        baking.UnsupportedImageError,
        baking.NoBadgeError,
        baking.MultipleBadgesError,
        baking.MalformedChunkError,
        baking.UnsafeSVGError,
    ):
        assert issubclass(error, baking.BakingError)
    assert issubclass(baking.MalformedChunkError, baking.MalformedImageError)


# --- SVG ------------------------------------------------------------------------------------------


def test_svg_hosted_round_trip(badge_svg, assertion_data):
    text = ob2.dumps(ob2.assertion_json(assertion_data))
    baked = baking.bake_svg(badge_svg, verify=ASSERTION_ID, body=text)
    assert baking.read_svg_badge(baked) == (ASSERTION_ID, text)
    assert baking.unbake(baked) == text


def test_svg_badge_element_is_the_first_child_of_svg(badge_svg):
    baked = baking.bake_svg(badge_svg, verify=ASSERTION_ID, body=ASSERTION_TEXT).decode("utf-8")
    assert 'xmlns:openbadges="http://openbadges.org"' in baked
    assert f'><openbadges:assertion verify="{ASSERTION_ID}"><![CDATA[' in baked
    assert baked.index("<openbadges:assertion") < baked.index("<circle")


def test_svg_signed_badge_is_a_self_closing_element(badge_svg):
    jws = "eyJhbGciOiJSUzI1NiJ9.eyJpZCI6IjEifQ.c2lnbmF0dXJl"
    baked = baking.bake_svg(badge_svg, verify=jws)
    assert f'<openbadges:assertion verify="{jws}"/>' in baked.decode("utf-8")
    assert baking.unbake_svg(baked) == jws


def test_svg_cdata_terminator_inside_json_survives(badge_svg):
    text = json.dumps({"narrative": "arrays like a[b[1]]> end"})
    baked = baking.bake_svg(badge_svg, verify=ASSERTION_ID, body=text)
    assert json.loads(baking.unbake_svg(baked)) == json.loads(text)


def test_svg_rebaking_replaces_the_element(badge_svg):
    once = baking.bake_svg(badge_svg, verify=ASSERTION_ID, body=ASSERTION_TEXT)
    twice = baking.bake_svg(once, verify=ASSERTION_ID, body='{"second":true}')
    assert twice.count(b"<openbadges:assertion") == 1
    assert baking.unbake_svg(twice) == '{"second":true}'


def test_svg_ob3_credential_element(badge_svg):
    baked = baking.bake_svg(badge_svg, verify="urn:uuid:1", body='{"vc":1}', fmt=OB3)
    text = baked.decode("utf-8")
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in text
    assert "<openbadges:credential" in text
    assert baking.unbake_svg(baked, fmt=OB3) == '{"vc":1}'
    with pytest.raises(baking.NoBadgeError):
        baking.unbake_svg(baked, fmt=OB2)


def test_svg_element_found_by_namespace_not_prefix():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="http://openbadges.org">'
        b'<ob:assertion verify="https://example.org/a/1"><![CDATA[{"a":1}]]></ob:assertion></svg>'
    )
    assert baking.unbake_svg(svg) == '{"a":1}'


def test_plain_svg_doctype_is_accepted(badge_svg):
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'
    )
    baked = baking.bake_svg(svg, verify=ASSERTION_ID, body=ASSERTION_TEXT)
    assert baking.unbake_svg(baked) == ASSERTION_TEXT


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">
<openbadges:assertion verify="https://example.org/a">&lol9;</openbadges:assertion></svg>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">
<openbadges:assertion verify="https://example.org/a">&xxe;</openbadges:assertion></svg>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<svg xmlns="http://www.w3.org/2000/svg"/>"""


@pytest.mark.parametrize(
    "svg",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY],
    ids=["billion-laughs", "external-entity", "parameter-entity"],
)
def test_svg_entities_are_refused_before_expansion(svg):
    with pytest.raises(baking.UnsafeSVGError):
        baking.unbake_svg(svg)
    with pytest.raises(baking.UnsafeSVGError):
        baking.bake_svg(svg, verify=ASSERTION_ID)


def test_svg_without_badge(badge_svg):
    with pytest.raises(baking.NoBadgeError):
        baking.unbake_svg(badge_svg)


def test_svg_badge_element_without_body_or_verify():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion/></svg>'
    with pytest.raises(baking.NoBadgeError):
        baking.unbake_svg(svg)


def test_svg_with_two_badges():
    element = b'<openbadges:assertion verify="https://example.org/a"/>'
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        + element
        + b"<g>"
        + element
        + b"</g></svg>"
    )
    with pytest.raises(baking.MultipleBadgesError):
        baking.unbake_svg(svg)


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body/></html>",
        b"<svg",
        b"plain text",
        b'<svg xmlns="http://www.w3.org/2000/svg"><openbadges:assertion/></svg>',
    ],
    ids=["html", "truncated", "text", "unbound-prefix"],
)
def test_not_an_svg(data):
    with pytest.raises(baking.UnsupportedImageError):
        baking.unbake(data)


def test_svg_prefix_bound_to_another_namespace_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="urn:other"/>'
    with pytest.raises(baking.MalformedImageError, match="bound"):
        baking.bake_svg(svg, verify=ASSERTION_ID)


def test_oversize_svg_is_refused(badge_svg):
    with pytest.raises(baking.InputTooLargeError):
        baking.unbake_svg(badge_svg, max_bytes=10)


# --- Speed ----------------------------------------------------------------------------------------


def test_baking_a_256px_png_takes_well_under_20_ms(assertion_data):
    # A noisy image is the worst case: its IDAT barely compresses, so there is most to copy and CRC.
    noise = Image.frombytes("RGBA", (256, 256), random.Random(0).randbytes(256 * 256 * 4))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    text = ob2.dumps(ob2.assertion_json(assertion_data))
    timings = []
    for _ in range(30):
        start = time.perf_counter()
        baking.bake_png(buffer.getvalue(), text)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.020


# --- Deep or huge SVG trees: refused before minidom builds (or recurses through) them -----------

SVG_OPEN = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'


@pytest.mark.parametrize(
    "svg, words",
    [
        (SVG_OPEN + b"<g>" * 1000 + b"</g>" * 1000 + b"</svg>", "more than 64 levels deep"),
        (SVG_OPEN + b"<g>" * 500_000, "more than 64 levels deep"),  # never closed
        (SVG_OPEN + b"<g/>" * 40_000 + b"</svg>", "more than 40,000 elements and attributes"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" '
            + b" ".join(b'a%d="1"' % i for i in range(40_000))
            + b"/>",
            "more than 40,000 elements and attributes",
        ),
    ],
    ids=["deep", "deep-unclosed", "many-elements", "many-attributes"],
)
def test_a_deep_or_huge_svg_is_refused_without_a_dom(svg, words, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the DOM must not be built")

    monkeypatch.setattr(baking.defusedxml.minidom, "parseString", never)
    for read in (baking.unbake, lambda data: baking.bake_svg(data, verify=ASSERTION_ID)):
        with pytest.raises(baking.SvgTooComplexError, match=words):
            read(svg)


def test_a_baked_svg_at_the_nesting_limit_unbakes():
    svg = SVG_OPEN + b"<g>" * 62 + b"<circle r='1'/>" + b"</g>" * 62 + b"</svg>"
    baked = baking.bake_svg(svg, verify=ASSERTION_ID, body=ASSERTION_TEXT)
    assert baking.unbake(baked) == ASSERTION_TEXT


def test_the_shape_scan_leaves_entities_to_the_defused_parse():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + SVG_OPEN + b"&b;</svg>"
    )
    with pytest.raises(baking.UnsafeSVGError):
        baking.unbake(bomb)


def test_a_png_of_more_than_10000_chunks_is_refused_after_the_limit():
    empty = struct.pack(">I", 0) + b"tEXt" + struct.pack(">I", zlib.crc32(b"tEXt"))
    png = png_bytes()
    flood = insert_after_ihdr(png, empty * baking.MAX_PNG_CHUNKS)
    with pytest.raises(baking.TooManyChunksError, match="more than 10,000 chunks"):
        baking.unbake(flood)
    within = insert_after_ihdr(png, empty * (baking.MAX_PNG_CHUNKS - len(chunk_types(png))))
    assert len(chunk_types(within)) == baking.MAX_PNG_CHUNKS  # at the limit: read
