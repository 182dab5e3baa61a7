"""Kept copies of the verification page and hosted assertion: fast, and never stale."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from badges import public_cache
from badges.services import assertion_revoke
from courses.tests.factories import leads_admin

from .factories import issued_badge

pytestmark = pytest.mark.django_db
HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON = {"HTTP_ACCEPT": "application/ld+json"}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def page_url(assertion):
    return f"/public/assertions/{assertion.pk}"


def test_a_visitor_is_served_a_kept_copy_without_touching_the_database(
    client, django_assert_num_queries
):
    assertion = issued_badge()
    first = client.get(page_url(assertion), **HTML)
    document = client.get(page_url(assertion) + ".json", **JSON)
    with django_assert_num_queries(0):
        again = client.get(page_url(assertion), **HTML)
        document_again = client.get(page_url(assertion) + ".json", **JSON)
    assert again.status_code == first.status_code == 200
    assert again.content == first.content
    assert document_again.content == document.content
    assert document_again["Content-Type"] == "application/ld+json"
    assert (
        client.get(
            page_url(assertion) + ".json", HTTP_IF_NONE_MATCH=document["ETag"], **JSON
        ).status_code
        == 304
    )


def test_a_revocation_shows_at_once_on_the_page_and_in_the_json(client):
    assertion = issued_badge()
    assert b"Valid" in client.get(page_url(assertion), **HTML).content
    assert client.get(page_url(assertion) + ".json", **JSON).status_code == 200
    assertion_revoke(assertion=assertion, acting_user=leads_admin(), reason="Plagiarism found")
    page = client.get(page_url(assertion), **HTML)
    assert b"Revoked" in page.content and b"Plagiarism found" in page.content
    assert client.get(page_url(assertion) + ".json", **JSON).status_code == 410


def test_an_edited_badge_design_never_changes_an_issued_badges_page(client):
    """An issued badge is a frozen record: its kept copy is dropped on a design edit (the
    generation changes), and the page built afresh still says what the badge said at issue."""
    assertion = issued_badge()
    old_name = assertion.badge_version.name
    client.get(page_url(assertion), **HTML)
    badge = assertion.badge_class
    badge.name = "Evidence-based Teaching, Advanced"
    badge.save()
    body = client.get(page_url(assertion), **HTML).content
    assert old_name.encode() in body
    assert b"Evidence-based Teaching, Advanced" not in body


def test_someone_signed_in_gets_their_own_page_not_a_visitors_copy(client):
    assertion = issued_badge()
    client.get(page_url(assertion), **HTML)  # a visitor's copy is kept
    signed_in = Client()
    signed_in.force_login(assertion.recipient)
    page = signed_in.get(page_url(assertion), **HTML)
    assert b"Signed in as" in page.content
    assert b"Signed in as" not in client.get(page_url(assertion), **HTML).content


def test_a_copy_is_not_served_once_the_badge_has_expired():
    from django.http import HttpResponse
    from django.test import RequestFactory

    assertion = issued_badge()
    now = timezone.now().replace(second=0)
    kept = public_cache.Lookup("page", assertion.pk, "html", now=now)
    kept.store(
        RequestFactory().get("/"), HttpResponse("Valid"), expires_at=now + timedelta(seconds=30)
    )
    before = public_cache.Lookup("page", assertion.pk, "html", now=now + timedelta(seconds=29))
    after = public_cache.Lookup("page", assertion.pk, "html", now=now + timedelta(seconds=31))
    assert before.response.content == b"Valid"
    assert after.response is None


def test_without_redis_the_page_is_built_as_usual(client, monkeypatch):
    assertion = issued_badge()

    def unavailable(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "get_many", unavailable)
    monkeypatch.setattr(cache, "set", unavailable)
    monkeypatch.setattr(cache, "set_many", unavailable)
    assert client.get(page_url(assertion), **HTML).status_code == 200
    assert client.get(page_url(assertion) + ".json", **JSON).status_code == 200


def test_a_visitor_with_a_pending_message_is_neither_served_nor_stored_a_copy(client):
    from django.contrib.messages.storage.cookie import CookieStorage

    assertion = issued_badge()
    client.cookies[CookieStorage.cookie_name] = "pending"
    assert client.get(page_url(assertion), **HTML).status_code == 200
    kept = public_cache.Lookup("page", assertion.pk, "html", now=timezone.now())
    assert kept.response is None
