"""The hand-offs of the approval process, announced by e-mail with a link to the exact page."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import PendingTask
from accounts.tests.factories import UserFactory
from leads.services import SubmissionRefused, course_submit, submission_approve
from leads.tasks import send_transition_emails

from .factories import complete_course, submitted_course

pytestmark = pytest.mark.django_db


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_a_submission_takes_the_dean_and_designates_to_its_review_page_after_commit(
    django_capture_on_commit_callbacks,
):
    course = complete_course()
    dean, designate = course.unit.dean, course.unit.designates.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = course_submit(
            course=course, acting_user=course.leader, signed_name="Leader Person"
        )
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    review = settings.SITE_URL + reverse("leads:submission_review", args=[submission.pk])
    queue = settings.SITE_URL + reverse("leads:review_queue")
    for person in (dean, designate):
        (message,) = to(person.email)
        assert message.body.startswith(f"Dear {person.full_name},")
        assert review in message.body and queue + "\n" not in message.body
    (leader_copy,) = to(course.leader.email)
    assert leader_copy.body.startswith("Dear Leader Person,") and review not in leader_copy.body
    assert len(mail.outbox) == 3


def test_a_refused_submission_sends_nothing_and_owes_nothing(django_capture_on_commit_callbacks):
    course = complete_course(affirms_budget=False)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(SubmissionRefused),
    ):
        course_submit(course=course, acting_user=course.leader, signed_name="Leader Person")
    assert mail.outbox == [] and not PendingTask.objects.exists()


def test_an_approval_hands_the_course_to_the_leads_team_with_where_to_publish_and_design(
    django_capture_on_commit_callbacks,
):
    team = UserFactory(is_leads_admin=True, full_name="Amina Khan")
    gone = UserFactory(is_leads_admin=True)
    gone.is_active = False  # not told
    gone.save()
    course, submission = submitted_course()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submission_approve(submission=submission, acting_user=course.unit.dean)
    (message,) = to(team.email)
    assert message.subject == f"Approved: {course.title}"
    assert message.body.startswith("Dear Amina Khan,")
    assert settings.SITE_URL + reverse("courses:centre_courses") in message.body
    assert settings.SITE_URL + reverse("badge_admin:design", args=[course.pk]) in message.body
    # The leader, dean and designate hear of it too; nobody twice.
    assert len(mail.outbox) == 4


def test_changes_requested_are_not_sent_to_the_leads_team(django_capture_on_commit_callbacks):
    team = UserFactory(is_leads_admin=True)
    course, submission = submitted_course()
    from leads.services import submission_request_changes

    with django_capture_on_commit_callbacks(execute=True):
        submission_request_changes(
            submission=submission, acting_user=course.unit.dean, comment="Add a rubric."
        )
    assert to(team.email) == []


def test_the_task_run_twice_sends_each_email_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        course, _ = submitted_course()
    sent = len(mail.outbox)
    transition = course.transitions.get(to_status="submitted")
    assert send_transition_emails.apply(args=[transition.pk]).get() == 0
    assert len(mail.outbox) == sent == 3


def test_an_approved_revision_tells_the_leader_the_earlier_approved_version_is_replaced(
    django_capture_on_commit_callbacks,
):
    from leads.services import course_revise

    from .factories import decided_course

    course, _ = decided_course("approved")
    revision = course_revise(course=course, acting_user=course.leader)
    for flag in ("aim", "eligibility", "prerequisites", "resources", "budget"):
        setattr(revision, f"affirms_{flag}", True)  # judged afresh for each version
    revision.save()
    second = course_submit(
        course=revision, acting_user=course.leader, signed_name=course.leader.full_name
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submission_approve(submission=second, acting_user=course.unit.dean)
    replaced = [m for m in mail.outbox if m.subject.startswith("Replaced by a newer version")]
    assert [m.to for m in replaced] == [[course.leader.email]]
    assert f"/leads/courses/{course.pk}/" in replaced[0].body


def test_people_are_greeted_by_name_not_by_a_title_alone(django_capture_on_commit_callbacks):
    course = complete_course()
    dean = course.unit.dean
    dean.full_name = "Dr Amina Khan"
    dean.save()
    with django_capture_on_commit_callbacks(execute=True):
        course_submit(course=course, acting_user=course.leader, signed_name="Leader Person")
    (message,) = to(dean.email)
    assert message.body.startswith("Dear Dr Amina Khan,\n")
    assert "Hello" not in message.body and "Dear Dr," not in message.body
