"""Data for the review pages' tests, made through the real services (STYLE.md, rule 8)."""

from datetime import timedelta

from django.utils import timezone

from accounts.tests.factories import UserFactory
from courses.models import Course, LearningOutcome
from leads.models import Decision, Submission
from leads.services import course_revise, course_submit

from .factories import decided_course, make_unit_with_dean, submitted_course

CHANGED_OUTCOME = "Design and lead a professional development programme for a team of teachers."
AFFIRMATIONS = dict(
    affirms_aim=True,
    affirms_eligibility=True,
    affirms_prerequisites=True,
    affirms_resources=True,
    affirms_budget=True,
)


def resubmitted_course(*, new_outcome=CHANGED_OUTCOME, outcome_position=1, **kwargs):
    """Changes requested on submission 1, one outcome reworded, then submitted again.

    Returns (course, first submission, second submission).
    """
    course, first = decided_course("changes_requested", comment="Reword LO2.", **kwargs)
    LearningOutcome.objects.filter(course=course, position=outcome_position).update(
        text=new_outcome
    )
    second = course_submit(
        course=course, acting_user=course.leader, signed_name=course.leader.full_name
    )
    course.refresh_from_db()
    return course, first, second


def submitted_revision(**overrides):
    """An approved course revised (with `overrides` on the new version) and submitted.

    Returns (approved version, its submission, the revision, the revision's submission).
    """
    course, approved = decided_course("approved", comment="")
    draft = course_revise(course=course, acting_user=course.leader)
    Course.objects.filter(pk=draft.pk).update(**{**AFFIRMATIONS, **overrides})
    submission = course_submit(
        course=draft, acting_user=draft.leader, signed_name=draft.leader.full_name
    )
    draft.refresh_from_db()
    return course, approved, draft, submission


def submitted_in(unit, *, count, title="Course", days_ago=None):
    """`count` submitted courses of `unit`, each with its own leader; returns their submissions."""
    submissions = []
    for index in range(count):
        _, submission = submitted_course(unit=unit, title=f"{title} {index + 1}")
        submissions.append(submission)
    if days_ago is not None:
        age(submissions, days=days_ago)
    return submissions


def age(submissions, *, days):
    """Pretend the submissions were sent `days` ago (submitted_at is set on creation)."""
    when = timezone.now() - timedelta(days=days)
    Submission.objects.filter(pk__in=[s.pk for s in submissions]).update(submitted_at=when)
    for submission in submissions:
        submission.submitted_at = when


def other_unit_dean():
    """The dean of a unit with no courses: may see none of another unit's submissions."""
    _, dean, _ = make_unit_with_dean()
    return dean


def learner():
    return UserFactory(full_name="Learner Person")


def leads_admin():
    return UserFactory(full_name="Admin Person", is_leads_admin=True, is_learner=False)


def decision_count():
    return Decision.objects.count()
