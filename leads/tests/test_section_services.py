"""The template's writes: each service says what it writes and checks who may write it."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.tests.factories import UserFactory
from assessments.models import Assessment
from courses.models import Course
from courses.services import CourseNotEditable
from leads.services import (
    ContentUnitRow,
    OutcomeRow,
    course_assessment_remove,
    course_assessment_save,
    course_section_save,
)

from .factories import complete_course, submitted_course

pytestmark = pytest.mark.django_db


def test_a_section_writes_its_fields_and_nothing_else():
    course = complete_course()
    course_section_save(
        course=course, acting_user=course.leader, fields={"title": "New name", "aim": "New aim."}
    )
    course.refresh_from_db()
    assert (course.title, course.aim) == ("New name", "New aim.")
    with pytest.raises(ValueError, match="status"):
        course_section_save(course=course, acting_user=course.leader, fields={"status": "approved"})
    with pytest.raises(ValueError, match="leader"):
        course_section_save(course=course, acting_user=course.leader, fields={"leader": None})


def test_outcomes_are_kept_reordered_added_and_removed_as_listed():
    course = complete_course()
    first, second, third = course.outcomes.all()
    course_section_save(
        course=course,
        acting_user=course.leader,
        outcomes=[
            OutcomeRow(id=third.pk, text=third.text),
            OutcomeRow(id=first.pk, text="Analyse a school's data."),
            OutcomeRow(text="Design a plan."),
        ],
    )
    rows = list(course.outcomes.all())
    assert [r.text for r in rows] == [third.text, "Analyse a school's data.", "Design a plan."]
    assert [r.pk for r in rows[:2]] == [third.pk, first.pk]
    assert not course.outcomes.filter(pk=second.pk).exists()


def test_rows_of_another_course_are_refused():
    course = complete_course()
    other = complete_course(title="Another")
    stranger = other.content_units.first()
    with pytest.raises(ValueError, match="not this course's"):
        course_section_save(
            course=course,
            acting_user=course.leader,
            content_units=[ContentUnitRow(id=stranger.pk, title="Taken over")],
        )
    stranger.refresh_from_db()
    assert stranger.title != "Taken over"


def test_only_the_leader_writes_and_only_while_editable():
    course = complete_course()
    with pytest.raises(PermissionDenied):
        course_section_save(course=course, acting_user=UserFactory(), fields={"title": "X"})
    submitted, _ = submitted_course(title="Frozen")
    with pytest.raises(CourseNotEditable):
        course_section_save(course=submitted, acting_user=submitted.leader, fields={"aim": "X"})
    assert Course.objects.get(pk=submitted.pk).aim != "X"


def test_assessments_are_saved_and_removed_by_the_leader_only():
    course = complete_course()
    outcome = course.outcomes.first()
    assessment = course_assessment_save(
        course=course,
        acting_user=course.leader,
        title="Quiz",
        kind="quiz",
        purpose="formative",
        criteria={outcome: "answers correctly"},
    )
    assert assessment.criteria.get().pass_description == "answers correctly"
    foreign = complete_course(title="Another").outcomes.first()
    with pytest.raises(ValueError):
        course_assessment_save(
            course=course,
            acting_user=course.leader,
            assessment=assessment,
            title="Quiz",
            kind="quiz",
            purpose="formative",
            criteria={foreign: "x"},
        )
    with pytest.raises(PermissionDenied):
        course_assessment_remove(course=course, acting_user=UserFactory(), assessment=assessment)
    course_assessment_remove(course=course, acting_user=course.leader, assessment=assessment)
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
