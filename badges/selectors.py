"""Reads for the badge pages: the verification page, the certificate, the backpack, the profile.

Every public read is one query (the related issuer, badge class and course come joined), and the
shaping below works on what that query returned, so a page's query count does not grow with the
number of outcomes, evidence items or badges.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.urls import reverse

from courses import rules

from . import documents, record
from .models import Assertion, BadgeClass, BadgeClassVersion

STATUS_WORDS = {"valid": "Valid", "revoked": "Revoked", "expired": "Expired"}
# What an issued badge's pages show comes from its frozen record: the version it was issued
# from (with the issuer as it was), joined in the same query as the assertion.
_RELATED = ("badge_version__badge_class__course",)


# --- Queries --------------------------------------------------------------------------------


def assertion_public(pk) -> Assertion:
    """An issued badge by its public id (404 if there is none), with what its pages show."""
    return get_object_or_404(Assertion.objects.select_related(*_RELATED), pk=pk)


def issuer_badge_classes(issuer) -> list[BadgeClass]:
    """The badges an issuer awards (never who earned them); each links to its latest version."""
    return list(
        BadgeClass.objects.filter(issuer=issuer).only(
            "id", "name", "description", "level", "ects_credits", "issuer_id", "latest_version_id"
        )
    )


def badge_version_public(pk) -> BadgeClassVersion:
    """A badge design's version by its public id (the OB 2.0 BadgeClass URL), 404 if none."""
    return get_object_or_404(BadgeClassVersion.objects.select_related("badge_class__course"), pk=pk)


def learner_badges(user) -> list[Assertion]:
    """Every badge of one learner, the newest first, revoked and hidden ones included."""
    return list(Assertion.objects.filter(recipient=user).select_related(*_RELATED))


def own_assertion(*, user, pk) -> Assertion:
    """One of the signed-in learner's own badges; someone else's is a 404, not a 403, so its
    existence is not confirmed to them."""
    return get_object_or_404(
        Assertion.objects.select_related("badge_version"), pk=pk, recipient=user
    )


def profile_owner(public_id):
    """The learner whose public profile this is (by their random public id)."""
    return get_object_or_404(get_user_model(), public_id=public_id, is_active=True)


def profile_badges(user) -> list[Assertion]:
    """The badges a learner shows publicly: not hidden by them, not revoked."""
    return list(
        Assertion.objects.filter(
            recipient=user, hidden=False, revoked_at__isnull=True
        ).select_related("badge_version")
    )


# --- What the pages show, shaped from one assertion -----------------------------------------


@dataclass(frozen=True)
class Status:
    code: str  # valid, revoked or expired
    word: str
    since: datetime | None  # when it was revoked or expired


@dataclass(frozen=True)
class Links:
    verification: str  # absolute: the share link, the QR code and LinkedIn's credential URL
    json: str  # the hosted OB 2.0 assertion
    image: str  # the badge image with the OB 2.0 assertion baked in
    image_download: str
    credential: str  # the signed OB 3.0 credential (404 for a badge not signed yet)
    credential_jwt: str  # the same credential as a VC-JWT
    credential_image: str  # the badge image with the OB 3.0 credential baked in
    certificate: str
    badge_class: str
    badge_image: str
    issuer: str
    course: str


@dataclass(frozen=True)
class Element:
    label: str
    value: str


def status_of(assertion, now) -> Status:
    code = assertion.status(now)
    since = {"revoked": assertion.revoked_at, "expired": assertion.expires_on}.get(code)
    return Status(code=code, word=STATUS_WORDS[code], since=since)


def is_web_link(url) -> bool:
    """Only http(s) addresses become links: a stored `javascript:` URL must stay text."""
    return isinstance(url, str) and urlsplit(url).scheme.lower() in ("http", "https")


def assertion_links(assertion) -> Links:
    pk = str(assertion.pk)
    version = assertion.badge_version
    image = reverse("badges:assertion_image", args=[pk])
    credential = reverse("badges:credential", args=[pk])
    return Links(
        verification=documents.absolute("badges:assertion", pk),
        json=reverse("badges:assertion", kwargs={"pk": pk, "suffix": ".json"}),
        image=image,
        image_download=f"{image}?download=1",
        credential=credential,
        credential_jwt=f"{credential}?format=jwt",
        credential_image=reverse("badges:credential_image", args=[pk]),
        certificate=reverse("badges:certificate", args=[pk]),
        badge_class=reverse("badges:badge_class", args=[str(version.pk)]),
        badge_image=reverse("badges:badge_class_image", args=[str(version.pk)]),
        issuer=reverse("badges:issuer", args=[str(version.issuer_id)]),
        course=version.criteria_path,
    )


def outcomes(version) -> list[dict]:
    """The learning outcomes a badge design certifies, from its alignments (one per outcome)."""
    return [
        {
            "code": a.get("target_code", ""),
            "text": a.get("target_description") or a.get("target_name", ""),
            "url": a.get("target_url") if is_web_link(a.get("target_url")) else None,
        }
        for a in version.alignments
    ]


def outcome_results(assertion) -> list[dict]:
    """Per learning outcome, as frozen at issue: its code and text, whether it was demonstrated
    by assessment, and by which assessments ("Task 1, 3 March 2026")."""
    return [
        {
            "code": r.get("code", ""),
            "text": r.get("text", ""),
            "demonstrated": bool(r.get("demonstrated")),
            "demonstrated_by": [
                {"title": d.get("title", ""), "assessed_on": iso_date(d.get("assessed_on"))}
                for d in r.get("demonstrated_by", [])
            ],
        }
        for r in assertion.outcome_results
    ]


def iso_date(value) -> date | None:
    """A date kept as ISO text in a frozen record; None if there is none or it is not one."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def evidence(assertion) -> list[dict]:
    return [
        {
            "name": e.get("name") or "Evidence",
            "narrative": e.get("narrative", ""),
            "url": e.get("id") if is_web_link(e.get("id")) else None,
            "genre": e.get("genre", ""),
            "audience": e.get("audience", ""),
        }
        for e in assertion.evidence
    ]


def _number(value) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def eu_elements(version) -> list[Element]:
    """The EU mandatory elements that a badge design version holds (Council Recommendation
    2022/C 243/02, Annex I, part I); title, date of issue and outcomes are shown in their own
    places. The awarding body is the issuer as the version froze it."""
    labels = rules.EU_MANDATORY_ELEMENTS
    not_stated = "Not stated"
    credits = version.ects_credits
    return [
        Element(labels["awarding_body"], version.issuer_name),
        Element(
            "Workload (ECTS credits)",
            f"{credits} ECTS credit{'s' if credits != 1 else ''}" if credits else not_stated,
        ),
        Element(
            "Notional learning hours",
            f"{_number(version.hours)} hours" if version.hours else not_stated,
        ),
        Element(
            "Level (EQF)", f"EQF level {version.eqf_level}" if version.eqf_level else not_stated
        ),
        Element(labels["assessment_type"], version.assessment_type or not_stated),
        Element(labels["participation_form"], version.participation_form or not_stated),
        Element(labels["quality_assurance"], version.quality_assurance or not_stated),
    ]


@dataclass(frozen=True)
class AssertionView:
    """One issued badge as its pages show it: everything from its frozen record."""

    assertion: Assertion
    badge: BadgeClassVersion  # the version it was issued from
    issuer: object  # the issuer as that version froze it (name, url, …)
    status: Status
    links: Links
    outcomes: list  # per outcome: code, text, demonstrated, demonstrated_by
    evidence: list
    eu_elements: list
    level: str
    every_outcome_demonstrated: bool
    by_decision: bool  # awarded by decision of the centre ("Issue anyway")
    decision: str  # "Awarded by decision of the centre", or ""
    prior_learning: str  # "Awarded by recognition of prior learning", or ""
    outcomes_sentence: str


def assertion_view(assertion, *, now) -> AssertionView:
    version = assertion.badge_version
    results = assertion.outcome_results
    return AssertionView(
        assertion=assertion,
        badge=version,
        issuer=version.frozen_issuer,
        status=status_of(assertion, now),
        links=assertion_links(assertion),
        outcomes=outcome_results(assertion),
        evidence=evidence(assertion),
        eu_elements=eu_elements(version),
        level=rules.BADGE_LEVELS.get(version.level, version.level),
        every_outcome_demonstrated=record.every_outcome_demonstrated(results),
        by_decision=assertion.by_decision,
        decision=record.DECISION if assertion.by_decision else "",
        prior_learning=record.PRIOR_LEARNING_SENTENCE if assertion.prior_learning else "",
        outcomes_sentence=record.outcomes_statement(assertion),
    )


def badge_class_view(version) -> dict:
    """The public page of a badge design version (``/public/badges/<id>``)."""
    return {
        "badge": version,
        "issuer": version.frozen_issuer,
        "outcomes": outcomes(version),
        "eu_elements": eu_elements(version),
        "level": rules.BADGE_LEVELS.get(version.level, version.level),
        "json_url": reverse(
            "badges:badge_class", kwargs={"pk": str(version.pk), "suffix": ".json"}
        ),
        "image_url": reverse("badges:badge_class_image", args=[str(version.pk)]),
        "issuer_url": reverse("badges:issuer", args=[str(version.issuer_id)]),
        "course_url": version.criteria_path,
    }


def profile_url(user) -> str:
    return settings.SITE_URL + reverse("badges:profile", args=[user.public_id])
