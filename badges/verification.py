"""The one verifier for every badge format: OB 2.0 hosted, OB 3.0 with a Data Integrity proof,
and OB 3.0 as a VC-JWT; from a baked PNG or SVG, a JSON document, a compact JWT or a URL.

It trusts nothing it is given (DESIGN.md, "Badges"):

- **A key counts only when the credential's issuer controls it.** A Data Integrity proof's or a
  JWT's verification method must be listed in the controller document of the credential's
  ``issuer`` (VC Data Integrity 1.0 §4.5; OB 3.0 §8.2.6, §8.3): for our own issuers that document
  is read from our database, for ``did:key`` it is derived from the DID, and for any other issuer
  it lives on a site this verifier never contacts, so the verdict is "cannot be checked offline".
- **A status list counts only when it is the issuer's own** (Bitstring Status List §3.2): its own
  proof verified, its issuer the credential's issuer, the purposes equal, the index in range.
- **Ours or not ours, said plainly**: a credential from elsewhere is reported with its issuer's
  identifier beside whatever name it claims, and "not issued by <centre>".
- **The earner**: an e-mail given is checked against the salted identity hash of every format;
  for our own badges our record names the earner and its hash must match the credential's.
- **Our record has the last word on our badges**: one we revoked is revoked and one that has
  expired is expired, whatever the copy in hand says.

Nothing is fetched. Input is bounded before it is decoded: 2 MB in all, nesting checked before
``json.loads`` recurses, key ids and proof values by length before base58 decoding (multikey.py),
at most a few proofs and status entries per credential.
"""

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from config.parsers import json_refusal

from .openbadges import baking, ob2
from .openbadges.vc import eddsa_rdfc_2022, jwt, multikey
from .openbadges.vc.status_list import BitstringStatusList, StatusListError

MAX_INPUT_BYTES = 2 * 1024 * 1024
MAX_JWT = 256 * 1024  # PyJWT checks base64 in Python, three times over: bound it first
# Canonicalization (pyld's node map) grows faster than the values of a document: a credential
# holding more than any badge holds is refused before its proof is checked. Ours hold ~160.
MAX_CREDENTIAL_VALUES = 2_000
MAX_KEY_ID = 512  # ours are ~110 characters, a did:key method 105
MAX_PROOFS = 4
MAX_STATUS_ENTRIES = 4

PASS, FAIL, WARN, UNKNOWN = "pass", "fail", "warn", "unknown"
OB2_HOSTED = "Open Badges 2.0 (hosted)"
OB2_SIGNED = "Open Badges 2.0 (signed)"
OB3_DI = "Open Badges 3.0 (Data Integrity proof, eddsa-rdfc-2022)"
OB3_JWT = "Open Badges 3.0 (VC-JWT)"
UNKNOWN_FORMAT = "Not recognised"
STATUS_PURPOSES = ("revocation", "suspension")


@dataclass(frozen=True)
class Record:
    """What this centre's own record says of one of its badges."""

    recipient_name: str
    recipient_hash: str
    revoked_at: datetime | None = None
    revocation_reason: str = ""
    expires_on: datetime | None = None


class Sources(Protocol):
    """This centre's documents and records, read without a network request."""

    centre_name: str

    def is_ours(self, url: str) -> bool: ...

    def get(self, url: str) -> tuple[int, str] | None:
        """(HTTP status, body text) of one of our public documents, or None if there is none."""

    def get_json(self, url: str) -> tuple[int, dict] | None: ...

    def controller(self, url: str) -> Mapping | None:
        """Our issuer's controller document at ``url``, or None."""

    def status_list(self, url: str) -> Mapping | None:
        """Our signed status list credential at ``url``, or None."""

    def record(self, url: str) -> Record | None:
        """Our record of the badge whose assertion or credential is at ``url``, or None."""

    def canonicalizer(self): ...


@dataclass
class Check:
    name: str
    status: str
    reason: str
    code: str = ""  # VC Data Integrity §3.3 / Bitstring Status List §3.2 codes, where one applies


@dataclass
class Report:
    format: str = UNKNOWN_FORMAT
    verdict: str = "invalid"  # valid | invalid | revoked | expired | not_yet_valid | unverifiable
    summary: str = ""
    checks: list[Check] = field(default_factory=list)
    issuer: dict = field(default_factory=dict)  # id, name (as claimed), ours
    achievement: dict = field(default_factory=dict)
    recipient: dict = field(default_factory=dict)  # name (ours), email, matches
    results: list = field(default_factory=list)
    issued_on: str | None = None
    expires_on: str | None = None

    def add(self, name, status, reason, code=""):
        self.checks.append(Check(name, status, reason, code))

    @property
    def verified(self) -> bool:
        return self.verdict == "valid"

    def failed(self) -> dict[str, Check]:
        return {c.name: c for c in self.checks if c.status == FAIL}

    def as_dict(self):
        return asdict(self)


class Refused(ValueError):
    """The input cannot be read at all; the message says why."""


# --- Entry points ---------------------------------------------------------------------------------


def verify_bytes(data: bytes, *, sources: Sources, recipient_email: str = "", now=None) -> Report:
    """A file: a baked PNG or SVG, or a JSON document or compact JWT saved as a file."""
    return _Verifier(sources, recipient_email, now).bytes(data)


def verify_text(text: str, *, sources: Sources, recipient_email: str = "", now=None) -> Report:
    """Pasted text: a JSON document, a compact JWT, or a URL."""
    return _Verifier(sources, recipient_email, now).text(text)


def verify_credential(
    credential: Mapping, *, sources: Sources, recipient_email: str = "", now=None
) -> Report:
    """An OB 3.0 credential with an embedded proof, already parsed."""
    verifier = _Verifier(sources, recipient_email, now)
    if not isinstance(credential, Mapping):
        return refused("The credential is not a JSON object.")
    return verifier.ob3(credential, fmt=OB3_DI)


def verify_jwt(token: str, *, sources: Sources, recipient_email: str = "", now=None) -> Report:
    """An OB 3.0 credential as a compact VC-JWT."""
    return _Verifier(sources, recipient_email, now).jwt(token.strip())


# --- Helpers --------------------------------------------------------------------------------------


def refused(reason):
    """A report for input that cannot be read at all, saying why."""
    report = Report(verdict="invalid", summary=reason)
    report.add("Input", FAIL, reason)
    return report


def _loads(text):
    # Nesting and the count of arrays and objects, measured before json.loads recurses and
    # builds them (config/parsers.py; the API's request bodies get the same check).
    refusal = json_refusal(text)
    if refusal:
        raise Refused(f"The JSON {refusal}.")
    try:
        document = json.loads(text)
    except ValueError as error:
        raise Refused(f"The text is not valid JSON ({error.msg}, line {error.lineno}).") from error
    if not isinstance(document, dict):
        raise Refused("The JSON is not an object, so it is not a badge or credential.")
    return document


def _types(document):
    value = document.get("type", [])
    return {t for t in (value if isinstance(value, list) else [value]) if isinstance(t, str)}


def _list(value):
    """The mappings in a JSON value that should be a list of objects (or one object)."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, Mapping)]


def _text(value):
    return value if isinstance(value, str) else None


def _parse_time(value):
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _values(document) -> int:
    """How many values (objects, arrays and scalars) a parsed JSON document holds."""
    count, stack = 0, [document]
    while stack:
        value = stack.pop()
        count += 1
        if isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return count


def _validity(credential):
    """(start, end) of a credential: VC 2.0's validFrom and validUntil, or VC 1.1's
    issuanceDate and expirationDate, which OB 3.0 §8.2.6 lets a JWT carry."""
    return (
        credential.get("validFrom", credential.get("issuanceDate")),
        credential.get("validUntil", credential.get("expirationDate")),
    )


def _looks_like_jwt(text):
    return text.count(".") == 2 and " " not in text and text.startswith("ey")


def _normal_url(url):
    """Our badge addresses as people paste them: a trailing slash or a fragment is not part of
    the address. Refused (Refused) when it is not a URL at all."""
    try:
        parts = urlsplit(url)
    except ValueError as error:  # an unbalanced [ in the host, say
        raise Refused(f"That is not a web address ({error}).") from error
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _issuer_id(document):
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _identities(subject):
    """(identityHash, salt, hashed) of each OB 3.0 IdentityObject of an email address."""
    found = []
    identifiers = subject.get("identifier") if isinstance(subject, Mapping) else None
    for identity in _list(identifiers) if identifiers else []:
        if identity.get("identityType") in (None, "emailAddress"):
            value = identity.get("identityHash")
            if isinstance(value, str):
                salt = _text(identity.get("salt")) or ""
                found.append((value, salt, identity.get("hashed", True) is not False))
    return found


# --- The verifier ---------------------------------------------------------------------------------


class _Verifier:
    def __init__(self, sources, recipient_email, now):
        self.sources = sources
        self.email = (recipient_email or "").strip()
        self.now = now or datetime.now(UTC)
        self.names_us = False  # the credential names one of our issuers (not yet proven)

    # Input ------------------------------------------------------------------------------------

    def bytes(self, data):
        if len(data) > MAX_INPUT_BYTES:
            return refused(f"The file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB.")
        if data.startswith(baking.PNG_SIGNATURE) or data.lstrip().startswith(b"<"):
            return self.image(data)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return refused("The file is not a PNG, an SVG, JSON or a JWT.")
        return self.text(text)

    def text(self, text, *, follow_urls=True):
        text = text.strip()
        if len(text.encode()) > MAX_INPUT_BYTES:
            return refused("The text is larger than 2 MB.")
        if not text:
            return refused("Nothing to verify: upload a badge image or paste JSON, a JWT or a URL.")
        if text.startswith("{"):
            try:
                document = _loads(text)
            except Refused as error:
                return refused(str(error))
            return self.document(document)
        if _looks_like_jwt(text):
            return self.jwt(text)
        if follow_urls and text.startswith(("https://", "http://")):
            return self.url(text)
        return refused("This is not JSON, a compact JWT or a URL.")

    def image(self, data):
        found = []
        for fmt in (baking.OB2, baking.OB3):
            try:
                found.append((fmt, baking.unbake(data, fmt=fmt)))
            except baking.NoBadgeError:
                continue
            except baking.MultipleBadgesError:
                return refused(
                    "The image holds more than one badge, which the baking rules forbid."
                )
            except baking.BakingError as error:
                return refused(f"The image cannot be read as a badge: {error}")
        if not found:
            return refused("The image holds no badge.")
        if len(found) > 1:
            return refused("The image holds both an OB 2.0 badge and an OB 3.0 credential.")
        return self.text(found[0][1])

    def url(self, url):
        try:
            url = _normal_url(url)
        except Refused as error:
            return refused(str(error))
        if not self.sources.is_ours(url):
            report = Report(verdict="unverifiable")
            report.add(
                "Fetch",
                UNKNOWN,
                "This site does not fetch other sites, so a badge hosted "
                "elsewhere cannot be checked here. Open it on its issuer's site.",
            )
            return self.finish(report)
        found = self.sources.get(url)
        if found is None:
            return refused("There is no badge at that address on this site.")
        status, body = found
        if status == 410:
            try:
                return self.revoked_ob2(_loads(body))
            except Refused:
                return refused("There is no badge at that address on this site.")
        return self.text(body, follow_urls=False)

    def document(self, document):
        types = _types(document)
        if "VerifiableCredential" in types or "OpenBadgeCredential" in types:
            return self.ob3(document, fmt=OB3_DI)
        if "Assertion" in types or document.get("revoked") is True:
            return self.ob2(document)
        return refused("The JSON is neither an Open Badges assertion nor a verifiable credential.")

    # Verdicts ---------------------------------------------------------------------------------

    def finish(self, report):
        if self.names_us and not report.issuer.get("ours"):
            centre = self.sources.centre_name
            report.add(
                "Issuer",
                FAIL,
                f"It names {centre} as its issuer, but {centre} did not sign it.",
                "PROOF_VERIFICATION_ERROR",
            )
        failed = [c for c in report.checks if c.status == FAIL]
        if report.verdict in {"revoked", "expired", "not_yet_valid", "unverifiable"}:
            pass
        elif failed:
            report.verdict = "invalid"
        else:
            report.verdict = "valid"
        words = {
            "valid": "Valid: every check passed.",
            "invalid": "Not valid: " + "; ".join(c.reason for c in failed[:3]),
            "revoked": "Revoked by its issuer.",
            "expired": "Expired.",
            "not_yet_valid": "Not valid yet.",
            "unverifiable": "Cannot be checked offline.",
        }
        report.summary = report.summary or words[report.verdict]
        if report.issuer.get("id") and not report.issuer.get("ours"):
            report.summary += f" Not issued by {self.sources.centre_name}."
        return report

    def revoked_ob2(self, document):
        report = Report(format=OB2_HOSTED, verdict="revoked")
        reason = document.get("revocationReason") or "no reason given"
        report.issuer = {"id": None, "name": self.sources.centre_name, "ours": True}
        report.add("Hosted record", PASS, "The issuer's record was found.")
        report.add("Revocation", FAIL, f"Revoked by the issuer: {reason}", "REVOKED")
        report.summary = f"Revoked by its issuer: {reason}"
        return self.finish(report)

    def dates(self, report, valid_from, valid_until):
        start, end = _parse_time(valid_from), _parse_time(valid_until)
        if (valid_from is not None and start is None) or (valid_until is not None and end is None):
            report.add(
                "Validity period", FAIL, "A date is not a date and time.", "MALFORMED_VALUE_ERROR"
            )
        elif start and start > self.now:
            report.add(
                "Validity period", FAIL, f"Not valid until {start:%d %B %Y}.", "NOT_YET_VALID"
            )
            report.verdict = "not_yet_valid"
        elif end and end <= self.now:
            report.add("Validity period", FAIL, f"Expired on {end:%d %B %Y}.", "EXPIRED")
            if report.verdict != "revoked":
                report.verdict = "expired"
        else:
            until = f" until {end:%d %B %Y}" if end else ", with no expiry date"
            report.add("Validity period", PASS, f"Valid{until}.")

    def our_record(self, report, url):
        """Our record of one of our badges: the earner's name, and revocation or expiry as we
        know them now. Returns the record, or None (then the check has failed)."""
        record = self.sources.record(url) if isinstance(url, str) else None
        if record is None:
            report.add(
                "Issuer's record",
                FAIL,
                f"{self.sources.centre_name} has no record of this badge.",
                "PROOF_VERIFICATION_ERROR",
            )
            return None
        report.recipient["name"] = record.recipient_name
        centre = self.sources.centre_name
        if record.revoked_at is not None:
            when = f" on {record.revoked_at:%d %B %Y}"
            reason = record.revocation_reason or "no reason given"
            report.add("Issuer's record", FAIL, f"Revoked{when}: {reason}", "REVOKED")
            report.verdict = "revoked"
            report.summary = f"Revoked by its issuer{when}: {reason}"
        elif record.expires_on is not None and record.expires_on <= self.now:
            when = f" on {record.expires_on:%d %B %Y}"
            report.add(
                "Issuer's record", FAIL, f"Expired{when}, as {centre}'s record shows.", "EXPIRED"
            )
            report.verdict = "expired"
        else:
            report.add("Issuer's record", PASS, f"{centre} issued this badge and it is current.")
        return record

    def earner(self, report, identities, record):
        """Whether the badge was issued to the e-mail given, and for our badges to the person
        our record names."""
        if record is not None and not any(
            hashed and value == record.recipient_hash for value, _, hashed in identities
        ):
            report.add("Earner", FAIL, "The badge's earner is not the one in the issuer's record.")
            return
        if self.email:
            matches = any(
                (value == ob2.hash_recipient(self.email, salt))
                if hashed
                else value.lower() == self.email.lower()
                for value, salt, hashed in identities
            )
            report.recipient.update(email=self.email, matches=matches)
            named = f" ({record.recipient_name})" if record is not None and matches else ""
            report.add(
                "Earner",
                PASS if matches else FAIL,
                f"Issued to {self.email}{named}." if matches else f"Not issued to {self.email}.",
            )
        elif record is not None:
            report.add(
                "Earner", PASS, f"Issued to {record.recipient_name}, as the issuer's record shows."
            )
        else:
            report.recipient["identity"] = "hashed e-mail (give the earner's e-mail to check it)"
            report.add(
                "Earner", UNKNOWN, "Give the earner's e-mail address to check who earned it."
            )

    # Open Badges 2.0 ----------------------------------------------------------------------------

    def ob2(self, document):
        report = Report(format=OB2_HOSTED)
        verification = document.get("verification") or {}
        kind = verification.get("type") if isinstance(verification, dict) else None
        if kind in ("SignedBadge", "signed"):
            report.format = OB2_SIGNED
            report.verdict = "unverifiable"
            report.add(
                "Signature",
                UNKNOWN,
                "Signed OB 2.0 badges need the issuer's key from its site, which is not "
                "fetched here.",
            )
            return self.finish(report)
        url = document.get("id")
        try:
            url = _normal_url(url) if isinstance(url, str) else None
        except Refused:
            url = None
        if url is None or not self.sources.is_ours(url):
            report.verdict = "unverifiable"
            host = urlsplit(url) if url else None
            report.issuer = {  # the site that hosts it: all that can be said of its issuer
                "id": f"{host.scheme}://{host.netloc}" if host and host.netloc else None,
                "name": None,
                "ours": False,
            }
            report.add(
                "Hosted record",
                UNKNOWN,
                "The badge is hosted on another site, which this "
                "verifier does not contact. Open its address to check it there.",
            )
            return self.finish(report)
        found = self.sources.get_json(url)
        if found is None:
            report.add("Hosted record", FAIL, "The issuer has no record of this badge.")
            return self.finish(report)
        status, hosted = found
        if status == 410 or hosted.get("revoked") is True:
            return self.revoked_ob2(hosted)
        report.add("Hosted record", PASS, "The issuer's record was found at the badge's address.")
        same = json.dumps(hosted, sort_keys=True) == json.dumps(document, sort_keys=True)
        report.add(
            "Matches the issuer's record",
            PASS if same else FAIL,
            "The badge is identical to the issuer's record."
            if same
            else "The badge differs from the issuer's record: it has been altered.",
        )
        self.ob2_details(report, hosted)
        record = self.our_record(report, url)
        recipient = hosted.get("recipient") or {}
        identities = [
            (
                recipient.get("identity", ""),
                recipient.get("salt") or "",
                recipient.get("hashed", True),
            )
        ]
        self.earner(report, identities, record)
        self.dates(report, hosted.get("issuedOn"), hosted.get("expires"))
        return self.finish(report)

    def ob2_details(self, report, assertion):
        report.issued_on = assertion.get("issuedOn")
        report.expires_on = assertion.get("expires")
        badge_url = assertion.get("badge")
        badge = self.sources.get_json(badge_url) if isinstance(badge_url, str) else None
        report.issuer = {"id": None, "name": self.sources.centre_name, "ours": True}
        if badge:
            badge = badge[1]
            report.achievement = {
                "name": badge.get("name"),
                "description": badge.get("description"),
                "criteria": (badge.get("criteria") or {}).get("narrative"),
                "alignment": [a.get("targetName") for a in badge.get("alignment", [])],
            }
            issuer = self.sources.get_json(badge.get("issuer", "")) if badge.get("issuer") else None
            if issuer:
                report.issuer = {
                    "id": issuer[1].get("id"),
                    "name": issuer[1].get("name"),
                    "ours": True,
                }
        report.results = [
            e.get("name") or e.get("narrative") for e in assertion.get("evidence", [])
        ]

    # Open Badges 3.0 ----------------------------------------------------------------------------

    def describe(self, report, credential):
        issuer = credential.get("issuer")
        issuer_id = _issuer_id(credential)
        subject = credential.get("credentialSubject")
        subject = subject if isinstance(subject, Mapping) else {}
        achievement = subject.get("achievement")
        achievement = achievement if isinstance(achievement, Mapping) else {}
        criteria = achievement.get("criteria")
        report.issuer = {
            "id": issuer_id if isinstance(issuer_id, str) else None,
            "name": issuer.get("name") if isinstance(issuer, Mapping) else None,
            "ours": False,
        }
        report.achievement = {
            "name": achievement.get("name"),
            "description": achievement.get("description"),
            "criteria": criteria.get("narrative") if isinstance(criteria, Mapping) else None,
            "alignment": [_text(a.get("targetName")) for a in _list(achievement.get("alignment"))],
        }
        names = {
            d["id"]: _text(d.get("name"))
            for d in _list(achievement.get("resultDescription"))
            if isinstance(d.get("id"), str)
        }
        report.results = []
        for result in _list(subject.get("result")):
            described = _text(result.get("resultDescription"))
            report.results.append(
                {
                    "result": _text(result.get("value")) or _text(result.get("status")),
                    "description": names.get(described) or described,
                }
            )
        report.issued_on, report.expires_on = _validity(credential)

    def issuer_check(self, report, issuer_id):
        """Whose credential this is. False when the issuer's keys cannot be had offline."""
        centre = self.sources.centre_name
        claimed = report.issuer.get("name")
        if not isinstance(issuer_id, str) or not issuer_id:
            report.add("Issuer", FAIL, "The credential names no issuer.", "MALFORMED_VALUE_ERROR")
            return False
        if len(issuer_id) > MAX_KEY_ID:
            report.add(
                "Issuer",
                FAIL,
                "The issuer's identifier is too long to be real.",
                "MALFORMED_VALUE_ERROR",
            )
            return False
        if self.sources.controller(issuer_id) is not None:
            # It names us; it is ours only once its proof is found to be made with our key
            # (after_proof). Until then it is shown under no name of ours.
            self.names_us = True
            return True
        if self.sources.is_ours(issuer_id):
            report.add(
                "Issuer",
                FAIL,
                f"Its issuer is an address of {centre} that is no issuer's keys: {centre}'s "
                "credentials are never issued so.",
                "PROOF_VERIFICATION_ERROR",
            )
            return False
        calls_itself = f", which calls itself “{claimed}”" if claimed else ""
        if issuer_id.startswith(multikey.DID_KEY_PREFIX):
            report.add(
                "Issuer", WARN, f"Not issued by {centre}: issued by {issuer_id}{calls_itself}."
            )
            return True
        report.add(
            "Issuer",
            UNKNOWN,
            f"Not issued by {centre}: issued by {issuer_id}{calls_itself}. Its keys are published "
            "on its own site, which this verifier does not contact (did:key issuers are checked "
            "offline).",
        )
        report.verdict = "unverifiable"
        return False

    def ob3(self, credential, *, fmt):
        report = Report(format=fmt)
        self.describe(report, credential)
        issuer_id = _issuer_id(credential)
        if not self.issuer_check(report, issuer_id):
            return self.finish(report)
        if _values(credential) > MAX_CREDENTIAL_VALUES:
            report.add(
                "Proof",
                FAIL,
                f"The credential holds more than {MAX_CREDENTIAL_VALUES:,} values, more than any "
                "badge does; its proof was not checked.",
                "MALFORMED_PROOF_ERROR",
            )
            return self.finish(report)
        entries = credential.get("credentialStatus")
        if isinstance(entries, list) and len(entries) > MAX_STATUS_ENTRIES:
            report.add(
                "Revocation",
                FAIL,
                f"More than {MAX_STATUS_ENTRIES} status entries.",
                "MALFORMED_VALUE_ERROR",
            )
            return self.finish(report)
        proofs = credential.get("proof")
        if isinstance(proofs, list) and len(proofs) > MAX_PROOFS:
            report.add(
                "Proof",
                FAIL,
                f"The credential carries more than {MAX_PROOFS} proofs.",
                "MALFORMED_PROOF_ERROR",
            )
            return self.finish(report)
        result = eddsa_rdfc_2022.verify_credential(
            credential,
            controllers=self.sources.controller,
            canonicalizer=self.sources.canonicalizer(),
        )
        if not result.verified:
            error = result.errors[0]
            report.add("Proof", FAIL, f"The signature does not verify: {error}.", error.code)
            return self.finish(report)
        report.add(
            "Proof",
            PASS,
            "The eddsa-rdfc-2022 signature was made with a key its issuer publishes, and the "
            "credential is unchanged since it was signed.",
        )
        return self.after_proof(report, credential)

    def after_proof(self, report, credential):
        """What is checked once the proof is known to be the issuer's."""
        if self.names_us:
            report.issuer["ours"] = True
            report.checks.insert(
                0, Check("Issuer", PASS, f"Issued by {self.sources.centre_name} (this centre).")
            )
        self.dates(report, *_validity(credential))
        self.status(report, credential)
        record = (
            self.our_record(report, credential.get("id")) if report.issuer.get("ours") else None
        )
        self.earner(report, _identities(credential.get("credentialSubject")), record)
        return self.finish(report)

    def status(self, report, credential):
        """Bitstring Status List §3.2 (Validate Algorithm), for lists this centre holds."""
        entries = credential.get("credentialStatus")
        entries = entries if isinstance(entries, list) else [entries] if entries else []
        if not entries:
            report.add("Revocation", WARN, "The credential carries no status entry to check.")
            return
        if len(entries) > MAX_STATUS_ENTRIES:
            report.add(
                "Revocation",
                FAIL,
                f"More than {MAX_STATUS_ENTRIES} status entries.",
                "MALFORMED_VALUE_ERROR",
            )
            return
        for entry in entries:
            self.status_entry(report, credential, entry)

    def status_entry(self, report, credential, entry):
        def fail(reason, code="MALFORMED_VALUE_ERROR"):
            report.add("Revocation", FAIL, reason, code)

        if not isinstance(entry, Mapping) or entry.get("type") != "BitstringStatusListEntry":
            report.add(
                "Revocation", UNKNOWN, "A status entry of a kind this verifier does not read."
            )
            return
        purpose, url = entry.get("statusPurpose"), entry.get("statusListCredential")
        if purpose not in STATUS_PURPOSES:
            return fail(f"The status purpose {purpose!r} is not revocation or suspension.")
        listed = self.sources.status_list(url) if isinstance(url, str) else None
        if listed is None:
            if isinstance(url, str) and self.sources.is_ours(url):
                return fail(
                    f"{self.sources.centre_name} has no status list at that address.",
                    "STATUS_RETRIEVAL_ERROR",
                )
            report.add(
                "Revocation",
                UNKNOWN,
                "The status list is on another site, which is not fetched here.",
            )
            return
        proof = eddsa_rdfc_2022.verify_credential(
            listed, controllers=self.sources.controller, canonicalizer=self.sources.canonicalizer()
        )
        if not proof.verified:
            return fail(
                f"The status list's own signature does not verify: {proof.errors[0]}.",
                "STATUS_VERIFICATION_ERROR",
            )
        if _issuer_id(listed) != _issuer_id(credential):
            return fail(
                "The status list belongs to another issuer, so it says nothing about this "
                "credential.",
                "STATUS_VERIFICATION_ERROR",
            )
        subject = listed.get("credentialSubject")
        subject = subject if isinstance(subject, Mapping) else {}
        if subject.get("statusPurpose") != purpose:
            return fail("The status list is kept for another purpose than the entry's.")
        index = entry.get("statusListIndex")
        if not (isinstance(index, str) and index.isdigit() and len(index) <= 12):
            return fail("The status list index is not a number.")
        try:
            bit = BitstringStatusList.decode(subject.get("encodedList")).get(int(index))
        except StatusListError as error:
            return fail(f"The status entry cannot be read: {error}.", error.code)
        if not bit:
            report.add(
                "Revocation",
                PASS,
                f"Not {'revoked' if purpose == 'revocation' else 'suspended'}: "
                "the issuer's status list says so.",
            )
        elif purpose == "revocation":
            fail("Revoked by the issuer (its status list says so).", "REVOKED")
            if report.verdict not in {"expired", "not_yet_valid"}:
                report.verdict = "revoked"
        else:
            fail("Suspended by the issuer (its status list says so).", "SUSPENDED")

    def jwt(self, token):
        if len(token) > MAX_JWT:
            return refused("The JWT is longer than any credential's.")
        report = Report(format=OB3_JWT)
        try:
            header = jwt.unverified_header(token)
        except Exception as error:  # malformed tokens have many shapes
            return refused(f"The JWT cannot be read: {error}.")
        if header.get("alg") != jwt.ALGORITHM:
            report.add(
                "Algorithm",
                FAIL,
                f"The algorithm {header.get('alg')!r} is not accepted; only EdDSA is.",
            )
            return self.finish(report)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            report.add(
                "Key", FAIL, "The JWT does not name its key (kid).", "PROOF_VERIFICATION_ERROR"
            )
            return self.finish(report)
        if len(kid) > MAX_KEY_ID:
            report.add(
                "Key", FAIL, "The key id is longer than any real one.", "MALFORMED_PROOF_ERROR"
            )
            return self.finish(report)
        controller = kid.partition("#")[0]
        if not (
            controller.startswith(multikey.DID_KEY_PREFIX) or self.sources.controller(controller)
        ):
            report.verdict = "unverifiable"
            report.add(
                "Key",
                UNKNOWN,
                "The signing key is published on another site, which this verifier does not "
                "contact (did:key keys are checked offline).",
            )
            return self.finish(report)
        try:
            method = eddsa_rdfc_2022.retrieve_verification_method(
                kid, eddsa_rdfc_2022.ASSERTION_METHOD, self.sources.controller
            )
            key = multikey.public_key_from_multibase(method["publicKeyMultibase"])
            # Dates are judged below with their reasons; here the signature and the claims.
            credential = jwt.verify(token, key, leeway=10**10)
        except (
            eddsa_rdfc_2022.DataIntegrityError,
            multikey.MultikeyError,
            jwt.VcJwtError,
            KeyError,
            TypeError,
            ValueError,
        ) as error:
            report.add(
                "Signature", FAIL, f"The JWT does not verify: {error}.", "PROOF_VERIFICATION_ERROR"
            )
            return self.finish(report)
        self.describe(report, credential)
        issuer_id = _issuer_id(credential)
        if not self.issuer_check(report, issuer_id):
            return self.finish(report)
        if method.get("controller") != issuer_id:
            report.add(
                "Signature",
                FAIL,
                f"The JWT is signed with a key of {method.get('controller')}, not of its issuer "
                f"{issuer_id}.",
                "PROOF_VERIFICATION_ERROR",
            )
            return self.finish(report)
        report.add(
            "Signature", PASS, "The EdDSA signature was made with a key its issuer publishes."
        )
        return self.after_proof(report, credential)
