"""Our assertions as signed Open Badges 3.0 credentials: compose → sign → verify → store.

The shape of Open edX credentials' issuance (``issuance/main.py``): the model is mapped onto the
plain data of ``openbadges/ob3.py``, composed, signed with the issuer's active key
(eddsa-rdfc-2022 Data Integrity proof, and the same credential as an EdDSA VC-JWT), and verified
from the JSON text that will be stored, against the issuer's published controller document,
before anything is stored. A credential that does not verify is never stored: issuance fails.

Identifiers (all absolute, from SITE_URL, stable):

- the credential: ``/public/assertions/<id>/credential``;
- the issuer (``issuer.id``) is its controller document, ``/public/issuers/<id>/keys``, which lists
  the Multikey verification methods ``…/keys#<fragment>``. It cannot be the OB 2.0 profile URL
  ``/public/issuers/<id>``: a VC verifier needs the credential's issuer to be the key's controller
  and reads the controller document as a DID-context document (``@context`` starting with the DID
  v1 context), which JSON-LD 1.0 processors such as the 1EdTech OB 2.0 validator cannot read.
  The two documents name each other (``alsoKnownAs`` there, ``otherIdentifier`` in the issuer
  profile here);
- the status list: ``/public/status/<id>`` (``badges/status.py``);
- the EU extension's JSON-LD 1.1 context: ``/public/contexts/eu-microcredential-ob3-v1.json``,
  registered in the offline document loader before anything is canonicalized.

Batch signing (:func:`assertions_sign`) decrypts the key once, allocates every status entry in one
locked update and builds the controller document once, so signing n badges makes no query per
badge: the caller's insert is the only per-badge database work.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cachetools import LRUCache
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.urls import Resolver404, resolve, reverse

from . import documents, keys, status
from .models import Assertion, BadgeClass, Issuer, SigningKey
from .openbadges import ob3
from .openbadges.vc import eddsa_rdfc_2022, multikey
from .openbadges.vc import jwt as vc_jwt
from .openbadges.vc.canonicalize import Canonicalizer, default_canonicalizer
from .openbadges.vc.loader import OfflineDocumentLoader, default_loader
from .openbadges.vc.status_list import BitstringStatusList, StatusListError

EU_CONTEXT_OB3_PATH = "/public/contexts/eu-microcredential-ob3-v1.json"
JSON_SEPARATORS = (",", ":")

log = logging.getLogger(__name__)


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


# --- Identifiers --------------------------------------------------------------------------------


def _absolute(name: str, pk) -> str:
    return settings.SITE_URL + reverse(name, args=[str(pk)])


def issuer_controller_id(issuer_id) -> str:
    """The issuer's id in OB 3.0 credentials: its controller document's URL."""
    return _absolute("badges:issuer_keys", issuer_id)


def verification_method_id(signing_key: SigningKey) -> str:
    return f"{issuer_controller_id(signing_key.issuer_id)}#{signing_key.fragment}"


def credential_url(assertion_id) -> str:
    return _absolute("badges:credential", assertion_id)


def status_list_url(status_list_id) -> str:
    return _absolute("badges:status_list", status_list_id)


def eu_context_url() -> str:
    return settings.SITE_URL + EU_CONTEXT_OB3_PATH


def eu_context_document() -> dict:
    """Our OB 3.0 extension context; its terms share the IRIs of the OB 2.0 extension's."""
    return ob3.eu_context(documents.eu_context_url() + "#")


# --- JSON-LD processing, offline ----------------------------------------------------------------


def document_loader() -> OfflineDocumentLoader:
    """The process-wide offline loader with our extension context registered (idempotent)."""
    loader = default_loader()
    url = eu_context_url()
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
    controller = issuer_controller_id(issuer_id)
    if signing_keys is None:
        signing_keys = keys.published_keys(issuer_id)
    methods = {
        f"{controller}#{k.fragment}": keys.public_key(k) for k in signing_keys if k.published
    }
    document = multikey.controller_document(controller, methods)
    document["alsoKnownAs"] = [_absolute("badges:issuer", issuer_id)]
    return document


def resolve_controller(url: str) -> dict | None:
    """The controller document at ``url`` when it is one of ours, read from the database;
    None for anything else (nothing is ever fetched)."""
    if not isinstance(url, str) or not url.startswith(settings.SITE_URL + "/"):
        return None
    try:
        match = resolve(url[len(settings.SITE_URL) :])
    except Resolver404:
        return None
    if match.view_name != "badges:issuer_keys":
        return None
    if not Issuer.objects.filter(pk=match.kwargs["pk"]).exists():
        return None
    return controller_document(match.kwargs["pk"])


def resolve_status_list(url: str) -> dict | None:
    """The status list credential at ``url`` when it is one of ours (cache, then database)."""
    if not isinstance(url, str) or not url.startswith(settings.SITE_URL + "/"):
        return None
    try:
        match = resolve(url[len(settings.SITE_URL) :])
    except Resolver404:
        return None
    if match.view_name != "badges:status_list":
        return None
    return status.status_list_credential(match.kwargs["pk"])


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


# --- Composition from our models ----------------------------------------------------------------


def issuer_profile(issuer: Issuer) -> ob3.ProfileData:
    return ob3.ProfileData(
        id=issuer_controller_id(issuer.pk),
        name=issuer.name,
        url=issuer.url,
        email=issuer.email,
        description=issuer.description or None,
        image=settings.SITE_URL + issuer.image.url if issuer.image else None,
        other_identifiers=(_absolute("badges:issuer", issuer.pk),),
    )


def outcome_codes(badge: BadgeClass) -> list[str]:
    """The code of each learning outcome of the badge, in order (LO1, LO2, …)."""
    return [a.get("target_code") or f"LO{i + 1}" for i, a in enumerate(badge.alignments)]


def _alignment(alignment: Mapping) -> ob3.AlignmentData:
    return ob3.AlignmentData(
        target_name=alignment["target_name"],
        target_url=alignment["target_url"],
        target_description=alignment.get("target_description") or None,
        target_framework=alignment.get("target_framework") or None,
        target_code=alignment.get("target_code") or None,
    )


def _number(value):
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def achievement_data(badge: BadgeClass) -> ob3.AchievementData:
    """OB 3.0 Achievement of a badge class; its id is the OB 2.0 BadgeClass URL."""
    achievement_id = _absolute("badges:badge_class", badge.pk)
    alignments = [_alignment(a) for a in badge.alignments]
    codes = outcome_codes(badge)
    return ob3.AchievementData(
        id=achievement_id,
        name=badge.name,
        description=badge.description,
        criteria_narrative=badge.criteria_narrative,
        criteria_url=settings.SITE_URL + f"/courses/{badge.course.lineage}/",
        image=_absolute("badges:badge_class_image", badge.pk),
        credits_available=_number(badge.ects_credits),
        alignments=tuple(alignments),
        result_descriptions=tuple(
            # The outcome's alignment is on the achievement already: repeating it here would
            # only make every credential longer to canonicalize.
            ob3.ResultDescriptionData(
                id=f"{achievement_id}#result-{code}", name=alignment.target_name
            )
            for code, alignment in zip(codes, alignments, strict=True)
        ),
        tags=tuple(badge.tags),
        eu=ob3.EUMicroCredentialData(
            context_url=eu_context_url(),
            ects_credits=_number(badge.ects_credits),
            awarding_body=badge.issuer.name,
            eqf_level=badge.eqf_level or None,
            notional_workload_hours=_number(badge.hours) or None,
            assessment_type=badge.assessment_type or None,
            participation_form=badge.participation_form or None,
            quality_assurance=badge.quality_assurance or None,
        ),
    )


def credential_data(
    assertion: Assertion,
    *,
    demonstrated: set[str],
    status_entry: ob3.StatusEntryData | None,
    achievement: ob3.AchievementData | None = None,
    issuer: ob3.ProfileData | None = None,
) -> ob3.CredentialData:
    """The credential of an assertion. ``demonstrated`` holds the codes (LO1, …) of the learning
    outcomes the learner's passed summative assessments show: one Result per outcome."""
    badge = assertion.badge_class
    achievement = achievement or achievement_data(badge)
    return ob3.CredentialData(
        id=credential_url(assertion.pk),
        issuer=issuer or issuer_profile(badge.issuer),
        achievement=achievement,
        recipient=ob3.IdentityData(identity_hash=assertion.recipient_hash, salt=assertion.salt),
        valid_from=assertion.issued_on,
        valid_until=assertion.expires_on,
        awarded_date=assertion.issued_on,
        credits_earned=achievement.credits_available,
        results=tuple(
            ob3.ResultData(
                result_description=description.id,
                value=ob3.PASS if code in demonstrated else ob3.FAIL,
            )
            for code, description in zip(
                outcome_codes(badge), achievement.result_descriptions, strict=True
            )
        ),
        evidence=tuple(
            ob3.EvidenceData(id=e.get("id"), name=e.get("name"), narrative=e.get("narrative"))
            for e in assertion.evidence
        ),
        status=status_entry,
        # Not the assertion's narrative: it names the learner, whom the credential identifies
        # only by the hash of their e-mail.
    )


def assertions_sign(
    assertions: list[Assertion],
    *,
    demonstrated: Mapping[int, set[str]],
    reuse_status: bool = False,
    skip_failures: bool = False,
) -> list[tuple[Assertion, str]]:
    """Compose, sign and verify the credentials of ``assertions`` in place (not saved).

    Run inside the issuing transaction. Sets ``credential_json``, ``credential_jwt``,
    ``signing_key``, ``status_list`` and ``status_index``; with ``reuse_status`` (re-signing) an
    assertion keeps the status entry it has. ``demonstrated`` maps enrollment ids to outcome codes.
    Queries: per issuer in the batch, a fixed few (key, published keys, status allocation).

    A credential that cannot be signed (its text cannot be canonicalized, or it does not verify)
    raises, unless ``skip_failures``: then that assertion is left unsigned and returned with the
    reason, and the rest of the batch is signed (one learner's odd feedback must not hold back a
    cohort). Returns the failures.
    """
    failures = []
    by_issuer: dict[object, list[Assertion]] = {}
    for assertion in assertions:
        by_issuer.setdefault(assertion.badge_class.issuer_id, []).append(assertion)
    for group in by_issuer.values():
        issuer = group[0].badge_class.issuer
        signer = signer_for(issuer)
        profile = issuer_profile(issuer)
        needs_entry = [a for a in group if not (reuse_status and a.status_list_id)]
        for assertion, (status_list, index) in zip(
            needs_entry,
            status.status_entries_allocate(issuer=issuer, count=len(needs_entry)),
            strict=True,
        ):
            assertion.status_list, assertion.status_index = status_list, index
        created = ob3.xsd_datetime(datetime.now(UTC))
        achievements: dict[object, ob3.AchievementData] = {}
        for assertion in group:
            badge = assertion.badge_class
            if badge.pk not in achievements:
                achievements[badge.pk] = achievement_data(badge)
            entry = ob3.StatusEntryData(
                status_list_credential=status_list_url(assertion.status_list_id),
                index=assertion.status_index,
            )
            document = ob3.open_badge_credential(
                credential_data(
                    assertion,
                    demonstrated=demonstrated.get(assertion.enrollment_id, set()),
                    status_entry=entry,
                    achievement=achievements[badge.pk],
                    issuer=profile,
                )
            )
            try:
                assertion.credential_json, assertion.credential_jwt = signer.sign(
                    document, created=created
                )
            except SIGNING_ERRORS as error:
                if not skip_failures:
                    raise
                log.error("Credential of %s not signed: %s", assertion.pk, error)
                failures.append((assertion, str(error)))
                continue
            assertion.signing_key = signer.signing_key
    return failures


# --- Verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One check of a verification: its name, whether it passed, and why not (a code and a
    sentence). Codes are those of VC Data Integrity §3.3 and Bitstring Status List §3.2, or
    EXPIRED, NOT_YET_VALID, REVOKED, MALFORMED_VALUE_ERROR, STATUS_LIST_UNAVAILABLE."""

    name: str
    ok: bool
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class Verification:
    checks: tuple[Check, ...]

    @property
    def verified(self) -> bool:
        return all(c.ok for c in self.checks)

    def failed(self) -> dict[str, Check]:
        return {c.name: c for c in self.checks if not c.ok}


def _parse_date(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _validity_check(credential: Mapping, now: datetime) -> Check:
    """VC 2.0 §4.9: validFrom ≤ now < validUntil."""
    valid_from, valid_until = credential.get("validFrom"), credential.get("validUntil")
    start, end = _parse_date(valid_from), _parse_date(valid_until)
    if (valid_from is not None and start is None) or (valid_until is not None and end is None):
        return Check("validity", False, "MALFORMED_VALUE_ERROR", "a date is not an xsd:dateTime")
    if start is not None and now < start:
        return Check("validity", False, "NOT_YET_VALID", f"not valid before {valid_from}")
    if end is not None and now >= end:
        return Check("validity", False, "EXPIRED", f"expired on {valid_until}")
    return Check("validity", True)


def _proof_check(credential: Mapping) -> Check:
    result = eddsa_rdfc_2022.verify_credential(
        credential, controllers=resolve_controller, canonicalizer=canonicalizer()
    )
    if result.verified:
        return Check("proof", True)
    error = result.errors[0]
    return Check("proof", False, error.code, str(error))


def _status_check(credential: Mapping) -> Check:
    """Bitstring Status List §3.2 (Validate Algorithm) for each revocation entry."""
    entries = credential.get("credentialStatus") or []
    entries = entries if isinstance(entries, list) else [entries]
    for entry in entries:
        if not isinstance(entry, Mapping) or entry.get("type") != ob3.STATUS_ENTRY_TYPE:
            continue
        url = entry.get("statusListCredential")
        list_credential = resolve_status_list(url)
        if list_credential is None:
            return Check("status", False, "STATUS_LIST_UNAVAILABLE", f"{url!r} is not ours")
        proof = _proof_check(list_credential)
        if not proof.ok:
            return Check("status", False, proof.code, f"status list: {proof.message}")
        if eddsa_rdfc_2022.issuer_id(list_credential) != eddsa_rdfc_2022.issuer_id(credential):
            return Check("status", False, "PROOF_VERIFICATION_ERROR", "status list issuer differs")
        subject = list_credential.get("credentialSubject", {})
        if subject.get("statusPurpose") != entry.get("statusPurpose"):
            return Check("status", False, "MALFORMED_VALUE_ERROR", "status purposes differ")
        try:
            bits = BitstringStatusList.decode(subject.get("encodedList"))
            bit = bits.get(int(entry.get("statusListIndex")))
        except StatusListError as error:
            return Check("status", False, error.code, str(error))
        except (TypeError, ValueError) as error:
            return Check("status", False, "MALFORMED_VALUE_ERROR", str(error))
        if bit and entry.get("statusPurpose") == ob3.REVOCATION:
            return Check("status", False, "REVOKED", "the issuer has revoked this credential")
    return Check("status", True)


def credential_verify(credential: Mapping, *, now: datetime | None = None) -> Verification:
    """Verify one of our OB 3.0 credentials (JSON with an embedded proof): proof against the
    issuer's published keys, validity period, and revocation status. Fetches nothing: only
    our own controller documents and status lists (and did:key) resolve."""
    now = now or datetime.now(UTC)
    if not isinstance(credential, Mapping):
        return Verification((Check("proof", False, "MALFORMED_PROOF_ERROR", "not an object"),))
    return Verification(
        (_proof_check(credential), _validity_check(credential, now), _status_check(credential))
    )


def credential_jwt_verify(token: str, *, now: datetime | None = None) -> Verification:
    """Verify one of our VC-JWTs (OB 3.0 §8.2.6): the ``kid`` must be a published
    verification method controlled by the credential's issuer; then validity and status."""
    now = now or datetime.now(UTC)
    try:
        header = vc_jwt.unverified_header(token)
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise vc_jwt.VcJwtError("the header names no key (kid)")
        method = eddsa_rdfc_2022.retrieve_verification_method(
            kid, eddsa_rdfc_2022.ASSERTION_METHOD, resolve_controller
        )
        public = multikey.public_key_from_multibase(method["publicKeyMultibase"])
        # The clock is checked below, with reasons; here only the signature and the claims.
        credential = vc_jwt.verify(token, public, leeway=10**10)
    except (vc_jwt.VcJwtError, eddsa_rdfc_2022.DataIntegrityError, multikey.MultikeyError) as e:
        return Verification((Check("proof", False, "PROOF_VERIFICATION_ERROR", str(e)),))
    if eddsa_rdfc_2022.issuer_id(credential) != method["controller"]:
        return Verification(
            (Check("proof", False, "PROOF_VERIFICATION_ERROR", "key is not the issuer's"),)
        )
    return Verification(
        (Check("proof", True), _validity_check(credential, now), _status_check(credential))
    )
