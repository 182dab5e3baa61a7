"""The audit trail: one entry per audited change, with who and what changed; none for a refused
change; entries are never changed or deleted, in the admin or through the model."""

import datetime
import decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.audit import audit_record, field_changes, json_safe
from accounts.models import AuditEntry, Unit
from accounts.services import unit_set_dean

from .factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def leads_admin(**flags):
    return UserFactory(is_leads_admin=True, is_learner=False, full_name="Lena Admin", **flags)


@pytest.fixture
def admin_client(client):
    admin = leads_admin()
    admin.is_superuser = True  # the LEADS team also uses the Django admin
    admin.save()
    client.force_login(admin)
    client.user = admin
    return client


# --- Recording ------------------------------------------------------------------------------------


def test_values_are_recorded_as_json_dates_as_iso_strings():
    assert json_safe(
        {
            "on": datetime.date(2027, 2, 1),
            "at": datetime.datetime(2027, 2, 1, 9, 30, tzinfo=datetime.UTC),
            "hours": decimal.Decimal("12.5"),
            "tags": ("a", "b"),
            "none": None,
        }
    ) == {
        "on": "2027-02-01",
        "at": "2027-02-01T09:30:00+00:00",
        "hours": "12.5",
        "tags": ["a", "b"],
        "none": None,
    }


def test_field_changes_names_only_what_differs_and_foreign_keys_by_name():
    parent = UnitFactory(name="Faculty of Health Sciences")
    before = UnitFactory(name="School of Nursing")
    after = Unit.objects.get(pk=before.pk)
    after.name, after.parent = "School of Nursing and Midwifery", parent
    changes = field_changes(before, after, ["name", "kind", "parent"])
    assert changes == {
        "name": ["School of Nursing", "School of Nursing and Midwifery"],
        "parent": [None, "Faculty of Health Sciences"],
    }


def test_an_unknown_action_is_refused():
    unit = UnitFactory()
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit_record(actor=None, action="unit.renamed", target=unit)
    assert not AuditEntry.objects.exists()


def test_an_entry_is_never_changed_or_deleted_through_the_model():
    entry = audit_record(actor=None, action="unit.dean_appointed", target=UnitFactory())
    entry.summary = "Something else"
    with pytest.raises(ValueError, match="never changed"):
        entry.save()
    with pytest.raises(ValueError, match="never deleted"):
        entry.delete()
    assert AuditEntry.objects.get().summary == ""


# --- Appointing a dean ----------------------------------------------------------------------------


def test_appointing_a_dean_and_designates_writes_one_entry_with_who_did_it():
    admin = leads_admin()
    unit = UnitFactory(name="Institute for Educational Development")
    dean = UserFactory(full_name="Dr Sana Baig", is_learner=False)
    designate = UserFactory(full_name="Omar Farooq", is_learner=False)

    unit_set_dean(unit=unit, dean=dean, designates=[designate], acting_user=admin)

    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_label) == (
        admin,
        "unit.dean_appointed",
        "Institute for Educational Development",
    )
    assert entry.at is not None and entry.target_id == str(unit.pk)
    assert entry.changes == {"dean": [None, "Dr Sana Baig"], "designates": [[], ["Omar Farooq"]]}
    assert "Appointed Dr Sana Baig as dean" in entry.summary

    # Naming the same people again changes nothing, and records nothing.
    unit_set_dean(unit=unit, dean=dean, designates=[designate], acting_user=admin)
    assert AuditEntry.objects.count() == 1
    # Removing the dean is recorded too.
    unit_set_dean(unit=unit, dean=None, designates=[designate], acting_user=admin)
    removed = AuditEntry.objects.order_by("-id").first()
    assert removed.changes == {"dean": ["Dr Sana Baig", None]}
    assert removed.summary.startswith("Removed the dean")


def test_the_system_appoints_without_an_actor():
    unit = UnitFactory()
    unit_set_dean(unit=unit, dean=UserFactory(), acting_user=None)
    assert AuditEntry.objects.get().actor is None


def test_only_the_leads_team_appoints_deans_and_a_refusal_records_nothing():
    unit = UnitFactory()
    dean = UserFactory(is_course_leader=True)
    with pytest.raises(PermissionDenied):
        unit_set_dean(unit=unit, dean=dean, acting_user=dean)
    unit.refresh_from_db()
    assert unit.dean is None and not AuditEntry.objects.exists()


def test_the_django_admin_appoints_deans_through_the_service(admin_client):
    unit = UnitFactory(name="School of Nursing")
    dean, designate = UserFactory(full_name="Dr Dean"), UserFactory(full_name="Des Ignate")
    url = reverse("admin:accounts_unit_change", args=[unit.pk])
    response = admin_client.post(
        url,
        {"name": "School of Nursing and Midwifery", "kind": "school", "parent": "",
         "dean": dean.pk, "designates": [designate.pk]},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    unit.refresh_from_db()
    assert (unit.name, unit.dean) == ("School of Nursing and Midwifery", dean)
    assert list(unit.designates.all()) == [designate]
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action) == (admin_client.user, "unit.dean_appointed")
    assert entry.changes == {"dean": [None, "Dr Dean"], "designates": [[], ["Des Ignate"]]}

    # A new unit with its dean: one entry, by the same service.
    response = admin_client.post(
        reverse("admin:accounts_unit_add"),
        {"name": "Department of Surgery", "kind": "department", "parent": unit.pk,
         "dean": dean.pk, "designates": []},
    )  # fmt: skip
    assert response.status_code == 302
    added = Unit.objects.get(name="Department of Surgery")
    assert added.dean == dean
    assert AuditEntry.objects.filter(target_id=str(added.pk)).count() == 1

    # Renaming alone is not an appointment.
    admin_client.post(
        url,
        {"name": "School of Nursing", "kind": "school", "parent": "",
         "dean": dean.pk, "designates": [designate.pk]},
    )  # fmt: skip
    assert AuditEntry.objects.filter(target_id=str(unit.pk)).count() == 1


# --- The admin's audit trail ----------------------------------------------------------------------


def test_the_audit_trail_is_listed_filtered_and_searched_in_the_admin(admin_client):
    unit = UnitFactory(name="Institute for Educational Development")
    unit_set_dean(
        unit=unit, dean=UserFactory(full_name="Dr Sana Baig"), acting_user=admin_client.user
    )
    url = reverse("admin:accounts_auditentry_changelist")
    page = admin_client.get(url).content.decode()
    assert "Institute for Educational Development" in page and "Lena Admin" in page
    assert "Dean or designates appointed" in page
    filtered = admin_client.get(url, {"action": "offering.created"}).content.decode()
    assert "Institute for Educational Development" not in filtered
    searched = admin_client.get(url, {"q": "Sana Baig"}).content.decode()
    assert "Institute for Educational Development" in searched
    entry = AuditEntry.objects.get()
    detail = admin_client.get(reverse("admin:accounts_auditentry_change", args=[entry.pk]))
    assert "Dean: — → Dr Sana Baig" in detail.content.decode()


def test_entries_cannot_be_added_changed_or_deleted_in_the_admin(admin_client):
    entry = audit_record(actor=None, action="unit.dean_appointed", target=UnitFactory())
    assert admin_client.get(reverse("admin:accounts_auditentry_add")).status_code == 403
    change = reverse("admin:accounts_auditentry_change", args=[entry.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.post(change, {"summary": "Rewritten"}).status_code == 403
    delete = reverse("admin:accounts_auditentry_delete", args=[entry.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = admin_client.get(reverse("admin:accounts_auditentry_changelist"))
    assert changelist.context["action_form"] is None  # no actions at all: none deletes
    response = admin_client.post(
        reverse("admin:accounts_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.summary == "" and AuditEntry.objects.count() == 1
