"""Courses in every state, made through the real services (STYLE.md, rule 8)."""

from datetime import date

from accounts.services import unit_set_dean
from accounts.tests.factories import UnitFactory, UserFactory
from assessments.models import Assessment, RubricCriterion
from courses.models import ContentUnit, Course, LearningOutcome
from courses.services import course_create
from leads.services import (
    course_submit,
    submission_approve,
    submission_reject,
    submission_request_changes,
)

OUTCOMES = [
    "Analyse a school's data to identify priorities for improvement.",
    "Design a professional development plan for a team of teachers.",
    "Evaluate the impact of a change initiative using evidence.",
]


def make_unit_with_dean(**unit_kwargs):
    unit = UnitFactory(**unit_kwargs)
    dean = UserFactory(full_name="Dean Person", is_learner=False)
    designate = UserFactory(full_name="Designate Person", is_learner=False)
    unit_set_dean(unit=unit, dean=dean, designates=[designate], acting_user=None)
    return unit, dean, designate


def complete_course(*, leader=None, unit=None, title="Leading School Improvement", **overrides):
    """A draft whose checklist is fully met: submitting it succeeds."""
    if unit is None:
        unit, _, _ = make_unit_with_dean()
    leader = leader or UserFactory(is_course_leader=True, unit=unit, full_name="Leader Person")
    course = course_create(leader=leader, unit=unit, title=title)
    fields = dict(
        aim="Equip middle leaders with the skills to lead data-informed school improvement.",
        target_audience="Middle leaders and head teachers in primary and secondary schools.",
        eligibility="At least two years of teaching experience and a current leadership role.",
        prerequisites="None beyond the eligibility criteria.",
        credits=2,
        teaching_hours=16,
        self_study_hours=32,
        other_hours=8,
        modality="hybrid",
        in_person_hours=12,
        planned_start=date(2027, 2, 1),
        planned_end=date(2027, 3, 31),
        evidence_required="A school improvement plan and a reflective portfolio, with feedback.",
        resources_note="Two faculty members, the VLE and a seminar room in Karachi.",
        budget_note="Covered by the unit's continuing education budget.",
        affirms_aim=True,
        affirms_eligibility=True,
        affirms_prerequisites=True,
        affirms_resources=True,
        affirms_budget=True,
        badge_name="School Improvement Leader",
        badge_description="Awarded for leading data-informed school improvement.",
        badge_level="intermediate",
        badge_expiry_months=36,
        badge_issue_mode="automatic",
        badge_message="Congratulations on your badge!",
        eqf_level=6,
        eu_assessment_type="Portfolio and project, assessed pass/fail against a rubric",
        quality_assurance="Internal: approved by the Dean under the LEADS quality process.",
        assessment_supervision="none",
    )
    fields.update(overrides)
    Course.objects.filter(pk=course.pk).update(**fields)
    course.refresh_from_db()
    outcomes = [
        LearningOutcome.objects.create(course=course, position=i, text=text)
        for i, text in enumerate(OUTCOMES)
    ]
    ContentUnit.objects.create(course=course, position=0, title="Using school data")
    ContentUnit.objects.create(
        course=course,
        position=1,
        title="Leading change workshop",
        is_in_person=True,
        place="AKU Karachi campus",
        timing="Week 3",
    )
    ContentUnit.objects.create(course=course, position=2, title="Evaluating impact")
    project = Assessment.objects.create(
        course=course, position=0, title="Improvement plan", kind="project"
    )
    project.outcomes.set(outcomes)
    for outcome in outcomes:
        RubricCriterion.objects.create(
            assessment=project,
            outcome=outcome,
            pass_description=f"Demonstrates: {outcome.text}",
        )
    return course


def submitted_course(**kwargs):
    course = complete_course(**kwargs)
    submission = course_submit(
        course=course, acting_user=course.leader, signed_name=course.leader.full_name
    )
    course.refresh_from_db()
    return course, submission


def decided_course(outcome, comment="Please say more about the assessment.", **kwargs):
    course, submission = submitted_course(**kwargs)
    dean = course.unit.dean
    decide = {
        "approved": submission_approve,
        "changes_requested": submission_request_changes,
        "rejected": submission_reject,
    }[outcome]
    decide(submission=submission, acting_user=dean, comment=comment)
    course.refresh_from_db()
    return course, submission
