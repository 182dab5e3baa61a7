from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from accounts.tests.factories import UserFactory
from courses.models import CourseStatus, Enrollment
from courses.services import (
    EnrollmentRefused,
    completions_announced_together,
    course_publish,
    course_retire,
    enrollment_create,
    enrollment_mark_complete,
    enrollments_confirm_completion,
    offering_create,
)
from courses.signals import enrollments_completed

from .factories import approved_course, leads_admin, published_course, running_offering

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """The enrollment-id lists `enrollments_completed` announces while the test runs."""
    announced = []

    def receiver(sender, enrollment_ids, **kwargs):
        announced.append(list(enrollment_ids))

    enrollments_completed.connect(receiver)
    yield announced
    enrollments_completed.disconnect(receiver)


def test_publishing_needs_the_leads_team_and_an_approved_course():
    course = approved_course()
    with pytest.raises(PermissionDenied):
        course_publish(course=course, acting_user=course.leader)
    course_publish(course=course, acting_user=leads_admin())
    course.refresh_from_db()
    assert course.status == CourseStatus.PUBLISHED
    retired = course_retire(course=course, acting_user=leads_admin(), comment="Replaced")
    assert retired.status == CourseStatus.RETIRED


def test_enrolling_twice_changes_nothing_and_capacity_is_kept():
    offering = running_offering(capacity=1)
    learner = UserFactory()
    first = enrollment_create(offering=offering, learner=learner)
    assert enrollment_create(offering=offering, learner=learner) == first
    with pytest.raises(EnrollmentRefused, match="0 places left"):
        enrollment_create(offering=offering, learner=UserFactory())
    assert Enrollment.objects.count() == 1


def test_completion_is_announced_once_after_commit(django_capture_on_commit_callbacks, heard):
    offering = running_offering()
    enrollment = enrollment_create(offering=offering, learner=UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        assert enrollment_mark_complete(enrollment=enrollment) is True
        assert heard == []  # not before commit
    with django_capture_on_commit_callbacks(execute=True):
        assert enrollment_mark_complete(enrollment=enrollment) is False
    assert heard == [[enrollment.pk]]


@pytest.mark.django_db(transaction=True)
def test_a_cohort_completed_together_is_announced_once_without_rolled_back_completions(heard):
    from django.db import transaction

    offering = running_offering()
    enrollments = [enrollment_create(offering=offering, learner=UserFactory()) for _ in range(4)]
    with completions_announced_together():
        with transaction.atomic():
            for enrollment in enrollments[:3]:
                enrollment_mark_complete(enrollment=enrollment)
            try:
                with transaction.atomic():  # a row that failed after completing
                    enrollment_mark_complete(enrollment=enrollments[3])
                    raise ValueError
            except ValueError:
                pass
        assert heard == []  # committed, but announced when the block ends
    assert heard == [[e.pk for e in enrollments[:3]]]
    assert not Enrollment.objects.get(pk=enrollments[3].pk).completed_at


@pytest.mark.django_db(transaction=True)
def test_completions_announced_together_inside_a_transaction_wait_for_its_commit(heard):
    from django.db import transaction

    offering = running_offering()
    enrollments = [enrollment_create(offering=offering, learner=UserFactory()) for _ in range(3)]
    with transaction.atomic():
        with completions_announced_together():
            for enrollment in enrollments:
                enrollment_mark_complete(enrollment=enrollment)
        assert heard == []  # not committed yet
    assert heard == [[e.pk for e in enrollments]]


def test_the_leader_confirms_only_completed_learners():
    offering = running_offering(course=published_course())
    done = enrollment_create(offering=offering, learner=UserFactory())
    enrollment_mark_complete(enrollment=done)
    pending = enrollment_create(offering=offering, learner=UserFactory())
    leader = offering.course.leader
    with pytest.raises(EnrollmentRefused, match="Not yet complete"):
        enrollments_confirm_completion(
            offering=offering, enrollment_ids=[done.pk, pending.pk], acting_user=leader
        )
    assert (
        enrollments_confirm_completion(
            offering=offering, enrollment_ids=[done.pk], acting_user=leader
        )
        == 1
    )
    with pytest.raises(PermissionDenied):
        enrollments_confirm_completion(
            offering=offering, enrollment_ids=[done.pk], acting_user=UserFactory()
        )


def test_a_course_with_an_on_campus_workshop_is_not_online():
    """The badge's EU element follows the approved template's in-person sessions."""
    from courses.models import ContentUnit

    course = approved_course(modality="blended")
    assert course.participation_form == "Online"
    ContentUnit.objects.create(
        course=course, title="Workshop", is_in_person=True, place="Karachi", timing="Week 2"
    )
    assert course.participation_form == "Blended (online and on-site)"


def test_a_withdrawn_or_completed_learner_cannot_apply_for_prior_learning_again():
    from courses.models import OfferingKind
    from courses.services import enrollment_withdraw, prior_learning_apply

    course = published_course()
    today = date.today()
    window = offering_create(
        course=course, acting_user=leads_admin(), kind=OfferingKind.PRIOR_LEARNING,
        starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=90),
    )  # fmt: skip
    person = UserFactory()
    enrollment = prior_learning_apply(offering=window, learner=person)
    enrollment_withdraw(enrollment=enrollment, acting_user=leads_admin(), reason="Plagiarism.")
    with pytest.raises(EnrollmentRefused, match="withdrawn from this course"):
        prior_learning_apply(offering=window, learner=person)
    enrollment.refresh_from_db()
    assert enrollment.is_withdrawn
