"""Demo badges: designed for every published course, issued automatically and by hand, one
revoked and one expired, so every status shows on the verification page."""

from datetime import timedelta

from django.utils import timezone

from badges.models import Assertion
from badges.services import (
    assertion_revoke,
    assertions_issue_bulk,
    badge_class_create,
)
from badges.tasks import sweep_unissued_badges
from courses.models import Course, CourseStatus, Enrollment


def seed_badges(people):
    admin = people["admin@leads.example"]
    for course in Course.objects.filter(status=CourseStatus.PUBLISHED):
        badge_class_create(course=course, acting_user=admin)
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
        target = issued.filter(recipient__email="learner2@leads.example", revoked_at=None).first()
        if target:
            # A badge issued two and a half years ago whose two-year validity has lapsed: the
            # demo dates it back, since a real one would take two years to expire.
            past = timezone.now() - timedelta(days=913)
            Assertion.objects.filter(pk=target.pk).update(
                issued_on=past, expires_on=past + timedelta(days=730)
            )
            expired = Assertion.objects.get(pk=target.pk)
    valid = (
        issued.filter(revoked_at=None, automatic=True)
        .exclude(pk=getattr(expired, "pk", None))
        .first()
    )
    manual = issued.filter(automatic=False, revoked_at=None).first()
    return {"valid": valid, "manual": manual, "revoked": revoked, "expired": expired}
