"""Who created or changed an offering: one audit entry per change, with the actor and what
changed; none for a refused change; the history on the offering's page for the LEADS team."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.tests.factories import UserFactory
from courses.services import EnrollmentRefused, offering_create, offering_update

from .factories import approved_course, enrolled_learners, leads_admin, published_course

pytestmark = pytest.mark.django_db


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


@pytest.fixture
def admin():
    return leads_admin()


@pytest.fixture
def offering(admin):
    return offering_create(
        course=published_course(),
        acting_user=admin,
        title="Spring 2027 cohort",
        starts_on=date(2027, 2, 1),
        ends_on=date(2027, 3, 31),
        capacity=20,
    )


def test_creating_an_offering_records_who_and_its_fields(admin):
    instructor = UserFactory(full_name="Imran Instructor", is_instructor=True)
    start = timezone.make_aware(datetime(2027, 2, 10, 9))
    offering = offering_create(
        course=published_course(),
        acting_user=admin,
        title="Spring 2027 cohort",
        starts_on=date(2027, 2, 1),
        ends_on=date(2027, 3, 31),
        instructors=[instructor],
        sessions=[
            {"title": "Workshop", "place": "Karachi campus", "starts_at": start,
             "ends_at": start + timedelta(hours=3)},
        ],
    )  # fmt: skip
    (entry,) = entries("offering.created")
    assert (entry.actor, entry.target_id) == (admin, str(offering.pk))
    assert entry.target_label == str(offering)
    assert entry.changes == {
        "kind": [None, "A taught cohort"],
        "title": [None, "Spring 2027 cohort"],
        "starts_on": [None, "2027-02-01"],
        "ends_on": [None, "2027-03-31"],
        "capacity": [None, None],
        "instructors": [None, ["Imran Instructor"]],
        "sessions": [None, ["Workshop, Karachi campus, 2027-02-10 09:00–12:00"]],
    }


def test_a_refused_offering_records_nothing():
    course = published_course()
    with pytest.raises(PermissionDenied):
        offering_create(
            course=course,
            acting_user=course.leader,
            starts_on=date(2027, 2, 1),
            ends_on=date(2027, 3, 1),
        )
    with pytest.raises(EnrollmentRefused):
        offering_create(
            course=_draft(),
            acting_user=leads_admin(),
            starts_on=date(2027, 2, 1),
            ends_on=date(2027, 3, 1),
        )
    assert not AuditEntry.objects.filter(action__startswith="offering.").exists()


def _draft():
    from courses.services import course_create

    leader = UserFactory(is_course_leader=True)
    return course_create(leader=leader, unit=approved_course().unit, title="A draft")


def test_changing_an_offering_records_each_changed_field(admin, offering):
    other_admin = leads_admin()
    instructor = UserFactory(full_name="Imran Instructor", is_instructor=True)
    changed = offering_update(
        offering=offering,
        acting_user=other_admin,
        title="Spring 2027 cohort",  # unchanged: not recorded
        ends_on=date(2027, 4, 15),
        capacity=None,
        instructors=[instructor],
    )
    assert (changed.ends_on, changed.capacity) == (date(2027, 4, 15), None)
    assert list(changed.instructors.all()) == [instructor]
    (entry,) = entries("offering.changed")
    assert entry.actor == other_admin
    assert entry.changes == {
        "ends_on": ["2027-03-31", "2027-04-15"],
        "capacity": [20, None],
        "instructors": [[], ["Imran Instructor"]],
    }
    # The same values again: nothing changes, nothing is recorded.
    offering_update(offering=offering, acting_user=admin, ends_on=date(2027, 4, 15))
    assert len(entries("offering.changed")) == 1


def test_a_refused_offering_change_records_nothing(offering):
    enrolled_learners(offering, 3)
    with pytest.raises(PermissionDenied):
        offering_update(offering=offering, acting_user=offering.course.leader, title="Mine")
    with pytest.raises(ValidationError) as ends_early:
        offering_update(offering=offering, acting_user=leads_admin(), ends_on=date(2027, 1, 1))
    assert "ends_on" in ends_early.value.message_dict
    with pytest.raises(ValidationError) as too_small:
        offering_update(offering=offering, acting_user=leads_admin(), capacity=2)
    assert "3 learners are enrolled" in too_small.value.message_dict["capacity"][0]
    with pytest.raises(TypeError):
        offering_update(offering=offering, acting_user=leads_admin(), course=None)
    offering.refresh_from_db()
    assert (offering.title, offering.ends_on, offering.capacity) == (
        "Spring 2027 cohort",
        date(2027, 3, 31),
        20,
    )
    assert not entries("offering.changed")


def test_the_offering_page_shows_its_history_to_the_leads_team(client, admin, offering):
    instructor = UserFactory(is_instructor=True, is_learner=False)
    offering_update(offering=offering, acting_user=admin, capacity=25, instructors=[instructor])
    url = reverse("courses:offering_detail", args=[offering.pk])
    client.force_login(admin)
    page = client.get(url).content.decode()
    assert "History" in page and "Offering changed" in page and "Offering created" in page
    assert "Capacity: 20 → 25" in page and admin.full_name in page
    client.force_login(instructor)
    page = client.get(url).content.decode()
    assert "Offering changed" not in page
