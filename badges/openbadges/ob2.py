"""Compose Open Badges 2.0 JSON-LD documents for hosted verification.

Spec: Open Badges v2.0, IMS Final Release, https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html
(sections cited per function as "OB 2.0 §Name", the anchors of that page). The functions are pure:
plain frozen dataclasses in, plain ``dict`` out, so they can be tested against golden files and the
1EdTech validator without Django. Serialise with :func:`dumps` for stable bytes.

Every document uses the context URL :data:`OB2_CONTEXT_URL`. The context itself ships in
``contexts/openbadges-v2.json`` (see :func:`bundled_contexts`), so a JSON-LD processor never has to
fetch it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

OB2_CONTEXT_URL = "https://w3id.org/openbadges/v2"
OB2_CONTEXT_FILE = Path(__file__).resolve().parent / "contexts" / "openbadges-v2.json"

# The recipient identity type we issue to. OB 2.0 §IdentityObject allows others (url, telephone),
# but e-mail is the only one most backpacks understand.
RECIPIENT_TYPE_EMAIL = "email"

# OB 2.0 §VerificationObject names the class `HostedBadge`; `hosted` is only an alias from the
# context, and the 1EdTech validator compacts either to `HostedBadge` before checking it.
HOSTED_VERIFICATION = "HostedBadge"

Document = dict[str, Any]


# --- Data -----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ExtensionData:
    """One Open Badges extension object (OB 2.0 §Extensions).

    Rendered as ``{"@context": context_url, "type": ["Extension", *types], **properties}`` under
    a property name (a compact IRI such as ``extensions:FooExtension``, or a full IRI) that is the
    key of the owning dataclass's ``extensions`` mapping.
    """

    context_url: str
    types: tuple[str, ...]
    properties: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> Document:
        """The extension node; reserved keys in ``properties`` are refused so they cannot clash."""
        clashing = {"@context", "type", "id"} & set(self.properties)
        if clashing:
            raise ValueError(f"extension properties may not set {sorted(clashing)}")
        types = ["Extension", *(t for t in self.types if t != "Extension")]
        return {"@context": self.context_url, "type": types, **self.properties}


Extensions = Mapping[str, ExtensionData]


@dataclass(frozen=True, kw_only=True)
class IssuerData:
    """An issuer Profile (OB 2.0 §Profile). ``id``, ``name``, ``url`` and ``email`` are required of
    issuers; the verification policy fields are optional (OB 2.0 §VerificationObject)."""

    id: str
    name: str
    url: str
    email: str
    description: str | None = None
    image: str | None = None
    telephone: str | None = None
    # Without these, verifiers require assertions on the issuer id's own host (OB 2.0 §HostedBadge).
    allowed_origins: tuple[str, ...] = ()
    starts_with: tuple[str, ...] = ()
    extensions: Extensions = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class AlignmentData:
    """An AlignmentObject (OB 2.0 §Alignment): ``target_name`` and ``target_url`` are required."""

    target_name: str
    target_url: str
    target_description: str | None = None
    target_framework: str | None = None
    target_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class BadgeClassData:
    """A BadgeClass (OB 2.0 §BadgeClass). Criteria need a URL, a narrative, or both (§Criteria)."""

    id: str
    issuer_id: str
    name: str
    description: str
    image: str
    criteria_url: str | None = None
    criteria_narrative: str | None = None
    alignments: tuple[AlignmentData, ...] = ()
    tags: tuple[str, ...] = ()
    extensions: Extensions = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class EvidenceData:
    """One Evidence entry (OB 2.0 §Evidence); an entry needs an ``id`` URL or a ``narrative``."""

    id: str | None = None
    narrative: str | None = None
    name: str | None = None
    description: str | None = None
    genre: str | None = None
    audience: str | None = None


@dataclass(frozen=True, kw_only=True)
class RevocationData:
    """The issuer's revocation of a hosted assertion (OB 2.0 §Assertion ``revocationReason``)."""

    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class AssertionData:
    """An Assertion with hosted verification (OB 2.0 §Assertion, §HostedBadge).

    ``recipient_email`` is never published: the document carries only its salted hash.
    ``image`` is the URL of the baked image of this assertion, if any.
    """

    id: str
    badge_id: str
    recipient_email: str
    salt: str
    issued_on: datetime
    expires: datetime | None = None
    image: str | None = None
    evidence: tuple[EvidenceData, ...] = ()
    narrative: str | None = None
    revocation: RevocationData | None = None
    extensions: Extensions = field(default_factory=dict)


# --- Primitives -----------------------------------------------------------------------------------


def hash_recipient(email: str, salt: str) -> str:
    """Return the IdentityHash ``sha256$<hex>`` of ``email`` (lower-cased) followed by ``salt``.

    OB 2.0 §IdentityObject and §Primitive datatypes (IdentityHash): the hash is taken over the
    identity value with the salt appended, and written as ``sha256$`` and the hex digest.
    The spec does not say how to normalise the address. We lower-case it so one person gets one hash
    however the address was typed at enrolment; note that verifiers (the 1EdTech validator among
    them) hash the address they are given as is, so earners must give theirs in lower case.
    """
    digest = hashlib.sha256((email.lower() + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def format_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with seconds and a ``+00:00`` offset (OB 2.0 §Primitive datatypes, DateTime).

    The spec requires a time zone indicator and recommends UTC; naive datetimes are refused because
    guessing their zone would silently move issue and expiry dates.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("OB 2.0 DateTime values need a time zone; got a naive datetime")
    return value.astimezone(UTC).isoformat(timespec="seconds")


def dumps(document: Mapping[str, Any], *, pretty: bool = False) -> str:
    """Serialise a document with sorted keys, so equal documents give equal bytes (golden files,
    baked images, ETags). ``pretty`` indents for people; the default is compact for baking."""
    if pretty:
        return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@cache
def _context_text() -> str:
    return OB2_CONTEXT_FILE.read_text(encoding="utf-8")


def bundled_contexts() -> dict[str, Document]:
    """Map each shipped context URL to a fresh copy of its document, for a JSON-LD document
    loader that fetches nothing (DESIGN.md "Badges"). Fresh copies, so callers cannot corrupt it."""
    return {OB2_CONTEXT_URL: json.loads(_context_text())}


def _without_none(values: Mapping[str, Any]) -> Document:
    # Absent optional properties are omitted rather than sent as null: OB 2.0 gives null no meaning,
    # and the validator type-checks any property that is present.
    return {key: value for key, value in values.items() if value is not None}


def _merge_extensions(document: Document, extensions: Extensions) -> Document:
    """Add extension nodes under their property names (OB 2.0 §Extensions).

    A name that is already a property of the document is refused: letting an extension overwrite a
    spec property would silently change what the badge says.
    """
    for name, extension in extensions.items():
        if name in document:
            raise ValueError(f"extension name {name!r} clashes with an OB 2.0 property")
        if ":" not in name:
            raise ValueError(f"extension name {name!r} must be a compact IRI or an IRI")
        document[name] = extension.to_json()
    return document


# --- Documents ------------------------------------------------------------------------------------


def _issuer_verification(data: IssuerData) -> Document | None:
    """The issuer's VerificationObject (OB 2.0 §VerificationObject), only when a policy is set."""
    if not data.allowed_origins and not data.starts_with:
        return None
    policy: Document = {"type": "VerificationObject"}
    if data.allowed_origins:
        policy["allowedOrigins"] = list(data.allowed_origins)
    if data.starts_with:
        policy["startsWith"] = list(data.starts_with)
    return policy


def issuer_json(data: IssuerData) -> Document:
    """The hosted issuer Profile document (OB 2.0 §Profile; required of issuers: id, type, name,
    url, email)."""
    document = _without_none(
        {
            "@context": OB2_CONTEXT_URL,
            "type": "Issuer",
            "id": data.id,
            "name": data.name,
            "url": data.url,
            "email": data.email,
            "description": data.description,
            "image": data.image,
            "telephone": data.telephone,
            "verification": _issuer_verification(data),
        }
    )
    return _merge_extensions(document, data.extensions)


def alignment_json(data: AlignmentData) -> Document:
    """One AlignmentObject (OB 2.0 §Alignment), with the schema.org property names of v2.0."""
    return _without_none(
        {
            "targetName": data.target_name,
            "targetUrl": data.target_url,
            "targetDescription": data.target_description,
            "targetFramework": data.target_framework,
            "targetCode": data.target_code,
        }
    )


def criteria_json(data: BadgeClassData) -> Document:
    """The embedded Criteria node (OB 2.0 §Criteria): a URL, a narrative, or both."""
    if not data.criteria_url and not data.criteria_narrative:
        raise ValueError("a BadgeClass needs criteria: a URL, a narrative, or both")
    return _without_none({"id": data.criteria_url, "narrative": data.criteria_narrative})


def badgeclass_json(data: BadgeClassData) -> Document:
    """The hosted BadgeClass document (OB 2.0 §BadgeClass). The issuer is linked by its hosted id,
    which verifiers fetch; alignment and tags are omitted when empty."""
    document = _without_none(
        {
            "@context": OB2_CONTEXT_URL,
            "type": "BadgeClass",
            "id": data.id,
            "issuer": data.issuer_id,
            "name": data.name,
            "description": data.description,
            "image": data.image,
            "criteria": criteria_json(data),
            "alignment": [alignment_json(a) for a in data.alignments] or None,
            "tags": list(data.tags) or None,
        }
    )
    return _merge_extensions(document, data.extensions)


def evidence_json(data: EvidenceData) -> Document:
    """One Evidence node (OB 2.0 §Evidence); an entry with neither id nor narrative says nothing."""
    if not data.id and not data.narrative:
        raise ValueError("evidence needs an id URL or a narrative")
    return _without_none(
        {
            "id": data.id,
            "narrative": data.narrative,
            "name": data.name,
            "description": data.description,
            "genre": data.genre,
            "audience": data.audience,
        }
    )


def recipient_json(data: AssertionData) -> Document:
    """The hashed, salted e-mail IdentityObject (OB 2.0 §IdentityObject).

    An empty salt is refused: an unsalted hash of an e-mail address can be reversed by hashing
    address lists, which defeats the reason for hashing it.
    """
    if not data.salt:
        raise ValueError("recipient hashes must be salted")
    return {
        "type": RECIPIENT_TYPE_EMAIL,
        "hashed": True,
        "salt": data.salt,
        "identity": hash_recipient(data.recipient_email, data.salt),
    }


def assertion_json(data: AssertionData) -> Document:
    """The hosted Assertion document (OB 2.0 §Assertion, verified as §HostedBadge).

    Refuses a revoked assertion: its hosted URL must answer 410 Gone with
    :func:`revoked_assertion_json` instead (OB 2.0 §Revoking Hosted Assertions), and a full document
    would still look like a valid badge to consumers that ignore ``revoked``.
    """
    if data.revocation is not None:
        raise ValueError("a revoked assertion is published with revoked_assertion_json()")
    expires = format_datetime(data.expires) if data.expires else None
    document = _without_none(
        {
            "@context": OB2_CONTEXT_URL,
            "type": "Assertion",
            "id": data.id,
            "recipient": recipient_json(data),
            "badge": data.badge_id,
            "verification": {"type": HOSTED_VERIFICATION},
            "issuedOn": format_datetime(data.issued_on),
            "expires": expires,
            "image": data.image,
            "evidence": [evidence_json(e) for e in data.evidence] or None,
            "narrative": data.narrative,
        }
    )
    return _merge_extensions(document, data.extensions)


def revoked_assertion_json(data: AssertionData) -> Document:
    """The body served with HTTP 410 Gone at a revoked hosted assertion's URL (OB 2.0 §Revoking
    Hosted Assertions and the "Revoked Hosted Assertion" example): only ``id`` and ``revoked`` are
    required, plus the published ``revocationReason`` when there is one. Everything else is stripped
    so the revoked document no longer carries the recipient hash or the achievement."""
    if data.revocation is None:
        raise ValueError("assertion is not revoked")
    return _without_none(
        {
            "@context": OB2_CONTEXT_URL,
            "id": data.id,
            "revoked": True,
            "revocationReason": data.revocation.reason or None,
        }
    )
