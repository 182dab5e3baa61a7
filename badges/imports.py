"""Badges from other issuers in a learner's backpack: import, recheck, hide, remove, and the reads
the pages make of them.

What the Open Badges 3.0 host certification asks of a backpack (OB 3.0 §Conformance, "Host"):
it accepts a credential as a baked PNG or SVG (OB 3.0 §5.3 Baking, OB 2.0 §Baking), as JSON or
as a VC-JWT (OB 3.0 §8.2), verifies it, shows it, and gives it back exactly as it came. Here the
verification is this centre's one verifier (verification.py, through views_verify.run), never a
second one: what it said is stored with the badge and shown beside it.

Kept: a badge the verifier finds valid, expired, or that it cannot check offline (a hosted OB 2.0
badge, an issuer whose keys are on its own site); each is shown with that verdict. Refused, with
nothing stored: what it cannot read, what it finds not valid (altered, forged), revoked or not
valid yet, anything over its 2 MB input cap, and this centre's own badges (they are in the
backpack already, or they are someone else's).
"""

import base64
import hashlib
import io
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import get_valid_filename

from config.parsers import json_refusal

from .models import ImportedBadge
from .openbadges import baking
from .verification import MAX_INPUT_BYTES, UNKNOWN_FORMAT, Report

KEPT_VERDICTS = {
    ImportedBadge.Verdict.VALID,
    ImportedBadge.Verdict.EXPIRED,
    ImportedBadge.Verdict.UNVERIFIABLE,
}
# What one learner may keep: badges are small (a baked image well under the 2 MB cap), so this
# bounds the rows and bytes anyone can store here.
MAX_PER_LEARNER = 50
MAX_IMAGE_URI = 256 * 1024  # a larger image is not inlined in the profile page: none is shown
MEDIA_TYPES = {
    ImportedBadge.Kind.PNG: "image/png",
    ImportedBadge.Kind.SVG: "image/svg+xml",
    ImportedBadge.Kind.JSON: "application/json",
    ImportedBadge.Kind.JWT: "application/vc+jwt",  # as badges/views_credentials.py serves ours
}


class ImportRefused(Exception):
    """The badge was not imported; `message` says why in the learner's words, `code` for tests
    and forms (as Django's ValidationError codes)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class Received:
    kind: str
    filename: str
    data: bytes  # exactly what was received (pasted text: stripped, as UTF-8)


# --- Reading what was received --------------------------------------------------------------------


def _kind_of(data: bytes) -> str | None:
    """png, svg, json or jwt by what the bytes are (never by the name they came under)."""
    if data.startswith(baking.PNG_SIGNATURE):
        return ImportedBadge.Kind.PNG
    if data.lstrip().startswith(b"<"):
        return ImportedBadge.Kind.SVG
    try:
        text = data.decode("utf-8").lstrip("\ufeff").strip()
    except UnicodeDecodeError:
        return None
    if text.startswith("{"):
        return ImportedBadge.Kind.JSON
    if text.count(".") == 2 and text.startswith("ey") and " " not in text:
        return ImportedBadge.Kind.JWT
    return None


def _filename(name: str, kind: str) -> str:
    """The name it came under, made safe for a Content-Disposition header, ending in its kind."""
    base = (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    try:
        stem = get_valid_filename(base)[:150]
    except SuspiciousFileOperation:  # nothing usable in the name: "", "..", "★"
        stem = "badge"
    return stem if stem.lower().endswith(f".{kind}") else f"{stem.rsplit('.', 1)[0]}.{kind}"


def _received(*, upload, text) -> Received:
    if upload is not None:
        if (upload.size or 0) > MAX_INPUT_BYTES:
            raise ImportRefused("The file is larger than 2 MB.", "too_large")
        data = upload.read(MAX_INPUT_BYTES + 1)
        name = upload.name or ""
    else:
        data = (text or "").strip().encode()
        name = ""
    if len(data) > MAX_INPUT_BYTES:
        raise ImportRefused(
            "The file is larger than 2 MB." if upload else "The text is larger than 2 MB.",
            "too_large",
        )
    if not data:
        raise ImportRefused(
            "Upload a badge (PNG, SVG or JSON) or paste a credential or a JWT.", "empty"
        )
    kind = _kind_of(data)
    if kind is None:
        raise ImportRefused(
            "This is not a badge: upload a baked PNG or SVG or a JSON file, or paste JSON or "
            "a JWT.",
            "not_a_badge",
        )
    if upload is None and kind in ImportedBadge.IMAGE_KINDS:
        raise ImportRefused("Paste JSON or a JWT; upload images as a file.", "not_a_badge")
    if kind not in ImportedBadge.IMAGE_KINDS:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:  # pragma: no cover - _kind_of decoded it already
            raise ImportRefused("The file is not UTF-8 text.", "not_a_badge") from None
        if b"\x00" in data:  # a text column holds no NUL, and no badge has one
            raise ImportRefused("The file holds a NUL byte: it is not a badge.", "not_a_badge")
    return Received(kind=kind, filename=_filename(name, kind), data=data)


def _verify(data: bytes, *, recipient_email: str = "") -> Report:
    # The verify page's own entry point: one verifier, one answer for input it did not foresee.
    from .views_verify import run

    return run(upload=io.BytesIO(data), recipient_email=recipient_email)


def _document(received: Received) -> dict:
    """The credential or assertion inside what was received, already verified, for the name
    and image it claims; {} when there is none to read."""
    try:
        if received.kind in ImportedBadge.IMAGE_KINDS:
            text = None
            for fmt in (baking.OB2, baking.OB3):
                try:
                    text = baking.unbake(received.data, fmt=fmt)
                    break
                except baking.NoBadgeError:
                    continue
        else:
            text = received.data.decode("utf-8").lstrip("\ufeff").strip()
        if text is None:
            return {}
        if not text.startswith("{"):  # a JWT: its payload is the credential (or holds it)
            payload = text.split(".")[1]
            text = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
        if json_refusal(text):
            return {}
        document = json.loads(text)
        if isinstance(document, dict) and isinstance(document.get("vc"), dict):
            document = document["vc"]
        return document if isinstance(document, dict) else {}
    except (ValueError, IndexError, baking.BakingError):
        return {}


def _data_uri(value) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    ok = isinstance(value, str) and len(value) <= MAX_IMAGE_URI
    return value if ok and value.startswith(("data:image/png;", "data:image/svg+xml")) else ""


def _claims(received: Received, report: Report) -> tuple[str, str]:
    """(name, image as a data: URI or "") the badge claims; nothing is fetched."""
    document = _document(received)
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    badge = document.get("badge")  # OB 2.0: a BadgeClass embedded, or its address
    described = achievement if isinstance(achievement, dict) else badge
    described = described if isinstance(described, dict) else {}
    name = report.achievement.get("name") or described.get("name")
    image = ""
    if received.kind in ImportedBadge.IMAGE_KINDS and len(received.data) <= MAX_IMAGE_URI:
        encoded = base64.b64encode(received.data).decode()
        image = f"data:{MEDIA_TYPES[received.kind]};base64,{encoded}"
    elif received.kind not in ImportedBadge.IMAGE_KINDS:
        image = _data_uri(described.get("image")) or _data_uri(document.get("image"))
    return (name if isinstance(name, str) else "")[:300], image


def _report_fields(report: Report) -> dict:
    issuer = report.issuer or {}
    return {
        "verdict": report.verdict,
        "summary": report.summary,
        "format": report.format[:100],
        # A credential may say anything here: only text is kept.
        "issuer_identifier": _text(issuer.get("id"))[:600],
        "issuer_name": _text(issuer.get("name"))[:300],
        "checks": [
            {"name": c.name, "status": c.status, "reason": c.reason, "code": c.code}
            for c in report.checks
        ],
        "checked_at": timezone.now(),
    }


# --- Services -------------------------------------------------------------------------------------


def imported_badge_add(*, owner, upload=None, text: str = "") -> tuple[ImportedBadge, bool]:
    """Verify a badge from elsewhere and keep it in `owner`'s backpack: (badge, created). The
    same file imported again returns the badge already kept (created False) and changes nothing.
    Raises ImportRefused, with nothing stored, for what is not kept (see the module's doc)."""
    received = _received(upload=upload, text=text)
    sha256 = hashlib.sha256(received.data).hexdigest()
    existing = ImportedBadge.objects.filter(owner=owner, sha256=sha256).first()
    if existing is not None:
        return existing, False
    if ImportedBadge.objects.filter(owner=owner).count() >= MAX_PER_LEARNER:
        raise ImportRefused(
            f"You keep {MAX_PER_LEARNER} badges from other issuers already: remove one first."
        )
    report = _verify(received.data)
    if (report.issuer or {}).get("ours"):
        # Ours are verified against our own record: the backpack shows them already.
        earner = _verify(received.data, recipient_email=owner.email).recipient.get("matches")
        if earner:
            raise ImportRefused(
                "This badge is from this centre: it is already in your backpack.", "ours"
            )
        if earner is None:  # a revoked OB 2.0 badge: our record no longer says whose it was
            raise ImportRefused(
                f"This badge is from this centre, which says: {report.summary} Badges from "
                "this centre are not imported: yours are in your backpack already.",
                "ours",
            )
        raise ImportRefused(
            "This badge is from this centre and was not issued to you, so it cannot be imported.",
            "ours_not_yours",
        )
    if report.format == UNKNOWN_FORMAT:
        raise ImportRefused(f"This cannot be read as a badge: {report.summary}", "not_a_badge")
    if report.verdict not in KEPT_VERDICTS:
        raise ImportRefused(
            f"This badge was not imported. Our verifier says: {report.summary}", report.verdict
        )
    name, image = _claims(received, report)
    image_kind = received.kind in ImportedBadge.IMAGE_KINDS
    badge = ImportedBadge(
        owner=owner,
        kind=received.kind,
        filename=received.filename,
        content=received.data if image_kind else None,
        text="" if image_kind else received.data.decode("utf-8"),
        sha256=sha256,
        name=name,
        image=image,
        **_report_fields(report),
    )
    try:
        with transaction.atomic():
            badge.save(force_insert=True)
    except IntegrityError:
        # The same file imported at the same moment by another request: that one is kept.
        return ImportedBadge.objects.get(owner=owner, sha256=sha256), False
    return badge, True


def _own(badge: ImportedBadge, learner) -> None:
    if badge.owner_id != learner.pk:
        raise PermissionDenied("Only the learner who imported a badge may change it.")


@transaction.atomic
def imported_badge_recheck(*, badge: ImportedBadge, learner) -> ImportedBadge:
    """Run the verifier again on the file as it was received and keep what it says now, whatever
    that is (a badge revoked since is shown as revoked, not removed)."""
    _own(badge, learner)
    badge = ImportedBadge.objects.select_for_update().get(pk=badge.pk)
    for name, value in _report_fields(_verify(badge.data)).items():
        setattr(badge, name, value)
    badge.save(
        update_fields=[
            "verdict", "summary", "format", "issuer_identifier", "issuer_name", "checks",
            "checked_at",
        ]
    )  # fmt: skip
    return badge


def imported_badge_set_hidden(*, badge: ImportedBadge, learner, hidden: bool) -> ImportedBadge:
    """Hide (or show) an imported badge on the learner's public profile."""
    _own(badge, learner)
    badge.hidden_from_profile = hidden
    badge.save(update_fields=["hidden_from_profile"])
    return badge


def imported_badge_remove(*, badge: ImportedBadge, learner) -> None:
    _own(badge, learner)
    badge.delete()


# --- Selectors ------------------------------------------------------------------------------------

# What a list shows: never the kept file itself, up to 2 MB a row.
LISTED = ("content", "text")


def own_imported_badges(user) -> list[ImportedBadge]:
    """Every badge the learner imported, the newest first, hidden ones included."""
    return list(ImportedBadge.objects.filter(owner=user).defer(*LISTED))


def own_imported_badge(*, user, pk) -> ImportedBadge:
    """One of the signed-in learner's imported badges; anyone else's is a 404 (as
    selectors.own_assertion), so its existence is not confirmed."""
    return get_object_or_404(ImportedBadge, pk=pk, owner=user)


def profile_imported_badges(user) -> list[ImportedBadge]:
    """The imported badges a learner shows on their public profile."""
    return list(
        ImportedBadge.objects.filter(owner=user, hidden_from_profile=False).defer(
            *LISTED, "checks", "summary"
        )
    )


def _text(value) -> str:
    return value if isinstance(value, str) else ""
