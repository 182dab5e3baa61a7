"""The VLE's enrolment API: tokens and their scope, idempotent enrolment, the roster."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.api_tokens import vle_token_create
from accounts.models import User
from accounts.tests.factories import UnitFactory, UserFactory
from courses.models import Enrollment
from courses.tests.factories import enrolled_learners, running_offering

pytestmark = pytest.mark.django_db


def token_client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def enrolments_url(offering):
    return reverse("api-offering-enrolments", args=[offering.pk])


@pytest.fixture
def unit():
    return UnitFactory(name="Institute for Educational Development")


@pytest.fixture
def offering(unit):
    return running_offering(unit=unit)


@pytest.fixture
def vle(unit):
    account, key, _ = vle_token_create(email="vle@ied.example.org", unit=unit)
    return token_client(key), account


def counts():
    return User.objects.count(), Enrollment.objects.count()


# --- Authentication and scope --------------------------------------------------------------------


def test_no_token_or_a_wrong_one_is_401(offering, vle):
    before = counts()
    body = {"email": "amina@example.org", "name": "Amina Khan"}
    anonymous = APIClient().post(enrolments_url(offering), body, format="json")
    wrong = token_client("0" * 40).post(enrolments_url(offering), body, format="json")
    assert anonymous.status_code == 401
    assert wrong.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    assert wrong.json() == {"detail": "Invalid token."}
    assert APIClient().get(enrolments_url(offering)).status_code == 401
    assert counts() == before


def test_a_signed_in_browser_session_cannot_act_as_the_vle(offering):
    client = APIClient()
    client.force_login(UserFactory(is_leads_admin=True))
    response = client.get(enrolments_url(offering))
    assert response.status_code == 401


def test_another_units_course_is_403_and_says_why(vle):
    client, _ = vle
    elsewhere = running_offering(unit=UnitFactory(name="Medical College"))
    before = counts()
    response = client.post(
        enrolments_url(elsewhere), {"email": "amina@example.org", "name": "Amina"}, format="json"
    )
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "only on courses of Institute for Educational Development" in detail
    assert "Medical College" not in detail  # the other unit is not disclosed
    assert client.get(enrolments_url(elsewhere)).status_code == 403
    assert counts() == before


def test_an_account_without_a_unit_acts_on_nothing(offering):
    account = UserFactory(is_learner=False)
    client = token_client(Token.objects.create(user=account).key)
    response = client.get(enrolments_url(offering))
    assert response.status_code == 403
    assert "belongs to no unit" in response.json()["detail"]


def test_a_leads_admin_token_acts_on_every_unit(offering):
    admin = UserFactory(is_leads_admin=True, is_learner=False)
    client = token_client(Token.objects.create(user=admin).key)
    elsewhere = running_offering(unit=UnitFactory())
    for target in (offering, elsewhere):
        response = client.post(
            enrolments_url(target), {"email": "amina@example.org", "name": "Amina"}, format="json"
        )
        assert response.status_code == 201


def test_an_unknown_offering_is_404(vle):
    client, _ = vle
    response = client.post(
        reverse("api-offering-enrolments", args=[987654]),
        {"email": "amina@example.org", "name": "Amina"},
        format="json",
    )
    assert response.status_code == 404


# --- Enrolment --------------------------------------------------------------------------------


def test_enrolling_a_new_learner_creates_their_account_then_is_idempotent(
    offering, vle, django_capture_on_commit_callbacks, mailoutbox
):
    client, account = vle
    body = {"email": "Amina.Khan@Example.org", "name": "Amina Khan", "student_id": "S-1001"}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(enrolments_url(offering), body, format="json")
    assert first.status_code == 201, first.json()
    assert [m.to for m in mailoutbox] == [["amina.khan@example.org"]]  # invited to set a password
    learner = User.objects.get(email="amina.khan@example.org")
    assert learner.full_name == "Amina Khan"
    assert learner.is_learner and not learner.has_usable_password()
    enrollment = Enrollment.objects.get(offering=offering, learner=learner)
    assert enrollment.enrolled_by == account
    assert first.json() == {
        "id": enrollment.pk,
        "offering": offering.pk,
        "email": "amina.khan@example.org",
        "name": "Amina Khan",
        "student_id": "S-1001",
        "enrolled_at": first.json()["enrolled_at"],
        "completed": False,
        "completed_at": None,
        "completion_confirmed_at": None,
    }

    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(enrolments_url(offering), body, format="json")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert counts() == before
    assert len(mailoutbox) == 1


def test_an_existing_account_is_enrolled_and_keeps_its_name(offering, vle):
    client, _ = vle
    person = UserFactory(email="bilal@example.org", full_name="Bilal Ahmed")
    response = client.post(
        enrolments_url(offering), {"email": "BILAL@example.org", "name": "B. A."}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["name"] == "Bilal Ahmed"
    assert User.objects.filter(email__iexact="bilal@example.org").count() == 1
    assert Enrollment.objects.filter(offering=offering, learner=person).exists()


def test_a_bad_payload_is_400_with_field_errors_and_changes_nothing(offering, vle):
    client, _ = vle
    before = counts()
    response = client.post(
        enrolments_url(offering), {"email": "not-an-address", "student_id": "x" * 51}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"email", "name", "student_id"}
    assert errors["email"] == ["Enter a valid email address."]
    assert errors["name"] == ["This field is required."]
    assert counts() == before


def test_a_full_offering_refuses_and_the_new_account_is_not_kept(unit, vle):
    client, _ = vle
    offering = running_offering(unit=unit, capacity=1)
    enrolled_learners(offering, 1)
    before = counts()
    response = client.post(
        enrolments_url(offering), {"email": "late@example.org", "name": "Late"}, format="json"
    )
    assert response.status_code == 400
    assert "0 places left" in response.json()["detail"]
    assert counts() == before


# --- Roster -----------------------------------------------------------------------------------


def test_the_roster_reports_completion_page_by_page(offering, vle):
    client, _ = vle
    first, second, _third = enrolled_learners(offering, 3)
    Enrollment.objects.filter(pk=second.pk).update(completed_at="2026-05-01T10:00:00Z")

    response = client.get(enrolments_url(offering), {"page_size": 2})
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 3 and page["next"] and page["previous"] is None
    rest = client.get(page["next"]).json()
    rows = {row["email"]: row for row in page["results"] + rest["results"]}
    assert rows[second.learner.email]["completed"] is True
    assert rows[second.learner.email]["completed_at"].startswith("2026-05-01T10:00:00")
    assert rows[first.learner.email]["completed"] is False
    assert len(rows) == 3


def test_the_roster_takes_the_same_number_of_queries_for_5_or_50_learners(unit, vle):
    client, _ = vle

    def queries_for(n):
        offering = running_offering(unit=unit)
        enrolled_learners(offering, n)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(enrolments_url(offering))
        assert response.status_code == 200
        assert len(response.json()["results"]) == n
        return len(ctx.captured_queries)

    assert queries_for(5) == queries_for(50)


# --- Tokens: the management command and the admin ---------------------------------------------


def test_create_vle_token_makes_the_account_and_prints_the_token_once(unit):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_vle_token", email="moodle@ied.example.org", unit=unit.name, stdout=out, stderr=err
    )
    key = out.getvalue().strip()
    account = User.objects.get(email="moodle@ied.example.org")
    assert Token.objects.get(user=account).key == key
    assert account.unit == unit and not account.has_usable_password()
    assert not account.is_learner and not account.is_leads_admin and not account.is_staff
    assert "Institute for Educational Development" in err.getvalue()

    with pytest.raises(CommandError, match="already has a token"):
        call_command("create_vle_token", email="moodle@ied.example.org", stdout=io.StringIO())
    assert Token.objects.get(user=account).key == key

    out = io.StringIO()
    call_command(
        "create_vle_token",
        email="moodle@ied.example.org",
        rotate=True,
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue().strip() != key
    assert Token.objects.get(user=account).key == out.getvalue().strip()


def test_create_vle_token_refuses_an_unknown_unit_or_a_new_account_without_one(unit):
    with pytest.raises(CommandError, match="No single unit"):
        call_command("create_vle_token", email="a@example.org", unit="Nowhere")
    with pytest.raises(CommandError, match="needs a unit"):
        call_command("create_vle_token", email="a@example.org")
    other = UnitFactory()
    UserFactory(email="b@example.org", unit=other)
    with pytest.raises(CommandError, match="already exists and belongs to"):
        call_command("create_vle_token", email="b@example.org", unit=unit.name)
    assert not User.objects.filter(email="a@example.org").exists()
    assert not Token.objects.exists()


def test_the_django_admin_lists_tokens(vle):
    _, account = vle
    admin = UserFactory(is_leads_admin=True)
    admin.is_superuser = True
    admin.save()
    client = APIClient()
    client.force_login(admin)
    response = client.get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert response.status_code == 200
    assert str(account) in response.content.decode()
    assert Token.objects.get(user=account).key in response.content.decode()
