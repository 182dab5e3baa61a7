"""Badges listen to courses' domain events. Receivers only enqueue work (STYLE.md, rule 2)."""

import logging

log = logging.getLogger(__name__)

# Enrollments per issuance task: large enough that a cohort is a few dozen tasks (one key
# decryption and status allocation each), small enough that two workers share a cohort.
ISSUE_BATCH = 250


def on_enrollments_completed(sender, enrollment_ids, **kwargs):
    """Enqueue the badges of completed enrollments (sent after commit by courses).

    The request that completed the course must never fail because the broker is down: the work
    is recorded already (each enrollment's completed_at), and the periodic sweep issues it.
    """
    from .tasks import issue_badges_bulk

    for start in range(0, len(enrollment_ids), ISSUE_BATCH):
        batch = list(enrollment_ids[start : start + ISSUE_BATCH])
        try:
            issue_badges_bulk.delay(batch)
        except Exception:
            log.warning("Broker unavailable; the sweep will issue the badges of enrollments %s",
                        batch, exc_info=True)  # fmt: skip
            return
