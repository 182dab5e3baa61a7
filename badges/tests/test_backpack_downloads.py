"""The backpack's files, each fetched the way a browser would follow its link: the Open Badges
2.0 and 3.0 downloads, what a revoked badge says instead, LinkedIn's organisation id, the embed
snippet, and the link from a completed course to its badge."""

import html
import json
import re
import struct
import zlib
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from defusedxml import ElementTree
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.tests.factories import UserFactory
from badges import linkedin
from badges.models import Assertion

from .factories import badge_course, issued_badge, revoked_badge

pytestmark = pytest.mark.django_db
SITE = "https://centre.example"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'
OB3_TYPES = {
    ".json": "application/vc+ld+json",
    ".jwt": "application/vc+jwt",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    cache.clear()
    yield
    cache.clear()


class Backpack(HTMLParser):
    """Every link with a `download` name, the textareas' text, and the whole page's text."""

    def __init__(self):
        super().__init__()
        self.downloads, self.links, self.textareas = {}, [], {}
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.links.append(attrs.get("href", ""))
            if "download" in attrs:
                self.downloads[attrs["download"]] = attrs["href"]
        if tag == "textarea":
            self._textarea = attrs["id"]
            self.textareas[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.textareas[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def backpack(client, learner):
    client.force_login(learner)
    response = client.get(reverse("badges:backpack"))
    assert response.status_code == 200
    page = Backpack()
    page.feed(response.content.decode())
    return page, response.content.decode()


def png_text_chunks(png: bytes) -> dict[str, str]:
    """iTXt keywords and text, read by hand from the bytes (PNG §11.3.4.5), not by our baker."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    chunks, offset = {}, 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        data = png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + data) == crc, kind
        if kind == b"iTXt":
            keyword, rest = data.split(b"\0", 1)
            compressed, rest = rest[0], rest[2:]  # flag, method
            _language, rest = rest.split(b"\0", 1)
            _translated, text = rest.split(b"\0", 1)
            chunks[keyword.decode("latin-1")] = (
                zlib.decompress(text) if compressed else text
            ).decode("utf-8")
        offset += 12 + length
    return chunks


def fetch(client, url):
    """As a browser follows an <a download>: it asks for anything."""
    response = client.get(url, HTTP_ACCEPT="*/*")
    assert response.status_code == 200, url
    return response


# --- Every file a valid badge offers --------------------------------------------------------


def test_every_download_link_answers_with_the_file_it_names(client):
    assertion = issued_badge(title="Data Analytics with Python")
    page, body = backpack(client, assertion.recipient)
    stem = "data-analytics-with-python"
    expected = {f"{stem}-ob2.png", f"{stem}-ob2.json", f"{stem}-ob3.json", f"{stem}-ob3.jwt",
                f"{stem}-ob3.png", f"{stem}-qr.svg"}  # fmt: skip
    assert expected <= set(page.downloads)
    for words in ("Open Badges 2.0 (most backpacks and LinkedIn)",
                  "Open Badges 3.0 (verifiable credential: wallets)",
                  "(JSON-LD, .json)", "(JWT, .jwt)", "(PNG, .png)", "(JSON, .json)"):  # fmt: skip
        assert words in body, words

    ob3 = json.loads(fetch(client, page.downloads[f"{stem}-ob3.json"]).content)
    assert ob3 == json.loads(assertion.credential_json)
    assert "OpenBadgeCredential" in ob3["type"] and ob3["proof"]
    response = fetch(client, page.downloads[f"{stem}-ob3.json"])
    assert response["Content-Type"] == OB3_TYPES[".json"]

    jwt = fetch(client, page.downloads[f"{stem}-ob3.jwt"])
    assert jwt["Content-Type"] == OB3_TYPES[".jwt"]
    parts = jwt.content.decode("ascii").split(".")
    assert len(parts) == 3 and all(parts)
    assert jwt.content.decode("ascii") == assertion.credential_jwt

    png = fetch(client, page.downloads[f"{stem}-ob3.png"])
    assert png["Content-Type"] == OB3_TYPES[".png"]
    chunks = png_text_chunks(png.content)
    assert chunks["openbadgecredential"] == assertion.credential_json
    assert "openbadges" not in chunks  # the OB 2.0 assertion is in the other image

    ob2_png = fetch(client, page.downloads[f"{stem}-ob2.png"])
    assert ob2_png["Content-Type"] == "image/png"
    assert json.loads(png_text_chunks(ob2_png.content)["openbadges"])["id"].endswith(
        str(assertion.pk)
    )
    ob2 = fetch(client, page.downloads[f"{stem}-ob2.json"])
    assert ob2["Content-Type"].startswith(("application/ld+json", "application/json"))
    assert json.loads(ob2.content)["type"] == "Assertion"


def test_an_svg_badge_offers_its_images_as_svg_with_the_credential_baked_in(client):
    setup = badge_course(title="Research Ethics")
    setup[4].image.save("badge.svg", ContentFile(SVG))  # the design's image, before issue
    assertion = issued_badge(course_setup=setup)
    page, body = backpack(client, assertion.recipient)
    assert "research-ethics-ob3.png" not in page.downloads and "(SVG, .svg)" in body
    svg = fetch(client, page.downloads["research-ethics-ob3.svg"])
    assert svg["Content-Type"] == OB3_TYPES[".svg"]
    assert b"openbadges:credential" in svg.content
    # Read with an ordinary XML parser, not our baker.
    root = ElementTree.fromstring(svg.content)
    (element,) = root.findall("{https://purl.imsglobal.org/ob/v3p0}credential")
    assert json.loads(element.text) == json.loads(assertion.credential_json)
    ob2 = fetch(client, page.downloads["research-ethics-ob2.svg"])
    assert ob2["Content-Type"] == "image/svg+xml" and b"openbadges:assertion" in ob2.content


def test_a_png_badge_is_offered_as_an_svg_too_with_the_credential_baked_in(client):
    import base64

    from badges.tests.verifying import credential_report

    assertion = issued_badge()
    page, _ = backpack(client, assertion.recipient)
    stem = next(name for name in page.downloads if name.endswith("-ob3.png"))[: -len(".png")]
    svg = fetch(client, page.downloads[f"{stem}.svg"])
    assert svg["Content-Type"] == OB3_TYPES[".svg"]
    root = ElementTree.fromstring(svg.content)
    (element,) = root.findall("{https://purl.imsglobal.org/ob/v3p0}credential")
    credential = json.loads(element.text)
    assert credential == json.loads(assertion.credential_json)
    assert credential_report(credential).verdict == "valid"
    # The verifier reads the file itself as it reads any baked SVG.
    from badges import verification
    from badges.verification_sources import SiteSources

    assert verification.verify_bytes(svg.content, sources=SiteSources()).verdict == "valid"
    # It shows the badge's own PNG.
    (image,) = root.findall("{http://www.w3.org/2000/svg}image")
    shown = base64.b64decode(image.get("href").split(",", 1)[1])
    assert shown == assertion.badge_version.image.open("rb").read()


def test_a_badge_issued_before_ob3_signing_says_why_it_has_no_ob3_files(client):
    assertion = issued_badge()
    Assertion.objects.filter(pk=assertion.pk).update(credential_json="", credential_jwt="")
    page, body = backpack(client, assertion.recipient)
    assert not any("-ob3." in name for name in page.downloads)
    assert f"/public/assertions/{assertion.pk}/credential" not in " ".join(page.links)
    assert "Open Badges 3.0 files are not available for this badge" in body
    assert "issued before the centre began signing Open Badges 3.0 credentials" in body
    assert any(name.endswith("-ob2.json") for name in page.downloads)


# --- A revoked badge ------------------------------------------------------------------------


def test_a_revoked_badge_says_why_and_offers_no_file(client):
    valid = issued_badge()
    revoked = revoked_badge(learner=valid.recipient, title="Statistics for Health")
    page, body = backpack(client, valid.recipient)
    pk = str(revoked.pk)
    card = body[body.index(f'id="badge-{pk}"') :]
    card = card[: card.index("</section>")]
    assert f"This badge was revoked on {revoked.revoked_at:%-d %B %Y}: Plagiarised" in card
    assert "Plagiarised final project. Its files are no longer offered" in card
    assert "the verification page</a> says it is revoked" in card
    assert " download=" not in card and 'href="/public/assertions/' not in card
    for href in page.links + list(page.downloads.values()):
        assert pk not in href or href == SITE + f"/public/assertions/{pk}"
    # The valid badge beside it keeps all its files.
    assert sum(str(valid.pk) in href for href in page.downloads.values()) >= 5


# --- LinkedIn -------------------------------------------------------------------------------


def linkedin_params(page):
    links = [u for u in page.links if u.startswith(linkedin.ADD_TO_PROFILE)]
    assert len(links) == 1
    return parse_qs(urlsplit(links[0]).query)


def test_add_to_linkedin_carries_the_organisation_id_when_it_is_set(client, settings):
    assertion = issued_badge()
    settings.LINKEDIN_ORGANIZATION_ID = "2414183"
    page, _ = backpack(client, assertion.recipient)
    params = linkedin_params(page)
    assert params["organizationId"] == ["2414183"] and "organizationName" not in params
    assert params["certUrl"] == [SITE + f"/public/assertions/{assertion.pk}"]

    settings.LINKEDIN_ORGANIZATION_ID = None
    params = linkedin_params(backpack(client, assertion.recipient)[0])
    assert "organizationId" not in params
    assert params["organizationName"] == [assertion.badge_version.issuer_name]


# --- The embed snippet ----------------------------------------------------------------------


def test_the_embed_snippet_links_the_badge_image_to_its_verification_page(client):
    learner = UserFactory(is_learner=True, full_name='Amina "<b>" O\'Neil & Co')
    assertion = issued_badge(learner=learner, title="Data <i>Analytics</i>")
    page, body = backpack(client, learner)
    assert "<b>" not in body and "<i>Analytics" not in body  # nothing of theirs became markup
    snippet = page.textareas[f"embed-{assertion.pk}"]  # as the learner sees and copies it
    verification = SITE + f"/public/assertions/{assertion.pk}"
    image = SITE + f"/public/badges/{assertion.badge_version_id}/image"
    assert snippet == (
        f'<a href="{verification}"><img src="{image}" width="120" height="120" '
        'alt="Open Badge: Data &lt;i&gt;Analytics&lt;/i&gt;, earned by '
        'Amina &quot;&lt;b&gt;&quot; O&#x27;Neil &amp; Co"></a>'
    )
    # What a browser or mail client makes of it: one link, one image, the words as written.
    parsed = Backpack()
    parsed.feed(snippet)
    assert parsed.links == [verification]
    alt = re.search(r'alt="([^"]*)"', snippet).group(1)
    assert html.unescape(alt) == (
        'Open Badge: Data <i>Analytics</i>, earned by Amina "<b>" O\'Neil & Co'
    )
    # Labelled for screen readers, with a Copy button that share.js reveals.
    assert f'<label class="form-label small mb-1" for="embed-{assertion.pk}">' in body
    assert f'data-copy-target="embed-{assertion.pk}"' in body
    assert "/static/js/share.js" in body


def test_a_revoked_badge_has_no_embed_snippet(client):
    revoked = revoked_badge()
    page, _ = backpack(client, revoked.recipient)
    assert page.textareas == {}


# --- From the course to its badge -----------------------------------------------------------


def test_a_completed_course_links_to_its_badge(client):
    assertion = issued_badge()
    client.force_login(assertion.recipient)
    url = reverse("assessments:my_enrollment", args=[assertion.enrollment_id])
    body = client.get(url).content.decode()
    assert f'href="/public/assertions/{assertion.pk}"' in body
    assert f'href="/learn/badges/#badge-{assertion.pk}"' in body


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_copy_button_copies_the_embed_snippet_in_a_browser(browser_page, live_server, settings):
    from playwright.sync_api import expect

    from .test_pages_browser import sign_in

    settings.SITE_URL = live_server.url
    assertion = issued_badge(title="Data Analytics with Python")
    page = browser_page
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Security Policy" in m.text else None)
    sign_in(page, assertion.recipient.email)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + "/learn/badges/")
    card = page.locator(f"#badge-{assertion.pk}")
    snippet = card.get_by_label("Embed code for a web page or an e-mail signature").input_value()
    assert snippet.startswith(f'<a href="{live_server.url}/public/assertions/{assertion.pk}">')
    card.get_by_role("button", name="Copy code to embed Data Analytics with Python").click()
    expect(card.get_by_text("Embed code copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == snippet
    assert csp_errors == []
