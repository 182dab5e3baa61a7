import pytest
from django.core.exceptions import PermissionDenied

from accounts.tests.factories import UserFactory
from assessments.models import AssessmentRecord
from assessments.services import RecordRefused, record_result
from courses.tests.factories import enrolled_learners, published_course, running_offering

from .factories import assessment_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    instructor = UserFactory(is_instructor=True)
    course = published_course(outcomes=2)
    plan = assessment_plan(course, formative=True)
    offering = running_offering(course=course, instructors=[instructor])
    (enrollment,) = enrolled_learners(offering, 1)
    return instructor, plan, enrollment


def test_passing_every_summative_assessment_completes_the_enrollment(cohort):
    instructor, (task1, task2, practice), enrollment = cohort
    record_result(enrollment=enrollment, assessment=practice, result="pass", acting_user=instructor)
    record_result(enrollment=enrollment, assessment=task1, result="pass", acting_user=instructor)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None  # formative passes do not count
    record_result(enrollment=enrollment, assessment=task2, result="pass", acting_user=instructor)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None


def test_a_correction_keeps_the_earlier_record_and_a_later_fail_does_not_undo_completion(cohort):
    instructor, (task1, task2, _), enrollment = cohort
    record_result(enrollment=enrollment, assessment=task1, result="pass", acting_user=instructor)
    record_result(enrollment=enrollment, assessment=task2, result="pass", acting_user=instructor)
    enrollment.refresh_from_db()
    completed_at = enrollment.completed_at
    later = record_result(
        enrollment=enrollment, assessment=task2, result="fail", acting_user=instructor,
        feedback="Re-assessed: the dashboard misleads.",
    )  # fmt: skip
    enrollment.refresh_from_db()
    assert enrollment.completed_at == completed_at
    history = AssessmentRecord.objects.filter(enrollment=enrollment, assessment=task2)
    assert [r.result for r in history] == ["fail", "pass"]
    assert later.replaces.result == "pass" and not later.replaces.is_current


def test_recording_the_same_result_twice_adds_nothing(cohort):
    instructor, (task1, _, _), enrollment = cohort
    first = record_result(
        enrollment=enrollment, assessment=task1, result="pass", acting_user=instructor
    )
    again = record_result(
        enrollment=enrollment, assessment=task1, result="pass", acting_user=instructor
    )
    assert first == again
    assert AssessmentRecord.objects.count() == 1


def test_an_instructor_who_does_not_teach_the_offering_is_refused(cohort):
    _, (task1, _, _), enrollment = cohort
    with pytest.raises(PermissionDenied):
        record_result(
            enrollment=enrollment, assessment=task1, result="pass",
            acting_user=UserFactory(is_instructor=True),
        )  # fmt: skip
    assert not AssessmentRecord.objects.exists()


def test_an_assessment_of_another_course_is_refused(cohort):
    instructor, _, enrollment = cohort
    other = assessment_plan(published_course(title="Other"))[0]
    with pytest.raises(RecordRefused):
        record_result(
            enrollment=enrollment, assessment=other, result="pass", acting_user=instructor
        )
