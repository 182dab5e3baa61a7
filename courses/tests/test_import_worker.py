"""Imports through a real Celery worker: the upload returns at once, the worker applies the
job, and the status endpoint the progress page polls reaches done."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import UserFactory
from assessments.models import AssessmentRecord
from assessments.tests.factories import assessment_plan
from courses.models import Enrollment, ImportJob
from courses.services import enrollment_create

from .factories import leads_admin, published_course, running_offering

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_until_finished(client, job_id, timeout=60):
    status_url = reverse("imports:job_status", kwargs={"job_id": job_id})
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.get(status_url).json()
        seen.append(data["status"])
        if data["finished"]:
            return data, seen
        time.sleep(0.2)
    raise AssertionError(f"the import did not finish in {timeout} s; statuses seen: {seen[-5:]}")


def post(client, offering, kind, content):
    target = reverse(f"imports:{kind}", kwargs={"offering_pk": offering.pk})
    upload = SimpleUploadedFile("file.csv", content.encode(), content_type="text/csv")
    response = client.post(target, {"file": upload})
    assert response.status_code == 302
    return ImportJob.objects.latest("created_at")


def test_the_worker_applies_an_enrolment_import_and_the_status_reaches_done(celery_worker, client):
    admin = leads_admin()
    offering = running_offering()
    rows = "".join(f"learner{i}@example.org,Learner {i},S{i}\n" for i in range(1200))
    client.force_login(admin)
    job = post(client, offering, "enrolments", "email,name,student_id\n" + rows)

    data, seen = wait_until_finished(client, job.pk)
    assert data["status"] == "done", data["errors"]
    assert data["processed"] == data["total"] == 1200
    summary = {item["key"]: item["value"] for item in data["summary"]}
    assert summary["enrolled"] == summary["created"] == 1200
    assert Enrollment.objects.filter(offering=offering).count() == 1200
    job.refresh_from_db()
    assert job.rows == []

    # The same file again, through the worker: nobody is enrolled twice.
    again = post(client, offering, "enrolments", "email,name,student_id\n" + rows)
    data, _ = wait_until_finished(client, again.pk)
    summary = {item["key"]: item["value"] for item in data["summary"]}
    assert summary["already_enrolled"] == 1200 and summary["enrolled"] == 0
    assert Enrollment.objects.filter(offering=offering).count() == 1200


def test_the_worker_applies_a_results_import_that_completes_a_learner(celery_worker, client):
    instructor = UserFactory(is_instructor=True, is_learner=False)
    course = published_course(outcomes=2)
    assessment_plan(course)
    offering = running_offering(course=course, instructors=[instructor])
    enrollment = enrollment_create(
        offering=offering, learner=UserFactory(email="amina@example.org")
    )
    client.force_login(instructor)
    job = post(
        client,
        offering,
        "results",
        "email,assessment,result\namina@example.org,Task 1,pass\namina@example.org,Task 2,pass\n",
    )

    data, _ = wait_until_finished(client, job.pk)
    assert data["status"] == "done", data["errors"]
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert AssessmentRecord.objects.filter(source="csv", enrollment=enrollment).count() == 2


def test_a_bad_file_fails_in_the_worker_with_its_lines(celery_worker, client):
    offering = running_offering()
    client.force_login(leads_admin())
    job = post(client, offering, "enrolments", "email,name\nbad,Someone\nnew@example.org,\n")
    data, _ = wait_until_finished(client, job.pk)
    assert data["status"] == "failed"
    assert [e["line"] for e in data["errors"]] == [2, 3]
    assert Enrollment.objects.count() == 0
