"""The outbox behind every post-commit task, and sending each e-mail once."""

from datetime import timedelta
from unittest import mock

import pytest
from celery import current_app
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from accounts.models import EmailDelivery, PendingTask
from accounts.side_effects import (
    EMAIL_TASK_OPTIONS,
    RETRY_ON,
    emails_send_once,
    enqueue_on_commit,
    pending_task_publish,
    pending_tasks_sweep,
)
from config.tasks import ping

pytestmark = pytest.mark.django_db


def broker_down():
    return mock.patch.object(ping, "apply_async", side_effect=BrokerDown("Connection refused"))


def test_the_task_is_owed_in_the_transaction_and_published_after_commit(
    django_capture_on_commit_callbacks,
):
    with mock.patch.object(ping, "apply_async") as publish:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            enqueue_on_commit(ping, 1, [2, 3])
            assert PendingTask.objects.get().args == [1, [2, 3]]
            publish.assert_not_called()  # not before the commit
        assert len(callbacks) == 1
    publish.assert_called_once_with(args=[1, [2, 3]])
    assert not PendingTask.objects.exists()  # the broker has it: the row is gone


def test_a_rolled_back_change_owes_nothing(django_capture_on_commit_callbacks):
    with (
        mock.patch.object(ping, "apply_async") as publish,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_on_commit(ping)
        raise RuntimeError
    assert callbacks == [] and not publish.called and not PendingTask.objects.exists()


def test_a_dead_broker_is_logged_and_the_row_waits_for_the_sweep(
    django_capture_on_commit_callbacks, caplog
):
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(ping)  # raises nothing
    row = PendingTask.objects.get()
    assert row.attempts == 1 and "Connection refused" in row.last_error
    assert row.claimed_until is None
    assert "the sweep will retry it" in caplog.text

    # A fresh row is left to the request that owes it; an older one is published again.
    with mock.patch.object(ping, "apply_async") as publish:
        assert pending_tasks_sweep()["published"] == 0
        PendingTask.objects.update(created_at=timezone.now() - timedelta(minutes=1))
        assert pending_tasks_sweep() == {"published": 1, "left": 0}
    publish.assert_called_once_with(args=[])


def test_the_sweep_stops_at_the_first_refusal():
    for _ in range(3):
        PendingTask.objects.create(task=ping.name, created_at=timezone.now() - timedelta(hours=1))
    with broker_down() as publish:
        assert pending_tasks_sweep() == {"published": 0, "left": 3}
    assert publish.call_count == 1  # not 3 × the broker's timeout
    assert sorted(PendingTask.objects.values_list("attempts", flat=True)) == [0, 0, 1]


def test_a_row_being_published_elsewhere_is_not_published_twice():
    row = PendingTask.objects.create(
        task=ping.name, claimed_until=timezone.now() + timedelta(minutes=1)
    )
    with mock.patch.object(ping, "apply_async") as publish:
        assert pending_task_publish(pending_id=row.pk) is None
        assert pending_tasks_sweep(older_than=0)["published"] == 0
        # A claim that lapsed (its publisher died) is taken over.
        PendingTask.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
        assert pending_task_publish(pending_id=row.pk) is True
    publish.assert_called_once()


def test_eager_mode_runs_the_task_after_commit(django_capture_on_commit_callbacks):
    """No broker (the demo): the task runs inline once the transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(ping)
    assert not PendingTask.objects.exists()


def message(to="amina@example.org"):
    return EmailMessage("Subject", "Body", None, [to])


def test_each_email_is_sent_once_whatever_the_number_of_runs():
    assert emails_send_once([("k:1", message()), ("k:2", message("b@example.org"))]) == 2
    assert emails_send_once([("k:1", message()), ("k:2", message("b@example.org"))]) == 0
    assert len(mail.outbox) == 2
    assert set(EmailDelivery.objects.values_list("key", flat=True)) == {"k:1", "k:2"}


def test_an_email_that_failed_is_not_recorded_so_a_retry_sends_it():
    with (
        mock.patch.object(EmailMessage, "send", side_effect=OSError("mail server down")),
        pytest.raises(OSError),
    ):
        emails_send_once([("k:1", message())])
    assert not EmailDelivery.objects.exists()
    assert emails_send_once([("k:1", message())]) == 1


EMAIL_TASKS = {
    "accounts.tasks.send_invitation",
    "badges.tasks.send_badge_emails",
    "courses.tasks.send_completion_confirmed_emails",
    "courses.tasks.send_course_emails",
    "courses.tasks.send_enrolment_emails",
    "courses.tasks.send_import_invitations",
    "leads.tasks.send_transition_emails",
}


def test_every_email_task_has_the_one_retry_policy():
    import accounts.tasks  # noqa: F401 (registers the tasks)
    import badges.tasks  # noqa: F401
    import courses.tasks  # noqa: F401
    import leads.tasks  # noqa: F401

    found = {
        name
        for name in current_app.tasks
        if name.split(".")[0] in {"accounts", "badges", "courses", "leads"} and "send_" in name
    }
    assert found == EMAIL_TASKS  # a new e-mail task joins the list (and the policy)
    for name in found:
        task = current_app.tasks[name]
        assert tuple(task.autoretry_for) == RETRY_ON, name
        assert task.max_retries == EMAIL_TASK_OPTIONS["max_retries"], name
        assert task.retry_backoff and task.retry_jitter, name


@pytest.mark.parametrize(
    "error",
    [
        pytest.param("django.db.OperationalError", id="database-down"),
        pytest.param("django.db.InterfaceError", id="connection-closed-by-a-restart"),
        pytest.param("smtplib.SMTPServerDisconnected", id="smtp"),
    ],
)
def test_an_email_task_retries_a_database_restart_or_a_mail_server_failure(error):
    from django.utils.module_loading import import_string

    from accounts.services import user_create
    from accounts.tasks import send_invitation

    user = user_create(email="new@example.org", full_name="Amina Khan")
    failure = import_string(error)("gone away")
    real, calls = EmailMessage.send, []

    def send_failing_once(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 1:
            raise failure
        return real(self, *args, **kwargs)

    with mock.patch.object(EmailMessage, "send", send_failing_once):
        # throw=False: as in a worker, where a retry is not an error (eager mode re-raises it).
        result = send_invitation.apply(args=[user.pk, "You are enrolled."], throw=False)
    assert len(calls) == 2  # failed, retried
    assert result.successful(), result.traceback
    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    assert mail.outbox[0].body.startswith("Dear Amina Khan,")
