"""The PDF certificate: what it says, that it fetches nothing, and that it is rendered once."""

from datetime import date

import pytest
import weasyprint
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from weasyprint.formatting_structure import boxes

from badges import certificate
from badges.qr import qr_data_uri
from badges.services import assertion_revoke
from courses.tests.factories import leads_admin

from .factories import issued_badge, revoked_badge

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def pages_text(assertion, *, fetcher=None):
    """The text of each page as WeasyPrint laid it out (what a reader of the PDF sees)."""
    html = certificate.certificate_html(assertion, now=timezone.now())
    document = weasyprint.HTML(
        string=html, url_fetcher=fetcher or certificate.DataOnlyFetcher()
    ).render()

    def texts(box):
        if isinstance(box, boxes.TextBox):
            yield box.text
        for child in getattr(box, "children", None) or []:
            yield from texts(child)

    return [" ".join(" ".join(texts(page._page_box)).split()) for page in document.pages]


def url(assertion):
    return reverse("badges:certificate", args=[str(assertion.pk)])


def test_the_certificate_is_an_inline_pdf_revalidated_at_each_request(client):
    assertion = issued_badge()
    response = client.get(url(assertion))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    name = certificate.certificate_filename(assertion)
    assert response["Content-Disposition"] == f'inline; filename="{name}"'
    assert name.startswith("certificate-data-analytics-with-python-") and name.endswith(".pdf")
    assert "no-cache" in response["Cache-Control"]


def test_it_says_who_earned_what_with_outcomes_hours_credits_level_dates_and_issuer():
    assertion = issued_badge()
    badge = assertion.badge_class
    (text,) = pages_text(assertion)  # one page
    for expected in [
        "Amina Yusuf", badge.name, "Data Analytics with Python", "Apply skill 1.",
        "Apply skill 2.", "50.5 hours", "2 ECTS credits", "EQF level 5",
        f"{assertion.issued_on:%-d %B %Y}", f"{assertion.expires_on:%-d %B %Y}",
        badge.issuer.name,
    ]:  # fmt: skip
        assert expected in text, expected
    # The address wraps in its narrow column.
    verification = settings.SITE_URL + f"/public/assertions/{assertion.pk}"
    assert verification in text.replace(" ", "")
    assert "REVOKED" not in text and "EXPIRED" not in text


def test_a_revoked_badges_certificate_says_revoked_prominently_with_the_reason():
    assertion = revoked_badge(reason="Plagiarised final project")
    (text,) = pages_text(assertion)
    assert "REVOKED — this badge is no longer valid" in text
    assert "Plagiarised final project" in text
    html = certificate.certificate_html(assertion, now=timezone.now())
    assert 'class="status status-revoked"' in html and 'class="frame revoked"' in html


def test_an_expired_badges_certificate_says_expired():
    assertion = issued_badge(badge_expiry_months=None, badge_expiry_date=date.today())
    (text,) = pages_text(assertion)
    assert f"EXPIRED on {assertion.expires_on:%-d %B %Y}" in text


def test_it_carries_a_qr_code_of_the_verification_page_and_fetches_nothing():
    assertion = issued_badge()
    html = certificate.certificate_html(assertion, now=timezone.now())
    verification = settings.SITE_URL + f"/public/assertions/{assertion.pk}"
    assert f'src="{qr_data_uri(verification)}"' in html
    fetcher = certificate.DataOnlyFetcher()
    pages_text(assertion, fetcher=fetcher)
    assert fetcher.refused == []
    remote = (
        '<img src="https://tracker.example/pixel.png" alt="">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
    )
    fetcher = certificate.DataOnlyFetcher()
    assert certificate.render_pdf(remote, fetcher=fetcher).startswith(b"%PDF-")
    assert sorted(fetcher.refused) == ["file:///etc/passwd", "https://tracker.example/pixel.png"]


def test_the_pdf_is_tagged_for_screen_readers():
    assertion = issued_badge()
    html = certificate.certificate_html(assertion, now=timezone.now())
    pdf = certificate.render_pdf(html, uncompressed_pdf=True)
    assert b"/StructTreeRoot" in pdf and b"/H1" in pdf and b"/L" in pdf


def test_it_is_rendered_once_per_state_and_a_revocation_makes_a_new_one(client, monkeypatch):
    assertion = issued_badge()
    renders = []
    real_render = certificate.render_pdf

    def counting_render(html, **kwargs):
        renders.append(html)
        return real_render(html, **kwargs)

    monkeypatch.setattr(certificate, "render_pdf", counting_render)
    first = client.get(url(assertion)).content
    assert client.get(url(assertion)).content == first
    assert len(renders) == 1
    assertion_revoke(assertion=assertion, acting_user=leads_admin(), reason="Issued in error")
    revoked = client.get(url(assertion)).content
    assert len(renders) == 2 and revoked != first
    assert "REVOKED" in renders[-1] and "Issued in error" in renders[-1]
    client.get(url(assertion))
    assert len(renders) == 2


def test_the_cache_key_follows_everything_the_certificate_shows():
    assertion = issued_badge()
    now = timezone.now()
    key = certificate.cache_key(assertion, now=now)
    assert key.startswith(f"certificate:{assertion.pk}:")
    assert certificate.cache_key(assertion, now=now) == key
    # A design edit changes nothing an issued badge shows (its version is frozen)…
    badge = assertion.badge_class
    badge.name = "Renamed badge"
    badge.save()
    assert certificate.cache_key(assertion, now=now) == key
    # …its status does.
    assertion = assertion_revoke(
        assertion=assertion, acting_user=leads_admin(), reason="Issued in error"
    )
    assert certificate.cache_key(assertion, now=now) != key
