"""Issuers' Ed25519 signing keys: generated here, kept encrypted, rotated like SECRET_KEY.

At rest. A private key is stored only as AES-256-GCM ciphertext (``cryptography``'s AESGCM) of its
32-byte seed under the key-encryption key (KEK) in the ``BADGE_KEK`` environment variable: base64
of 32 random bytes. The additional authenticated data binds the ciphertext to its row and public
key, so ciphertexts cannot be swapped between keys. A KEK never has a default in settings or the
repository: ``config/settings/local.py`` keeps one in the git-ignored ``.badge_kek`` file,
``test.py`` makes one per run, and production has only what the environment gives; without it
nothing is signed (:class:`ImproperlyConfigured` naming the variable).

KEK rotation, like ``SECRET_KEY_FALLBACKS``: put the new KEK in ``BADGE_KEK`` and the old one in
``BADGE_KEK_FALLBACKS``; keys under a fallback still decrypt, and ``manage.py badge_keys rewrap``
re-encrypts them under the current KEK, after which the fallback can go.

Signing-key rotation, the shape of ``django.contrib.auth.tokens`` with its fallbacks: one key per
issuer is active and signs; :func:`signing_key_rotate` retires it (still published, so what it
signed still verifies) and makes a new active one. :func:`signing_key_mark_compromised` withdraws
a key from the published document, so what it signed stops verifying, replaces it if it was the
active one, and re-signs the status lists it had signed.

Nothing here returns or logs a private key except :func:`private_key`, whose caller signs with it
and drops it; keys are decrypted per signing batch, never cached in the process.
"""

import base64
import binascii
import hashlib
import logging
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.access import require_leads_admin
from accounts.audit import audit_record

from .models import Issuer, SigningKey
from .openbadges.vc import multikey

log = logging.getLogger(__name__)

KEK_BYTES = 32
NONCE_BYTES = 12
_AAD_PREFIX = b"leads-badges:signing-key:v1:"


class SigningKeyError(Exception):
    """Base class: a signing key cannot be used or changed as asked. Safe to show."""


class KeyUnavailable(SigningKeyError):
    """The private key cannot be decrypted with the configured key-encryption keys."""


class KeyRefused(SigningKeyError):
    """A lifecycle change that is not allowed (e.g. compromising a key twice)."""


# --- The key-encryption key ---------------------------------------------------------------------


def parse_kek(value: str, name: str = "BADGE_KEK") -> bytes:
    """The 32 bytes of a base64 (standard or URL-safe) KEK; ImproperlyConfigured otherwise."""
    text = (value or "").strip()
    try:
        raw = base64.urlsafe_b64decode(
            text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4)
        )
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEK_BYTES:
        raise ImproperlyConfigured(
            f"{name} must be base64 of {KEK_BYTES} random bytes (make one with: python -c "
            '"import base64, os; print(base64.b64encode(os.urandom(32)).decode())").'
        )
    return raw


def kek_id(kek: bytes) -> str:
    """A public name for a KEK (which one encrypted a key), not usable to find the KEK."""
    return hashlib.sha256(b"leads-badges:kek-id:" + kek).hexdigest()[:16]


def current_kek() -> bytes:
    """The KEK new ciphertext is made with; signing refuses to start without it."""
    value = getattr(settings, "BADGE_KEK", None)
    if not value:
        raise ImproperlyConfigured(
            "Set the BADGE_KEK environment variable: the key that encrypts the badge signing "
            "keys. Without it no Open Badges 3.0 credential can be signed."
        )
    return parse_kek(value)


def _keks() -> dict[str, bytes]:
    """Every KEK that may decrypt: the current one, then BADGE_KEK_FALLBACKS."""
    keys = [current_kek()]
    for n, value in enumerate(getattr(settings, "BADGE_KEK_FALLBACKS", None) or []):
        keys.append(parse_kek(value, f"BADGE_KEK_FALLBACKS[{n}]"))
    return {kek_id(k): k for k in keys}


def _aad(key_id, public_key_multibase: str) -> bytes:
    return _AAD_PREFIX + f"{key_id}:{public_key_multibase}".encode("ascii")


def _encrypt(seed: bytes, *, key_id, public_key_multibase: str) -> tuple[str, bytes]:
    kek = current_kek()
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(kek).encrypt(nonce, seed, _aad(key_id, public_key_multibase))
    return kek_id(kek), nonce + ciphertext


def _seed(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def private_key(signing_key: SigningKey) -> Ed25519PrivateKey:
    """Decrypt a signing key. The caller signs with it and lets it go out of scope."""
    if signing_key.status == SigningKey.Status.COMPROMISED:
        raise KeyRefused(f"{signing_key.fragment} is marked compromised and signs nothing.")
    kek = _keks().get(signing_key.kek_id)
    if kek is None:
        raise KeyUnavailable(
            f"Signing key {signing_key.fragment} was encrypted with a key-encryption key "
            f"({signing_key.kek_id}) that is neither BADGE_KEK nor in BADGE_KEK_FALLBACKS. "
            "Restore that KEK, or run `manage.py badge_keys rotate` to sign with a new key."
        )
    blob = bytes(signing_key.private_key_ciphertext)
    try:
        seed = AESGCM(kek).decrypt(
            blob[:NONCE_BYTES],
            blob[NONCE_BYTES:],
            _aad(signing_key.pk, signing_key.public_key_multibase),
        )
    except InvalidTag:
        raise KeyUnavailable(f"Signing key {signing_key.fragment} does not decrypt (tampered?).")
    key = Ed25519PrivateKey.from_private_bytes(seed)
    if multikey.public_key_to_multibase(key.public_key()) != signing_key.public_key_multibase:
        raise KeyUnavailable(f"Signing key {signing_key.fragment} does not match its public key.")
    return key


def public_key(signing_key: SigningKey):
    return multikey.public_key_from_multibase(signing_key.public_key_multibase)


# --- Lifecycle (services: the only writes to SigningKey) ----------------------------------------


def _new_key(issuer: Issuer) -> SigningKey:
    """Generate, encrypt and insert an active key (the caller retires the previous one first)."""
    key = Ed25519PrivateKey.generate()
    signing_key = SigningKey(
        issuer=issuer,
        # Date for people reading the document, random so fragments never repeat or guess.
        fragment=f"key-{timezone.now():%Y%m%d}-{secrets.token_hex(4)}",
        public_key_multibase=multikey.public_key_to_multibase(key.public_key()),
        status=SigningKey.Status.ACTIVE,
    )
    signing_key.kek_id, ciphertext = _encrypt(
        _seed(key), key_id=signing_key.pk, public_key_multibase=signing_key.public_key_multibase
    )
    signing_key.private_key_ciphertext = ciphertext
    signing_key.save()
    log.info("New signing key %s for issuer %s", signing_key.fragment, issuer.pk)
    return signing_key


def published_keys(issuer_id) -> list[SigningKey]:
    """The keys in the issuer's controller document: active and retired, newest first."""
    return list(
        SigningKey.objects.filter(issuer_id=issuer_id)
        .exclude(status=SigningKey.Status.COMPROMISED)
        .order_by("-created_at", "pk")
    )


def active_signing_key(issuer: Issuer, *, create: bool = True) -> SigningKey:
    """The issuer's active key. The first signing makes one when none exists yet (logged);
    ``manage.py badge_keys generate`` makes it ahead of time."""
    key = SigningKey.objects.filter(issuer=issuer, status=SigningKey.Status.ACTIVE).first()
    if key is not None or not create:
        if key is None:
            raise KeyRefused(f"{issuer} has no active signing key.")
        return key
    current_kek()  # no half-made key without a KEK
    try:
        with transaction.atomic():
            return _new_key(issuer)
    except IntegrityError:  # a concurrent first signing made it a moment ago
        return SigningKey.objects.get(issuer=issuer, status=SigningKey.Status.ACTIVE)


@transaction.atomic
def signing_key_create(*, issuer: Issuer) -> SigningKey:
    """The issuer's first key; refuses when there is an active one (rotate instead)."""
    Issuer.objects.select_for_update(no_key=True).get(pk=issuer.pk)
    if SigningKey.objects.filter(issuer=issuer, status=SigningKey.Status.ACTIVE).exists():
        raise KeyRefused(f"{issuer} already has an active key; rotate it instead.")
    return _new_key(issuer)


def _check_actor(acting_user, action: str) -> None:
    """A person changing keys must be of the LEADS team; None is the command line, whose
    operator already holds the server (and BADGE_KEK)."""
    if acting_user is not None:
        require_leads_admin(acting_user, action)


@transaction.atomic
def signing_key_rotate(*, issuer: Issuer, acting_user) -> SigningKey:
    """A new active key signs from now on; the previous one is retired and stays published.
    Audited with who rotated it (`acting_user`, None from the command line)."""
    _check_actor(acting_user, "rotate signing keys")
    issuer = Issuer.objects.select_for_update(no_key=True).get(pk=issuer.pk)
    retiring = list(
        SigningKey.objects.filter(issuer=issuer, status=SigningKey.Status.ACTIVE).values_list(
            "fragment", flat=True
        )
    )
    SigningKey.objects.filter(issuer=issuer, status=SigningKey.Status.ACTIVE).update(
        status=SigningKey.Status.RETIRED, retired_at=timezone.now()
    )
    new_key = _new_key(issuer)  # saving it drops the public documents' kept copies
    old = retiring[0] if retiring else None
    audit_record(
        actor=acting_user,
        action="signing_key.rotated",
        target=issuer,
        summary=f"Rotated the signing key of {issuer}: {new_key.fragment} signs from now on"
        + (f"; {old} is retired and stays published." if old else "."),
        changes={"active_key": [old, new_key.fragment]},
    )
    return new_key


@transaction.atomic
def signing_key_mark_compromised(
    *, signing_key: SigningKey, reason: str, acting_user
) -> SigningKey | None:
    """Withdraw a key: it leaves the controller document, so everything it signed stops
    verifying. Returns the new active key when the compromised one was active. Audited with
    who withdrew it (`acting_user`, None from the command line) and the reason.

    The whole action, with the issuer's status lists re-signed on commit, is
    :func:`badges.services.signing_key_compromise`; credentials it signed are re-signed with
    :func:`badges.services.assertions_resign` (``badge_keys revoke-compromised --resign``),
    which learners' saved copies cannot follow.
    """
    _check_actor(acting_user, "withdraw signing keys")
    reason = (reason or "").strip()
    if not reason:
        raise KeyRefused("Give the reason the key is considered compromised.")
    issuer = Issuer.objects.select_for_update(no_key=True).get(pk=signing_key.issuer_id)
    signing_key = SigningKey.objects.select_for_update(no_key=True).get(pk=signing_key.pk)
    if signing_key.status == SigningKey.Status.COMPROMISED:
        raise KeyRefused(f"{signing_key.fragment} is already marked compromised.")
    previous_status = signing_key.status
    was_active = previous_status == SigningKey.Status.ACTIVE
    signing_key.status = SigningKey.Status.COMPROMISED
    signing_key.compromised_at = timezone.now()
    signing_key.compromise_reason = reason
    # It must never sign again: the ciphertext goes too.
    signing_key.private_key_ciphertext = b""
    signing_key.save(
        update_fields=["status", "compromised_at", "compromise_reason", "private_key_ciphertext"]
    )
    log.warning("Signing key %s of issuer %s marked compromised", signing_key.fragment, issuer.pk)
    replacement = _new_key(issuer) if was_active else None
    signing_key.issuer = issuer  # for the entry's label, without another query
    changes = {
        "status": [previous_status, SigningKey.Status.COMPROMISED],
        "compromise_reason": ["", reason],
    }
    if replacement:
        changes["active_key"] = [signing_key.fragment, replacement.fragment]
    audit_record(
        actor=acting_user,
        action="signing_key.compromised",
        target=signing_key,
        summary=f"Withdrew the signing key {signing_key.fragment} of {issuer} as compromised "
        f"({reason})." + (f" {replacement.fragment} signs from now on." if replacement else ""),
        changes=changes,
    )
    return replacement


@transaction.atomic
def signing_keys_rewrap() -> int:
    """Re-encrypt every usable private key under the current BADGE_KEK (after a KEK rotation).
    Returns how many changed."""
    current = kek_id(current_kek())
    changed = 0
    for signing_key in (
        SigningKey.objects.select_for_update()
        .exclude(kek_id=current)
        .exclude(status=SigningKey.Status.COMPROMISED)
    ):
        seed = _seed(private_key(signing_key))
        signing_key.kek_id, signing_key.private_key_ciphertext = _encrypt(
            seed, key_id=signing_key.pk, public_key_multibase=signing_key.public_key_multibase
        )
        signing_key.save(update_fields=["kek_id", "private_key_ciphertext"])
        changed += 1
    return changed
