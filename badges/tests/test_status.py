"""Revocation status lists: random indexes drawn without replacement, 131,072 entries, the bit
flipped with the revocation and the signed list republished on commit, served from the cache."""

import json
import statistics

import pytest
from django.core.cache import cache

from badges import signing, status
from badges.models import StatusList, StatusListAllocation
from badges.openbadges.vc import eddsa_rdfc_2022
from badges.openbadges.vc.status_list import BitstringStatusList
from badges.services import assertion_revoke, issuer_get_default
from badges.verification_sources import resolve_controller
from courses.tests.factories import leads_admin

from .test_credentials import credential_of, issue_one

pytestmark = pytest.mark.django_db

KEY = bytes(range(32))


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://centre.example"


# --- The permutation ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 5, 1000, 4097])
def test_the_indexes_are_a_permutation(size):
    drawn = [status.permuted_index(KEY, size, p) for p in range(size)]
    assert sorted(drawn) == list(range(size))


def test_a_full_list_uses_every_index_once():
    drawn = [status.permuted_index(KEY, status.LIST_SIZE, p) for p in range(status.LIST_SIZE)]
    assert len(set(drawn)) == status.LIST_SIZE == 131_072
    assert min(drawn) == 0 and max(drawn) == status.LIST_SIZE - 1


def test_the_order_of_issue_does_not_show_in_the_indexes():
    positions = range(2000)
    drawn = [status.permuted_index(KEY, status.LIST_SIZE, p) for p in positions]
    assert statistics.correlation(list(positions), drawn) ** 2 < 0.01
    ascending = sum(b > a for a, b in zip(drawn, drawn[1:], strict=False))
    assert 0.45 < ascending / (len(drawn) - 1) < 0.55  # like a coin toss
    assert statistics.mean(drawn) == pytest.approx(status.LIST_SIZE / 2, rel=0.1)
    # Another list's secret key, another order.
    other = [status.permuted_index(bytes(32), status.LIST_SIZE, p) for p in positions]
    assert other != drawn


# --- Allocation -----------------------------------------------------------------------------------


def test_allocation_hands_out_distinct_random_entries_in_one_list():
    issuer = issuer_get_default()
    first = status.status_entries_allocate(issuer=issuer, count=500)
    second = status.status_entries_allocate(issuer=issuer, count=500)
    entries = first + second
    assert len({index for _, index in entries}) == 1000
    assert len({status_list.pk for status_list, _ in entries}) == 1
    indexes = [index for _, index in entries]
    assert indexes != sorted(indexes)
    allocation = StatusListAllocation.objects.get()
    assert allocation.allocated == 1000 and allocation.size == 131_072


def test_a_full_list_is_followed_by_a_new_one():
    issuer = issuer_get_default()
    status.status_entries_allocate(issuer=issuer, count=1)
    StatusListAllocation.objects.update(allocated=131_072 - 3)
    entries = status.status_entries_allocate(issuer=issuer, count=5)
    lists = [status_list.pk for status_list, _ in entries]
    assert len(set(lists[:3])) == 1 and len(set(lists[3:])) == 1 and lists[0] != lists[3]
    assert StatusList.objects.count() == 2


# --- Revocation and publishing --------------------------------------------------------------------


def published_bits(status_list_id) -> BitstringStatusList:
    document = status.status_list_credential(status_list_id)
    return BitstringStatusList.decode(document["credentialSubject"]["encodedList"])


def test_the_list_is_a_signed_bitstring_status_list_credential():
    assertion = issue_one()
    document = status.status_list_credential(assertion.status_list_id)
    url = f"https://centre.example/public/status/{assertion.status_list_id}"
    assert document["id"] == url
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == credential_of(assertion)["issuer"]["id"]
    subject = document["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert subject["encodedList"].startswith("u")  # multibase base64url of GZIP
    bits = published_bits(assertion.status_list_id)
    assert len(bits) == 131_072 and not bits.get(assertion.status_index)
    proof = eddsa_rdfc_2022.verify_credential(
        document, controllers=resolve_controller, canonicalizer=signing.canonicalizer()
    )
    assert proof.verified, proof.errors


def test_revocation_flips_the_bit_and_republishes_on_commit(django_capture_on_commit_callbacks):
    assertion, other = issue_one(), issue_one()
    status_list = StatusList.objects.get(pk=assertion.status_list_id)
    # Published and cached (in a test transaction on-commit work waits: put it in by hand).
    cache.set(status.cache_key(status_list.pk), status.status_list_json(status_list.pk))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assertion_revoke(assertion=assertion, acting_user=leads_admin(), reason="Plagiarism")
        status_list.refresh_from_db()
        stored = BitstringStatusList.decode(status_list.encoded_list)
        assert stored.get(assertion.status_index) == 1  # in the revoking transaction
        assert status_list.revision == 1
        # Served from the cache, the list does not show it until the revocation commits.
        assert not published_bits(status_list.pk).get(assertion.status_index)
    assert callbacks
    with django_capture_on_commit_callbacks(execute=True):  # as after a real commit
        for callback in callbacks:
            callback()
    bits = published_bits(status_list.pk)
    assert bits.get(assertion.status_index) == 1
    assert bits.get(other.status_index) == 0
    assert sum(bits.get(i) for i in range(len(bits))) == 1
    cached = cache.get(status.cache_key(status_list.pk))
    assert (
        json.loads(cached)["credentialSubject"]
        == (status.status_list_credential(status_list.pk)["credentialSubject"])
    )
    status_list.refresh_from_db()
    assert status_list.published_revision == status_list.revision == 1


def test_a_list_is_republished_on_read_when_its_publishing_was_lost():
    assertion = issue_one()
    status.status_list_json(assertion.status_list_id)
    cache.delete(status.cache_key(assertion.status_list_id))
    # No on-commit work in a test transaction: as if the worker died right after the commit.
    assertion_revoke(assertion=assertion, acting_user=leads_admin(), reason="Plagiarism")
    assert published_bits(assertion.status_list_id).get(assertion.status_index) == 1


def test_reading_a_list_costs_no_query_once_cached(django_assert_num_queries):
    assertion = issue_one()
    status.status_list_json(assertion.status_list_id)
    cache.set(
        status.cache_key(assertion.status_list_id),
        StatusList.objects.get(pk=assertion.status_list_id).credential_json,
    )
    with django_assert_num_queries(0):
        assert status.status_list_json(assertion.status_list_id)


# --- Concurrency (PostgreSQL row locks) -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_parallel_issuers_do_not_queue_and_revocation_does_not_wait_for_issuance():
    """While one transaction holds a list's allocation (a long bulk issuance), another issuance
    takes another list at once, and revoking a badge of the held list goes through."""
    import threading

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    revocable = issue_one()  # committed, on the first list
    issuer = revocable.badge_class.issuer
    held, release = threading.Event(), threading.Event()
    outcome = {}

    def long_issuance():
        try:
            with transaction.atomic():
                # A badge issued (its allocation locked, its row referencing the list), and the
                # transaction still open, as during a long bulk issuance.
                outcome["held"] = issue_one()
                held.set()
                release.wait(20)
        finally:
            connections.close_all()

    worker = threading.Thread(target=long_issuance)
    worker.start()
    try:
        assert held.wait(20)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # a wait would fail the test, not hang it
        with transaction.atomic():
            (other_list, _), *_ = status.status_entries_allocate(issuer=issuer, count=3)
        assert other_list.pk != outcome["held"].status_list_id == revocable.status_list_id
        with transaction.atomic():
            assertion_revoke(assertion=revocable, acting_user=leads_admin(), reason="Error")
    finally:
        release.set()
        worker.join(30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert published_bits(revocable.status_list_id).get(revocable.status_index) == 1
