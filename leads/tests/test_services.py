import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from courses.models import Course, CourseStatus
from courses.services import TransitionNotAllowed
from leads.models import Decision, Submission
from leads.services import (
    AlreadyDecided,
    SubmissionRefused,
    course_revise,
    course_submit,
    submission_approve,
    submission_request_changes,
)

from .factories import complete_course, decided_course, submitted_course

pytestmark = pytest.mark.django_db


def test_a_complete_course_is_submitted_with_a_frozen_snapshot_and_emails(
    django_capture_on_commit_callbacks,
):
    course = complete_course()
    with django_capture_on_commit_callbacks(execute=True):
        submission = course_submit(
            course=course, acting_user=course.leader, signed_name="Leader Person"
        )
    course.refresh_from_db()
    assert course.status == CourseStatus.SUBMITTED
    assert submission.snapshot["title"] == "Leading School Improvement"
    assert len(submission.snapshot["outcomes"]) == 3
    assert all(item["ok"] for item in submission.checklist if item["kind"] != "approval")
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert course.unit.dean.email in recipients and course.leader.email in recipients
    assert "Submitted for approval" in mail.outbox[0].subject


def test_submission_is_refused_with_every_reason_and_nothing_changes():
    course = complete_course(credits=3, modality="", affirms_budget=False)
    with pytest.raises(SubmissionRefused) as excinfo:
        course_submit(course=course, acting_user=course.leader, signed_name="Leader Person")
    reasons = " ".join(excinfo.value.reasons)
    assert "3 credits need 75–90 hours" in reasons
    assert "modality" in reasons.lower()
    assert "budget" in reasons.lower()
    course.refresh_from_db()
    assert course.status == CourseStatus.DRAFT
    assert not Submission.objects.exists()


def test_only_the_leader_submits():
    course = complete_course()
    with pytest.raises(PermissionDenied):
        course_submit(course=course, acting_user=course.unit.dean, signed_name="Dean")


def test_changes_requested_then_resubmitted_then_approved():
    course, first = decided_course("changes_requested", comment="Add a rubric for LO3.")
    assert course.status == CourseStatus.CHANGES_REQUESTED
    second = course_submit(course=course, acting_user=course.leader, signed_name="Leader Person")
    assert second.number == 2
    submission_approve(submission=second, acting_user=course.unit.designates.first())
    course.refresh_from_db()
    assert course.status == CourseStatus.APPROVED
    assert second.decision.as_designate is True
    history = [(t.from_status, t.to_status) for t in course.transitions.all()]
    assert history == [
        ("draft", "submitted"),
        ("submitted", "changes_requested"),
        ("changes_requested", "submitted"),
        ("submitted", "approved"),
    ]


@pytest.mark.parametrize("decide", [submission_request_changes])
def test_requesting_changes_needs_a_comment(decide):
    course, submission = submitted_course()
    with pytest.raises(ValueError, match="comment is required"):
        decide(submission=submission, acting_user=course.unit.dean, comment="  ")
    course.refresh_from_db()
    assert course.status == CourseStatus.SUBMITTED
    assert not Decision.objects.exists()


def test_a_dean_never_decides_on_a_course_they_lead():
    course, submission = submitted_course()
    dean = course.unit.dean
    Course.objects.filter(pk=course.pk).update(leader=dean)
    with pytest.raises(PermissionDenied, match="You lead this course"):
        submission_approve(submission=submission, acting_user=dean)


def test_a_dean_of_another_unit_is_refused():
    course, submission = submitted_course()
    other_course = complete_course(title="Other")
    with pytest.raises(PermissionDenied):
        submission_approve(submission=submission, acting_user=other_course.unit.dean)
    course.refresh_from_db()
    assert course.status == CourseStatus.SUBMITTED


def test_a_second_decision_is_told_it_was_already_decided():
    course, submission = decided_course("approved")
    with pytest.raises(AlreadyDecided):
        submission_request_changes(
            submission=submission, acting_user=course.unit.designates.first(), comment="Wait"
        )
    assert Decision.objects.count() == 1


def test_revising_an_approved_course_keeps_the_approved_version_live():
    course, _ = decided_course("approved")
    draft = course_revise(course=course, acting_user=course.leader)
    course.refresh_from_db()
    assert course.status == CourseStatus.APPROVED
    assert (draft.version, draft.status, draft.lineage) == (2, "draft", course.lineage)
    assert draft.outcomes.count() == 3
    assert draft.assessments.get().criteria.count() == 3
    with pytest.raises(TransitionNotAllowed):
        course_revise(course=course, acting_user=course.leader)

    # Judgements are made afresh for each version: the leader ticks them again.
    assert not draft.affirms_budget
    Course.objects.filter(pk=draft.pk).update(
        affirms_aim=True,
        affirms_eligibility=True,
        affirms_prerequisites=True,
        affirms_resources=True,
        affirms_budget=True,
    )
    submission = course_submit(course=draft, acting_user=draft.leader, signed_name="Leader")
    submission_approve(submission=submission, acting_user=course.unit.dean)
    course.refresh_from_db()
    assert course.status == CourseStatus.SUPERSEDED
