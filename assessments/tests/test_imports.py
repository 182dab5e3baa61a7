"""Results by CSV: recorded whole or not at all, with every bad row named; completes learners."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from assessments.models import AssessmentRecord
from assessments.services import RecordRefused, results_record
from courses.imports import import_job_create, import_job_run
from courses.models import Enrollment, ImportJob
from courses.services import enrollment_create
from courses.tests.factories import leads_admin, published_course, running_offering
from courses.tests.test_imports import csv_file

from .factories import assessment_plan

pytestmark = pytest.mark.django_db

HEADER = "email,assessment,result,score,evidence_url,feedback,assessed_on\n"
# Within the running offering (it started a week ago): results are dated from its start.
ASSESSED = date.today() - timedelta(days=2)


@pytest.fixture
def setting():
    """Two summative tasks, one per outcome, and two learners enrolled."""
    instructor = UserFactory(is_instructor=True, is_learner=False)
    course = published_course(outcomes=2)
    plan = assessment_plan(course, formative=True)
    offering = running_offering(course=course, instructors=[instructor])
    amina = enrollment_create(offering=offering, learner=UserFactory(email="amina@example.org"))
    bilal = enrollment_create(offering=offering, learner=UserFactory(email="bilal@example.org"))
    return instructor, plan, offering, amina, bilal


def url(offering):
    return reverse("imports:results", kwargs={"offering_pk": offering.pk})


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    def post(offering, content, user, name="results.csv"):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url(offering), {"file": csv_file(content, name)})

    return post


def last_job():
    return ImportJob.objects.latest("created_at")


def records():
    return AssessmentRecord.objects.count()


GOOD = (
    HEADER
    + f"amina@example.org,Task 1,pass,78.5,https://vle.example.org/s/1,Clear work.,{ASSESSED}\n"
    + "AMINA@example.org,task 2,Pass,,,,\n"
    + "bilal@example.org,Task 1,fail,40,,Revise part 2.,\n"
)


def test_a_results_file_records_every_row_and_completes_a_learner(setting, upload):
    instructor, (task1, task2, _), offering, amina, bilal = setting
    response = upload(offering, GOOD, instructor)
    job = last_job()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.summary == {"rows": 3, "recorded": 3, "unchanged": 0, "completed": 1}
    amina.refresh_from_db()
    bilal.refresh_from_db()
    assert amina.completed_at is not None  # both summative tasks passed: every outcome shown
    assert bilal.completed_at is None
    first = AssessmentRecord.objects.get(enrollment=amina, assessment=task1)
    assert first.source == AssessmentRecord.Source.CSV
    assert first.assessor == instructor
    assert first.score == Decimal("78.5")
    assert first.evidence_url == "https://vle.example.org/s/1"
    assert first.feedback == "Clear work."
    assert first.assessed_on == ASSESSED
    assert AssessmentRecord.objects.get(enrollment=amina, assessment=task2).assessed_on == (
        date.today()
    )


def test_uploading_the_same_results_again_records_nothing_twice(setting, upload):
    instructor, _, offering, *_ = setting
    upload(offering, GOOD, instructor)
    before = records()
    upload(offering, GOOD, instructor)
    job = last_job()
    assert job.status == ImportJob.Status.DONE
    assert job.summary == {"rows": 3, "recorded": 0, "unchanged": 3, "completed": 0}
    assert records() == before


def test_a_corrected_result_replaces_the_current_one_and_keeps_the_history(setting, upload):
    instructor, (task1, *_), offering, _, bilal = setting
    upload(offering, HEADER + "bilal@example.org,Task 1,fail,,,,\n", instructor)
    upload(offering, HEADER + "bilal@example.org,Task 1,pass,,,,\n", instructor)
    history = AssessmentRecord.objects.filter(enrollment=bilal, assessment=task1)
    assert history.count() == 2
    assert history.get(is_current=True).result == "pass"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("amina@example.org,Essay,pass,,,,", "This course has no assessment called “Essay”"),
        ("nobody@example.org,Task 1,pass,,,,", "nobody@example.org is not enrolled"),
        ("not-an-email,Task 1,pass,,,,", "is not a valid e-mail address"),
        ("bilal@example.org,Task 1,P,,,,", "The result must be pass or fail, not “p”"),
        ("bilal@example.org,Task 1,,,,,", "The result is missing"),
        ("bilal@example.org,Task 1,pass,abc,,,", "The score “abc” is not a number"),
        ("bilal@example.org,Task 1,pass,-1,,,", "The score must be between 0 and 9999.99"),
        ("bilal@example.org,Task 1,pass,1.234,,,", "more than two decimal places"),
        ("bilal@example.org,Task 1,pass,,,,2026-13-01", "is not a date written YYYY-MM-DD"),
        ("bilal@example.org,Task 1,pass,,,,05/01/2026", "is not a date written YYYY-MM-DD"),
        ("bilal@example.org,Task 1,pass,,not a link,,", "is not a web address"),
        ("bilal@example.org,Task 1,pass,,javascript:alert(1),,", "is not a web address"),
        ("bilal@example.org,Task 1,pass,,,", "Missing column: assessed_on"),
        ("amina@example.org,TASK 1,fail,,,,", "is already on line 2"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_recorded(setting, upload, row, message):
    instructor, _, offering, amina, _ = setting
    content = HEADER + "amina@example.org,Task 1,pass,,,,\n" + row + "\n"
    before = records()
    upload(offering, content, instructor)
    job = last_job()
    assert job.status == ImportJob.Status.FAILED
    assert [e["line"] for e in job.errors] == [3]
    assert message in job.errors[0]["message"]
    assert records() == before
    amina.refresh_from_db()
    assert amina.completed_at is None


def test_a_future_date_is_refused(setting, upload):
    instructor, _, offering, *_ = setting
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    upload(offering, HEADER + f"bilal@example.org,Task 1,pass,,,,{tomorrow}\n", instructor)
    assert "is in the future" in last_job().errors[0]["message"]
    assert records() == 0


def test_a_learner_of_another_offering_is_not_enrolled_in_this_one(setting, upload):
    instructor, _, offering, *_ = setting
    other = running_offering(course=offering.course)
    enrollment_create(offering=other, learner=UserFactory(email="elsewhere@example.org"))
    upload(offering, HEADER + "elsewhere@example.org,Task 1,pass,,,,\n", instructor)
    assert "is not enrolled in this offering" in last_job().errors[0]["message"]
    assert records() == 0


@pytest.fixture
def admin_job(django_capture_on_commit_callbacks):
    def make(offering, content):
        with django_capture_on_commit_callbacks(execute=False):
            return import_job_create(
                kind="results",
                offering=offering,
                acting_user=leads_admin(),
                upload=csv_file(content),
            )

    return make


def test_a_row_refused_while_applying_rolls_back_every_row(setting, admin_job):
    """If the world changes between the check and the apply, nothing is half-written."""
    offering = setting[2]
    job = admin_job(
        offering,
        HEADER + "amina@example.org,Task 1,pass,,,,\nbilal@example.org,Task 1,pass,,,,\n",
    )

    def refuse_the_second(*, entries, **kwargs):
        results_record(entries=entries[:1], **kwargs)  # the first row is written…
        raise RecordRefused("The course changed.", index=1)  # …and the second refused

    with mock.patch("assessments.imports.results_record", side_effect=refuse_the_second):
        assert import_job_run(job_id=job.pk) == ImportJob.Status.FAILED
    job.refresh_from_db()
    assert job.errors == [{"line": 3, "message": "The course changed."}]
    assert records() == 0


def test_running_a_results_job_twice_records_once(setting, admin_job):
    job = admin_job(setting[2], GOOD)
    assert import_job_run(job_id=job.pk) == ImportJob.Status.DONE
    assert import_job_run(job_id=job.pk) == ImportJob.Status.DONE
    assert records() == 3


def test_who_may_import_results(setting, client, upload):
    instructor, _, offering, amina, _ = setting
    target = url(offering)
    response = client.get(target)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    other_instructor = UserFactory(is_instructor=True, is_learner=False)
    for person in (amina.learner, other_instructor):
        client.force_login(person)
        assert client.get(target).status_code == 403
        assert client.post(target, {"file": csv_file(GOOD)}).status_code == 403
    # The course's leader answers for its assessment (and settles assessors' disagreements).
    for person in (instructor, offering.course.leader, leads_admin()):
        client.force_login(person)
        page = client.get(target)
        assert page.status_code == 200
        assert "<code>assessed_on</code>" in page.content.decode()
    template = client.get(reverse("imports:results_template", kwargs={"offering_pk": offering.pk}))
    header, example = template.content.decode("utf-8-sig").splitlines()
    assert header == HEADER.strip() and ",Task 1,pass," in example
    upload(offering, GOOD, leads_admin())
    assert last_job().status == ImportJob.Status.DONE
    assert Enrollment.objects.filter(completed_at__isnull=False).count() == 1
