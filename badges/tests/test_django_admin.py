import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import UserFactory
from badges import views_admin
from badges.models import Assertion, BadgeClass, Issuer

from .admin_factories import cohort, complete, confirm, issue_by_override, png_bytes, svg_bytes

pytestmark = pytest.mark.django_db


def superuser(**flags):
    user = UserFactory(is_learner=False, **flags)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def group():
    return cohort(3)


@pytest.fixture
def admin_client(client, group):
    group.admin.is_superuser = True  # a LEADS admin who may also use the Django admin
    group.admin.save()
    client.force_login(group.admin)
    return client


def changelist(model):
    return reverse(f"admin:badges_{model}_changelist")


def test_the_changelists_open(admin_client, group):
    issue_by_override(group, group.enrollments[:2])
    for model in ["issuer", "badgeclass", "assertion"]:
        assert admin_client.get(changelist(model)).status_code == 200, model
    body = admin_client.get(changelist("assertion")).content.decode()
    assert "Valid" in body and group.enrollments[0].learner.full_name in body


def test_issued_badges_are_read_only_and_never_deleted(admin_client, group):
    (assertion,) = issue_by_override(group, group.enrollments[:1])
    assert admin_client.get(reverse("admin:badges_assertion_add")).status_code == 403
    delete = reverse("admin:badges_assertion_delete", args=[assertion.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:badges_assertion_change", args=[assertion.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.post(change, {"recipient_name": "Someone else"}).status_code == 403
    choices = dict(
        admin_client.get(changelist("assertion")).context["action_form"].fields["action"].choices
    )
    assert "revoke_selected" in choices and "delete_selected" not in choices
    assertion.refresh_from_db()
    assert Assertion.objects.count() == 1 and assertion.recipient_name != "Someone else"


def revoke_action(client, assertions, follow=False, **extra):
    return client.post(
        changelist("assertion"),
        {
            "action": "revoke_selected",
            ACTION_CHECKBOX_NAME: [a.pk for a in assertions],
            **extra,
        },
        follow=follow,
    )


def test_the_revoke_action_asks_for_the_reason_then_revokes(admin_client, group):
    first, second, third = issue_by_override(group, group.enrollments)
    page = revoke_action(admin_client, [first, second], index="0")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Revoke 2 badges" in body and 'name="reason"' in body
    assert first.recipient_name in body and third.recipient_name not in body

    missing = revoke_action(admin_client, [first, second], post="yes", reason="  ")
    assert missing.status_code == 400
    assert "Give the reason for revoking the badge." in missing.content.decode()
    assert not Assertion.objects.filter(revoked_at__isnull=False).exists()

    done = revoke_action(admin_client, [first, second], post="yes", reason="Exam misconduct")
    assert done.status_code == 302
    revoked = Assertion.objects.filter(revoked_at__isnull=False)
    assert set(revoked) == {first, second}
    assert set(revoked.values_list("revocation_reason", flat=True)) == {"Exam misconduct"}
    assert set(revoked.values_list("revoked_by", flat=True)) == {group.admin.pk}
    third.refresh_from_db()
    assert third.revoked_at is None


def test_already_revoked_badges_are_left_as_they_are(admin_client, group):
    first, second, _ = issue_by_override(group, group.enrollments)
    revoke_action(admin_client, [first], post="yes", reason="First reason")
    page = revoke_action(admin_client, [first, second], index="0")
    assert "Revoke 1 badge" in page.content.decode()
    assert "Already revoked, so left as they are" in page.content.decode()
    revoke_action(admin_client, [first, second], post="yes", reason="Second reason")
    first.refresh_from_db()
    assert first.revocation_reason == "First reason"
    response = revoke_action(admin_client, [first], index="0", follow=True)
    assert "already revoked" in response.content.decode()


def test_only_the_leads_team_may_revoke_from_the_admin(client, group):
    (assertion,) = issue_by_override(group, group.enrollments[:1])
    client.force_login(superuser())
    # Nothing else is offered, so the changelist has no action menu at all.
    assert client.get(changelist("assertion")).context["action_form"] is None
    revoke_action(client, [assertion], post="yes", reason="Not my call")
    assertion.refresh_from_db()
    assert assertion.revoked_at is None


def test_the_status_filter(admin_client, group):
    first, second, _ = issue_by_override(group, group.enrollments)
    revoke_action(admin_client, [second], post="yes", reason="Fraud")
    response = admin_client.get(changelist("assertion"), {"status": "revoked"})
    assert list(response.context["cl"].queryset) == [second]


# --- Badge classes --------------------------------------------------------------------------------


def test_badge_classes_are_designed_on_the_centres_pages_not_added_or_deleted_here(
    admin_client, group
):
    assert admin_client.get(reverse("admin:badges_badgeclass_add")).status_code == 403
    delete = reverse("admin:badges_badgeclass_delete", args=[group.badge.pk])
    assert admin_client.get(delete).status_code == 403
    assert BadgeClass.objects.filter(pk=group.badge.pk).exists()


def issue_action(client, badges, **extra):
    return client.post(
        changelist("badgeclass"),
        {
            "action": "issue_to_waiting_learners",
            ACTION_CHECKBOX_NAME: [b.pk for b in badges],
            "index": "0",
            **extra,
        },
        follow=True,
    )


def test_the_issue_action_issues_to_every_confirmed_learner_without_a_badge(admin_client, group):
    confirmed, completed, _ = group.enrollments
    complete(group, confirmed, completed)
    confirm(group, confirmed)
    body = issue_action(admin_client, [group.badge]).content.decode()
    assert f"{group.badge}: 1 badge issued." in body
    assertion = Assertion.objects.get()
    assert assertion.enrollment == confirmed and assertion.issued_by == group.admin
    again = issue_action(admin_client, [group.badge]).content.decode()
    assert "no learner is waiting for this badge" in again
    assert Assertion.objects.count() == 1


def test_a_large_issue_goes_to_the_background(admin_client, group, monkeypatch):
    monkeypatch.setattr(views_admin, "BACKGROUND_OVER", 1)
    complete(group, *group.enrollments)
    confirm(group, *group.enrollments)
    body = issue_action(admin_client, [group.badge]).content.decode()
    assert "issuing 3 badges in the background" in body and "See the progress" in body
    assert Assertion.objects.count() == 3


def test_the_issue_action_is_for_the_leads_team(client, group):
    complete(group, group.enrollments[0])
    confirm(group, group.enrollments[0])
    client.force_login(superuser())
    issue_action(client, [group.badge])
    assert not Assertion.objects.exists()


def badge_form(badge, **changes):
    data = {
        "name": badge.name,
        "description": badge.description,
        "criteria_narrative": badge.criteria_narrative,
        "level": badge.level,
        "tags": '["data"]',
        "expires_after_months": badge.expires_after_months or "",
        "expires_on": "",
        "message": badge.message,
    }
    return {**data, **changes}


def test_an_image_uploaded_in_the_admin_is_checked_too(admin_client, group):
    url = reverse("admin:badges_badgeclass_change", args=[group.badge.pk])
    before = group.badge.image.name
    bad = SimpleUploadedFile("x.svg", svg_bytes("<script>alert(1)</script>"), "image/svg+xml")
    response = admin_client.post(url, badge_form(group.badge, image=bad))
    assert response.status_code == 200  # the form again, with the error
    assert "contains a &lt;script&gt; element" in response.content.decode()
    group.badge.refresh_from_db()
    assert group.badge.image.name == before

    good = SimpleUploadedFile("new.png", png_bytes(300), "image/png")
    response = admin_client.post(url, badge_form(group.badge, name="Renamed", image=good))
    assert response.status_code == 302
    group.badge.refresh_from_db()
    assert group.badge.name == "Renamed" and group.badge.image.name.endswith(".png")
    assert group.badge.image.name != before
    # Saving without a new upload keeps the image.
    admin_client.post(url, badge_form(group.badge, name="Renamed again"))
    group.badge.refresh_from_db()
    assert group.badge.name == "Renamed again" and group.badge.image.name.endswith(".png")


def test_the_issuer_is_kept(admin_client, group):
    issuer = Issuer.objects.get()
    assert admin_client.get(reverse("admin:badges_issuer_add")).status_code == 403
    delete = reverse("admin:badges_issuer_delete", args=[issuer.pk])
    assert admin_client.get(delete).status_code == 403
    change = reverse("admin:badges_issuer_change", args=[issuer.pk])
    assert admin_client.get(change).status_code == 200
