"""Issuance through a real Celery worker on Redis and PostgreSQL (tests marked `worker`), and
what happens when the broker cannot be reached.

Nothing here depends on how fast the machine is: a test waits for the worker to report the task
it is waiting for as finished (its result, through the result backend), never for a clock, and
asserts what was issued, never how long it took. WORKER_TIMEOUT only stops a test whose worker
died instead of hanging the run.
"""

import contextlib
import socket

import pytest
from celery.result import AsyncResult
from celery.signals import before_task_publish
from django.db import transaction

from assessments.services import record_result
from badges.models import Assertion
from badges.tasks import issue_badges_bulk, sweep_unissued_badges
from config.celery_app import app

from .test_services import cohort

WORKER_TIMEOUT = 300


@contextlib.contextmanager
def published(task=None):
    """The ids of the messages of `task` (of every task if None) this process publishes inside
    the block."""
    ids = []

    def record(sender=None, headers=None, **kwargs):
        if task is None or sender == task.name:
            ids.append(headers["id"])

    before_task_publish.connect(record, weak=False)
    try:
        yield ids
    finally:
        before_task_publish.disconnect(record)


def complete_committed(enrollment, plan, instructor):
    """Record the passes in their own transactions, as a request would."""
    for assessment in plan:
        with transaction.atomic():
            record_result(
                enrollment=enrollment, assessment=assessment, result="pass",
                acting_user=instructor,
            )  # fmt: skip


@pytest.mark.worker
def test_a_real_worker_issues_the_badge_on_completion(celery_worker):
    _, instructor, plan, _, _, (enrollment, _) = cohort()
    with published(issue_badges_bulk) as tasks:
        complete_committed(enrollment, plan, instructor)
    assert len(tasks) == 1, "completion enqueues one issuance task"
    outcome = AsyncResult(tasks[0], app=app).get(timeout=WORKER_TIMEOUT)
    assert outcome == {"issued": 1, "already": 0}
    assert Assertion.objects.filter(enrollment=enrollment).count() == 1


@pytest.mark.worker
def test_many_deliveries_of_the_same_task_issue_exactly_one_badge(celery_worker):
    _, instructor, plan, _, _, (enrollment, _) = cohort(design=False)
    with published(issue_badges_bulk) as tasks:
        complete_committed(enrollment, plan, instructor)
    # No badge design yet: completion's own task issues nothing. It must have run before the
    # design exists, or on a slow worker it would issue the badge the ten deliveries below count.
    (completion_task,) = tasks
    assert AsyncResult(completion_task, app=app).get(timeout=WORKER_TIMEOUT)["issued"] == 0
    from badges.services import badge_class_create
    from courses.tests.factories import leads_admin

    badge_class_create(course=enrollment.offering.course, acting_user=leads_admin())
    results = [issue_badges_bulk.delay([enrollment.pk]) for _ in range(10)]
    issued = [r.get(timeout=WORKER_TIMEOUT)["issued"] for r in results]
    assert sum(issued) == 1
    assert Assertion.objects.filter(enrollment=enrollment).count() == 1


def forget_broker_connections():
    """Drop the connection pool and the producer pool bound to it, as Celery does after a fork:
    a producer pool left from an earlier test would go on publishing to the live broker."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(settings):
    """Celery publishing to a port where nothing listens, as when Redis is stopped."""
    old = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    forget_broker_connections()
    yield
    app.conf.broker_url, app.conf.task_always_eager = old
    forget_broker_connections()


@pytest.fixture
def dead_broker_attempts(monkeypatch):
    """Every connection this process tries to open to the dead broker's port."""
    attempts = []
    connect = socket.socket.connect

    def counting_connect(sock, address):
        if isinstance(address, tuple) and address[1] == 1:
            attempts.append(address)
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", counting_connect)
    return attempts


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_completion_still_succeeds_and_the_sweep_issues_later(
    broker_down, dead_broker_attempts
):
    _, instructor, plan, _, _, (enrollment, other) = cohort()
    dead_broker_attempts.clear()
    with published() as tasks:
        complete_committed(enrollment, plan, instructor)  # must not raise
    # It gives up at once rather than keep the request waiting: each publish tries the broker
    # at most twice (CELERY_TASK_PUBLISH_RETRY_POLICY), where Celery's default policy goes on
    # retrying with pauses. Counted, not timed, so a busy machine cannot fail it.
    assert tasks, "completion enqueues the badge's issuance"
    assert len(tasks) <= len(dead_broker_attempts) <= 2 * len(tasks)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert not Assertion.objects.exists()
    assert sweep_unissued_badges() == 1
    assert Assertion.objects.filter(enrollment=enrollment).count() == 1
    assert sweep_unissued_badges() == 0
