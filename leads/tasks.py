from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=10)  # see badges/tasks.py
def send_transition_emails(transition_id):
    from .notifications import transition_notify

    return transition_notify(transition_id=transition_id)
