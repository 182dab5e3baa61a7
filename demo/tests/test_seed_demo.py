import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from demo.people import DEMO_PASSWORD, PEOPLE

pytestmark = pytest.mark.django_db


def row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_seed_demo_twice_changes_nothing_the_second_time(capsys):
    call_command("seed_demo")
    first = row_counts()
    call_command("seed_demo")
    assert row_counts() == first
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert "Worth opening:" in out


def test_seed_demo_refuses_settings_that_did_not_ask_for_the_demo(settings):
    """Only the local and test settings set DEMO_SEED_ALLOWED (production does not even install
    the app: config/tests/test_settings.py): anywhere else it writes nothing."""
    del settings.DEMO_SEED_ALLOWED
    before = row_counts()
    with pytest.raises(CommandError, match="runs only with the local or test settings"):
        call_command("seed_demo")
    assert row_counts() == before


def test_nothing_but_tests_imports_the_demo():
    """Production does not install `demo`: no URL, view, template tag or setting may need it."""
    root = Path(__file__).resolve().parents[2]
    importing = re.compile(r"^\s*(from|import)\s+demo\b", re.MULTILINE)
    found = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not {".venv", "demo", "tests", "bench", "tools"} & set(path.relative_to(root).parts)
        and path.name != "conftest.py"
        and importing.search(path.read_text(errors="replace"))
    ]
    assert found == []


def test_every_demo_person_can_sign_in_with_the_printed_password(client):
    call_command("seed_demo")
    for person in PEOPLE:
        assert client.login(username=person.email, password=DEMO_PASSWORD), person.email
        client.logout()


def test_the_demo_expired_badge_is_expired_in_every_format_with_a_possible_timeline(client):
    """Issued through the service on the clock of its day (never altered after signing): after
    its cohort started and ended, before it expired; every format says expired."""
    import json
    from datetime import UTC, datetime

    from django.utils import timezone

    from badges.models import Assertion
    from badges.tests.verifying import credential_report, jwt_report

    call_command("seed_demo")
    now = timezone.now()
    expired = Assertion.objects.select_related("enrollment__offering").get(
        expires_on__lt=now, revoked_at=None
    )
    offering = expired.enrollment.offering
    assert offering.starts_on < offering.ends_on < expired.issued_on.date()
    assert expired.issued_on < expired.expires_on < now
    # The signed credential and its JWT carry exactly the record's dates.
    credential = json.loads(expired.credential_json)
    assert credential["validFrom"] == f"{expired.issued_on:%Y-%m-%dT%H:%M:%SZ}"
    assert credential["validUntil"] == f"{expired.expires_on.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
    payload = expired.credential_jwt.split(".")[1]
    claims = json.loads(__import__("base64").urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert datetime.fromtimestamp(claims["exp"], UTC) == expired.expires_on
    assert datetime.fromtimestamp(claims["nbf"], UTC) == expired.issued_on
    # Every format says expired.
    assert credential_report(credential).verdict == "expired"
    assert jwt_report(expired.credential_jwt).verdict == "expired"
    page = client.get(f"/public/assertions/{expired.pk}", HTTP_ACCEPT="text/html").content.decode()
    assert "Expired" in page and f"This badge expired on {expired.expires_on:%-d %B %Y}" in page
    document = client.get(f"/public/assertions/{expired.pk}.json").json()
    assert datetime.fromisoformat(document["expires"]) == expired.expires_on < now


def test_every_page_the_demo_points_to_opens_for_the_account_it_names(client, capsys):
    """The printed list is the demo's tour: each page opens for the person it names
    (the admin where it says so), and the running cohort shows its withdrawn and moved
    learners with the reason kept."""
    call_command("seed_demo")
    out = capsys.readouterr().out
    tour = re.findall(r"^\s+https?://[^/\s]+(/\S*)\s+(.+)$", out.split("Worth opening:")[1], re.M)
    assert len(tour) >= 15
    for path, what in tour:
        named = re.search(r"\(([\w.]+@leads\.example)\)", what)
        email = named.group(1) if named else "admin@leads.example" if "(admin" in what else None
        client.logout()
        if email:
            assert client.login(username=email, password=DEMO_PASSWORD), email
        response = client.get(path, follow=True)
        # A revoked badge's page says so with its reason, answering 410 Gone as OB 2.0 asks.
        expected = 410 if what.startswith("a revoked badge") else 200
        assert response.status_code == expected, (path, what, response.status_code)
    client.login(username="admin@leads.example", password=DEMO_PASSWORD)
    running = next(path for path, what in tour if "withdrawn" in what)
    page = client.get(running).content.decode()
    assert "Withdrawn" in page and "Took up a new post abroad" in page
    assert "Moved to" in page


def test_the_demo_shows_every_state_of_handed_in_work_and_a_prior_learning_badge():
    from badges.models import Assertion
    from evidence.models import EvidenceSubmission, Moderation, SubmissionState

    call_command("seed_demo")
    states = set(EvidenceSubmission.objects.values_list("state", flat=True))
    assert states == set(SubmissionState.values)
    moderation = set(EvidenceSubmission.objects.values_list("moderation", flat=True))
    assert {Moderation.AWAITING, Moderation.REFERRED} <= moderation
    nadia = Assertion.objects.get(recipient__email="nadia.hassan@learners.example")
    shared = [e for e in nadia.evidence if e.get("name") == "Customer churn analysis"]
    assert shared and "/public/evidence/" in shared[0]["id"]
    tariq = Assertion.objects.get(recipient__email="tariq.mehmood@learners.example")
    assert tariq.prior_learning and "recognition of prior learning" in tariq.narrative


def test_the_demo_learner_keeps_a_verified_badge_from_another_issuer():
    from badges.models import ImportedBadge

    call_command("seed_demo")
    (kept,) = ImportedBadge.objects.filter(owner__email="learner@leads.example")
    assert kept.verdict == "valid" and kept.issuer_name == "Elsewhere Academy"
    from badges.connected_apps import connected_applications

    (app,) = connected_applications(kept.owner)
    assert app.name == "Portfolio Showcase (demo)"
