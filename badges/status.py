"""Revocation status lists: W3C Bitstring Status List v1.0 entries for every credential.

https://www.w3.org/TR/vc-bitstring-status-list/ (cited as "BSL §…").

- Allocation (BSL §6.1 Privacy: "group privacy" and §6.5 Correlation): a list holds 131,072 entries
  (the §2.2 minimum, 16 KB), and each issuer's entries are handed out in the order of a keyed
  pseudo-random permutation of the indexes: a 4-round Feistel network on the next power of four,
  with cycle walking back into range. Every index is used once (a permutation), drawn without
  replacement, and without the list's secret ``permutation_key`` neither an index nor the set of
  revoked bits says anything about when a badge was issued. Allocating n entries is one locked
  read and one update, whatever n: bulk issuance has no per-badge query.
- Concurrency: the allocation row stays locked until the issuing transaction commits. A second
  issuer of the same issuer skips a locked list (SKIP LOCKED) and takes another open one,
  opening a new list while fewer than ``MAX_OPEN_LISTS`` are open, so workers issuing in
  parallel do not queue behind each other; past that bound it waits, which keeps lists full
  enough to hide their members in a crowd.
- Revocation flips the bit in the list row in the revoking transaction (so the row and the
  assertion's ``revoked_at`` change together), and the signed list is republished in that
  transaction's on-commit work. These lock the list row FOR NO KEY UPDATE, which neither waits
  for issuance (it locks only the allocation row and references the list) nor blocks it.
- Publishing (BSL §2.2): a ``BitstringStatusListCredential`` signed by the issuer's active key,
  verified before it is stored, then put in the cache the public view reads from. A list whose
  stored credential is older than its bits (the on-commit work failed) is republished on first read.
"""

import hashlib
import json
import logging
import secrets

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import identifiers, signing
from .models import Assertion, Issuer, StatusList, StatusListAllocation
from .openbadges import ob3
from .openbadges.vc.status_list import MIN_ENTRIES, BitstringStatusList

log = logging.getLogger(__name__)

LIST_SIZE = MIN_ENTRIES
MAX_OPEN_LISTS = 4
CACHE_TIMEOUT = 60 * 60
_FEISTEL_ROUNDS = 4


def cache_key(status_list_id) -> str:
    return f"badges:status-list:{status_list_id}"


# --- Index allocation -------------------------------------------------------------------------


def _round(key: bytes, round_number: int, value: int, mask: int) -> int:
    digest = hashlib.blake2b(
        value.to_bytes(8, "big") + bytes([round_number]), key=key, digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") & mask


def permuted_index(key: bytes, size: int, position: int) -> int:
    """The index handed out at ``position`` (0, 1, 2, …) of a list of ``size`` entries.

    A keyed permutation of ``range(size)``: a balanced Feistel network (Luby–Rackoff, 4 rounds,
    BLAKE2b keyed with ``key`` as round function) permutes ``range(4**k)`` for the smallest
    ``4**k >= size``, and cycle walking maps it onto ``range(size)``, which keeps it a permutation.
    """
    if not 0 <= position < size:
        raise ValueError(f"position {position} is outside a list of {size}")
    bits = max(2, (size - 1).bit_length())
    bits += bits % 2
    half = bits // 2
    mask = (1 << half) - 1
    value = position
    while True:
        left, right = value >> half, value & mask
        for round_number in range(_FEISTEL_ROUNDS):
            left, right = right, left ^ _round(key, round_number, right, mask)
        value = (left << half) | right
        if value < size:
            return value


def _status_list_create(issuer: Issuer) -> StatusListAllocation:
    status_list = StatusList.objects.create(
        issuer=issuer,
        purpose=StatusList.Purpose.REVOCATION,
        encoded_list=BitstringStatusList(LIST_SIZE).encode(),
    )
    allocation = StatusListAllocation.objects.create(
        status_list=status_list, size=LIST_SIZE, permutation_key=secrets.token_bytes(32)
    )
    list_id = status_list.pk
    transaction.on_commit(lambda: _publish_quietly(list_id))
    return allocation


def _open_allocation(issuer: Issuer) -> StatusListAllocation:
    """An open list of the issuer, locked for this transaction (see "Concurrency" above)."""
    open_lists = (
        StatusListAllocation.objects.filter(
            status_list__issuer=issuer,
            status_list__purpose=StatusList.Purpose.REVOCATION,
            allocated__lt=F("size"),
        )
        .select_related("status_list")
        .order_by("status_list__created_at")
    )
    # of=("self",): lock the allocation row only, never the list row it joins.
    free = open_lists.select_for_update(skip_locked=True, of=("self",)).first()
    if free is not None:
        return free
    if open_lists.count() < MAX_OPEN_LISTS:
        return _status_list_create(issuer)
    return open_lists.select_for_update(of=("self",)).first() or _status_list_create(issuer)


def status_entries_allocate(*, issuer: Issuer, count: int) -> list[tuple[StatusList, int]]:
    """``count`` fresh (list, index) entries of the issuer's revocation lists, in random order.

    Call inside the issuing transaction: the allocation row stays locked until it commits, and a
    rolled-back issuance gives its entries back. A full list is followed by another.
    """
    entries: list[tuple[StatusList, int]] = []
    while count > 0:
        allocation = _open_allocation(issuer)
        start = allocation.allocated
        take = min(count, allocation.size - start)
        allocation.allocated = start + take
        allocation.save(update_fields=["allocated"])
        key = bytes(allocation.permutation_key)
        entries += [
            (allocation.status_list, permuted_index(key, allocation.size, position))
            for position in range(start, start + take)
        ]
        count -= take
    return entries


# --- Revocation -------------------------------------------------------------------------------


def status_revoke(*, assertion: Assertion) -> None:
    """Set the assertion's revocation bit, in the caller's transaction; republish on commit."""
    if assertion.status_list_id is None:  # issued before OB 3.0 credentials: nothing to flip
        return
    status_list = StatusList.objects.select_for_update(no_key=True).get(pk=assertion.status_list_id)
    bits = BitstringStatusList.decode(status_list.encoded_list)
    if bits.get(assertion.status_index):
        return
    bits.set(assertion.status_index, 1)
    status_list.encoded_list = bits.encode()
    status_list.revision += 1
    status_list.save(update_fields=["encoded_list", "revision"])
    list_id = status_list.pk
    transaction.on_commit(lambda: _publish_quietly(list_id))


# --- Publishing -------------------------------------------------------------------------------


def _publish_quietly(status_list_id) -> None:
    """On-commit publishing: a failure must not fail the committed revocation. The list is
    republished on its next read (its revision is newer than the stored credential's)."""
    try:
        status_list_publish(status_list_id=status_list_id)
    except Exception:
        log.exception("Could not publish status list %s; it is republished on next read",
                      status_list_id)  # fmt: skip


@transaction.atomic
def status_list_publish(*, status_list_id, force: bool = False) -> str:
    """Sign, verify and store the list's BitstringStatusListCredential; cache it on commit.

    Returns the credential's JSON text. Without ``force`` an up-to-date credential is kept.
    """
    status_list = (
        StatusList.objects.select_for_update(no_key=True, of=("self",))
        .select_related("issuer")
        .get(pk=status_list_id)
    )
    if (
        not force
        and status_list.credential_json
        and status_list.published_revision == status_list.revision
    ):
        text = status_list.credential_json
    else:
        document = ob3.bitstring_status_list_credential(
            id=identifiers.status_list_url(status_list.pk),
            issuer=identifiers.issuer_controller_id(status_list.issuer_id),
            encoded_list=status_list.encoded_list,
            valid_from=timezone.now(),
            purpose=status_list.purpose,
        )
        signer = signing.signer_for(status_list.issuer)
        text = signer.sign_document(document)
        status_list.credential_json = text
        status_list.published_revision = status_list.revision
        status_list.published_at = timezone.now()
        status_list.save(update_fields=["credential_json", "published_revision", "published_at"])
    transaction.on_commit(lambda: cache.set(cache_key(status_list_id), text, CACHE_TIMEOUT))
    return text


def status_lists_republish(*, issuer_id) -> int:
    """Re-sign every list of the issuer (its key was withdrawn). Returns how many."""
    ids = list(StatusList.objects.filter(issuer_id=issuer_id).values_list("pk", flat=True))
    for status_list_id in ids:
        status_list_publish(status_list_id=status_list_id, force=True)
    return len(ids)


def status_list_json(status_list_id) -> str | None:
    """The list's signed credential as served: from the cache, else the database (publishing it
    first when its bits changed since), or None if there is no such list."""
    text = cache.get(cache_key(status_list_id))
    if text is not None:
        return text
    row = (
        StatusList.objects.filter(pk=status_list_id)
        .values("credential_json", "revision", "published_revision")
        .first()
    )
    if row is None:
        return None
    if row["credential_json"] and row["published_revision"] == row["revision"]:
        cache.set(cache_key(status_list_id), row["credential_json"], CACHE_TIMEOUT)
        return row["credential_json"]
    return status_list_publish(status_list_id=status_list_id)


def status_list_credential(status_list_id) -> dict | None:
    text = status_list_json(status_list_id)
    return json.loads(text) if text is not None else None
