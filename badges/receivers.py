"""Badges listen to courses' domain events. Receivers only enqueue work (STYLE.md, rule 2)."""

import logging

log = logging.getLogger(__name__)


def on_enrollment_completed(sender, enrollment_id, **kwargs):
    """Enqueue the badge for a completed enrollment (sent after commit by courses).

    The request that completed the course must never fail because the broker is down: the work
    is recorded already (the enrollment's completed_at), and the periodic sweep issues it.
    """
    from .tasks import issue_badge_for_enrollment

    try:
        issue_badge_for_enrollment.delay(enrollment_id)
    except Exception:
        log.warning("Broker unavailable; the sweep will issue the badge of enrollment %s",
                    enrollment_id, exc_info=True)  # fmt: skip
