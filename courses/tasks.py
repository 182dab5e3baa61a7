"""Background work of courses: CSV imports. Thin: each task takes an id and calls one service."""

from celery import shared_task


# An import is one transaction of up to MAX_ROWS rows: give it more time than the default.
@shared_task(soft_time_limit=10 * 60, time_limit=11 * 60)
def run_import(job_id):
    """Check and apply one import job. Safe to run twice: a finished job is left alone."""
    from .imports import import_job_run

    return import_job_run(job_id=job_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=10)  # see badges/tasks.py
def send_import_invitations(job_id):
    """E-mail the people an enrolment import created; a retry sends only what is still owed."""
    from .imports import import_invitations_send

    return import_invitations_send(job_id=job_id)


@shared_task
def sweep_import_jobs():
    """Re-enqueue imports a broker outage or a lost worker left behind (run it every few
    minutes from Celery beat)."""
    from .imports import import_jobs_sweep

    return import_jobs_sweep()
