"""Background work of accounts: invitations, and the sweep behind every app's post-commit tasks."""

from celery import shared_task

from .side_effects import email_task


@email_task
def send_invitation(user_id, reason):
    """E-mail a new person the link to set their password (once, however often it runs)."""
    from .services import invitation_send

    return invitation_send(user_id=user_id, reason=reason)


@shared_task
def sweep_pending_tasks(older_than=None):
    """Publish the tasks a broker outage kept from being enqueued (Celery beat, every minute)."""
    from .side_effects import pending_tasks_sweep

    return pending_tasks_sweep(older_than=older_than)
