"""Issuance under faults, against processes each test owns (config/testing/processes.py).

Every test here runs real `celery worker` processes on a private Redis started for the test, and
injects one fault: the same task delivered many times at once, Redis stopped while learners
complete, the worker killed with SIGKILL in the middle of a batch, PostgreSQL restarted in the
middle of a batch. Each then checks that every badge is issued exactly once. The figures each
test measured are printed at the end of the run ("fault figures").

Where the data lives:

* Tests 1 to 3 use pytest-django's test database (transaction=True, so the workers see the
  committed rows); only their Redis is private.
* The PostgreSQL restart needs a server this test may restart: a private cluster. Its data is
  made by a child process whose DATABASE_URL names the private cluster (`migrate`, then the
  same services every other test uses), and the test reads the outcome over a plain psycopg2
  connection. That keeps this process's own Django connection on the test database, untouched:
  adding a DATABASES alias at runtime would leave the services, which write through `default`,
  on the wrong server, and swapping `default` under pytest-django would break its teardown.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from accounts.tests.factories import UserFactory
from assessments.services import record_result
from assessments.tests.factories import assessment_plan
from badges.models import Assertion
from badges.services import badge_class_create
from badges.tasks import issue_badges_bulk, sweep_unissued_badges
from config.testing.processes import ROOT, wait_until, worker_database_url
from courses.models import Enrollment
from courses.tests.factories import (
    enrolled_learners,
    leads_admin,
    published_course,
    running_offering,
)

pytestmark = pytest.mark.faults


# --- Data, made through the services -----------------------------------------------------------


def course_with_learners(n, *, design=True):
    """A published course with one learning outcome and one summative assessment, and n learners
    enrolled in a running offering. With `design`, its badge (issued on completion) exists."""
    instructor = UserFactory(is_instructor=True, is_learner=False)
    course = published_course(outcomes=1, badge_issue_mode="automatic", badge_expiry_months=24)
    (assessment,) = assessment_plan(course)
    offering = running_offering(course=course, instructors=[instructor])
    if design:
        design_badge(course)
    return SimpleNamespace(
        course=course, instructor=instructor, assessment=assessment,
        enrollments=enrolled_learners(offering, n),
    )  # fmt: skip


def design_badge(course):
    badge_class_create(course=course, acting_user=leads_admin())


def complete_all(group, *, max_latency=None) -> list[float]:
    """Each learner's pass recorded in its own committed transaction, as one request would;
    returns how long each call took, commit and on-commit work included. With `max_latency`,
    the first slower call fails the test at once (rather than after hundreds of slow calls)."""
    latencies = []
    for i, enrollment in enumerate(group.enrollments):
        started = time.monotonic()
        with transaction.atomic():
            record_result(
                enrollment=enrollment, assessment=group.assessment, result="pass",
                acting_user=group.instructor,
            )  # fmt: skip
        latencies.append(time.monotonic() - started)
        if max_latency is not None:
            assert latencies[-1] < max_latency, f"completion {i + 1} took {latencies[-1]:.1f} s"
    return latencies


def issued(enrollment_ids):
    """(assertions, distinct enrollments with one) among these enrollments."""
    rows = list(
        Assertion.objects.filter(enrollment_id__in=enrollment_ids).values_list(
            "enrollment_id", flat=True
        )
    )
    return len(rows), len(set(rows))


def wait_for(predicate, workers, *, what, timeout=120, interval=0.05):
    """Wait until `predicate()`, failing at once if a task of the workers fails for good."""
    checked = 0.0

    def done():
        nonlocal checked
        if predicate():
            return True
        if time.monotonic() - checked > 0.5:
            checked = time.monotonic()
            failed = workers.failures()
            assert not failed, f"a task failed while waiting for {what}: {failed[0]}"
        return False

    wait_until(done, timeout=timeout, what=what, interval=interval)


def chunks(ids, size):
    return [ids[i : i + size] for i in range(0, len(ids), size)]


@pytest.fixture
def media_root(settings, tmp_path):
    """Badge images of these tests go to a temporary directory, here and in every worker."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return {"MEDIA_ROOT": settings.MEDIA_ROOT}


# --- 1. The same task delivered many times at once ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_deliveries_of_the_same_task_issue_one_badge(
    web_celery, redis_server, celery_workers, media_root, record_property
):
    group = course_with_learners(1, design=False)
    complete_all(group)
    # Completion enqueued the learner's task before any worker ran: drop it, so that the twenty
    # deliveries below are the only ones (and nothing is issued before the badge is designed).
    web_celery.control.purge()
    design_badge(group.course)
    (enrollment,) = group.enrollments
    # Two workers of two processes each: four processes take the twenty deliveries.
    db_url = worker_database_url(connection, conn_max_age=60)
    for _ in range(2):
        celery_workers.start(database_url=db_url, redis_url=redis_server.url, env=media_root)

    results = [issue_badges_bulk.delay([enrollment.pk]) for _ in range(20)]
    outcomes = [r.get(timeout=60)["issued"] for r in results]

    # Exactly one badge, whichever delivery created it (the learner's own completion task may
    # still have been in flight when the queue was purged, and then it is the creator).
    assert sum(outcomes) <= 1, outcomes
    assert Assertion.objects.filter(enrollment=enrollment).count() == 1
    per_worker = [
        len(re.findall(r"issue_badges_bulk\[[^]]+\] succeeded", w.log.read_text()))
        for w in celery_workers.started
    ]
    record_property("fault: deliveries run by each worker", per_worker)
    assert sum(per_worker) >= 20 and not celery_workers.failures()


# --- 2. Redis stopped while learners complete ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_completions_succeed_and_the_sweep_issues_every_badge_later(
    web_celery, redis_server, celery_workers, media_root, record_property
):
    group = course_with_learners(500)
    ids = [e.pk for e in group.enrollments]
    # The set-up's own e-mails are not this test's business: with none in the worker's hands
    # when Redis stops, the worker is idle, as the scenario says. (A worker that loses Redis
    # while acknowledging a task can exit, a kombu 5.7 fault; README, "Production", asks for a
    # supervisor that restarts it, and the sweep covers what it missed.)
    web_celery.control.purge()
    celery_workers.start(
        database_url=worker_database_url(connection, conn_max_age=60),
        redis_url=redis_server.url, env=media_root,
    )  # fmt: skip

    redis_server.stop()
    latencies = complete_all(group, max_latency=2.0)  # each call succeeds, and quickly

    assert Enrollment.objects.filter(pk__in=ids, completed_at__isnull=False).count() == 500
    assert issued(ids) == (0, 0)
    worst = max(latencies)
    record_property("fault: completions with Redis down", len(latencies))
    record_property("fault: worst completion latency with Redis down (s)", round(worst, 3))
    record_property(
        "fault: median completion latency with Redis down (s)",
        round(sorted(latencies)[len(latencies) // 2], 3),
    )

    redis_server.start()  # same port; the running worker reconnects by itself
    started = time.monotonic()
    result = sweep_unissued_badges.delay()
    assert result.get(timeout=90) == 500
    record_property("fault: sweep issued 500 in (s)", round(time.monotonic() - started, 2))
    assert issued(ids) == (500, 500)  # 0 duplicates, 0 missing
    assert not celery_workers.failures()


# --- 3. The worker killed with SIGKILL in the middle of a batch ---------------------------------

# Messages a dead worker took but never acknowledged go back on the queue once they are older
# than the visibility timeout (an hour in the settings, sized for the longest task). Ten seconds
# here, checked every second, so the test need not wait an hour.
SHORT_VISIBILITY = {
    "broker_transport_options": {
        "visibility_timeout": 10, "unacked_restore_interval": 1, "unacked_restore_throttle": 1,
    }
}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_and_replaced_issues_every_badge_exactly_once(
    web_celery, redis_server, celery_workers, media_root, record_property
):
    # 600 learners in chunks of 50: twelve deliveries, enough for a kill with several in the
    # worker's hands and several still queued, at a third of the time of 2,000.
    group = course_with_learners(600, design=False)
    complete_all(group)
    web_celery.control.purge()  # the completions' own tasks: this test issues in a batch
    design_badge(group.course)
    ids = [e.pk for e in group.enrollments]
    worker = {
        "database_url": worker_database_url(connection, conn_max_age=60),
        "redis_url": redis_server.url, "env": media_root, "conf": SHORT_VISIBILITY,
    }  # fmt: skip
    first = celery_workers.start(**worker)

    for chunk in chunks(ids, 50):
        issue_badges_bulk.delay(chunk)
    broker = redis_client(redis_server)
    wait_for(
        # A third of the way through, with deliveries in the worker's hands (running, or
        # prefetched): taken off the queue and not acknowledged.
        lambda: issued(ids)[0] >= 200 and broker.hlen("unacked") > 0,
        celery_workers, what="200 badges", interval=0.01,
    )  # fmt: skip
    first.kill(signal.SIGKILL)  # the main process and its pool children, mid-batch
    killed_at = time.monotonic()
    at_kill, _ = issued(ids)
    unacknowledged = broker.hlen("unacked")
    record_property("fault: badges issued when the worker was killed", at_kill)
    record_property("fault: deliveries unacknowledged at the kill", unacknowledged)
    assert at_kill < 600 and unacknowledged > 0  # killed mid-batch, with work in its hands

    celery_workers.start(**worker)
    wait_for(lambda: issued(ids)[0] >= 600, celery_workers, what="600 badges", interval=0.2)
    record_property(
        "fault: all 600 issued after the kill in (s)", round(time.monotonic() - killed_at, 2)
    )
    time.sleep(1)  # a late duplicate would show now
    assert issued(ids) == (600, 600)
    assert not celery_workers.failures()


def redis_client(server):
    import redis

    return redis.Redis.from_url(server.url)


# --- 4. PostgreSQL restarted in the middle of a batch -------------------------------------------


def build_cohort_here(n):
    """Run in a child process whose DATABASE_URL names the private cluster: the schema, then n
    learners who completed (through the services) before the badge was designed. Prints the
    enrollment ids and the assertions' table as JSON."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    group = course_with_learners(n, design=False)
    complete_all(group)
    design_badge(group.course)
    ids = [e.pk for e in group.enrollments]
    print(json.dumps({"ids": ids, "table": Assertion._meta.db_table}))


def emails_sent(worker):
    """E-mails the worker's send_badge_emails tasks reported sent (the e-mail backend in a worker
    is in its memory, so its log is the witness)."""
    log = worker.log.read_text()
    return sum(
        int(n) for n in re.findall(r"send_badge_emails\[[^]]+\] succeeded in \S+: (\d+)", log)
    )


def counts_on(url, table, ids):
    """(assertions, distinct enrollments) on the private cluster; None while it is down."""
    import psycopg2

    try:
        conn = psycopg2.connect(url, connect_timeout=1)
    except psycopg2.OperationalError:
        return None
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*), count(DISTINCT enrollment_id) FROM {table} "  # noqa: S608
                "WHERE enrollment_id = ANY(%s)",
                [ids],
            )
            return cursor.fetchone()
    finally:
        conn.close()


def test_postgresql_restarted_mid_batch_tasks_retry_and_issue_every_badge_exactly_once(
    postgres_cluster, web_celery, redis_server, celery_workers, tmp_path, record_property
):
    n = 600
    url = postgres_cluster.create_database("centre")
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url,
        "REDIS_URL": "", "MEDIA_ROOT": str(tmp_path / "media"),
    }  # fmt: skip
    built = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
         f"from badges.tests.test_faults import build_cohort_here; build_cohort_here({n})"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    data = json.loads(built.stdout.strip().splitlines()[-1])
    ids, table = data["ids"], data["table"]
    assert counts_on(url, table, ids) == (0, 0)
    worker = celery_workers.start(
        database_url=f"{url}?conn_max_age=60", redis_url=redis_server.url,
        env={"MEDIA_ROOT": env["MEDIA_ROOT"]},
    )  # fmt: skip

    results = [issue_badges_bulk.delay(chunk) for chunk in chunks(ids, 30)]
    wait_for(
        lambda: (counts_on(url, table, ids) or (0,))[0] >= 150, celery_workers,
        what="150 badges", interval=0.01,
    )  # fmt: skip
    before, _ = counts_on(url, table, ids)
    restarted_at = time.monotonic()
    postgres_cluster.restart(down_for=2)  # fast shutdown: every session ends, then 2 s down
    record_property("fault: badges issued when PostgreSQL went down", before)
    record_property("fault: PostgreSQL down for (s)", round(time.monotonic() - restarted_at, 2))
    assert before < n

    outcomes = [r.get(timeout=120) for r in results]  # every chunk succeeds in the end
    record_property(
        "fault: all issued after the restart began in (s)",
        round(time.monotonic() - restarted_at, 2),
    )
    assert counts_on(url, table, ids) == (n, n)  # 0 duplicates, 0 missing
    retries = worker.log.read_text().count(" retry: Retry in ")
    record_property("fault: task retries", retries)
    record_property(
        "fault: badges reported issued by the tasks", sum(o["issued"] for o in outcomes)
    )
    assert retries > 0
    # The e-mails of badges issued just before the restart retry too: each learner gets one.
    # Their backoff is jittered and grows: the last retry may come half a minute after the restart.
    deadline = time.monotonic() + 90
    while emails_sent(worker) < n and time.monotonic() < deadline:
        time.sleep(0.2)
    record_property("fault: badge e-mails sent", emails_sent(worker))
    assert emails_sent(worker) == n
    assert not celery_workers.failures()  # every task retried to success
