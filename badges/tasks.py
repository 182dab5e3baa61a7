"""Thin tasks: take ids, call one service, safe to run twice (STYLE.md, rule 5)."""

from celery import shared_task
from django.db import OperationalError

from accounts.side_effects import email_task


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


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=60, max_retries=10
)
def award_pathway_badges(learner_ids=None, pathway_ids=None):
    """Issue the pathway badges these learners have earned (after a course badge was issued,
    or a pathway published); with neither, every learner's (the beat sweep). Safe to run twice:
    one pathway badge per learner and pathway, ever."""
    from .pathways import pathway_badges_award

    return pathway_badges_award(learner_ids=learner_ids, pathway_ids=pathway_ids)


# The retry policy of every e-mail task (accounts.side_effects.EMAIL_TASK_OPTIONS) covers a
# database restart: without it the badges issued just before one went unannounced.
@email_task
def send_badge_emails(assertion_ids):
    from .notifications import badge_issued_notify

    return badge_issued_notify(assertion_ids=assertion_ids)


@shared_task
def clear_expired_oauth_tokens():
    """Daily (CELERY_BEAT_SCHEDULE): django-oauth-toolkit's own clean-up of expired access and
    refresh tokens and authorization codes (the Open Badges 3.0 API's connections)."""
    from oauth2_provider.models import clear_expired

    clear_expired()
