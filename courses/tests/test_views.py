import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from courses.models import CourseStatus, Enrollment
from courses.services import enrollment_create, enrollment_mark_complete

from .factories import approved_course, leads_admin, published_course, running_offering

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(leads_admin())
    return client


def test_the_leads_team_publishes_an_approved_course(admin_client):
    course = approved_course()
    admin_client.post(reverse("courses:course_publish", args=[course.pk]))
    course.refresh_from_db()
    assert course.status == CourseStatus.PUBLISHED


def test_retiring_needs_a_reason(admin_client):
    course = published_course()
    response = admin_client.post(reverse("courses:course_retire", args=[course.pk]), {})
    assert "This field is required" in response.content.decode()
    course.refresh_from_db()
    assert course.status == CourseStatus.PUBLISHED


def test_only_the_leads_team_reaches_the_centre_pages(client):
    course = approved_course()
    client.force_login(course.leader)
    assert client.get(reverse("courses:centre_courses")).status_code == 403
    assert client.post(reverse("courses:course_publish", args=[course.pk])).status_code == 403


def test_creating_an_offering_with_a_session(admin_client):
    course = published_course()
    response = admin_client.post(
        reverse("courses:offering_create", args=[course.pk]),
        {
            "starts_on": "2027-01-10",
            "ends_on": "2027-02-10",
            "capacity": "30",
            "sessions-TOTAL_FORMS": "1",
            "sessions-INITIAL_FORMS": "0",
            "sessions-0-title": "Opening workshop",
            "sessions-0-place": "AKU Karachi, FHS 2",
            "sessions-0-starts_at": "2027-01-10T09:00",
            "sessions-0-ends_at": "2027-01-10T13:00",
        },
    )
    assert response.status_code == 302
    offering = course.offerings.get()
    assert offering.sessions.get().place == "AKU Karachi, FHS 2"


def test_an_offering_cannot_end_before_it_starts(admin_client):
    course = published_course()
    response = admin_client.post(
        reverse("courses:offering_create", args=[course.pk]),
        {"starts_on": "2027-02-10", "ends_on": "2027-01-10", "sessions-TOTAL_FORMS": "0",
         "sessions-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert "cannot end before it starts" in response.content.decode()
    assert not course.offerings.exists()


def test_enrolling_a_new_person_by_hand_invites_them(
    admin_client, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://centre.example"
    offering = running_offering()
    url = reverse("courses:offering_detail", args=[offering.pk])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"email": "New.Learner@example.org", "full_name": "New Learner",
                                "enrol": "1"})  # fmt: skip
    learner = User.objects.get(email="new.learner@example.org")
    assert Enrollment.objects.filter(offering=offering, learner=learner).exists()
    assert "https://centre.example/accounts/reset/" in mailoutbox[0].body
    # Without a name, a new person cannot be enrolled: the form says why.
    response = admin_client.post(url, {"email": "someone@example.org", "enrol": "1"})
    assert "they have no account yet" in response.content.decode()
    assert not User.objects.filter(email="someone@example.org").exists()


def test_the_course_leader_confirms_completed_learners(client):
    offering = running_offering(course=published_course(badge_issue_mode="manual"))
    done = enrollment_create(offering=offering, learner=UserFactory())
    enrollment_mark_complete(enrollment=done)
    client.force_login(offering.course.leader)
    page = client.get(reverse("courses:offering_detail", args=[offering.pk])).content.decode()
    assert "Confirm the selected learners" in page
    client.post(reverse("courses:offering_confirm", args=[offering.pk]), {"enrollment": [done.pk]})
    done.refresh_from_db()
    assert done.completion_confirmed_by == offering.course.leader


def test_people_unrelated_to_an_offering_get_404(client):
    offering = running_offering()
    client.force_login(UserFactory(is_instructor=True))
    assert client.get(reverse("courses:offering_detail", args=[offering.pk])).status_code == 404
