from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from assessments.models import AssessmentRecord
from courses.tests.factories import enrolled_learners, published_course, running_offering

from .factories import assessment_plan

# Within the running offering (it started a week ago).
ASSESSED = (date.today() - timedelta(days=2)).isoformat()
pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    instructor = UserFactory(is_instructor=True, is_learner=False)
    course = published_course(outcomes=2)
    plan = assessment_plan(course)
    offering = running_offering(course=course, instructors=[instructor])
    return instructor, plan, offering


def grid_url(offering):
    return reverse("assessments:grid", args=[offering.pk])


def test_an_instructor_records_a_whole_cohort_in_the_grid(client, setting):
    instructor, (task1, task2), offering = setting
    e1, e2 = enrolled_learners(offering, 2)
    client.force_login(instructor)
    data = {
        f"r_{e1.pk}_{task1.pk}": "pass",
        f"r_{e1.pk}_{task2.pk}": "pass",
        f"r_{e2.pk}_{task1.pk}": "fail",
        f"r_{e2.pk}_{task2.pk}": "",
    }
    response = client.post(grid_url(offering), data, follow=True)
    assert "3 results recorded. 1 of 2 learners have completed" in response.content.decode()
    e1.refresh_from_db()
    assert e1.completed_at is not None
    assert AssessmentRecord.objects.filter(source="grid").count() == 3
    # Posting the same grid again records nothing new.
    client.post(grid_url(offering), data)
    assert AssessmentRecord.objects.count() == 3


def test_an_instructor_who_does_not_teach_the_offering_is_refused(client, setting):
    _, (task1, _), offering = setting
    (e1,) = enrolled_learners(offering, 1)
    client.force_login(UserFactory(is_instructor=True))
    assert client.get(grid_url(offering)).status_code == 403
    assert client.post(grid_url(offering), {f"r_{e1.pk}_{task1.pk}": "pass"}).status_code == 403
    assert not AssessmentRecord.objects.exists()


def test_recording_for_one_learner_with_evidence_and_feedback(client, setting):
    instructor, (task1, _), offering = setting
    (enrollment,) = enrolled_learners(offering, 1)
    client.force_login(instructor)
    url = reverse("assessments:learner_record", args=[offering.pk, enrollment.pk])
    response = client.post(
        url,
        {
            "assessment": task1.pk,
            "result": "pass",
            "evidence_url": "https://vle.example/submissions/42",
            "evidence_file": SimpleUploadedFile("../../etc/report.pdf", b"%PDF-1.4 evidence"),
            "feedback": "Clear <b>analysis</b>.",
            "assessed_on": ASSESSED,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Result recorded" in page
    assert "Clear &lt;b&gt;analysis&lt;/b&gt;." in page
    record = AssessmentRecord.objects.get()
    assert record.evidence_file.name.startswith(f"evidence/{enrollment.pk}/")
    assert ".." not in record.evidence_file.name


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("assessed_on", "2999-01-01", "cannot be in the future"),
        ("evidence_file", SimpleUploadedFile("run.exe", b"MZ"), "not accepted as evidence"),
        ("result", "maybe", "Select a valid choice"),
    ],
)
def test_bad_record_input_is_refused_with_a_message(client, setting, field, value, message):
    instructor, (task1, _), offering = setting
    (enrollment,) = enrolled_learners(offering, 1)
    client.force_login(instructor)
    data = {"assessment": task1.pk, "result": "pass", "assessed_on": ASSESSED, field: value}
    url = reverse("assessments:learner_record", args=[offering.pk, enrollment.pk])
    response = client.post(url, data)
    assert message in response.content.decode()
    assert not AssessmentRecord.objects.exists()


def test_a_learner_sees_progress_turn_into_completion(client, setting):
    instructor, (task1, task2), offering = setting
    (enrollment,) = enrolled_learners(offering, 1)
    client.force_login(enrollment.learner)
    page = client.get(reverse("assessments:my_enrollment", args=[enrollment.pk])).content
    assert b"0 of 2" in page
    from assessments.services import record_result

    record_result(enrollment=enrollment, assessment=task1, result="pass", acting_user=instructor)
    page = client.get(reverse("assessments:my_learning")).content.decode()
    assert "1 of 2 learning outcomes demonstrated" in page
    record_result(enrollment=enrollment, assessment=task2, result="pass", acting_user=instructor)
    page = client.get(reverse("assessments:my_enrollment", args=[enrollment.pk])).content.decode()
    assert "you have demonstrated every learning outcome" in page


def test_a_learner_cannot_read_another_learners_records(client, setting):
    _, _, offering = setting
    mine, theirs = enrolled_learners(offering, 2)
    client.force_login(mine.learner)
    assert client.get(reverse("assessments:my_enrollment", args=[theirs.pk])).status_code == 404


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_grid_and_roster_query_counts_do_not_grow_with_the_cohort(client, setting):
    instructor, (task1, _), offering = setting
    small = running_offering(course=offering.course, instructors=[instructor])
    enrolled_learners(small, 5)
    enrolled_learners(offering, 500)
    client.force_login(instructor)
    for url_name, app in [("grid", "assessments"), ("offering_detail", "courses")]:
        few = count_queries(client, reverse(f"{app}:{url_name}", args=[small.pk]))
        many = count_queries(client, reverse(f"{app}:{url_name}", args=[offering.pk]))
        assert few == many, url_name
