from celery import shared_task

from accounts.side_effects import email_task


@email_task
def send_judgement_email(submission_id):
    from .notifications import judgement_notify

    return judgement_notify(submission_id=submission_id)


@email_task
def send_referral_email(submission_id):
    from .notifications import referral_notify

    return referral_notify(submission_id=submission_id)


@email_task
def send_assessor_digests():
    """Daily (config/settings/base.py CELERY_BEAT_SCHEDULE): what waits for each assessor."""
    from .notifications import assessor_digest_notify

    return assessor_digest_notify()


@shared_task
def sweep_evidence_retention():
    """Nightly (config/celery_app.py): remove files past the retention rule."""
    from .services import evidence_retention_sweep

    return evidence_retention_sweep()
