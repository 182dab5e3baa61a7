"""Time bulk issuance with Open Badges 3.0 signing on this machine, in a throwaway database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/sign_bench.py
    .venv/bin/python bench/sign_bench.py --badges 10000 --workers 2

It creates a test database (``test_<name>``) with the migrations, makes a published course with
two learning outcomes and one offering, enrols and completes ``--badges`` learners through the
CSV imports, designs the badge, and then times ``assertions_issue_bulk`` — the service the
admin's "issue" button and the sweep call — end to end: compose, sign (eddsa-rdfc-2022 and
VC-JWT), verify each credential before storing it, allocate status entries, insert. The badge
e-mails are left out (in production a worker sends them after the commit).

With ``--workers 2`` the learners are split in two and two processes issue at the same time, as
two Celery workers would: the wall time is the 2-core throughput. ``--batch`` is the size of each
``assertions_issue_bulk`` call (the sweep uses 1000).

Prints milliseconds per badge, the share of it spent signing and verifying, and the number of
queries per call, which does not grow with the batch. The test database is dropped at the end.
"""

import argparse
import multiprocessing
import time
from datetime import date, timedelta

from harness import throwaway_database  # bench/ is on sys.path when a script in it runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--badges", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1, choices=[1, 2, 3, 4])
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()

    with throwaway_database():
        run(args.badges, args.workers, args.batch)


class Upload:
    def __init__(self, name, text):
        self.name = name
        self._data = text.encode("utf-8")
        self.size = len(self._data)

    def read(self, size=-1):
        return self._data if size < 0 else self._data[:size]


def prepare(badges):
    """A published course whose `badges` learners have all completed, and its badge design."""
    from cohort import published_course

    from badges.services import badge_class_create
    from courses.imports import import_job_create
    from courses.models import Enrollment
    from courses.services import offering_create

    course, _, admin = published_course()
    offering = offering_create(
        course=course, acting_user=admin, starts_on=date.today() - timedelta(days=7),
        ends_on=date.today() + timedelta(days=30),
    )  # fmt: skip
    people = "".join(f"learner{i}@example.org,Learner {i},S{i:06d}\n" for i in range(badges))
    results = "".join(
        f"learner{i}@example.org,Task {t},pass,70\n" for i in range(badges) for t in (1, 2)
    )
    for kind, text in [
        ("enrolment", "email,name,student_id\n" + people),
        ("results", "email,assessment,result,score\n" + results),
    ]:
        import_job_create(
            kind=kind, offering=offering, acting_user=admin, upload=Upload(f"{kind}.csv", text)
        )
    # Designed after the learners completed, so nothing was issued yet.
    badge_class_create(course=course, acting_user=admin)
    ids = list(
        Enrollment.objects.filter(offering=offering, completed_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert len(ids) == badges, (len(ids), badges)
    return admin.pk, ids


SIGNING = [0.0]  # seconds spent in credentials.assertions_sign, in this process


def install_timer():
    """Time the signing step, and leave out the badge e-mails (a worker's job, after commit)."""
    from badges import credentials, services

    services._notify_on_commit = lambda ids: None
    sign = credentials.assertions_sign

    def timed_sign(*args, **kwargs):
        started = time.perf_counter()
        try:
            return sign(*args, **kwargs)
        finally:
            SIGNING[0] += time.perf_counter() - started

    credentials.assertions_sign = timed_sign


def issue(admin_id, ids, batch, queue=None):
    """Issue the badges of `ids` in calls of `batch`; (seconds, signing seconds, queries/call)."""
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from badges import services

    SIGNING[0] = 0.0
    admin = User.objects.get(pk=admin_id)
    queries = []
    started = time.perf_counter()
    for start in range(0, len(ids), batch):
        with CaptureQueriesContext(connection) as captured:
            result = services.assertions_issue_bulk(
                enrollment_ids=ids[start : start + batch], acting_user=admin
            )
        assert result["issued"] == len(ids[start : start + batch]), result
        queries.append(len(captured))
    outcome = (time.perf_counter() - started, SIGNING[0], max(queries))
    connections.close_all()
    if queue is not None:
        queue.put(outcome)
    return outcome


def run(badges, workers, batch):
    from django.db import connection, connections

    from badges.models import Assertion

    admin_id, ids = prepare(badges)
    install_timer()
    vendor = f"{connection.vendor} ({connection.settings_dict['NAME']})"
    print(f"Database: {vendor}; {badges} badges, {workers} process(es), {batch} per call")
    issue(admin_id, ids[:5], batch)  # the issuer's key and status list, and warm caches
    ids = ids[5:]
    if workers == 1:
        seconds, signing, queries = issue(admin_id, ids, batch)
        per_process = [(seconds, signing, queries)]
        wall = seconds
    else:
        connections.close_all()  # each forked process opens its own connection
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        chunks = [ids[i::workers] for i in range(workers)]
        processes = [
            context.Process(target=issue, args=(admin_id, chunk, batch, queue)) for chunk in chunks
        ]
        started = time.perf_counter()
        for process in processes:
            process.start()
        per_process = [queue.get() for _ in processes]
        for process in processes:
            process.join()
        wall = time.perf_counter() - started
    n = len(ids)
    assert Assertion.objects.exclude(credential_json="").count() == n + 5
    signing = sum(p[1] for p in per_process)
    print(f"issued and signed {n} badges in {wall:.2f} s wall: {wall * 1000 / n:.2f} ms per badge")
    print(
        f"  per process: {sum(p[0] for p in per_process) * 1000 / n:.2f} ms per badge, of which "
        f"{signing * 1000 / n:.2f} ms composing, signing and verifying"
    )
    print(f"  queries per assertions_issue_bulk call: {max(p[2] for p in per_process)}")
    print(f"  10,000 badges would take {wall / n * 10_000:.1f} s on {workers} process(es)")


if __name__ == "__main__":
    main()
