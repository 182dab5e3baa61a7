"""What people see: the verification, badge and issuer pages, the backpack and the profile."""

import re
import uuid
from datetime import UTC, date, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone as dj_timezone

from accounts.tests.factories import UserFactory
from badges import linkedin, qr
from badges.models import Assertion
from badges.services import assertion_revoke
from courses.tests.factories import leads_admin

from .factories import badge_course, issued_badge, revoked_badge

pytestmark = pytest.mark.django_db
HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


class PageParser(HTMLParser):
    """Headings in order, images and their alt text, and every address the page loads."""

    def __init__(self):
        super().__init__()
        self.headings, self.images, self.loads, self.links, self.inputs = [], [], [], [], []
        self.inline_scripts = self.inline_styles = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        if tag == "img":
            self.images.append(attrs)
            self.loads.append(attrs.get("src", ""))
        if tag == "script":
            if attrs.get("src"):
                self.loads.append(attrs["src"])
            else:
                self._in_script = True
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.loads.append(attrs.get("href", ""))
        if tag == "a":
            self.links.append(attrs.get("href", ""))
        if tag == "input":
            self.inputs.append(attrs)
        if tag == "style" or "style" in attrs:
            self.inline_styles += 1

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def parse(response):
    parser = PageParser()
    parser.feed(response.content.decode())
    return parser


def assert_accessible_and_self_contained(response):
    page = parse(response)
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, f"heading h{after} follows h{before}"
    assert all("alt" in img for img in page.images)
    # Nothing from elsewhere: every resource is this site's own or a data: URL.
    assert all(src.startswith(("/", "data:")) for src in page.loads), page.loads
    assert page.inline_scripts == 0 and page.inline_styles == 0
    return page


def h1_text(body):
    inner = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", inner).split())


def verification_url(assertion):
    return reverse("badges:assertion", args=[str(assertion.pk)])


# --- The verification page ------------------------------------------------------------------


def test_a_valid_badge_shows_valid_first_and_everything_it_certifies(
    client, django_assert_max_num_queries
):
    assertion = issued_badge()
    with django_assert_max_num_queries(3):
        response = client.get(verification_url(assertion), **HTML)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    # The status comes first, in words (the h1) and in colour (the class).
    main = body[body.index("<main") :]
    assert main.index('class="verify-status verify-valid"') < main.index("Amina Yusuf")
    assert h1_text(body).startswith("✓ Valid")
    badge = assertion.badge_class
    for text in [
        "Amina Yusuf", badge.name, badge.issuer.name, f"{assertion.issued_on:%-d %B %Y}",
        f"{assertion.expires_on:%-d %B %Y}", "Apply skill 1.", "Apply skill 2.",
        "Task 1", "Passed on", "https://vle.example/submissions/1",
        "2 ECTS credits", "EQF level 5", "50.5 hours", "Online assignments marked pass or fail",
        "Online", "Approved by the Dean under the LEADS course review",
    ]:  # fmt: skip
        assert text in body, text
    page = assert_accessible_and_self_contained(response)
    pk = str(assertion.pk)
    assert reverse("badges:issuer", args=[str(badge.issuer_id)]) in page.links
    assert f"/public/assertions/{pk}.json" in page.links
    assert f"/public/assertions/{pk}/image" in page.links
    assert f"/public/assertions/{pk}/certificate.pdf" in page.links
    qr_images = [img for img in page.images if "QR code" in img.get("alt", "")]
    assert qr_images[0]["src"] == f"/public/assertions/{pk}/qr.svg"
    qr_image = Client().get(qr_images[0]["src"])
    assert qr_image["Content-Type"] == "image/svg+xml"
    assert "max-age=86400" in qr_image["Cache-Control"]  # the address it encodes does not change
    assert qr_image.content == qr.qr_svg(settings.SITE_URL + f"/public/assertions/{pk}").encode()
    # No tracking: an anonymous visitor gets no cookie, and valid pages are cached briefly.
    assert not response.cookies
    assert "max-age=60" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert "Content-Security-Policy" in response


def test_the_qr_code_is_drawn_once_and_then_read_from_the_cache(client, monkeypatch):
    assertion = issued_badge()
    qr_url = f"/public/assertions/{assertion.pk}/qr.svg"
    first = client.get(qr_url)

    def no_drawing(url):
        raise AssertionError("the QR code was drawn again")

    monkeypatch.setattr(qr, "qr_svg", no_drawing)
    assert client.get(qr_url).content == first.content
    assert client.get(f"/public/assertions/{uuid.uuid4()}/qr.svg").status_code == 404


def test_a_revocation_shows_at_once_with_its_reason_and_date(client):
    assertion = issued_badge()
    assert "verify-valid" in client.get(verification_url(assertion), **HTML).content.decode()
    assertion_revoke(assertion=assertion, acting_user=leads_admin(), reason="Plagiarised project")
    response = client.get(verification_url(assertion), **HTML)
    body = response.content.decode()
    assert "verify-revoked" in body and "verify-valid" not in body
    assert h1_text(body).startswith("✕ Revoked") and "Plagiarised project" in body
    assertion.refresh_from_db()
    assert f"revoked this badge on {assertion.revoked_at:%-d %B %Y}" in body
    assert "no-cache" in response["Cache-Control"] and "max-age=60" not in response["Cache-Control"]


def test_an_expired_badge_says_expired(client):
    assertion = issued_badge(badge_expiry_months=None, badge_expiry_date=date.today())
    response = client.get(verification_url(assertion), **HTML)
    body = response.content.decode()
    assert "verify-expired" in body and h1_text(body).startswith("! Expired")
    assert f"This badge expired on {assertion.expires_on:%-d %B %Y}" in body
    assert "no-cache" in response["Cache-Control"]


def test_clients_still_get_json_from_the_same_address(client):
    assertion = issued_badge()
    response = client.get(verification_url(assertion) + ".json")
    assert response.json()["id"] == settings.SITE_URL + verification_url(assertion)


def test_a_hidden_badge_is_still_verifiable_by_its_link(client):
    assertion = issued_badge()
    learner = Client()
    learner.force_login(assertion.recipient)
    learner.post(reverse("badges:set_visibility", args=[assertion.pk]), {"hidden": "1"})
    response = client.get(verification_url(assertion), **HTML)
    assert response.status_code == 200 and "verify-valid" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        f"/public/assertions/{uuid.uuid4()}",
        f"/public/assertions/{uuid.uuid4()}/certificate.pdf",
        f"/public/badges/{uuid.uuid4()}",
        f"/public/issuers/{uuid.uuid4()}",
        f"/public/learners/{uuid.uuid4()}",
        "/public/assertions/not-a-uuid",
        "/public/assertions/1234",
        "/public/assertions/../../etc/passwd",
        "/public/assertions/%27%20OR%201=1--",
        f"/public/assertions/{str(uuid.uuid4()).upper()}",
        "/public/assertions/not-a-uuid/certificate.pdf",
        "/public/learners/42",
        "/learn/badges/not-a-uuid/visibility/",
    ],
)
def test_unknown_or_malformed_ids_are_a_plain_404(client, path):
    response = client.get(path, **HTML)
    assert response.status_code == 404
    body = response.content.decode()
    assert "Traceback" not in body and "DoesNotExist" not in body


# --- Badge class and issuer pages ----------------------------------------------------------


def test_the_badge_class_page_says_what_it_certifies_and_lists_no_earners(
    client, django_assert_max_num_queries
):
    assertion = issued_badge()
    badge = assertion.badge_class
    with django_assert_max_num_queries(2):
        response = client.get(reverse("badges:badge_class", args=[str(badge.pk)]), **HTML)
    body = response.content.decode()
    expected = [badge.name, "How it is earned", "Apply skill 1.", "LO1", "2 ECTS credits",
                "EQF level 5", "Expires 24 months after it is issued"]  # fmt: skip
    for text in expected:
        assert text in body, text
    assert badge.issuer.name in body
    assert "Amina Yusuf" not in body and str(assertion.pk) not in body
    assert_accessible_and_self_contained(response)


def test_the_issuer_page_lists_its_badges_not_who_earned_them(
    client, django_assert_max_num_queries
):
    assertion = issued_badge()
    issuer = assertion.badge_class.issuer
    with django_assert_max_num_queries(3):
        response = client.get(reverse("badges:issuer", args=[str(issuer.pk)]), **HTML)
    body = response.content.decode()
    assert issuer.name in body and assertion.badge_class.name in body
    assert reverse("badges:badge_class", args=[str(assertion.badge_class_id)]) in body
    assert "Amina Yusuf" not in body and str(assertion.pk) not in body
    assert_accessible_and_self_contained(response)


# --- The backpack ---------------------------------------------------------------------------


def test_the_backpack_needs_sign_in(client):
    response = client.get(reverse("badges:backpack"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_backpack_shows_the_learners_own_badges_with_everything_to_share(client):
    setup = badge_course()
    mine = issued_badge(course_setup=setup)
    revoked = revoked_badge(learner=mine.recipient, title="Statistics for Health")
    someone_elses = issued_badge(course_setup=setup, learner=UserFactory(full_name="Bilal Khan"))
    client.force_login(mine.recipient)
    response = client.get(reverse("badges:backpack"))
    assert response.status_code == 200
    body = response.content.decode()
    page = assert_accessible_and_self_contained(response)
    assert str(someone_elses.pk) not in body and "Bilal Khan" not in body
    assert "Valid" in body and "Revoked" in body and "Plagiarised final project" in body
    pk = str(mine.pk)
    share = settings.SITE_URL + f"/public/assertions/{pk}"
    inputs = {i["id"]: i for i in page.inputs if i.get("id", "").startswith("share-")}
    assert inputs[f"share-{pk}"]["value"] == share and "readonly" in inputs[f"share-{pk}"]
    assert f'data-copy-target="share-{pk}"' in body
    for link in [f"/public/assertions/{pk}/image", f"/public/assertions/{pk}.json",
                 f"/public/assertions/{pk}/certificate.pdf"]:  # fmt: skip
        assert link in page.links
    linkedin_links = [u for u in page.links if u.startswith(linkedin.ADD_TO_PROFILE)]
    assert len(linkedin_links) == 1  # the revoked badge has none
    params = parse_qs(urlsplit(linkedin_links[0]).query)
    assert params["certUrl"] == [share] and params["certId"] == [pk]
    assert params["name"] == [mine.badge_class.name]
    assert any(img.get("alt", "").startswith("QR code") for img in page.images)
    assert 'name="csrfmiddlewaretoken"' in body
    assert reverse("badges:set_visibility", args=[mine.pk]) in body
    assert str(revoked.pk) in body
    assert "/static/js/share.js" in page.loads


def test_an_empty_backpack_says_how_badges_come(client):
    learner = UserFactory(full_name="Nadia Ali")
    client.force_login(learner)
    assert "You have no badges yet" in client.get(reverse("badges:backpack")).content.decode()


# --- Hiding and the public profile ----------------------------------------------------------


def test_hidden_and_revoked_badges_never_appear_on_the_public_profile(client):
    setup = badge_course()
    shown = issued_badge(course_setup=setup)
    learner = shown.recipient
    hidden = issued_badge(learner=learner, title="Statistics for Health")
    revoked = revoked_badge(learner=learner, title="Research Ethics")
    owner = Client()
    owner.force_login(learner)
    response = owner.post(reverse("badges:set_visibility", args=[hidden.pk]), {"hidden": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/learn/badges/#badge-{hidden.pk}")
    assert Assertion.objects.get(pk=hidden.pk).hidden

    profile = client.get(reverse("badges:profile", args=[learner.public_id]), **HTML)
    body = profile.content.decode()
    assert profile.status_code == 200 and learner.full_name in body
    assert verification_url(shown) in body
    for absent in (hidden, revoked):
        assert str(absent.pk) not in body and absent.badge_class.name not in body
    assert "no-cache" in profile["Cache-Control"]
    assert_accessible_and_self_contained(profile)

    owner.post(reverse("badges:set_visibility", args=[hidden.pk]), {"hidden": "0"})
    body = client.get(reverse("badges:profile", args=[learner.public_id]), **HTML).content
    assert verification_url(hidden) in body.decode()


def test_only_the_earner_can_hide_a_badge_and_only_by_post_with_csrf(client):
    assertion = issued_badge()
    url = reverse("badges:set_visibility", args=[assertion.pk])
    assert client.post(url, {"hidden": "1"}).status_code == 302  # to sign in
    other = UserFactory()
    client.force_login(other)
    assert client.post(url, {"hidden": "1"}).status_code == 404
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(assertion.recipient)
    assert strict.post(url, {"hidden": "1"}).status_code == 403
    owner = Client()
    owner.force_login(assertion.recipient)
    assert owner.get(url).status_code == 405
    assert not Assertion.objects.get(pk=assertion.pk).hidden


def test_there_is_no_url_for_another_learners_backpack(client):
    assertion = issued_badge()
    client.force_login(UserFactory())
    for path in (f"/learn/badges/{assertion.recipient.public_id}",
                 f"/learn/badges/{assertion.recipient.public_id}/",
                 f"/learn/badges/?learner={assertion.recipient.pk}"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404 or str(assertion.pk) not in response.content.decode()


# --- LinkedIn and QR codes ------------------------------------------------------------------


def test_the_linkedin_link_uses_the_add_to_profile_parameters():
    from datetime import datetime

    url = linkedin.add_to_profile_url(
        name="Data Analytics with Python",
        organization_name="LEADS Centre",
        issued_on=datetime(2026, 3, 15, 10, tzinfo=UTC),
        expires_on=datetime(2028, 3, 14, tzinfo=UTC),
        cert_url="https://leads.example/public/assertions/abc",
        cert_id="abc",
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.linkedin.com/profile/add"
    assert parse_qs(parts.query) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Data Analytics with Python"],
        "organizationName": ["LEADS Centre"],
        "issueYear": ["2026"],
        "issueMonth": ["3"],
        "expirationYear": ["2028"],
        "expirationMonth": ["3"],
        "certUrl": ["https://leads.example/public/assertions/abc"],
        "certId": ["abc"],
    }
    no_expiry = linkedin.add_to_profile_url(
        name="x", organization_name="y", organization_id=123, issued_on=datetime(2026, 1, 1),
        expires_on=None, cert_url="https://a.example/", cert_id="1",
    )  # fmt: skip
    query = parse_qs(urlsplit(no_expiry).query)
    assert "expirationYear" not in query and query["organizationId"] == ["123"]
    assert "organizationName" not in query


def test_the_qr_svg_draws_exactly_the_modules_of_the_code():
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    data = "https://leads.example/public/assertions/0b3f6b57-1c6f-4c0a-9d0e-3b1e2f6a7c88"
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=qr.QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    expected = code.get_matrix()
    size = len(expected)
    drawn = [[False] * size for _ in range(size)]
    svg = qr.qr_svg(data)
    assert f'viewBox="0 0 {size} {size}"' in svg and '<rect width="' in svg
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        for dx in range(int(width)):
            drawn[int(y)][int(x) + dx] = True
    assert drawn == expected


def test_qr_codes_are_cached_by_url():
    url = settings.SITE_URL + "/public/assertions/" + str(uuid.uuid4())
    first = qr.qr_data_uri(url)
    assert first.startswith("data:image/svg+xml;base64,")
    assert cache.get(qr._key(url)) == first
    assert qr.qr_data_uris([url, url + "x"])[url] == first


def test_a_valid_page_is_never_cached_past_its_expiry(client):
    assertion = issued_badge()
    # No service moves an expiry: the test sets one a few seconds away.
    Assertion.objects.filter(pk=assertion.pk).update(
        expires_on=dj_timezone.now() + timedelta(seconds=20)
    )
    response = client.get(verification_url(assertion), **HTML)
    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
    assert 0 < max_age <= 20
