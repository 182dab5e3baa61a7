"""The VLE's results API: results recorded through the service, completion reported back."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.api_tokens import vle_token_create
from accounts.tests.factories import UnitFactory, UserFactory
from assessments.models import AssessmentRecord
from courses.models import Enrollment
from courses.tests.factories import enrolled_learners, published_course, running_offering

from .factories import assessment_plan

# Within the running offering (it started a week ago).
ASSESSED = (date.today() - timedelta(days=2)).isoformat()
pytestmark = pytest.mark.django_db

URL = "/api/v1/results"


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def unit():
    return UnitFactory(name="Institute for Educational Development")


@pytest.fixture
def cohort(unit):
    course = published_course(unit=unit, outcomes=2)
    task1, task2 = assessment_plan(course)
    offering = running_offering(course=course)
    (enrollment,) = enrolled_learners(offering, 1)
    return offering, task1, task2, enrollment


@pytest.fixture
def vle(unit):
    account, _, _ = vle_token_create(email="vle@ied.example.org", unit=unit)
    return token_client(account), account


def body(offering, enrollment, assessment, **fields):
    return {
        "offering": offering.pk,
        "email": enrollment.learner.email,
        "assessment": assessment,
        "result": "pass",
        **fields,
    }


def test_the_url_is_the_named_route():
    assert reverse("api-results") == URL


def test_results_are_recorded_and_completion_is_reported(cohort, vle):
    offering, task1, task2, enrollment = cohort
    client, account = vle

    first = client.post(
        URL,
        body(
            offering,
            enrollment,
            str(task1.pk),
            score="87.5",
            evidence_url="https://vle.example.org/submissions/42",
            feedback="Clear and well argued.",
            assessed_on=ASSESSED,
        ),
        format="json",
    )
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["completed"] is False and data["completed_at"] is None
    assert data["assessment"] == {"id": task1.pk, "title": "Task 1"}
    assert data["score"] == "87.50" and data["assessed_on"] == ASSESSED
    assert data["source"] == "api" and data["email"] == enrollment.learner.email
    record = AssessmentRecord.objects.get(pk=data["id"])
    assert record.source == AssessmentRecord.Source.API and record.assessor == account

    # By title, whatever its case: the second outcome is now shown, so the course is complete.
    second = client.post(URL, body(offering, enrollment, "  task 2 "), format="json")
    assert second.status_code == 201, second.json()
    assert second.json()["completed"] is True and second.json()["completed_at"]
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None


def test_the_same_result_twice_is_one_record(cohort, vle):
    offering, task1, _, enrollment = cohort
    client, _ = vle
    payload = body(offering, enrollment, "Task 1", score=70, feedback="Good.")
    first = client.post(URL, payload, format="json")
    again = client.post(URL, payload, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert AssessmentRecord.objects.filter(enrollment=enrollment).count() == 1


def test_a_changed_result_is_a_new_record_and_the_earlier_one_is_kept(cohort, vle):
    offering, task1, _, enrollment = cohort
    client, _ = vle
    client.post(URL, body(offering, enrollment, "Task 1", result="fail"), format="json")
    response = client.post(URL, body(offering, enrollment, "Task 1"), format="json")
    assert response.status_code == 201
    history = AssessmentRecord.objects.filter(enrollment=enrollment, assessment=task1)
    assert [(r.result, r.is_current) for r in history] == [("pass", True), ("fail", False)]


def test_a_learner_not_enrolled_is_400_and_nothing_is_recorded(cohort, vle):
    offering, task1, _, _ = cohort
    client, _ = vle
    stranger = UserFactory(email="stranger@example.org")
    response = client.post(
        URL,
        {
            "offering": offering.pk,
            "email": stranger.email,
            "assessment": task1.pk,
            "result": "pass",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "email": [f"stranger@example.org is not enrolled in offering {offering.pk}."]
    }
    assert not AssessmentRecord.objects.exists()


def test_an_unknown_assessment_or_offering_is_400(cohort, vle, unit):
    offering, _, _, enrollment = cohort
    client, _ = vle
    other_course_task = assessment_plan(published_course(unit=unit, outcomes=1))[0]

    unknown = client.post(URL, body(offering, enrollment, "Final exam"), format="json")
    assert unknown.status_code == 400
    message = unknown.json()["assessment"][0]
    assert "no assessment “Final exam”" in message and "Task 1" in message

    foreign = client.post(URL, body(offering, enrollment, str(other_course_task.pk)), format="json")
    assert foreign.status_code == 400 and "assessment" in foreign.json()

    no_offering = client.post(
        URL, {**body(offering, enrollment, "Task 1"), "offering": 987654}, format="json"
    )
    assert no_offering.status_code == 400
    assert no_offering.json() == {"offering": ["There is no offering 987654."]}
    assert not AssessmentRecord.objects.exists()


def test_a_malformed_payload_is_400_with_every_field_error(cohort, vle):
    offering, _, _, enrollment = cohort
    client, _ = vle
    response = client.post(
        URL,
        {
            "offering": "first",
            "email": "nobody",
            "result": "maybe",
            "score": -1,
            "evidence_url": "not a link",
            "assessed_on": "yesterday",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {
        "offering",
        "email",
        "assessment",
        "result",
        "score",
        "evidence_url",
        "assessed_on",
    }
    assert response.json()["result"] == ['"maybe" is not a valid choice.']
    assert not AssessmentRecord.objects.exists()
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None


def test_no_token_is_401(cohort):
    offering, task1, _, enrollment = cohort
    response = APIClient().post(URL, body(offering, enrollment, task1.pk), format="json")
    assert response.status_code == 401
    assert not AssessmentRecord.objects.exists()


def test_another_units_course_is_403(vle):
    client, _ = vle
    course = published_course(unit=UnitFactory(name="Medical College"), outcomes=1)
    (task,) = assessment_plan(course)
    offering = running_offering(course=course)
    (enrollment,) = enrolled_learners(offering, 1)
    response = client.post(URL, body(offering, enrollment, task.pk), format="json")
    assert response.status_code == 403
    assert "only on courses of Institute for Educational Development" in response.json()["detail"]
    assert not AssessmentRecord.objects.exists()


def test_an_instructor_of_the_offering_may_record_for_another_units_course(unit):
    """may_record widens a token's scope for results (not for enrolments)."""
    instructor = UserFactory(is_instructor=True, unit=unit)
    course = published_course(unit=UnitFactory(), outcomes=1)
    (task,) = assessment_plan(course)
    offering = running_offering(course=course, instructors=[instructor])
    (enrollment,) = enrolled_learners(offering, 1)
    client = token_client(instructor)

    response = client.post(URL, body(offering, enrollment, task.pk), format="json")
    assert response.status_code == 201
    assert response.json()["completed"] is True
    assert Enrollment.objects.get(pk=enrollment.pk).completed_at is not None
    enrol = client.post(
        f"/api/v1/offerings/{offering.pk}/enrolments",
        {"email": "new@example.org", "name": "New"},
        format="json",
    )
    assert enrol.status_code == 403
