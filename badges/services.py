"""Writes to badges: the issuer, badge classes, issuing and revoking assertions.

Issuance is compose → sign → verify → store in one transaction, idempotent per enrollment: the
database's one-assertion-per-enrollment constraint settles any race, and a second attempt returns
the assertion that exists (STYLE.md, rules 4 and 5). Every assertion is stored with its signed
Open Badges 3.0 credential (credentials.py) and its revocation status entry (status.py).
"""

import logging
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.access import require_leads_admin
from assessments.models import Assessment, AssessmentRecord, RubricCriterion
from courses import rules
from courses.models import LIVE_STATUSES, CourseStatus, Enrollment, LearningOutcome

from . import credentials, public_cache, status
from .images import default_badge_image
from .models import Assertion, BadgeClass, Issuer, SigningKey
from .openbadges.ob2 import hash_recipient

log = logging.getLogger(__name__)


class IssueRefused(Exception):
    pass


# --- Issuer and badge classes ---------------------------------------------------------------------


def issuer_get_default() -> Issuer:
    """The centre's issuer profile, made from the settings the first time it is needed."""
    issuer = Issuer.objects.order_by("created_at").first()
    if issuer is None:
        issuer = Issuer.objects.create(
            name=settings.CENTRE_NAME,
            url=settings.SITE_URL,
            email=settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">").strip(),
            description=f"{settings.CENTRE_NAME} awards micro-credentials as Open Badges.",
        )
    return issuer


def criteria_narrative(course) -> str:
    """The criteria in words, from the approved template's outcomes and summative assessments."""
    outcomes = list(course.outcomes.all())
    lines = [
        f"Awarded for completing {course.title} ({course.credits} ECTS credit"
        f"{'s' if course.credits != 1 else ''}), graded pass or fail: the learner demonstrated "
        "every learning outcome in a summative assessment.",
        "",
        "Learning outcomes:",
        *[f"- {o.text}" for o in outcomes],
    ]
    assessments = [a for a in course.assessments.all() if a.summative]
    if assessments:
        lines += ["", "Assessments:"]
        lines += [f"- {a.title} ({a.get_kind_display().lower()})" for a in assessments]
    if course.evidence_required:
        lines += ["", f"Evidence: {course.evidence_required}"]
    return "\n".join(lines)


def alignments_for(course) -> list[dict]:
    """One OB alignment per learning outcome, pointing at the outcome on the catalogue page."""
    base = f"{settings.SITE_URL}/courses/{course.lineage}/"
    return [
        {
            "target_name": f"LO{i + 1}: {o.text}"[:200],
            "target_url": f"{base}#outcome-{i + 1}",
            "target_description": o.text,
            "target_framework": f"{course.title} learning outcomes",
            "target_code": f"LO{i + 1}",
        }
        for i, o in enumerate(course.outcomes.all())
    ]


@transaction.atomic
def badge_class_create(*, course, acting_user, image=None, **overrides) -> BadgeClass:
    """The badge of an approved course version, prefilled from its template.

    Fields in `overrides` (name, description, level, tags, …) replace the prefilled ones.
    """
    require_leads_admin(acting_user, "design badges")
    if course.status not in LIVE_STATUSES:
        raise IssueRefused("Only an approved or published course has a badge.")
    existing = BadgeClass.objects.filter(course=course).first()
    if existing:
        return existing
    name = overrides.get("name") or course.badge_name or course.title
    level = overrides.get("level") or course.badge_level or "beginner"
    badge = BadgeClass(
        issuer=issuer_get_default(),
        course=course,
        name=name,
        description=course.badge_description or course.aim or f"Awarded for {course.title}.",
        criteria_narrative=criteria_narrative(course),
        level=level,
        tags=[
            t for t in [rules.BADGE_LEVELS.get(level), course.unit.name, "micro-credential"] if t
        ],
        alignments=alignments_for(course),
        expires_after_months=course.badge_expiry_months,
        expires_on=course.badge_expiry_date,
        issue_mode=course.badge_issue_mode or BadgeClass.IssueMode.MANUAL,
        message=course.badge_message or f"Congratulations on completing {course.title}!",
        ects_credits=course.credits or 0,
        eqf_level=course.eqf_level,
        hours=course.total_hours or None,
        assessment_type=course.eu_assessment_type,
        participation_form=course.participation_form,
        quality_assurance=course.quality_assurance,
    )
    for field, value in overrides.items():
        setattr(badge, field, value)
    badge.image = image or default_badge_image(name=name, level=level)
    badge.save()
    return badge


def badge_class_for_enrollment(enrollment) -> BadgeClass | None:
    return BadgeClass.objects.filter(course_id=enrollment.offering.course_id).first()


# --- Issuing ------------------------------------------------------------------------------------


def _expiry(badge, issued):
    if badge.expires_on:
        return timezone.make_aware(
            timezone.datetime.combine(badge.expires_on, timezone.datetime.min.time())
        )
    if badge.expires_after_months:
        return issued + timedelta(days=round(badge.expires_after_months * 30.44))
    return None


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain(text):
    """Free text as a credential can carry it: control characters (a word processor's soft line
    break, say) are not portable in a signed document, so they become spaces."""
    return _CONTROL_CHARACTERS.sub(" ", text)


def _evidence(enrollment, records):
    """Links to the learner's passed summative records (their evidence, where it has a URL)."""
    items = []
    for record in records:
        item = {
            "name": _plain(record.assessment.title),
            "narrative": f"Passed on {record.assessed_on:%-d %B %Y}"
            + (f". Feedback: {_plain(record.feedback)}" if record.feedback else "."),
        }
        if record.evidence_url:
            item["id"] = record.evidence_url
        items.append(item)
    return items


def _passed_records(enrollment_ids):
    records = (
        AssessmentRecord.objects.filter(
            enrollment_id__in=enrollment_ids,
            is_current=True,
            result=AssessmentRecord.Result.PASS,
            assessment__purpose="summative",
        )
        .select_related("assessment")
        .order_by("assessment__position")
    )
    by_enrollment = {}
    for record in records:
        by_enrollment.setdefault(record.enrollment_id, []).append(record)
    return by_enrollment


def _demonstrated_outcomes(enrollments) -> dict[int, set[str]]:
    """Per enrollment, the codes (LO1, …) of the outcomes its current passed summative records
    demonstrate: two queries for any number of enrollments, the rule completion uses."""
    enrollments = list(enrollments)
    if not enrollments:
        return {}
    course_ids = {e.offering.course_id for e in enrollments}
    codes = {}
    for course_id, outcome_id in (
        LearningOutcome.objects.filter(course_id__in=course_ids)
        .order_by("course", "position", "id")
        .values_list("course_id", "pk")
    ):
        per_course = codes.setdefault(course_id, {})
        per_course[outcome_id] = f"LO{len(per_course) + 1}"  # as alignments_for numbers them
    course_of = {e.pk: e.offering.course_id for e in enrollments}
    demonstrated = {e.pk: set() for e in enrollments}
    for enrollment_id, outcome_id in RubricCriterion.objects.filter(
        assessment__records__enrollment_id__in=list(course_of),
        assessment__records__is_current=True,
        assessment__records__result=AssessmentRecord.Result.PASS,
        assessment__purpose=Assessment.Purpose.SUMMATIVE,
    ).values_list("assessment__records__enrollment_id", "outcome_id"):
        code = codes.get(course_of[enrollment_id], {}).get(outcome_id)
        if code:
            demonstrated[enrollment_id].add(code)
    return demonstrated


def _eligibility_problem(enrollment, badge, *, manual, override_reason):
    if not manual and badge.issue_mode == BadgeClass.IssueMode.MANUAL:
        # A badge issued by hand is never issued on completion alone: the course leader confirms
        # and the LEADS team issues (LEADS guide, "Manual issue by role").
        return "This badge is issued by the LEADS team, not automatically."
    if enrollment.completed_at is None and not override_reason:
        return f"{enrollment.learner} has not completed the course."
    needs_confirmation = badge.issue_mode == BadgeClass.IssueMode.MANUAL
    if (
        manual
        and needs_confirmation
        and not enrollment.completion_confirmed_at
        and not override_reason
    ):
        return f"The course leader has not confirmed {enrollment.learner}'s completion yet."
    return None


def _build(enrollment, badge, *, records, acting_user, narrative, override_reason, now):
    learner = enrollment.learner
    salt = secrets.token_hex(16)
    email = learner.email.lower()
    return Assertion(
        badge_class=badge,
        enrollment=enrollment,
        recipient=learner,
        recipient_name=learner.full_name,
        recipient_email=email,
        salt=salt,
        recipient_hash=hash_recipient(email, salt),
        issued_on=now,
        expires_on=_expiry(badge, now),
        narrative=narrative
        or f"{learner.full_name} completed {badge.course.title} "
        f"({enrollment.offering.label}) and demonstrated every learning outcome.",
        evidence=_evidence(enrollment, records),
        automatic=acting_user is None,
        issued_by=acting_user,
        override_reason=override_reason,
    )


def _notify_on_commit(assertion_ids):
    from .tasks import send_badge_emails

    def enqueue():
        try:
            send_badge_emails.delay(list(assertion_ids))
        except Exception:  # the broker is down: the badge is issued, only the e-mail waits
            log.exception("Could not enqueue badge e-mails for %s", assertion_ids)

    transaction.on_commit(enqueue)


@transaction.atomic
def assertion_issue(
    *, enrollment, acting_user=None, narrative="", override_reason=""
) -> tuple[Assertion, bool]:
    """Issue the course's badge for one enrollment. Returns (assertion, created).

    `acting_user` None means automatic issuance on completion. A person (the LEADS team) may
    issue to a learner who has not completed only with a recorded `override_reason`.
    """
    if acting_user is not None:
        require_leads_admin(acting_user, "issue badges")
    enrollment = (
        Enrollment.objects.select_for_update()
        .select_related("learner", "offering__course")
        .get(pk=enrollment.pk)
    )
    existing = Assertion.objects.filter(enrollment=enrollment).first()
    if existing:
        return existing, False
    badge = badge_class_for_enrollment(enrollment)
    if badge is None:
        raise IssueRefused(f"“{enrollment.offering.course.title}” has no badge designed yet.")
    problem = _eligibility_problem(
        enrollment, badge, manual=acting_user is not None, override_reason=override_reason.strip()
    )
    if problem:
        raise IssueRefused(problem + " Give a reason to issue it anyway.")
    records = _passed_records([enrollment.pk]).get(enrollment.pk, [])
    assertion = _build(
        enrollment, badge, records=records, acting_user=acting_user, narrative=narrative,
        override_reason=override_reason.strip(), now=timezone.now(),
    )  # fmt: skip
    credentials.assertions_sign([assertion], demonstrated=_demonstrated_outcomes([enrollment]))
    try:
        with transaction.atomic():
            assertion.save()
    except IntegrityError:  # issued by a concurrent task a moment ago
        return Assertion.objects.get(enrollment=enrollment), False
    _notify_on_commit([assertion.pk])
    return assertion, True


@transaction.atomic
def assertions_issue_bulk(*, enrollment_ids, acting_user=None, narrative="") -> dict:
    """Issue badges to many enrollments in one transaction, with a fixed number of queries.

    Enrollments that are not eligible are skipped and reported; ones that already have a badge
    are counted, never issued twice (the insert ignores conflicts on the enrollment).
    """
    if acting_user is not None:
        require_leads_admin(acting_user, "issue badges")
    enrollments = list(
        Enrollment.objects.filter(pk__in=enrollment_ids)
        .select_related("learner", "offering__course")
        .annotate(has_badge=Exists(Assertion.objects.filter(enrollment=OuterRef("pk"))))
    )
    badges = {
        b.course_id: b
        for b in BadgeClass.objects.filter(
            course_id__in={e.offering.course_id for e in enrollments}
        ).select_related("course", "issuer")
    }
    records = _passed_records([e.pk for e in enrollments])
    now = timezone.now()
    to_create, skipped, already = [], [], 0
    for enrollment in enrollments:
        if enrollment.has_badge:
            already += 1
            continue
        badge = badges.get(enrollment.offering.course_id)
        problem = (
            "no badge designed"
            if badge is None
            else _eligibility_problem(
                enrollment, badge, manual=acting_user is not None, override_reason=""
            )
        )
        if problem:
            skipped.append((enrollment.pk, problem))
            continue
        to_create.append(
            _build(
                enrollment,
                badge,
                records=records.get(enrollment.pk, []),
                acting_user=acting_user,
                narrative=narrative,
                override_reason="",
                now=now,
            )  # fmt: skip
        )
    # Signed in one batch: one key decryption and one status allocation per issuer, no query
    # per badge; the inserts are the only per-badge database work.
    failures = credentials.assertions_sign(
        to_create,
        demonstrated=_demonstrated_outcomes([a.enrollment for a in to_create]),
        skip_failures=True,
    )
    if failures:
        unsigned = {a.pk for a, _ in failures}
        to_create = [a for a in to_create if a.pk not in unsigned]
        skipped += [
            (a.enrollment_id, f"its credential could not be signed ({reason})")
            for a, reason in failures
        ]
    Assertion.objects.bulk_create(to_create, ignore_conflicts=True, batch_size=1000)
    created_ids = list(
        Assertion.objects.filter(pk__in=[a.pk for a in to_create]).values_list("pk", flat=True)
    )
    if created_ids:
        _notify_on_commit(created_ids)
    return {"issued": len(created_ids), "already": already, "skipped": skipped,
            "raced": len(to_create) - len(created_ids)}  # fmt: skip


@transaction.atomic
def assertion_revoke(*, assertion, acting_user, reason) -> Assertion:
    """Revoke a badge: immediate, visible everywhere, and the record is kept."""
    require_leads_admin(acting_user, "revoke badges")
    reason = (reason or "").strip()
    if not reason:
        raise IssueRefused(
            "Give the reason for revoking the badge: it is shown to anyone who checks it."
        )
    assertion = Assertion.objects.select_for_update().get(pk=assertion.pk)
    if assertion.revoked_at:
        raise IssueRefused("This badge was already revoked.")
    assertion.revoked_at = timezone.now()
    assertion.revoked_by = acting_user
    assertion.revocation_reason = reason
    assertion.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    # OB 3.0: the credential's bit in its status list, in this transaction; the signed list is
    # republished on commit.
    status.status_revoke(assertion=assertion)
    return assertion


# --- OB 3.0 credentials after the fact ----------------------------------------------------------


def _for_signing(queryset):
    return queryset.select_related(
        "badge_class__issuer", "badge_class__course", "enrollment__offering"
    )


@transaction.atomic
def assertions_sign_missing(*, batch_size=1000) -> int:
    """Sign the credentials of assertions issued before OB 3.0 signing (none are left after).

    Returns how many were signed. Revoked ones get their bit set too.
    """
    signed = 0
    while True:
        batch = list(
            _for_signing(
                Assertion.objects.select_for_update(of=("self",)).filter(credential_json="")
            ).order_by("pk")[:batch_size]
        )
        if not batch:
            return signed
        credentials.assertions_sign(
            batch, demonstrated=_demonstrated_outcomes([a.enrollment for a in batch])
        )
        Assertion.objects.bulk_update(
            batch,
            ["credential_json", "credential_jwt", "signing_key", "status_list", "status_index"],
        )
        public_cache.invalidate()  # bulk_update sends no post_save
        for assertion in batch:
            if assertion.revoked_at:
                status.status_revoke(assertion=assertion)
        signed += len(batch)


@transaction.atomic
def assertions_resign(*, signing_key: SigningKey, batch_size=1000) -> int:
    """Re-sign, with the issuer's active key, every credential ``signing_key`` signed (after it
    was marked compromised). Status entries stay. Returns how many."""
    signing_key = SigningKey.objects.get(pk=signing_key.pk)
    if signing_key.status == SigningKey.Status.ACTIVE:
        raise IssueRefused("The active key signs new credentials; re-sign only a withdrawn one.")
    resigned = 0
    while True:
        batch = list(
            _for_signing(
                Assertion.objects.select_for_update(of=("self",)).filter(signing_key=signing_key)
            ).order_by("pk")[:batch_size]
        )
        if not batch:
            return resigned
        credentials.assertions_sign(
            batch,
            demonstrated=_demonstrated_outcomes([a.enrollment for a in batch]),
            reuse_status=True,
        )
        Assertion.objects.bulk_update(batch, ["credential_json", "credential_jwt", "signing_key"])
        public_cache.invalidate()  # bulk_update sends no post_save
        resigned += len(batch)


@transaction.atomic
def assertion_set_hidden(*, assertion, learner, hidden: bool) -> Assertion:
    """The learner hides (or shows) a badge on their public profile; its own URL keeps working."""
    if assertion.recipient_id != learner.pk:
        raise PermissionDenied("Only the badge's earner may hide it.")
    assertion.hidden = hidden
    assertion.save(update_fields=["hidden"])
    return assertion


def completions_without_badges(limit=5000):
    """Completed enrollments whose course issues its badge automatically but have none yet."""
    return (
        Enrollment.objects.filter(
            completed_at__isnull=False,
            offering__course__badge_class__issue_mode=BadgeClass.IssueMode.AUTOMATIC,
        )
        .exclude(offering__course__status=CourseStatus.DRAFT)
        .filter(~Exists(Assertion.objects.filter(enrollment=OuterRef("pk"))))
        .order_by("completed_at")
        .values_list("pk", flat=True)[:limit]
    )
