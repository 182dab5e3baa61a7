"""One verifier for every badge format: OB 2.0 hosted, OB 3.0 with a Data Integrity proof, and
OB 3.0 as a VC-JWT; from a baked PNG or SVG, a JSON document, a compact JWT or a URL.

Each check is listed with its reason. Nothing is fetched: documents of this site are read
through `sources` (see verification_sources.py); other sites' documents are reported as "cannot
be checked offline" rather than guessed. Input is size-capped and parsed safely (defusedxml in
baking.py, a nesting limit before json.loads, the status list's own bomb guard).
"""

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from .openbadges import baking, ob2
from .openbadges.vc import eddsa_rdfc_2022, jwt, multikey
from .openbadges.vc.status_list import BitstringStatusList, StatusListError

MAX_INPUT_BYTES = 2 * 1024 * 1024
MAX_NESTING = 64

PASS, FAIL, WARN, UNKNOWN = "pass", "fail", "warn", "unknown"
OB2_HOSTED = "Open Badges 2.0 (hosted)"
OB2_SIGNED = "Open Badges 2.0 (signed)"
OB3_DI = "Open Badges 3.0 (Data Integrity proof, eddsa-rdfc-2022)"
OB3_JWT = "Open Badges 3.0 (VC-JWT)"
UNKNOWN_FORMAT = "Not recognised"


class Sources(Protocol):
    """Where documents of this site come from, without a network request."""

    def is_ours(self, url: str) -> bool: ...

    def get_json(self, url: str) -> tuple[int, dict] | None:
        """(HTTP status, JSON) of one of our public documents, or None if there is none."""


@dataclass
class Check:
    name: str
    status: str
    reason: str


@dataclass
class Report:
    format: str = UNKNOWN_FORMAT
    verdict: str = "invalid"  # valid | invalid | revoked | expired | not_yet_valid | unverifiable
    summary: str = ""
    checks: list[Check] = field(default_factory=list)
    issuer: dict = field(default_factory=dict)
    achievement: dict = field(default_factory=dict)
    recipient: dict = field(default_factory=dict)
    results: list = field(default_factory=list)
    issued_on: str | None = None
    expires_on: str | None = None

    def add(self, name, status, reason):
        self.checks.append(Check(name, status, reason))

    def as_dict(self):
        return asdict(self)


class Refused(ValueError):
    """The input cannot be read at all; the message says why."""


# --- Entry points ---------------------------------------------------------------------------------


def verify_bytes(data: bytes, *, sources: Sources, recipient_email: str = "") -> Report:
    """A file: a baked PNG or SVG, or a JSON document or compact JWT saved as a file."""
    if len(data) > MAX_INPUT_BYTES:
        return _refused(f"The file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB.")
    if (
        data.startswith(baking.PNG_SIGNATURE)
        or data.lstrip()[:5] in (b"<?xml", b"<svg ")
        or (data.lstrip().startswith(b"<"))
    ):
        return _verify_image(data, sources=sources, recipient_email=recipient_email)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _refused("The file is not a PNG, an SVG, JSON or a JWT.")
    return verify_text(text, sources=sources, recipient_email=recipient_email)


def verify_text(text: str, *, sources: Sources, recipient_email: str = "") -> Report:
    """Pasted text: a JSON document, a compact JWT, or a URL."""
    text = text.strip()
    if len(text.encode()) > MAX_INPUT_BYTES:
        return _refused("The text is larger than 2 MB.")
    if not text:
        return _refused("Nothing to verify: upload a badge image or paste JSON, a JWT or a URL.")
    if text.startswith("{"):
        try:
            document = _loads(text)
        except Refused as error:
            return _refused(str(error))
        return _verify_document(document, sources=sources, recipient_email=recipient_email)
    if text.count(".") == 2 and " " not in text and text.startswith("ey"):
        return _verify_jwt(text, sources=sources)
    if text.startswith(("https://", "http://")):
        return _verify_url(text, sources=sources, recipient_email=recipient_email)
    return _refused("This is not JSON, a compact JWT or a URL.")


# --- Helpers --------------------------------------------------------------------------------------


def _refused(reason):
    report = Report(verdict="invalid", summary=reason)
    report.add("Input", FAIL, reason)
    return report


def _loads(text):
    depth = deepest = 0
    in_string = escaped = False
    for char in text:  # a nesting guard before json.loads, whose recursion has no such limit
        if in_string:
            escaped = not escaped and char == "\\"
            if char == '"' and not escaped:
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_NESTING:
                raise Refused(f"The JSON is nested more than {MAX_NESTING} levels deep.")
        elif char in "]}":
            depth -= 1
    try:
        document = json.loads(text)
    except ValueError as error:
        raise Refused(f"The text is not valid JSON ({error.msg}, line {error.lineno}).") from error
    if not isinstance(document, dict):
        raise Refused("The JSON is not an object, so it is not a badge or credential.")
    return document


def _types(document):
    value = document.get("type", [])
    return set(value if isinstance(value, list) else [value])


def _now():
    return datetime.now(UTC)


def _parse_time(value):
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _finish(report):
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
    return report


# --- Images ---------------------------------------------------------------------------------------


def _verify_image(data, *, sources, recipient_email):
    found = []
    for fmt in (baking.OB2, baking.OB3):
        try:
            found.append((fmt, baking.unbake(data, fmt=fmt)))
        except baking.NoBadgeError:
            continue
        except baking.MultipleBadgesError:
            return _refused("The image holds more than one badge, which the baking rules forbid.")
        except baking.BakingError as error:
            return _refused(f"The image cannot be read as a badge: {error}")
    if not found:
        return _refused("The image holds no badge.")
    if len(found) > 1:
        return _refused("The image holds both an OB 2.0 badge and an OB 3.0 credential.")
    fmt, payload = found[0]
    payload = payload.strip()
    if payload.startswith("{"):
        return verify_text(payload, sources=sources, recipient_email=recipient_email)
    if payload.count(".") == 2 and payload.startswith("ey"):
        return _verify_jwt(payload, sources=sources)
    if payload.startswith(("https://", "http://")):
        return _verify_url(payload, sources=sources, recipient_email=recipient_email)
    return _refused("The image's badge is neither JSON, a JWT nor a URL.")


# --- URLs -----------------------------------------------------------------------------------------


def _verify_url(url, *, sources, recipient_email):
    if not sources.is_ours(url):
        report = Report(format=UNKNOWN_FORMAT, verdict="unverifiable")
        report.add(
            "Fetch",
            UNKNOWN,
            "This site does not fetch other sites, so a badge hosted "
            "elsewhere cannot be checked here. Open it on its issuer's site.",
        )
        return _finish(report)
    found = sources.get_json(url)
    if found is None:
        return _refused("There is no badge at that address on this site.")
    status, document = found
    if status == 410 or document.get("revoked") is True:
        return _revoked_ob2(document)
    return _verify_document(document, sources=sources, recipient_email=recipient_email)


# --- Documents ------------------------------------------------------------------------------------


def _verify_document(document, *, sources, recipient_email):
    types = _types(document)
    if "VerifiableCredential" in types or "OpenBadgeCredential" in types:
        return _verify_ob3(document, sources=sources, fmt=OB3_DI, recipient_email=recipient_email)
    if "Assertion" in types or document.get("revoked") is True:
        return _verify_ob2(document, sources=sources, recipient_email=recipient_email)
    return _refused("The JSON is neither an Open Badges assertion nor a verifiable credential.")


def _revoked_ob2(document):
    report = Report(format=OB2_HOSTED, verdict="revoked")
    reason = document.get("revocationReason") or "no reason given"
    report.add("Hosted record", PASS, "The issuer's record was found.")
    report.add("Revocation", FAIL, f"Revoked by the issuer: {reason}")
    report.summary = f"Revoked by its issuer: {reason}"
    return _finish(report)


def _verify_ob2(document, *, sources, recipient_email):
    report = Report(format=OB2_HOSTED)
    verification = document.get("verification") or {}
    kind = verification.get("type") if isinstance(verification, dict) else None
    if kind in ("SignedBadge", "signed"):
        report.format = OB2_SIGNED
        report.verdict = "unverifiable"
        report.add(
            "Signature",
            UNKNOWN,
            "Signed OB 2.0 badges need the issuer's key from its site, which is not fetched here.",
        )
        return _finish(report)
    url = document.get("id")
    if not isinstance(url, str) or not sources.is_ours(url):
        report.verdict = "unverifiable"
        report.add(
            "Hosted record",
            UNKNOWN,
            "The badge is hosted on another site, which this "
            "verifier does not contact. Open its address to check it there.",
        )
        return _finish(report)
    found = sources.get_json(url)
    if found is None:
        report.add("Hosted record", FAIL, "The issuer has no record of this badge.")
        return _finish(report)
    status, hosted = found
    if status == 410 or hosted.get("revoked") is True:
        return _revoked_ob2(hosted)
    report.add("Hosted record", PASS, "The issuer's record was found at the badge's address.")
    same = _canonical(hosted) == _canonical(document)
    report.add(
        "Matches the issuer's record",
        PASS if same else FAIL,
        "The badge is identical to the issuer's record."
        if same
        else "The badge differs from the issuer's record: it has been altered.",
    )
    _ob2_details(report, hosted, sources)
    _recipient_check(report, hosted.get("recipient") or {}, recipient_email)
    _dates(report, hosted.get("issuedOn"), hosted.get("expires"))
    return _finish(report)


def _canonical(document):
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _ob2_details(report, assertion, sources):
    report.issued_on = assertion.get("issuedOn")
    report.expires_on = assertion.get("expires")
    badge_url = assertion.get("badge")
    badge = sources.get_json(badge_url) if isinstance(badge_url, str) else None
    if badge:
        badge = badge[1]
        report.achievement = {
            "name": badge.get("name"),
            "description": badge.get("description"),
            "criteria": (badge.get("criteria") or {}).get("narrative"),
            "alignment": [a.get("targetName") for a in badge.get("alignment", [])],
        }
        issuer = sources.get_json(badge.get("issuer", "")) if badge.get("issuer") else None
        if issuer:
            report.issuer = {
                "name": issuer[1].get("name"),
                "url": issuer[1].get("url"),
                "id": issuer[1].get("id"),
            }
    report.results = [e.get("name") or e.get("narrative") for e in assertion.get("evidence", [])]


def _recipient_check(report, recipient, email):
    if not email:
        report.recipient = {"identity": "hashed e-mail (give the earner's e-mail to check it)"}
        return
    salt = recipient.get("salt") or ""
    expected = recipient.get("identity", "")
    matches = bool(salt) and ob2.hash_recipient(email.strip(), salt) == expected
    report.add(
        "Recipient",
        PASS if matches else FAIL,
        f"Issued to {email.strip()}." if matches else f"Not issued to {email.strip()}.",
    )


def _dates(report, valid_from, valid_until):
    now = _now()
    start, end = _parse_time(valid_from), _parse_time(valid_until)
    if start and start > now:
        report.add("Validity period", FAIL, f"Not valid until {start:%d %B %Y}.")
        report.verdict = "not_yet_valid"
    elif end and end <= now:
        report.add("Validity period", FAIL, f"Expired on {end:%d %B %Y}.")
        report.verdict = "expired"
    else:
        until = f" until {end:%d %B %Y}" if end else ", with no expiry date"
        report.add("Validity period", PASS, f"Valid{until}.")


# --- Open Badges 3.0 ------------------------------------------------------------------------------


def _controller_resolver(sources):
    def resolve(controller):
        if controller.startswith("did:key:"):
            return multikey.resolve_did_key(controller)
        if sources.is_ours(controller):
            found = sources.get_json(controller)
            return found[1] if found and found[0] == 200 else None
        return None

    return resolve


def _verify_ob3(credential, *, sources, fmt, recipient_email, proof_checked=False):
    report = Report(format=fmt)
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    report.issuer = {
        "id": issuer_id,
        "name": issuer.get("name") if isinstance(issuer, dict) else None,
    }
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {} if isinstance(subject, dict) else {}
    report.achievement = {
        "name": achievement.get("name"),
        "description": achievement.get("description"),
        "criteria": (achievement.get("criteria") or {}).get("narrative"),
        "alignment": [a.get("targetName") for a in achievement.get("alignment", [])],
    }
    report.results = [
        {"result": r.get("value") or r.get("status"), "description": r.get("resultDescription")}
        for r in (subject.get("result") or [])
        if isinstance(r, dict)
    ]
    report.issued_on, report.expires_on = credential.get("validFrom"), credential.get("validUntil")
    if not proof_checked:
        if not isinstance(issuer_id, str) or not (
            issuer_id.startswith("did:key:") or sources.is_ours(issuer_id)
        ):
            report.verdict = "unverifiable"
            report.add(
                "Proof",
                UNKNOWN,
                "The issuer's keys are published on another site, which "
                "this verifier does not contact (did:key issuers are checked offline).",
            )
            return _finish(report)
        result = eddsa_rdfc_2022.verify_credential(
            credential, controllers=_controller_resolver(sources)
        )
        if result.verified:
            report.add(
                "Proof",
                PASS,
                "The eddsa-rdfc-2022 signature is the issuer's and the "
                "credential is unchanged since it was signed.",
            )
        else:
            reasons = "; ".join(str(e) for e in result.errors) or "it does not verify"
            report.add("Proof", FAIL, f"The signature does not verify: {reasons}.")
            return _finish(report)
    _dates(report, credential.get("validFrom"), credential.get("validUntil"))
    _status(report, credential.get("credentialStatus"), sources)
    return _finish(report)


def _status(report, status, sources):
    entries = status if isinstance(status, list) else [status] if status else []
    if not entries:
        report.add("Revocation", WARN, "The credential carries no status entry to check.")
        return
    for entry in entries:
        url = entry.get("statusListCredential") if isinstance(entry, dict) else None
        if not isinstance(url, str) or not sources.is_ours(url):
            report.add(
                "Revocation",
                UNKNOWN,
                "The status list is on another site, which is not fetched here.",
            )
            continue
        found = sources.get_json(url)
        if found is None:
            report.add("Revocation", FAIL, "The issuer's status list was not found.")
            continue
        try:
            index = int(entry.get("statusListIndex"))
            listed = found[1].get("credentialSubject", {}).get("encodedList")
            bit = BitstringStatusList.decode(listed).get(index)
        except (TypeError, ValueError, StatusListError) as error:
            report.add("Revocation", FAIL, f"The status entry cannot be read: {error}.")
            continue
        if bit:
            report.add("Revocation", FAIL, "Revoked by the issuer (its status list says so).")
            if report.verdict not in {"expired", "not_yet_valid"}:
                report.verdict = "revoked"
        else:
            report.add("Revocation", PASS, "Not revoked: the issuer's status list says so.")


def _verify_jwt(token, *, sources):
    report = Report(format=OB3_JWT)
    try:
        header = jwt.unverified_header(token)
    except Exception as error:  # malformed tokens have many shapes
        return _refused(f"The JWT cannot be read: {error}.")
    if header.get("alg") != jwt.ALGORITHM:
        report.add(
            "Algorithm",
            FAIL,
            f"The algorithm {header.get('alg')!r} is not accepted; only EdDSA is.",
        )
        return _finish(report)
    kid = header.get("kid")
    if not isinstance(kid, str):
        report.add("Key", FAIL, "The JWT does not name its key (kid).")
        return _finish(report)
    resolve = _controller_resolver(sources)
    try:
        method = eddsa_rdfc_2022.retrieve_verification_method(
            kid, eddsa_rdfc_2022.ASSERTION_METHOD, resolve
        )
        key = multikey.public_key_from_multibase(method["publicKeyMultibase"])
    except Exception as error:
        report.verdict = (
            "unverifiable"
            if not sources.is_ours(kid) and not kid.startswith("did:key:")
            else "invalid"
        )
        report.add(
            "Key",
            UNKNOWN if report.verdict == "unverifiable" else FAIL,
            f"The signing key cannot be found: {error}.",
        )
        return _finish(report)
    try:
        credential = jwt.verify(token, key)
    except jwt.VcJwtError as error:
        message = str(error)
        if "expired" in message.lower():
            report.add("Validity period", FAIL, "Expired.")
            report.verdict = "expired"
            return _finish(report)
        report.add("Signature", FAIL, f"The JWT does not verify: {message}.")
        return _finish(report)
    report.add("Signature", PASS, "The EdDSA signature is the issuer's key.")
    inner = _verify_ob3(
        credential, sources=sources, fmt=OB3_JWT, recipient_email="", proof_checked=True
    )
    inner.checks = report.checks + inner.checks
    return inner
