"""Demo badges: designed for every published course, issued automatically and by hand, one
revoked and one expired, so every status shows on the verification page."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from badges.models import Assertion
from badges.services import (
    assertion_issue,
    assertion_revoke,
    assertions_issue_bulk,
    badge_class_create,
)
from badges.tasks import sweep_unissued_badges
from courses.models import Course, CourseStatus, Enrollment

from .delivery import FIRST_COHORT


def analytics_first_cohort():
    """The enrolment of the demo's first cohort whose badge is the expired one."""
    return (
        Enrollment.objects.filter(offering__title=FIRST_COHORT, completed_at__isnull=False)
        .select_related("offering")
        .order_by("pk")
        .first()
    )


def _issue_expired(enrollment):
    """Issue the first cohort's badge as it was issued then, through the service, on the clock
    of that day: five days after the cohort ended (after it started and ended, and after the
    results were recorded), valid for the badge's two years, so it has expired now. Every
    format (page, OB 2.0 JSON, OB 3.0 credential and JWT) says so from what was signed."""
    if enrollment is None:
        return None
    day = enrollment.offering.ends_on + timedelta(days=5)
    issued_at = timezone.make_aware(datetime.combine(day, time(10)))
    assertion, _ = assertion_issue(enrollment=enrollment, now=issued_at)
    return assertion


def seed_badges(people):
    admin = people["admin@leads.example"]
    for course in Course.objects.filter(status=CourseStatus.PUBLISHED):
        badge_class_create(course=course, acting_user=admin)
    # Before the sweep issues today's badges: the first cohort's was issued long ago.
    if not Assertion.objects.filter(expires_on__lt=timezone.now()).exists():
        _issue_expired(analytics_first_cohort())
    # Automatic badges for the completions recorded before their badge existed.
    sweep_unissued_badges()
    # The LEADS team issues the manual badge to the learners the course leader confirmed.
    confirmed = Enrollment.objects.filter(
        completion_confirmed_at__isnull=False, assertion__isnull=True
    ).values_list("pk", flat=True)
    assertions_issue_bulk(enrollment_ids=list(confirmed), acting_user=admin)

    issued = Assertion.objects.select_related("recipient").order_by("issued_on", "pk")
    revoked = issued.filter(revoked_at__isnull=False).first()
    if revoked is None:
        target = issued.filter(recipient__email="learner3@leads.example").first()
        if target:
            revoked = assertion_revoke(
                assertion=target, acting_user=admin,
                reason="Issued in error: the final project was submitted by another learner.",
            )  # fmt: skip
    expired = issued.filter(expires_on__lt=timezone.now()).first()
    if expired is None:
        expired = _issue_expired(analytics_first_cohort())
    valid = (
        issued.filter(revoked_at=None, automatic=True)
        .exclude(pk=getattr(expired, "pk", None))
        .first()
    )
    manual = issued.filter(automatic=False, revoked_at=None).first()
    return {"valid": valid, "manual": manual, "revoked": revoked, "expired": expired}
