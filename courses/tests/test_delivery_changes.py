"""Running an offering after it is created (issue 13, "Dead ends"): editing its dates, capacity,
instructors and sessions; withdrawing a learner; moving one to another offering. Each rule is
tested at the service, and bad input gets a clear message and changes nothing."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.tests.factories import UserFactory
from courses.models import ContentUnit, Enrollment, Offering, OfferingSession
from courses.services import (
    EnrollmentRefused,
    enrollment_create,
    enrollment_mark_complete,
    enrollment_move,
    enrollment_withdraw,
    offering_create,
    offering_update,
)

from .factories import (
    approved_course,
    enrolled_learners,
    leads_admin,
    published_course,
    running_offering,
)

pytestmark = pytest.mark.django_db

TODAY = date.today()


def at(day, hour):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def session(day, title="Workshop"):
    return {"title": title, "place": "Karachi campus", "starts_at": at(day, 9),
            "ends_at": at(day, 12)}  # fmt: skip


def fingerprint(*objects):
    """Everything these services could change, to show a refusal changed nothing."""
    rows = []
    for obj in objects:
        obj = type(obj).objects.get(pk=obj.pk)
        rows.append({f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields})
    return (
        rows,
        list(OfferingSession.objects.values_list("title", "starts_at").order_by("pk")),
        Enrollment.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def admin():
    return leads_admin()


@pytest.fixture
def offering(admin):
    return running_offering(capacity=3)


# --- Editing an offering ----------------------------------------------------------------------


def test_changing_dates_capacity_and_sessions_is_saved_and_audited(admin, offering):
    day = TODAY + timedelta(days=3)
    offering_update(
        offering=offering,
        acting_user=admin,
        ends_on=TODAY + timedelta(days=40),
        capacity=10,
        sessions=[session(day)],
    )
    offering.refresh_from_db()
    assert (offering.ends_on, offering.capacity) == (TODAY + timedelta(days=40), 10)
    assert [s.title for s in offering.sessions.all()] == ["Workshop"]
    entry = AuditEntry.objects.get(action="offering.changed")
    assert entry.actor == admin
    assert set(entry.changes) == {"ends_on", "capacity", "sessions"}
    assert entry.changes["sessions"][0] == []
    # The same sessions again change nothing and record nothing.
    offering_update(offering=offering, acting_user=admin, sessions=[session(day)])
    assert AuditEntry.objects.filter(action="offering.changed").count() == 1
    # An empty list removes them.
    offering_update(offering=offering, acting_user=admin, sessions=[])
    assert not offering.sessions.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"capacity": 1}, "capacity", "2 learners are enrolled already"),
        ({"ends_on": TODAY - timedelta(days=30)}, "ends_on", "cannot end before it starts"),
        ({"sessions": [session(TODAY + timedelta(days=90))]}, "__all__", "outside the offering"),
        ({"sessions": [{**session(TODAY), "ends_at": at(TODAY, 8)}]}, "__all__", "ends before"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(admin, offering, changes, field, message):
    enrolled_learners(offering, 2)
    before = fingerprint(offering)
    with pytest.raises(ValidationError) as refused:
        offering_update(offering=offering, acting_user=admin, **changes)
    assert message in " ".join(refused.value.message_dict[field])
    assert fingerprint(offering) == before


def test_only_the_leads_team_changes_an_offering(offering):
    before = fingerprint(offering)
    with pytest.raises(PermissionDenied):
        offering_update(offering=offering, acting_user=offering.course.leader, capacity=99)
    assert fingerprint(offering) == before


def test_withdrawn_learners_do_not_hold_capacity(admin, offering):
    first, second = enrolled_learners(offering, 2)
    enrollment_withdraw(enrollment=first, acting_user=admin, reason="Left.")
    offering_update(offering=offering, acting_user=admin, capacity=1)
    assert Offering.objects.get(pk=offering.pk).capacity == 1


def test_an_offering_lasts_at_least_as_long_as_the_approved_schedule(admin):
    course = published_course(planned_start=date(2027, 1, 11), planned_end=date(2027, 3, 5))
    with pytest.raises(ValidationError) as refused:
        offering_create(
            course=course, acting_user=admin,
            starts_on=date(2027, 6, 1), ends_on=date(2027, 6, 20),
        )  # fmt: skip
    assert "The approved course runs 54 days" in refused.value.message_dict["ends_on"][0]
    assert not Offering.objects.exists()
    # A later cohort may start on any date, as long as it runs the approved length.
    later = offering_create(
        course=course, acting_user=admin, starts_on=date(2027, 9, 6), ends_on=date(2027, 10, 29)
    )
    with pytest.raises(ValidationError):
        offering_update(offering=later, acting_user=admin, ends_on=date(2027, 10, 1))


def test_an_offering_cannot_start_after_a_learner_completed_it(admin, offering):
    (enrollment,) = enrolled_learners(offering, 1)
    enrollment_mark_complete(enrollment=enrollment)
    before = fingerprint(offering)
    with pytest.raises(ValidationError) as refused:
        offering_update(offering=offering, acting_user=admin, starts_on=TODAY + timedelta(days=1))
    assert "cannot start after that" in refused.value.message_dict["starts_on"][0]
    assert fingerprint(offering) == before


def test_completion_never_precedes_the_start(admin):
    upcoming = offering_create(
        course=published_course(), acting_user=admin,
        starts_on=TODAY + timedelta(days=5), ends_on=TODAY + timedelta(days=40),
    )  # fmt: skip
    (enrollment,) = enrolled_learners(upcoming, 1)
    with pytest.raises(EnrollmentRefused, match="nobody completes it before then"):
        enrollment_mark_complete(enrollment=enrollment)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None


# --- Withdrawing and moving learners ----------------------------------------------------------


def test_a_withdrawal_keeps_the_record_frees_the_place_and_is_audited(admin, offering):
    learners = enrolled_learners(offering, 3)
    with pytest.raises(EnrollmentRefused, match="0 places left"):
        enrollment_create(offering=offering, learner=UserFactory())
    enrollment_withdraw(enrollment=learners[0], acting_user=admin, reason="Moved abroad.")
    record = Enrollment.objects.get(pk=learners[0].pk)
    assert record.is_withdrawn and record.withdrawn_by == admin
    assert record.withdrawal_reason == "Moved abroad."
    assert record not in Enrollment.objects.active()
    enrollment_create(offering=offering, learner=UserFactory())  # the place is free
    entry = AuditEntry.objects.get(action="enrollment.withdrawn")
    assert (entry.actor, entry.target_id) == (admin, str(offering.pk))
    assert "Moved abroad." in entry.summary


def test_re_enrolling_a_withdrawn_learner_restores_them(admin, offering):
    (enrollment,) = enrolled_learners(offering, 1)
    enrollment_withdraw(enrollment=enrollment, acting_user=admin, reason="Ill.")
    again = enrollment_create(offering=offering, learner=enrollment.learner, acting_user=admin)
    assert again.pk == enrollment.pk and not again.is_withdrawn
    assert AuditEntry.objects.filter(action="enrollment.reinstated").count() == 1


@pytest.mark.parametrize(
    ("who", "reason", "error", "message"),
    [
        ("leader", "Left.", PermissionDenied, "Only the LEADS team may withdraw learners"),
        ("admin", "  ", ValidationError, "Say why the learner is withdrawn"),
        ("admin", "Again.", EnrollmentRefused, "already withdrawn"),
    ],
)
def test_a_refused_withdrawal_says_why_and_changes_nothing(
    admin, offering, who, reason, error, message
):
    first, second = enrolled_learners(offering, 2)
    enrollment_withdraw(enrollment=second, acting_user=admin, reason="Left.")
    target = second if message == "already withdrawn" else first
    before = fingerprint(first, second)
    actor = offering.course.leader if who == "leader" else admin
    with pytest.raises(error, match=message):
        enrollment_withdraw(enrollment=target, acting_user=actor, reason=reason)
    assert fingerprint(first, second) == before


def test_moving_a_learner_withdraws_them_here_and_enrols_them_there(admin, offering):
    (enrollment,) = enrolled_learners(offering, 1)
    later = running_offering(course=offering.course)
    moved = enrollment_move(
        enrollment=enrollment, to_offering=later, acting_user=admin, reason="Work project."
    )
    old = Enrollment.objects.get(pk=enrollment.pk)
    assert old.is_withdrawn and old.moved_to == moved
    assert old.withdrawal_reason == f"Moved to {later.label}: Work project."
    assert moved.offering == later and moved.learner == enrollment.learner
    assert not moved.is_withdrawn
    actions = set(AuditEntry.objects.values_list("action", "target_id"))
    assert {("enrollment.moved_out", str(offering.pk)), ("enrollment.moved_in", str(later.pk))} <= (
        actions
    )


def test_a_move_to_a_later_version_of_the_same_course_is_allowed(admin, offering):
    from courses.models import CourseStatus
    from courses.services import course_publish, course_set_status, course_start_revision

    (enrollment,) = enrolled_learners(offering, 1)
    course = offering.course
    draft, _ = course_start_revision(course=course, acting_user=course.leader)
    course_set_status(course=draft, to_status=CourseStatus.SUBMITTED, acting_user=course.leader)
    course_set_status(course=draft, to_status=CourseStatus.APPROVED, acting_user=admin)
    course_publish(course=draft, acting_user=admin)
    v2 = running_offering(course=draft)
    assert enrollment_move(enrollment=enrollment, to_offering=v2, acting_user=admin).offering == v2


def _refusal_case(admin, offering, case):
    first, second = enrolled_learners(offering, 2)
    target = running_offering(course=offering.course, capacity=1)
    if case == "same offering":
        return first, offering, "Choose another offering"
    if case == "another course":
        return first, running_offering(), "an offering of another course"
    if case == "ended":
        ended = offering_create(
            course=offering.course, acting_user=admin,
            starts_on=TODAY - timedelta(days=60), ends_on=TODAY - timedelta(days=1),
        )  # fmt: skip
        return first, ended, "ended on"
    if case == "full":
        enrollment_create(offering=target, learner=UserFactory())
        return first, target, "0 places left"
    if case == "already there":
        enrollment_create(offering=target, learner=first.learner)
        return first, target, "enrolled in"
    if case == "withdrawn":
        enrollment_withdraw(enrollment=second, acting_user=admin, reason="Left.")
        return second, target, "withdrawn from this offering already"
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case", ["same offering", "another course", "ended", "full", "already there", "withdrawn"]
)
def test_a_refused_move_says_why_and_changes_nothing(admin, offering, case):
    enrollment, target, message = _refusal_case(admin, offering, case)
    before = fingerprint(enrollment, target)
    with pytest.raises(EnrollmentRefused, match=message):
        enrollment_move(enrollment=enrollment, to_offering=target, acting_user=admin)
    assert fingerprint(enrollment, target) == before


def test_only_the_leads_team_moves_learners(offering):
    (enrollment,) = enrolled_learners(offering, 1)
    target = running_offering(course=offering.course)
    with pytest.raises(PermissionDenied):
        enrollment_move(
            enrollment=enrollment, to_offering=target, acting_user=offering.course.leader
        )
    assert Enrollment.objects.filter(offering=target).count() == 0


# --- The pages --------------------------------------------------------------------------------


def test_the_new_offering_form_is_prefilled_from_the_approved_course(client, admin):
    course = approved_course(planned_start=TODAY + timedelta(days=30),
                             planned_end=TODAY + timedelta(days=80))  # fmt: skip
    instructor = UserFactory(is_instructor=True, full_name="Imran Instructor")
    course.instructors.set([instructor])
    ContentUnit.objects.create(
        course=course, title="Opening workshop", is_in_person=True, place="AKU Karachi, FHS 2"
    )
    client.force_login(admin)
    page = client.get(reverse("courses:offering_create", args=[course.pk])).content.decode()
    assert f'value="{(TODAY + timedelta(days=30)).isoformat()}"' in page
    assert 'value="Opening workshop"' in page and 'value="AKU Karachi, FHS 2"' in page
    assert (
        f'value="{instructor.pk}"' in page
        and "checked" in page.split(f'value="{instructor.pk}"')[1][:40]
    )


def test_the_edit_page_shows_the_current_values_and_saves_changes(client, admin, offering):
    offering_update(offering=offering, acting_user=admin, sessions=[session(TODAY)])
    client.force_login(admin)
    url = reverse("courses:offering_edit", args=[offering.pk])
    page = client.get(url).content.decode()
    assert f'value="{offering.starts_on.isoformat()}"' in page  # <input type=date> reads it
    assert f'value="{timezone.localtime(at(TODAY, 9)):%Y-%m-%dT%H:%M}' in page
    data = {
        "title": "Winter cohort",
        "starts_on": offering.starts_on.isoformat(),
        "ends_on": (offering.ends_on + timedelta(days=7)).isoformat(),
        "capacity": "25",
        "sessions-TOTAL_FORMS": "1", "sessions-INITIAL_FORMS": "1",
        "sessions-0-title": "Workshop", "sessions-0-place": "Karachi campus",
        "sessions-0-starts_at": f"{TODAY.isoformat()}T09:00",
        "sessions-0-ends_at": f"{TODAY.isoformat()}T12:00",
        "sessions-0-DELETE": "on",
    }  # fmt: skip
    response = client.post(url, data, follow=True)
    assert "The offering is saved" in response.content.decode()
    offering.refresh_from_db()
    assert (offering.title, offering.capacity) == ("Winter cohort", 25)
    assert not offering.sessions.exists()


def test_the_edit_page_shows_the_services_refusal_and_changes_nothing(client, admin, offering):
    enrolled_learners(offering, 3)
    client.force_login(admin)
    before = fingerprint(offering)
    data = {
        "starts_on": offering.starts_on.isoformat(),
        "ends_on": offering.ends_on.isoformat(),
        "capacity": "2",
        "sessions-TOTAL_FORMS": "0", "sessions-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client.post(reverse("courses:offering_edit", args=[offering.pk]), data)
    assert "3 learners are enrolled already" in response.content.decode()
    assert fingerprint(offering) == before


def test_the_admin_withdraws_and_moves_from_the_offering_page(client, admin, offering):
    first, second = enrolled_learners(offering, 2)
    later = running_offering(course=offering.course)
    client.force_login(admin)
    detail = reverse("courses:offering_detail", args=[offering.pk])
    assert reverse("courses:enrollment_withdraw", args=[offering.pk, first.pk]) in (
        client.get(detail).content.decode()
    )
    url = reverse("courses:enrollment_withdraw", args=[offering.pk, first.pk])
    assert "This field is required" in client.post(url, {"reason": ""}).content.decode()
    assert not Enrollment.objects.get(pk=first.pk).is_withdrawn
    page = client.post(url, {"reason": "Left the job."}, follow=True).content.decode()
    assert "their place is free" in page and "Withdrawn learners" in page
    url = reverse("courses:enrollment_move", args=[offering.pk, second.pk])
    assert later.label in client.get(url).content.decode()
    page = client.post(url, {"to_offering": later.pk}, follow=True).content.decode()
    assert f"is moved to {later.label}" in page
    assert Enrollment.objects.get(offering=later).learner == second.learner


def test_the_django_admin_edits_an_offering_through_the_service(client, admin, offering):
    admin.is_staff = admin.is_superuser = True
    admin.save()
    enrolled_learners(offering, 2)
    client.force_login(admin)
    url = reverse("admin:courses_offering_change", args=[offering.pk])
    base = {
        "title": "Edited in the admin",
        "starts_on": offering.starts_on.isoformat(),
        "ends_on": offering.ends_on.isoformat(),
        "capacity": "1",
        "sessions-TOTAL_FORMS": "0", "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0", "sessions-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    refused = client.post(url, base)
    assert "2 learners are enrolled already" in refused.content.decode()
    assert Offering.objects.get(pk=offering.pk).capacity == 3
    assert client.post(url, {**base, "capacity": "5"}).status_code == 302
    offering.refresh_from_db()
    assert (offering.title, offering.capacity) == ("Edited in the admin", 5)
    assert AuditEntry.objects.get(action="offering.changed").actor == admin


def test_the_django_admin_withdraws_learners_with_a_reason(client, admin, offering):
    admin.is_staff = admin.is_superuser = True
    admin.save()
    first, second = enrolled_learners(offering, 2)
    client.force_login(admin)
    url = reverse("admin:courses_enrollment_changelist")
    ask = client.post(url, {"action": "withdraw_learners", "_selected_action": [first.pk]})
    assert "Why are they withdrawn?" in ask.content.decode()
    assert not Enrollment.objects.get(pk=first.pk).is_withdrawn
    client.post(
        url,
        {"action": "withdraw_learners", "_selected_action": [first.pk], "apply": "1",
         "reason": "Left."},
    )  # fmt: skip
    assert Enrollment.objects.get(pk=first.pk).withdrawal_reason == "Left."
    later = running_offering(course=offering.course)
    client.post(
        url,
        {"action": "move_learners", "_selected_action": [second.pk], "apply": "1",
         "to_offering": later.pk},
    )  # fmt: skip
    assert Enrollment.objects.get(pk=second.pk).moved_to.offering == later


def test_the_django_admin_creates_an_offering_through_the_service(client, admin):
    admin.is_staff = admin.is_superuser = True
    admin.save()
    course = published_course()
    client.force_login(admin)
    day = TODAY + timedelta(days=10)
    data = {
        "course": course.pk, "title": "From the admin",
        "starts_on": TODAY.isoformat(), "ends_on": (TODAY + timedelta(days=5)).isoformat(),
        "capacity": "",
        "sessions-TOTAL_FORMS": "1", "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0", "sessions-MAX_NUM_FORMS": "1000",
        "sessions-0-title": "Workshop", "sessions-0-place": "Karachi",
        "sessions-0-starts_at_0": day.isoformat(), "sessions-0-starts_at_1": "09:00",
        "sessions-0-ends_at_0": day.isoformat(), "sessions-0-ends_at_1": "12:00",
    }  # fmt: skip
    url = reverse("admin:courses_offering_add")
    refused = client.post(url, data)
    assert "outside the offering" in refused.content.decode()
    assert not Offering.objects.exists()
    data["ends_on"] = (TODAY + timedelta(days=20)).isoformat()
    assert client.post(url, data).status_code == 302
    offering = Offering.objects.get()
    assert [s.title for s in offering.sessions.all()] == ["Workshop"]
    assert AuditEntry.objects.get(action="offering.created").actor == admin
