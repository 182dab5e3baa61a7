"""Work that must happen after a commit, and must not be lost when the broker is down.

Every app starts its background tasks (e-mails, issuance, imports) with `enqueue_on_commit`,
never with `.delay()` inside `transaction.on_commit`:

* the debt is a `PendingTask` row written in the caller's transaction, so it commits (or rolls
  back) with the change that owes it;
* after the commit the row is published to the broker and deleted. A broker that is down only
  logs a warning: the request that did the work still succeeds, and the row stays;
* `pending_tasks_sweep` (Celery beat, every minute) publishes again the rows older than
  `PENDING_TASK_SWEEP_AFTER` seconds.

The row is deleted when a broker has accepted the task, not when the task has run. From then on
the broker (acks late) and the task's own retries own the delivery; a row kept until the task
ran could not be told apart, by the sweep, from one never published, so every task waiting in a
queue or a retry backoff would be published again. A row is published twice only when its
publisher dies between the broker's acceptance and the delete: every task is safe to run twice
(STYLE.md, rule 5), and every e-mail is sent through `emails_send_once`, which sends each
e-mail once whatever the number of runs.

With no broker (the demo, eager mode) publishing runs the task inline, after the commit as
before.
"""

import logging
from datetime import timedelta
from importlib import import_module

from celery import current_app, shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import EmailDelivery, PendingTask

log = logging.getLogger(__name__)

# How long one process may take to publish a row before another may try: far longer than a
# publish takes (the broker timeouts in settings are a few seconds).
CLAIM = timedelta(minutes=2)

# --- The retry policy of every e-mail task ------------------------------------------------------

# What an e-mail task retries on: the mail server refusing or out of reach (smtplib's errors are
# OSErrors, as are socket timeouts), and the database restarting under the task (OperationalError
# while it is down, InterfaceError on a connection the restart closed). Nothing is sent before the
# failing read, and `emails_send_once` skips what a failed run did send, so a retry sends each
# e-mail once.
RETRY_ON = (OSError, OperationalError, InterfaceError)

# Twelve retries with a jittered, doubling backoff capped at five minutes: Celery picks each wait
# between 0 and its ceiling, so fewer retries could all fall within a short database restart;
# twelve cover an outage of about half an hour.
EMAIL_TASK_OPTIONS = {
    "autoretry_for": RETRY_ON,
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 12,
}


def email_task(func):
    """`@email_task` instead of `@shared_task` on every task that sends e-mail."""
    return shared_task(**EMAIL_TASK_OPTIONS)(func)


# --- The outbox -------------------------------------------------------------------------------


def enqueue_on_commit(task, *args) -> PendingTask:
    """Run `task(*args)` in the background once the current transaction commits.

    `task` is a Celery task (its registered name is stored); `args` must be JSON (ids, lists of
    ids, strings; UUIDs and dates are stored as strings). Outside a transaction the row is saved
    and published at once. Never raises because the broker is down.
    """
    row = PendingTask.objects.create(task=task.name, args=list(args))
    row_id = row.pk
    transaction.on_commit(lambda: pending_task_publish(pending_id=row_id))
    return row


def _task_named(name):
    try:
        return current_app.tasks[name]
    except KeyError:  # not imported yet in this process: shared tasks register on import
        import_module(name.rpartition(".")[0])
        return current_app.tasks[name]


def pending_task_publish(*, pending_id) -> bool | None:
    """Publish one pending task and delete its row. True when published, False when the broker
    (or the task, in eager mode) failed and the row stays for the sweep, None when there was
    nothing to do (published already, or being published by another process)."""
    try:
        now = timezone.now()
        claimed = (
            PendingTask.objects.filter(pk=pending_id)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .update(claimed_until=now + CLAIM)
        )
        if not claimed:
            return None
        row = PendingTask.objects.get(pk=pending_id)
    except Exception:  # the database itself failed: the row, if any, waits for the sweep
        log.warning("Could not read pending task %s", pending_id, exc_info=True)
        return False
    try:
        _task_named(row.task).apply_async(args=row.args)
    except Exception as exc:
        log.warning(
            "Could not enqueue %s (pending task %s); the sweep will retry it",
            row, row.pk, exc_info=True,
        )  # fmt: skip
        try:
            PendingTask.objects.filter(pk=row.pk).update(
                attempts=F("attempts") + 1, last_error=repr(exc)[:2000], claimed_until=None
            )
        except Exception:
            log.warning("Could not record the failure of pending task %s", row.pk, exc_info=True)
        return False
    try:
        PendingTask.objects.filter(pk=row.pk).delete()
    except Exception:  # published: a second publication after the claim lapses is harmless
        log.warning("Could not delete published pending task %s", row.pk, exc_info=True)
    return True


def pending_tasks_sweep(*, older_than: float | None = None, limit: int = 500) -> dict:
    """Publish the pending tasks a broker outage left behind, oldest first.

    Only rows older than `older_than` seconds (PENDING_TASK_SWEEP_AFTER) are taken, so the
    sweep does not race the on-commit publisher of a request that just committed. It stops at
    the first failure: the broker is still down, and the next sweep comes in a minute.
    """
    if older_than is None:
        older_than = settings.PENDING_TASK_SWEEP_AFTER
    now = timezone.now()
    ids = list(
        PendingTask.objects.filter(created_at__lt=now - timedelta(seconds=older_than))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    published = 0
    for pending_id in ids:
        outcome = pending_task_publish(pending_id=pending_id)
        if outcome is False:
            break
        published += bool(outcome)
    return {"published": published, "left": PendingTask.objects.count()}


# --- Sending e-mail once --------------------------------------------------------------------


def emails_send_once(messages) -> int:
    """Send each `(key, EmailMessage)` whose key was never sent; returns how many were sent now.

    The key names what the e-mail announces and to whom ("leads.transition:12:user:7"). Each
    e-mail is recorded in the transaction that sends it: a failure to send leaves no record (a
    retry sends it), and a concurrent run of the same task waits on the record and skips it.
    """
    messages = list(messages)
    if not messages:
        return 0
    done = set(
        EmailDelivery.objects.filter(key__in=[key for key, _ in messages]).values_list(
            "key", flat=True
        )
    )
    todo = [(key, message) for key, message in messages if key not in done]
    sent = 0
    if not todo:
        return 0
    with get_connection() as connection:
        for key, message in todo:
            try:
                with transaction.atomic():
                    EmailDelivery.objects.create(key=key)
                    message.connection = connection
                    message.send()
            except IntegrityError:  # a concurrent run sent it
                continue
            sent += 1
    return sent
