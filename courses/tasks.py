"""Background work of courses: CSV imports. Thin: each task takes an id and calls one service."""

from celery import shared_task

from accounts.side_effects import email_task


# An import is one transaction of up to MAX_ROWS rows: give it more time than the default.
@shared_task(soft_time_limit=10 * 60, time_limit=11 * 60)
def run_import(job_id):
    """Check and apply one import job. Safe to run twice: a finished job is left alone."""
    from .imports import import_job_run

    return import_job_run(job_id=job_id)


@email_task
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


@email_task
def send_course_emails(transition_id):
    """Publish, retire and supersede, to the people they concern (courses.notifications)."""
    from .notifications import course_transition_notify

    return course_transition_notify(transition_id=transition_id)


@email_task
def send_enrolment_emails(enrollment_ids):
    from .notifications import enrolment_notify

    return enrolment_notify(enrollment_ids=enrollment_ids)


@email_task
def send_completion_confirmed_emails(offering_id, enrollment_ids, confirmed_by_id):
    from .notifications import completion_confirmed_notify

    return completion_confirmed_notify(
        offering_id=offering_id, enrollment_ids=enrollment_ids, confirmed_by_id=confirmed_by_id
    )
