"""Badges listen to courses' domain events. Receivers only enqueue work (STYLE.md, rule 2)."""

import logging

log = logging.getLogger(__name__)

# Enrollments per issuance task: large enough that a cohort is a few dozen tasks (one key
# decryption and status allocation each), small enough that two workers share a cohort.
ISSUE_BATCH = 250


def on_enrollments_completed(sender, enrollment_ids, **kwargs):
    """Enqueue the badges of completed enrollments (sent after commit by courses).

    The request that completed the course must never fail because the broker is down: each
    batch is a pending task (accounts.side_effects) that the outbox's sweep publishes later,
    and each enrollment's completed_at is a second net (sweep_unissued_badges).
    """
    from accounts.side_effects import enqueue_on_commit

    from .tasks import issue_badges_bulk

    for start in range(0, len(enrollment_ids), ISSUE_BATCH):
        enqueue_on_commit(issue_badges_bulk, list(enrollment_ids[start : start + ISSUE_BATCH]))


def refuse_moving_a_badge_holder(sender, enrollment, **kwargs):
    """A learner whose badge is issued is not moved (courses.services.enrollment_move): the badge
    names the offering they completed, and stays true only while they stay in it. A read only."""
    from .models import Assertion

    if Assertion.objects.filter(enrollment_id=enrollment.pk).exists():
        return (
            f"{enrollment.learner} holds this offering's badge: a learner with an issued badge "
            "is not moved. Withdraw them instead (the badge stays as it is), or enrol them in "
            "the other offering."
        )
    return None
