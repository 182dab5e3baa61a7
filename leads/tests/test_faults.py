"""Two deans deciding the same submission at the same moment, on the real database.

Each dean acts in a thread of their own, so each has their own database connection and their
own transaction, as two web requests would; a barrier releases both calls together. The
services lock the course row, so one decides and the other is told it was decided already.
"""

import threading

import pytest
from django.db import connection

from leads.models import Decision
from leads.services import AlreadyDecided, submission_approve, submission_request_changes

from .factories import submitted_course

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

ROUNDS = 5


def decide_at_once(calls):
    """Run each (service, kwargs) in its own thread, released together; returns per call the
    Decision made or the exception raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, service, kwargs):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = service(**kwargs)
        except Exception as exc:  # the outcome under test, whatever it is
            outcomes[i] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=run, args=(i, service, kwargs))
        for i, (service, kwargs) in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a decision is still waiting (a deadlock?)"
    return outcomes


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_deans_deciding_at_once_make_one_decision_and_the_other_is_told(round_):
    course, submission = submitted_course()
    dean, designate = course.unit.dean, course.unit.designates.first()
    # Who approves and who asks for changes alternates, so neither service always wins.
    first, second = (dean, designate) if round_ % 2 else (designate, dean)

    outcomes = decide_at_once(
        [
            (submission_approve, {"submission": submission, "acting_user": first}),
            (
                submission_request_changes,
                {"submission": submission, "acting_user": second, "comment": "Add a rubric."},
            ),
        ]
    )

    decisions = [o for o in outcomes if isinstance(o, Decision)]
    told = [o for o in outcomes if isinstance(o, AlreadyDecided)]
    assert (len(decisions), len(told)) == (1, 1), outcomes
    assert "already been decided" in str(told[0])
    assert list(Decision.objects.filter(submission=submission)) == decisions
    course.refresh_from_db()
    winner = decisions[0]
    assert course.status == winner.outcome  # the course moved once, to the winner's decision
    assert course.transitions.filter(from_status="submitted").count() == 1


# --- Redis stopped during a submission ------------------------------------------------------------


@pytest.mark.worker
def test_a_submission_while_redis_is_down_succeeds_and_the_dean_is_told_once_it_is_back(
    client, web_celery, redis_server, celery_workers, record_property
):
    """The leader's request returns normally with the broker down; the Dean's e-mail is owed
    (a pending task) and delivered by the sweep once Redis is back, once."""
    import time

    from django.urls import reverse

    from accounts.models import EmailDelivery, PendingTask
    from accounts.tasks import sweep_pending_tasks
    from config.testing.processes import wait_until, worker_database_url
    from courses.models import CourseStatus

    from .factories import complete_course

    course = complete_course()
    dean = course.unit.dean
    worker = celery_workers.start(
        database_url=worker_database_url(connection, conn_max_age=60), redis_url=redis_server.url
    )
    redis_server.stop()
    client.force_login(course.leader)
    started = time.monotonic()
    response = client.post(
        reverse("leads:course_checklist", args=[course.pk]),
        {
            **{f"affirms_{item}": "on" for item in
               ("aim", "eligibility", "prerequisites", "resources", "budget")},
            "signed_name": "Leader Person",
            "submit": "1",
        },
    )  # fmt: skip
    record_property(
        "fault: submission with Redis down took (s)", round(time.monotonic() - started, 2)
    )
    assert response.status_code == 302  # no error page
    course.refresh_from_db()
    assert course.status == CourseStatus.SUBMITTED
    (owed,) = PendingTask.objects.all()
    assert owed.task == "leads.tasks.send_transition_emails" and owed.attempts == 1
    transition = course.transitions.get(to_status=CourseStatus.SUBMITTED)
    dean_key = f"leads.transition:{transition.pk}:user:{dean.pk}"
    assert not EmailDelivery.objects.filter(key=dean_key).exists()

    redis_server.start()
    back = time.monotonic()

    def sweep_published():
        # What Celery beat does every minute (older_than=0: the test does not wait 30 s). The
        # first publish after the restart may meet a stale pooled connection: try again.
        try:
            sweep_pending_tasks.apply_async(kwargs={"older_than": 0})
        except Exception:
            return False
        return True

    wait_until(sweep_published, timeout=30, what="the sweep enqueued", interval=0.5)
    wait_until(
        lambda: EmailDelivery.objects.filter(key=dean_key).exists(),
        timeout=60, what="the Dean's e-mail", interval=0.2,
    )  # fmt: skip
    record_property(
        "fault: Dean's e-mail sent after Redis returned (s)", round(time.monotonic() - back, 2)
    )
    wait_until(lambda: not PendingTask.objects.exists(), timeout=10, what="the outbox emptied")
    # Sent once: to the leader, the dean and the designate, one e-mail each.
    assert (
        EmailDelivery.objects.filter(key__startswith=f"leads.transition:{transition.pk}:").count()
        == 3
    )
    assert " raised unexpected" not in worker.log.read_text()
