"""assessments.selectors.outcomes_demonstrated: the one answer to "what did this learner
demonstrate?", numbered the one way, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from assessments import selectors
from assessments.services import record_result
from courses.models import LearningOutcome
from courses.tests.factories import enrolled_learners, published_course, running_offering

from .factories import assessment_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    instructor = UserFactory(is_instructor=True)
    course = published_course(outcomes=3)
    plan = assessment_plan(course, formative=True)
    offering = running_offering(course=course, instructors=[instructor])
    return instructor, course, plan, offering


def test_every_outcome_in_order_with_its_code_text_and_the_assessments_that_showed_it(cohort):
    instructor, course, (task1, task2, task3, practice), offering = cohort
    (enrollment,) = enrolled_learners(offering, 1)
    record_result(enrollment=enrollment, assessment=task1, result="pass", acting_user=instructor)
    record_result(enrollment=enrollment, assessment=task2, result="fail", acting_user=instructor)
    record_result(
        enrollment=enrollment, assessment=practice, result="pass", acting_user=instructor
    )  # formative: shows nothing
    results = selectors.outcomes_demonstrated([enrollment])[enrollment.pk]
    assert [(o.code, o.text, o.demonstrated) for o in results.outcomes] == [
        ("LO1", "Apply skill 1.", True),
        ("LO2", "Apply skill 2.", False),
        ("LO3", "Apply skill 3.", False),
    ]
    assert [p.title for p in results.outcomes[0].demonstrated_by] == ["Task 1"]
    assert not results.all_demonstrated and results.demonstrated_count == 1
    assert results.as_json()[0]["demonstrated_by"][0]["title"] == "Task 1"


def test_outcomes_are_numbered_by_position_then_id_whatever_their_stored_positions(cohort):
    """Before, LO codes came from `position + 1` on one page and from the order elsewhere: a
    course whose positions have a gap was numbered two ways."""
    _, course, _, offering = cohort
    LearningOutcome.objects.filter(course=course, position=2).update(position=7)
    extra = LearningOutcome.objects.create(course=course, position=7, text="Apply skill 4.")
    (enrollment,) = enrolled_learners(offering, 1)
    results = selectors.outcomes_demonstrated([enrollment])[enrollment.pk]
    assert [o.code for o in results.outcomes] == ["LO1", "LO2", "LO3", "LO4"]
    assert results.outcomes[3].outcome_id == extra.pk  # same position: the later id last
    numbered = selectors.numbered_outcomes([course.pk])[course.pk]
    assert [code for code, _ in numbered] == ["LO1", "LO2", "LO3", "LO4"]


def test_a_fixed_number_of_queries_for_any_number_of_enrollments_and_courses(cohort):
    instructor, course, plan, offering = cohort
    few = enrolled_learners(offering, 2)
    other = published_course(title="Other", outcomes=2)
    other_plan = assessment_plan(other)
    other_offering = running_offering(course=other, instructors=[instructor])
    many = enrolled_learners(offering, 20) + enrolled_learners(other_offering, 20)
    for enrollment in many[:5] + many[-5:]:
        for task in (plan if enrollment.offering_id == offering.pk else other_plan)[:2]:
            record_result(
                enrollment=enrollment, assessment=task, result="pass", acting_user=instructor
            )
    counts = []
    for enrollments in (few, many):
        with CaptureQueriesContext(connection) as queries:
            selectors.outcomes_demonstrated([e.pk for e in enrollments])
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4


def test_completion_the_grid_and_the_progress_pages_agree_with_the_selector(cohort):
    instructor, course, (task1, task2, task3, _), offering = cohort
    enrollment, other = enrolled_learners(offering, 2)
    for task in (task1, task2, task3):
        record_result(enrollment=enrollment, assessment=task, result="pass", acting_user=instructor)
    record_result(enrollment=other, assessment=task2, result="pass", acting_user=instructor)
    enrollment.refresh_from_db()
    other.refresh_from_db()
    results = selectors.outcomes_demonstrated([enrollment, other])
    assert enrollment.completed_at is not None and results[enrollment.pk].all_demonstrated
    assert other.completed_at is None and not results[other.pk].all_demonstrated
    assert selectors.roster_progress([enrollment, other], course.pk) == {
        "total": 3,
        "demonstrated": {enrollment.pk: 3, other.pk: 1},
    }
    assert selectors.learner_progress([other]) == {other.pk: (1, 3)}
    progress = selectors.enrollment_progress(other)
    assert [(p.code, p.demonstrated) for p in progress] == [
        ("LO1", False), ("LO2", True), ("LO3", False),
    ]  # fmt: skip
