"""Publish, retire, supersede, enrolment and the leader's confirmation of completers, each
announced by e-mail once, after commit, to the people it concerns, with the exact page."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import PendingTask
from accounts.services import learner_get_or_invite
from accounts.tests.factories import UserFactory
from courses.services import (
    EnrollmentRefused,
    course_publish,
    course_retire,
    enrollment_create,
    enrollment_mark_complete,
    enrollments_confirm_completion,
    offering_create,
)

from .factories import approved_course, leads_admin, published_course, running_offering

pytestmark = pytest.mark.django_db


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_publishing_tells_the_leader_with_the_catalogue_page(django_capture_on_commit_callbacks):
    course = approved_course()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        course_publish(course=course, acting_user=leads_admin())
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == [course.leader.email]
    assert message.subject == f"Published in the catalogue: {course.title}"
    assert message.body.startswith(f"Dear {course.leader.full_name},")
    assert settings.SITE_URL + reverse("catalogue:course", args=[course.lineage]) in message.body


def test_a_refused_publication_sends_nothing(django_capture_on_commit_callbacks):
    course = approved_course()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        course_publish(course=course, acting_user=course.leader)
    assert mail.outbox == [] and not PendingTask.objects.exists()


def test_publishing_a_new_version_tells_the_leader_the_old_one_is_replaced(
    django_capture_on_commit_callbacks,
):
    from courses.services import course_set_status, course_start_revision

    old = published_course()
    revision, _ = course_start_revision(course=old, acting_user=old.leader)
    course_set_status(course=revision, to_status="submitted", acting_user=old.leader)
    course_set_status(course=revision, to_status="approved", acting_user=leads_admin())
    with django_capture_on_commit_callbacks(execute=True):
        course_publish(course=revision, acting_user=leads_admin())
    subjects = sorted(m.subject for m in to(old.leader.email))
    assert subjects == [
        f"Published in the catalogue: {old.title}",
        f"Replaced by a newer version: {old.title}",
    ]


def test_retiring_tells_the_leader_and_the_learners_of_offerings_not_ended(
    django_capture_on_commit_callbacks,
):
    course = published_course()
    admin = leads_admin()
    running = running_offering(course=course)
    past = offering_create(
        course=course, acting_user=admin, starts_on=date.today() - timedelta(days=90),
        ends_on=date.today() - timedelta(days=30),
    )  # fmt: skip
    current = enrollment_create(offering=running, learner=UserFactory(full_name="Amina Khan"))
    finished = enrollment_create(offering=past, learner=UserFactory())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        course_retire(course=course, acting_user=admin, comment="Replaced by a new programme.")
    (learner_mail,) = to(current.learner.email)
    assert learner_mail.body.startswith("Dear Amina Khan,")
    assert "is not affected" in learner_mail.body
    link = settings.SITE_URL + reverse("assessments:my_enrollment", args=[current.pk])
    assert link in learner_mail.body
    (leader_mail,) = to(course.leader.email)
    assert "Replaced by a new programme." in leader_mail.body
    assert to(finished.learner.email) == []
    assert len(mail.outbox) == 2


def test_enrolment_tells_a_learner_who_has_an_account_with_their_course_page(
    django_capture_on_commit_callbacks,
):
    offering = running_offering()
    learner = UserFactory(full_name="Amina Khan")
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enrollment_create(offering=offering, learner=learner, acting_user=None)
    (message,) = mail.outbox
    assert message.to == [learner.email] and message.body.startswith("Dear Amina Khan,")
    assert offering.course.title in message.subject
    link = settings.SITE_URL + reverse("assessments:my_enrollment", args=[enrollment.pk])
    assert link in message.body
    # Enrolling them again changes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(offering=offering, learner=learner)
    assert len(mail.outbox) == 1


def test_a_refused_enrolment_sends_nothing(django_capture_on_commit_callbacks):
    offering = running_offering(capacity=1)
    enrollment_create(offering=offering, learner=UserFactory())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(EnrollmentRefused):
        enrollment_create(offering=offering, learner=UserFactory())
    assert mail.outbox == []


def test_a_new_account_gets_its_invitation_and_not_a_second_email(
    django_capture_on_commit_callbacks,
):
    offering = running_offering()
    with django_capture_on_commit_callbacks(execute=True):
        learner, created = learner_get_or_invite(
            email="new@example.org", full_name="Bilal Ahmed", reason="You are enrolled."
        )
        enrollment_create(offering=offering, learner=learner)
    assert created
    (message,) = mail.outbox
    assert "/accounts/reset/" in message.body and message.body.startswith("Dear Bilal Ahmed,")


def test_enrolment_through_the_api_tells_an_existing_learner(
    client, django_capture_on_commit_callbacks
):
    from rest_framework.authtoken.models import Token

    offering = running_offering()
    admin = leads_admin()
    learner = UserFactory(full_name="Amina Khan")
    token = Token.objects.create(user=admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/offerings/{offering.pk}/enrolments",
            {"email": learner.email, "name": "Ignored"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token.key}",
        )
    assert response.status_code == 201, response.content
    (message,) = mail.outbox
    assert message.to == [learner.email]
    assert f"/learn/enrolments/{response.json()['id']}/" in message.body


def completed(offering, n):
    enrollments = []
    for _ in range(n):
        enrollment = enrollment_create(offering=offering, learner=UserFactory())
        enrollment_mark_complete(enrollment=enrollment)
        enrollments.append(enrollment)
    return enrollments


def test_the_leaders_confirmation_tells_the_leads_team_where_to_issue(
    django_capture_on_commit_callbacks,
):
    offering = running_offering(badge_issue_mode="manual")
    team = [leads_admin(), leads_admin()]
    enrollments = completed(offering, 2)
    mail.outbox.clear()
    leader = offering.course.leader
    with django_capture_on_commit_callbacks(execute=True):
        enrollments_confirm_completion(
            offering=offering, enrollment_ids=[e.pk for e in enrollments], acting_user=leader
        )
    link = settings.SITE_URL + reverse("badge_admin:offering", args=[offering.pk])
    for person in team:
        (message,) = to(person.email)
        assert message.body.startswith(f"Dear {person.full_name},")
        assert link in message.body and leader.full_name in message.body
        for enrollment in enrollments:
            assert enrollment.learner.email in message.body
    assert "Completion confirmed for 2 learners" in mail.outbox[0].subject


def test_a_refused_confirmation_sends_nothing(django_capture_on_commit_callbacks):
    offering = running_offering(badge_issue_mode="manual")
    leads_admin()
    enrollment = enrollment_create(offering=offering, learner=UserFactory())  # not complete
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(EnrollmentRefused):
        enrollments_confirm_completion(
            offering=offering, enrollment_ids=[enrollment.pk], acting_user=offering.course.leader
        )
    assert mail.outbox == []
