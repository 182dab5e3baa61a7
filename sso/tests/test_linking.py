"""Who an identity provider's answer signs in: linking only by a verified e-mail or a stable
subject, a learner account at first sign-in, staff roles only by the centre's explicit mapping."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.models import AuditEntry, User
from accounts.tests.factories import UserFactory
from sso.linking import Claims, SignInRefused, external_sign_in, identity_unlink
from sso.models import ExternalIdentity
from sso.providers import provider_get, providers

pytestmark = pytest.mark.django_db

UNIVERSITY = {
    "slug": "university",
    "name": "University of Example",
    "protocol": "oidc",
    "issuer": "https://id.example.edu",
    "client_id": "leads",
    "client_secret": "s3cret",
    "roles": {"claim": "eduPersonAffiliation", "map": {"faculty": "instructor"}},
}


@pytest.fixture
def university(settings):
    settings.SSO_PROVIDERS_JSON = json.dumps([UNIVERSITY])
    return provider_get("university")


def claims(subject="u-1", email="amina@example.edu", verified=True, **raw):
    return Claims(
        subject=subject, email=email, email_verified=verified, full_name="Amina Yusuf", raw=raw
    )


def test_a_first_sign_in_with_a_verified_email_makes_a_learner_account(university):
    user = external_sign_in(provider=university, claims=claims())
    assert user.email == "amina@example.edu" and user.is_learner and user.full_name == "Amina Yusuf"
    assert not user.has_usable_password()
    assert not (user.is_instructor or user.is_course_leader or user.is_leads_admin or user.is_staff)
    assert ExternalIdentity.objects.get(user=user).subject == "u-1"
    assert AuditEntry.objects.filter(action="sso.account_created").count() == 1


def test_the_subject_signs_in_its_account_whatever_the_email_becomes(university):
    first = external_sign_in(provider=university, claims=claims())
    again = external_sign_in(
        provider=university, claims=claims(email="a.yusuf@example.edu", verified=False)
    )
    assert again == first and User.objects.count() == 1


def test_an_existing_account_is_linked_by_a_verified_email(university):
    existing = UserFactory(email="amina@example.edu")
    assert external_sign_in(provider=university, claims=claims()) == existing
    assert AuditEntry.objects.filter(action="sso.linked").count() == 1


def test_an_unverified_email_never_links_nor_makes_an_account(university):
    UserFactory(email="amina@example.edu")
    refusals = []
    for email in ("amina@example.edu", "new@example.edu"):  # has an account here; has none
        with pytest.raises(SignInRefused, match="does not vouch for") as refused:
            external_sign_in(provider=university, claims=claims(email=email, verified=False))
        refusals.append(str(refused.value).replace(email, "…"))
    assert refusals[0] == refusals[1], "the words do not tell whether the account exists"
    assert not ExternalIdentity.objects.exists() and User.objects.count() == 1


def test_a_staff_account_is_never_linked_by_its_email_alone(university):
    admin = UserFactory(email="amina@example.edu", is_leads_admin=True)
    with pytest.raises(SignInRefused, match="linked only by its owner"):
        external_sign_in(provider=university, claims=claims())
    assert not ExternalIdentity.objects.exists()
    assert external_sign_in(provider=university, claims=claims(), current_user=admin) == admin


def test_a_provider_vouches_only_for_its_own_domains(settings):
    settings.SSO_PROVIDERS_JSON = json.dumps([{**UNIVERSITY, "email_domains": ["example.edu"]}])
    university = provider_get("university")
    with pytest.raises(SignInRefused, match="does not vouch for"):
        external_sign_in(provider=university, claims=claims(email="amina@gmail.example"))
    assert external_sign_in(provider=university, claims=claims()).email == "amina@example.edu"


def test_a_password_is_refused_where_the_provider_is_the_only_way_in(settings, client):
    settings.SSO_PROVIDERS_JSON = json.dumps([{**UNIVERSITY, "passwords": "sso_only"}])
    user = external_sign_in(provider=provider_get("university"), claims=claims())
    user.set_password("a long passphrase here")
    user.is_staff = True
    user.save()
    for url in ("/accounts/sign-in/", "/admin/login/"):
        page = client.post(url, {"username": user.email, "password": "a long passphrase here"})
        assert page.status_code == 200, f"{url}: not signed in, the form again"
        assert "_auth_user_id" not in client.session


def test_a_signed_in_person_links_their_own_account_whatever_the_email(university):
    me = UserFactory(email="amina.private@mail.example")
    assert (
        external_sign_in(provider=university, claims=claims(verified=False), current_user=me) == me
    )
    other = UserFactory()
    with pytest.raises(SignInRefused, match="already linked to another account"):
        external_sign_in(provider=university, claims=claims(), current_user=other)


def test_staff_roles_only_by_the_centres_explicit_mapping(university):
    student = external_sign_in(
        provider=university, claims=claims(is_leads_admin=True, eduPersonAffiliation=["student"])
    )
    assert not (student.is_instructor or student.is_leads_admin or student.is_staff)
    teacher = external_sign_in(
        provider=university,
        claims=claims(subject="u-2", email="t@example.edu", eduPersonAffiliation=["faculty"]),
    )
    assert teacher.is_instructor and not teacher.is_leads_admin and not teacher.is_staff
    assert AuditEntry.objects.filter(action="sso.role_granted", target_id=str(teacher.pk)).exists()


def test_a_closed_account_is_not_signed_in(university):
    user = external_sign_in(provider=university, claims=claims())
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(SignInRefused, match="closed"):
        external_sign_in(provider=university, claims=claims())


def test_the_only_way_in_cannot_be_unlinked(university):
    user = external_sign_in(provider=university, claims=claims())
    with pytest.raises(SignInRefused, match="how you sign in"):
        identity_unlink(user=user, provider=university)
    user.set_password("a long passphrase here")
    user.save()
    identity_unlink(user=user, provider=university)
    assert not ExternalIdentity.objects.exists()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"protocol": "cas"}, "protocol"),
        ({"slug": "Bad Slug"}, "slug"),
        ({"client_secret": ""}, "client_secret"),
        ({"issuer": "http://id.example.edu"}, "https"),
        ({"roles": {"claim": "groups", "map": {"admins": "superuser"}}}, "superuser"),
        ({"passwords": "never"}, "passwords"),
        ({"issuer": "http://127.0.0.1.evil.example"}, "https"),
        ({"protocol": "saml", "metadata_url": "http://idp.example.edu/metadata"}, "https"),
        (
            {"protocol": "saml", "metadata_url": "https://idp.example/m", "trust_email": "no"},
            "true",
        ),
    ],
)
def test_a_provider_configured_wrongly_is_named_at_start(settings, change, named):
    settings.SSO_PROVIDERS_JSON = json.dumps([{**UNIVERSITY, **change}])
    with pytest.raises(ImproperlyConfigured, match=named):
        providers()


def test_invalid_json_is_named(settings):
    settings.SSO_PROVIDERS_JSON = "[{"
    with pytest.raises(ImproperlyConfigured, match="not valid JSON"):
        providers()
