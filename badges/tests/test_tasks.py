"""Issuance through a real Celery worker on Redis and PostgreSQL (tests marked `worker`), and
what happens when the broker cannot be reached."""

import time

import pytest
from django.db import transaction

from assessments.services import record_result
from badges.models import Assertion
from badges.tasks import issue_badges_bulk, sweep_unissued_badges
from config.celery_app import app

from .test_services import cohort


def wait_for(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def complete_committed(enrollment, plan, instructor):
    """Record the passes in their own transactions, as a request would."""
    for assessment in plan:
        with transaction.atomic():
            record_result(
                enrollment=enrollment, assessment=assessment, result="pass",
                acting_user=instructor,
            )  # fmt: skip


@pytest.mark.worker
def test_a_real_worker_issues_the_badge_within_seconds_of_completion(celery_worker):
    _, instructor, plan, _, _, (enrollment, _) = cohort()
    started = time.monotonic()
    complete_committed(enrollment, plan, instructor)
    assert wait_for(lambda: Assertion.objects.filter(enrollment=enrollment).exists())
    assert time.monotonic() - started < 10


@pytest.mark.worker
def test_many_deliveries_of_the_same_task_issue_exactly_one_badge(celery_worker):
    _, instructor, plan, _, _, (enrollment, _) = cohort(design=False)
    complete_committed(enrollment, plan, instructor)  # no badge design yet: nothing issued
    from badges.services import badge_class_create
    from courses.tests.factories import leads_admin

    badge_class_create(course=enrollment.offering.course, acting_user=leads_admin())
    results = [issue_badges_bulk.delay([enrollment.pk]) for _ in range(10)]
    issued = [r.get(timeout=20)["issued"] for r in results]
    assert sum(issued) == 1
    assert Assertion.objects.filter(enrollment=enrollment).count() == 1


@pytest.fixture
def broker_down(settings):
    """Celery publishing to a port where nothing listens, as when Redis is stopped."""
    old = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    app._pool = None
    yield
    app.conf.broker_url, app.conf.task_always_eager = old
    app._pool = None


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_completion_still_succeeds_and_the_sweep_issues_later(broker_down):
    _, instructor, plan, _, _, (enrollment, other) = cohort()
    started = time.monotonic()
    complete_committed(enrollment, plan, instructor)  # must not raise
    assert time.monotonic() - started < 15
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert not Assertion.objects.exists()
    assert sweep_unissued_badges() == 1
    assert Assertion.objects.filter(enrollment=enrollment).count() == 1
    assert sweep_unissued_badges() == 0
