"""Thin tasks: take ids, call one service, safe to run twice (STYLE.md, rule 5)."""

from celery import shared_task
from django.db import OperationalError


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=60, max_retries=10
)
def issue_badges_bulk(enrollment_ids, acting_user_id=None, narrative=""):
    """Issue the badges of `enrollment_ids`: on completion (no acting user; a batch of a
    cohort that completed together) or by the LEADS team's "issue" button. Delivered twice,
    it issues nothing twice (assertions_issue_bulk skips enrollments that have a badge)."""
    from accounts.models import User

    from .services import assertions_issue_bulk

    acting_user = User.objects.filter(pk=acting_user_id).first() if acting_user_id else None
    result = assertions_issue_bulk(
        enrollment_ids=enrollment_ids, acting_user=acting_user, narrative=narrative
    )
    return {"issued": result["issued"], "already": result["already"]}


@shared_task
def sweep_unissued_badges(batch_size=1000):
    """Issue the badges that completion should have issued but did not (the broker was down,
    a worker died): the safety net behind the enrollments_completed signal."""
    from .services import assertions_issue_bulk, completions_without_badges

    ids = list(completions_without_badges())
    issued = 0
    for start in range(0, len(ids), batch_size):
        issued += assertions_issue_bulk(enrollment_ids=ids[start : start + batch_size])["issued"]
    return issued


# OperationalError too: a database restart fails the read before any e-mail is sent, so a retry
# sends each e-mail once; without it the badges issued just before the restart went unannounced.
# Ten retries, not five: Celery jitters each backoff between 0 and its ceiling, so five could all
# fall within a two-second database restart and the e-mails were lost (nothing sweeps e-mails).
@shared_task(autoretry_for=(OSError, OperationalError), retry_backoff=True, max_retries=10)
def send_badge_emails(assertion_ids):
    from .notifications import badge_issued_notify

    return badge_issued_notify(assertion_ids=assertion_ids)
