"""Who rotated or withdrew a signing key, and who edited a badge design: one audit entry per
change, with the actor and what changed, written in the change's transaction; none when the
change is refused."""

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import AuditEntry
from accounts.tests.factories import UserFactory
from badges import keys, services
from badges.models import SigningKey
from badges.services import issuer_get_default

from .admin_factories import cohort, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://centre.example"


@pytest.fixture
def group():
    return cohort(1)


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


# --- Signing keys ---------------------------------------------------------------------------------


def test_rotating_a_key_records_who_and_which_keys():
    admin = UserFactory(is_leads_admin=True, is_learner=False)
    issuer = issuer_get_default()
    first = keys.signing_key_create(issuer=issuer)
    second = keys.signing_key_rotate(issuer=issuer, acting_user=admin)
    (entry,) = entries("signing_key.rotated")
    assert (entry.actor, entry.target_id, entry.target_label) == (
        admin,
        str(issuer.pk),
        issuer.name,
    )
    assert entry.changes == {"active_key": [first.fragment, second.fragment]}
    assert first.fragment in entry.summary and second.fragment in entry.summary


def test_withdrawing_a_key_records_who_and_why():
    admin = UserFactory(is_leads_admin=True, is_learner=False)
    first = keys.signing_key_create(issuer=issuer_get_default())
    replacement = services.signing_key_compromise(
        signing_key=first, reason="Laptop stolen", acting_user=admin
    )
    (entry,) = entries("signing_key.compromised")
    assert (entry.actor, entry.target_id) == (admin, str(first.pk))
    assert entry.changes == {
        "status": ["active", "compromised"],
        "compromise_reason": ["", "Laptop stolen"],
        "active_key": [first.fragment, replacement.fragment],
    }
    assert "Laptop stolen" in entry.summary


def test_a_refused_key_change_records_nothing():
    issuer = issuer_get_default()
    first = keys.signing_key_create(issuer=issuer)
    learner = UserFactory()
    with pytest.raises(PermissionDenied):
        keys.signing_key_rotate(issuer=issuer, acting_user=learner)
    with pytest.raises(PermissionDenied):
        services.signing_key_compromise(signing_key=first, reason="x", acting_user=learner)
    with pytest.raises(keys.KeyRefused):
        services.signing_key_compromise(signing_key=first, reason=" ", acting_user=None)
    services.signing_key_compromise(signing_key=first, reason="Leaked", acting_user=None)
    with pytest.raises(keys.KeyRefused):
        services.signing_key_compromise(signing_key=first, reason="Again", acting_user=None)
    assert AuditEntry.objects.count() == 1  # the one withdrawal that happened
    assert SigningKey.objects.filter(status="active").count() == 1


def command(*args) -> str:
    out = StringIO()
    call_command("badge_keys", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_command_records_the_operator_named_by_by_or_the_system():
    admin = UserFactory(is_leads_admin=True, is_learner=False, email="ops@example.org")
    command("generate")
    command("rotate", "--by", "OPS@example.org")
    command("rotate")
    active = SigningKey.objects.get(status="active")
    command("revoke-compromised", active.fragment, "--reason", "In a log", "--by", admin.email)
    assert [(e.action, e.actor) for e in AuditEntry.objects.order_by("id")] == [
        ("signing_key.rotated", admin),
        ("signing_key.rotated", None),
        ("signing_key.compromised", admin),
    ]
    with pytest.raises(CommandError, match="No account"):
        command("rotate", "--by", "nobody@example.org")
    with pytest.raises(CommandError, match="Only the LEADS team"):
        command("rotate", "--by", UserFactory().email)
    assert AuditEntry.objects.count() == 3


# --- Badge designs --------------------------------------------------------------------------------


def test_editing_a_design_records_each_changed_field(group):
    before = group.badge.name
    badge = services.badge_class_update(
        badge=group.badge,
        acting_user=group.admin,
        name="Data Analytics with Python (2027)",
        description=group.badge.description,  # unchanged: not recorded
        tags=["data", "python"],
        expires_after_months=None,
    )
    assert badge.name == "Data Analytics with Python (2027)"
    (entry,) = entries("badge_class.edited")
    assert (entry.actor, entry.target_id) == (group.admin, str(group.badge.pk))
    assert entry.changes == {
        "name": [before, "Data Analytics with Python (2027)"],
        "tags": [group.badge.tags, ["data", "python"]],
        "expires_after_months": [24, None],
    }
    # Saving the same values again changes nothing and records nothing.
    services.badge_class_update(badge=badge, acting_user=group.admin, name=badge.name)
    assert AuditEntry.objects.filter(action="badge_class.edited").count() == 1


def test_a_refused_design_edit_records_nothing(group):
    instructor = group.instructor
    with pytest.raises(PermissionDenied):
        services.badge_class_update(badge=group.badge, acting_user=instructor, name="Mine")
    with pytest.raises(ValidationError):
        services.badge_class_update(badge=group.badge, acting_user=group.admin, level="wizard")
    with pytest.raises(ValidationError):
        services.badge_class_update(badge=group.badge, acting_user=group.admin, name="")
    with pytest.raises(TypeError):
        services.badge_class_update(badge=group.badge, acting_user=group.admin, issue_mode="x")
    group.badge.refresh_from_db()
    assert group.badge.name == "Data Analytics with Python"
    assert not entries("badge_class.edited")


def edit_data(badge, **changes):
    return {
        "name": badge.name,
        "description": badge.description,
        "criteria_narrative": badge.criteria_narrative,
        "level": badge.level,
        "tags": ", ".join(badge.tags),
        "expires_after_months": badge.expires_after_months or "",
        "expires_on": badge.expires_on or "",
        "message": badge.message,
        **changes,
    }


def test_the_design_page_saves_through_the_service_and_shows_the_history(client, group):
    client.force_login(group.admin)
    url = reverse("badge_admin:edit", args=[group.badge.pk])
    assert "No change recorded yet" in client.get(url).content.decode()
    image = SimpleUploadedFile("new.png", png_bytes(300), "image/png")
    response = client.post(url, edit_data(group.badge, name="Renamed badge", image=image))
    assert response.status_code == 302
    (entry,) = entries("badge_class.edited")
    assert entry.actor == group.admin
    assert set(entry.changes) == {"name", "image"}
    assert entry.changes["image"][1].startswith("badges/")
    page = client.get(url).content.decode()
    assert "History" in page and group.admin.full_name in page
    assert "Name: Data Analytics with Python → Renamed badge" in page


def test_the_django_admin_saves_a_design_through_the_service(client, group):
    group.admin.is_superuser = True
    group.admin.save()
    client.force_login(group.admin)
    badge = group.badge
    url = reverse("admin:badges_badgeclass_change", args=[badge.pk])
    data = {
        "name": "Renamed in the admin",
        "description": badge.description,
        "criteria_narrative": badge.criteria_narrative,
        "level": badge.level,
        "tags": '["data"]',
        "expires_after_months": badge.expires_after_months or "",
        "expires_on": "",
        "message": badge.message,
    }
    assert client.post(url, data).status_code == 302
    (entry,) = entries("badge_class.edited")
    assert entry.actor == group.admin
    assert entry.changes["name"] == ["Data Analytics with Python", "Renamed in the admin"]
    assert entry.changes["tags"][1] == ["data"]

    # A superuser who is not of the LEADS team may look, not edit.
    other = UserFactory(is_learner=False)
    other.is_staff = other.is_superuser = True
    other.save()
    client.force_login(other)
    assert client.post(url, {**data, "name": "Not mine"}).status_code == 403
    badge.refresh_from_db()
    assert badge.name == "Renamed in the admin" and len(entries("badge_class.edited")) == 1
