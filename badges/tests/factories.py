"""Issued badges made the way the centre makes them: a published course with its assessment
plan, an offering, results recorded until the enrollment completes, the badge class designed by
the LEADS team and the assertion issued by the service (STYLE.md, rule 8)."""

from decimal import Decimal

from accounts.tests.factories import UserFactory
from assessments.services import record_result
from assessments.tests.factories import assessment_plan
from badges.services import assertion_issue, assertion_revoke, badge_class_create
from courses.services import enrollment_create
from courses.tests.factories import leads_admin, published_course, running_offering

EU_FIELDS = {
    "credits": 2,
    "teaching_hours": Decimal("15"),
    "self_study_hours": Decimal("33"),
    "other_hours": Decimal("2.5"),
    "eqf_level": 5,
    "eu_assessment_type": "Online assignments marked pass or fail against a rubric",
    "quality_assurance": "Approved by the Dean under the LEADS course review",
    "modality": "asynchronous",
}


def badge_course(*, title="Data Analytics with Python", issue_mode="automatic", **fields):
    """A published course whose badge is designed, with an offering and an instructor.

    Returns (course, plan, offering, instructor, badge_class).
    """
    course = published_course(
        title=title,
        outcomes=fields.pop("outcomes", 2),
        badge_issue_mode=issue_mode,
        **{"badge_expiry_months": 24, **EU_FIELDS, **fields},
    )
    plan = assessment_plan(course)
    instructor = UserFactory(is_instructor=True, is_learner=False)
    offering = running_offering(course=course, instructors=[instructor])
    badge = badge_class_create(course=course, acting_user=leads_admin())
    return course, plan, offering, instructor, badge


def complete(enrollment, plan, instructor, *, evidence_url="https://vle.example/submissions/1"):
    """Pass every summative assessment: the last result completes the enrollment."""
    for assessment in plan:
        record_result(
            enrollment=enrollment,
            assessment=assessment,
            result="pass",
            acting_user=instructor,
            evidence_url=evidence_url,
            feedback="Clear and well argued.",
        )
    enrollment.refresh_from_db()
    return enrollment


def issued_badge(*, learner=None, course_setup=None, **course_fields):
    """An assertion issued for a completed enrollment.

    Completion enqueues issuance on commit (which a test inside a transaction never reaches), so
    the service is called here as the task would call it; it returns the same badge if the
    task already issued it.
    """
    course, plan, offering, instructor, _ = course_setup or badge_course(**course_fields)
    learner = learner or UserFactory(is_learner=True, full_name="Amina Yusuf")
    enrollment = enrollment_create(offering=offering, learner=learner)
    complete(enrollment, plan, instructor)
    assertion, _ = assertion_issue(enrollment=enrollment)
    return assertion


def revoked_badge(*, reason="Plagiarised final project", **kwargs):
    assertion = issued_badge(**kwargs)
    return assertion_revoke(assertion=assertion, acting_user=leads_admin(), reason=reason)
