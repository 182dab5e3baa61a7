"""Time the CSV imports on this machine, in a throwaway database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_bench.py
    .venv/bin/python bench/import_bench.py --rows 10000      # SQLite when DATABASE_URL is unset

It creates a test database (``test_<name>``) with the migrations, builds a published course with
one offering, and times, end to end through the same services the upload page uses (Celery
inline, e-mail kept in memory):

1. enrolling N new people (accounts created, enrolled, invitations sent),
2. uploading the same file again (everyone already enrolled),
3. recording N results (N/2 learners x 2 assessments).

The test database is dropped at the end; nothing touches your own data.
"""

import argparse
import time
from datetime import date, timedelta

from harness import throwaway_database  # bench/ is on sys.path when a script in it runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()

    with throwaway_database():
        run(args.rows)


class Upload:
    """What the upload form hands the service: a name, a size and read()."""

    def __init__(self, name, text):
        self.name = name
        self._data = text.encode("utf-8")
        self.size = len(self._data)

    def read(self, size=-1):
        return self._data if size < 0 else self._data[:size]


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"{label:<58} {elapsed:6.2f} s")
    return result


def run(rows):
    from cohort import published_course
    from django.core import mail
    from django.db import connection

    from courses.imports import import_job_create
    from courses.models import Enrollment, ImportJob
    from courses.services import offering_create

    course, _, admin = published_course()
    offering = offering_create(
        course=course,
        acting_user=admin,
        starts_on=date.today() - timedelta(days=7),
        ends_on=date.today() + timedelta(days=30),
    )

    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']}), {rows} rows")
    enrolment = "email,name,student_id\n" + "".join(
        f"learner{i}@example.org,Learner Number {i},S{i:06d}\n" for i in range(rows)
    )

    def enrol():
        return import_job_create(
            kind="enrolment",
            offering=offering,
            acting_user=admin,
            upload=Upload("learners.csv", enrolment),
        )

    job = timed(f"Enrol {rows} new people (accounts, enrolments, e-mails)", enrol)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors[:3]
    job_seconds = (job.finished_at - job.started_at).total_seconds()
    print(
        f"{'  of which the job (check + apply, until the page says done)':<58} {job_seconds:6.2f} s"
    )
    assert Enrollment.objects.filter(offering=offering).count() == rows
    assert len(mail.outbox) == rows, len(mail.outbox)

    job = timed(f"Upload the same {rows} rows again (all already enrolled)", enrol)
    job.refresh_from_db()
    assert job.summary["already_enrolled"] == rows, job.summary

    half = rows // 2
    results = "email,assessment,result,score\n" + "".join(
        f"learner{i}@example.org,Task {t},pass,{50 + i % 50}\n" for i in range(half) for t in (1, 2)
    )

    def record():
        return import_job_create(
            kind="results",
            offering=offering,
            acting_user=admin,
            upload=Upload("results.csv", results),
        )

    job = timed(f"Record {2 * half} results ({half} learners complete the course)", record)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors[:3]
    assert job.summary["completed"] == half, job.summary


if __name__ == "__main__":
    main()
