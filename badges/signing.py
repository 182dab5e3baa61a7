"""Signing our Open Badges 3.0 documents with an issuer's key, verified before anything is kept.

The issuer's active key (``keys.py``) signs an eddsa-rdfc-2022 Data Integrity proof and the same
credential as an EdDSA VC-JWT; the JSON text that will be stored is verified against the
issuer's published controller document before it is returned, so a credential that does not
verify is never stored. JSON-LD is processed offline: our extension context is registered in
the document loader before anything is canonicalized.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cachetools import LRUCache
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import documents, identifiers, keys
from .models import Issuer, SigningKey
from .openbadges import ob3
from .openbadges.vc import eddsa_rdfc_2022, multikey
from .openbadges.vc import jwt as vc_jwt
from .openbadges.vc.canonicalize import Canonicalizer, default_canonicalizer
from .openbadges.vc.loader import OfflineDocumentLoader, default_loader

JSON_SEPARATORS = (",", ":")


class CredentialNotVerified(Exception):
    """A credential we just signed did not verify: it is not stored and issuance fails."""


# What a credential that cannot be signed raises: its text cannot be canonicalized (a control
# character, a term no context defines), or what was signed does not verify.
SIGNING_ERRORS = (
    CredentialNotVerified,
    eddsa_rdfc_2022.DataIntegrityError,
    vc_jwt.VcJwtError,
    multikey.MultikeyError,
)


def eu_context_document() -> dict:
    """Our OB 3.0 extension context; its terms share the IRIs of the OB 2.0 extension's."""
    return ob3.eu_context(documents.eu_context_url() + "#")


# --- JSON-LD processing, offline ----------------------------------------------------------------


def document_loader() -> OfflineDocumentLoader:
    """The process-wide offline loader with our extension context registered (idempotent)."""
    loader = default_loader()
    url = identifiers.eu_context_url()
    if url not in loader:
        loader.register(url, eu_context_document())
    return loader


def canonicalizer() -> Canonicalizer:
    document_loader()
    return default_canonicalizer()


# --- Controller documents -----------------------------------------------------------------------


def controller_document(issuer_id, signing_keys: Iterable[SigningKey] | None = None) -> dict:
    """The issuer's controller document (CID 1.0 §2, DID-context form): every published key
    (active and retired, never a compromised one) as a Multikey authorized for assertionMethod.
    Public keys only."""
    controller = identifiers.issuer_controller_id(issuer_id)
    if signing_keys is None:
        signing_keys = keys.published_keys(issuer_id)
    methods = {
        f"{controller}#{k.fragment}": keys.public_key(k) for k in signing_keys if k.published
    }
    document = multikey.controller_document(controller, methods)
    document["alsoKnownAs"] = [identifiers.issuer_profile_url(issuer_id)]
    return document


# --- Signing ------------------------------------------------------------------------------------


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _check_jwt(token: str, signer: Signer, document: Mapping) -> None:
    """OB 3.0 §8.2.6 for a token we just made: the EdDSA signature over the JWS signing input
    (RFC 7515 §5.2) with the published key, the header, and the payload being the credential
    with its claims. Without the clock: an expired badge is still signed correctly. (PyJWT's
    decode checks the same but spends most of a millisecond validating base64 in Python.)"""
    try:
        header, payload, signature = token.split(".")
        public_key = keys.public_key(signer.signing_key)
        public_key.verify(_b64url(signature), f"{header}.{payload}".encode("ascii"))
        header, claims = json.loads(_b64url(header)), json.loads(_b64url(payload))
    except (ValueError, InvalidSignature) as error:
        raise CredentialNotVerified(f"the VC-JWT does not verify: {error!r}") from error
    if header.get("alg") != vc_jwt.ALGORITHM or header.get("kid") != signer.verification_method:
        raise CredentialNotVerified(f"the VC-JWT header is not ours: {header}")
    expected = {
        "iss": signer.controller_id,
        "jti": document["id"],
        "nbf": int(datetime.fromisoformat(document["validFrom"]).timestamp()),
    }
    if "validUntil" in document:
        expected["exp"] = int(datetime.fromisoformat(document["validUntil"]).timestamp())
    subject = document.get("credentialSubject")
    if isinstance(subject, Mapping) and subject.get("id"):  # a copy bound to a wallet's DID
        expected["sub"] = subject["id"]
    credential = {k: v for k, v in claims.items() if k not in vc_jwt.REGISTERED_CLAIMS}
    registered = {k: v for k, v in claims.items() if k in vc_jwt.REGISTERED_CLAIMS}
    if credential != json.loads(json.dumps(document)) or registered != expected:
        raise CredentialNotVerified("the VC-JWT does not carry the credential it was made from")


@dataclass
class Signer:
    """An issuer's active key, decrypted for one batch, and the document that publishes it."""

    signing_key: SigningKey
    private_key: Ed25519PrivateKey = field(repr=False)
    controller: dict
    # One per batch: its proofs share one configuration (key, purpose, time), canonicalized once.
    canonical: _SameDocumentMemo = field(default=None, repr=False)

    def __post_init__(self):
        if self.canonical is None:
            self.canonical = _SameDocumentMemo(canonicalizer())

    @property
    def controller_id(self) -> str:
        return self.controller["id"]

    @property
    def verification_method(self) -> str:
        return f"{self.controller_id}#{self.signing_key.fragment}"

    def sign_document(self, document: Mapping, *, created: str | None = None) -> str:
        """Add the eddsa-rdfc-2022 proof and verify the JSON text; return that text."""
        memo = self.canonical
        signed = eddsa_rdfc_2022.add_proof(
            document,
            private_key=self.private_key,
            verification_method=self.verification_method,
            created=created,
            canonicalizer=memo,
        )
        # A proof set of one (VC Data Integrity §2.1): 1EdTech's AchievementCredential schema
        # types ``proof`` as an array, and every verifier reads a set.
        signed = {**signed, "proof": [signed["proof"]]}
        text = json.dumps(signed, ensure_ascii=False, separators=JSON_SEPARATORS)
        # Verify what will be stored and served, read back as a verifier will read it: every
        # check of the proof, the published key and the signature runs on the stored text.
        result = eddsa_rdfc_2022.verify_credential(
            json.loads(text),
            controllers={self.controller_id: self.controller},
            canonicalizer=memo,
        )
        if not result.verified:
            reasons = "; ".join(f"{e.code}: {e}" for e in result.errors)
            raise CredentialNotVerified(f"{document.get('id')}: {reasons}")
        return text

    def sign(self, document: Mapping, *, created: str | None = None) -> tuple[str, str]:
        """The credential with its Data Integrity proof (JSON text), and as a VC-JWT."""
        text = self.sign_document(document, created=created)
        token = vc_jwt.sign(document, self.private_key, kid=self.verification_method)
        _check_jwt(token, self, document)
        return text, token


class _SameDocumentMemo:
    """A canonicalizer that canonicalizes a document it has just seen only once.

    Canonical N-Quads are a pure function of the JSON document, so when the stored text read back
    is exactly the document just signed (same keys, values and JSON types: the key is its sorted
    JSON text, in which 5 and 5.0 differ), the verification before storing reuses the signing's
    canonical form instead of recomputing it, and the proof configuration a batch shares is
    canonicalized once; anything else is canonicalized afresh. That halves the cost of issuing
    a badge (BENCHMARKS.md) and checks exactly what it checked. The last few are kept, so the
    memory does not grow with the batch.
    """

    def __init__(self, inner, size=8):
        self._inner = inner
        self._seen = LRUCache(maxsize=size)

    def canonicalize(self, document: Mapping) -> str:
        try:
            key = json.dumps(document, sort_keys=True, ensure_ascii=False)
        except (TypeError, ValueError):  # not plain JSON: nothing to compare, do the work
            return self._inner.canonicalize(document)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = self._inner.canonicalize(document)
        return found


def signer_for(issuer: Issuer) -> Signer:
    """The issuer's active key (made on first use) with its controller document."""
    signing_key = keys.active_signing_key(issuer)
    published = keys.published_keys(issuer.pk)
    if signing_key.pk not in {k.pk for k in published}:  # pragma: no cover - a constraint
        raise CredentialNotVerified("the active key is not published")
    return Signer(
        signing_key=signing_key,
        private_key=keys.private_key(signing_key),
        controller=controller_document(issuer.pk, published),
    )
