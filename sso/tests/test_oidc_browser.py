"""OpenID Connect sign-in against a real OpenID Provider (oidc-provider, the certified Node
implementation, run by the tests: config/testing/oidc_provider.py), driven through Chromium:
first sign-in, linking, sign-out of both, and refusal of what must not be believed."""

import json
import re
import secrets

import pytest
from playwright.sync_api import expect

from accounts.models import User
from accounts.tests.factories import UserFactory
from sso.models import ExternalIdentity

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a long passphrase for tests"
ACCOUNTS = {
    "amina": {
        "sub": "amina-0001",
        "email": "amina@uni.example",
        "email_verified": True,
        "given_name": "Amina",
        "family_name": "Yusuf",
        "name": "Amina Yusuf",
        "eduPersonAffiliation": ["student"],
    },
    "omar": {
        "sub": "omar-0002",
        "email": "omar@uni.example",
        "email_verified": False,
        "name": "Omar Farooq",
    },
    "sana": {
        "sub": "sana-0003",
        "email": "sana@uni.example",
        "email_verified": True,
        "name": "Sana Iqbal",
        "eduPersonAffiliation": ["faculty", "staff"],
    },
}


@pytest.fixture
def university(oidc_provider, live_server, settings):
    """The provider, with the centre registered as its client, and the centre configured with
    it. ``university(passwords=…, clock_offset_seconds=…)`` starts them."""

    def start(*, passwords="allowed", clock_offset_seconds=0):
        secret = secrets.token_urlsafe(24)
        oidc_provider.start(
            clients=[
                {
                    "client_id": "leads-centre",
                    "client_secret": secret,
                    "redirect_uris": [f"{live_server.url}/accounts/sso/university/callback/"],
                    "post_logout_redirect_uris": [f"{live_server.url}/accounts/signed-out/"],
                }
            ],
            accounts=ACCOUNTS,
            clock_offset_seconds=clock_offset_seconds,
        )
        settings.SSO_PROVIDERS_JSON = json.dumps(
            [
                {
                    "slug": "university",
                    "name": "University of Example",
                    "protocol": "oidc",
                    "issuer": oidc_provider.issuer,
                    "client_id": "leads-centre",
                    "client_secret": secret,
                    "passwords": passwords,
                    "roles": {"claim": "eduPersonAffiliation", "map": {"faculty": "instructor"}},
                }
            ]
        )
        return oidc_provider

    return start


def sign_in_with_university(page, provider, login):
    page.goto(f"{page.base_url}/accounts/sign-in/")
    page.get_by_role("link", name="Sign in with University of Example").click()
    provider.sign_in(page, login)


def signed_in_as(page):
    """The header's "Signed in as …" (shown once per width: the visible one)."""
    return page.locator(".signed-in:visible")


def refused(page, words):
    expect(page.get_by_role("heading", name="Not signed in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(words)
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()


def test_a_first_sign_in_makes_a_learner_account_and_signing_out_ends_both_sessions(
    browser_page, university
):
    provider = university()
    page = browser_page
    sign_in_with_university(page, provider, "amina")
    expect(signed_in_as(page)).to_contain_text("Amina Yusuf")
    user = User.objects.get(email="amina@uni.example")
    assert user.is_learner and not (user.is_instructor or user.is_leads_admin or user.is_staff)
    assert ExternalIdentity.objects.get(user=user).subject == "amina-0001"

    page.get_by_role("button", name="Sign out").first.click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    assert page.url.startswith(page.base_url), "back at the centre after the provider's logout"
    # Signed out of the provider too: it asks who you are again instead of signing straight in.
    page.goto(f"{page.base_url}/accounts/sign-in/")
    page.get_by_role("link", name="Sign in with University of Example").click()
    expect(page.locator("#login")).to_be_visible()


def test_an_existing_account_is_linked_by_a_verified_email_and_roles_come_only_from_the_map(
    browser_page, university
):
    provider = university()
    existing = UserFactory(email="sana@uni.example", full_name="Sana Iqbal", password=PASSWORD)
    sign_in_with_university(browser_page, provider, "sana")
    expect(signed_in_as(browser_page)).to_contain_text("Sana Iqbal")
    existing.refresh_from_db()
    assert ExternalIdentity.objects.filter(user=existing).exists()
    assert existing.is_instructor, "the centre maps faculty to instructor"
    assert not (existing.is_leads_admin or existing.is_staff or existing.is_course_leader)


def test_an_unverified_email_links_nothing_until_the_person_signs_in_and_links_it(
    browser_page, university
):
    provider = university()
    omar = UserFactory(email="omar@uni.example", full_name="Omar Farooq", password=PASSWORD)
    page = browser_page
    sign_in_with_university(page, provider, "omar")
    refused(page, "does not vouch for omar@uni.example")
    assert not ExternalIdentity.objects.exists()

    page.goto(f"{page.base_url}/accounts/sign-in/")
    page.get_by_label("E-mail address").fill("omar@uni.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(f"{page.base_url}/accounts/sign-in-methods/")
    page.get_by_role("link", name="Link University of Example").click()
    # The provider still has Omar's session from a moment ago: no second login page.
    expect(page.get_by_text("University of Example is linked to your account.")).to_be_visible()
    assert ExternalIdentity.objects.get(user=omar).subject == "omar-0002"


def test_sso_only_refuses_the_password_of_a_linked_account(browser_page, university):
    provider = university(passwords="sso_only")
    page = browser_page
    sign_in_with_university(page, provider, "amina")
    user = User.objects.get(email="amina@uni.example")
    user.set_password(PASSWORD)  # set by a reset e-mail, say
    user.save()
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/accounts/sign-in/")
    page.get_by_label("E-mail address").fill("amina@uni.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("do not match an account")).to_be_visible()
    expect(signed_in_as(page)).to_have_count(0)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("tampered_signature", re.compile("signature")),
        # Authlib reads another audience as a second one, which needs an azp naming us.
        ("wrong_audience", re.compile("aud|azp")),
    ],
)
def test_an_id_token_not_signed_for_us_signs_nobody_in(browser_page, university, answer, reason):
    provider = university()
    provider.answer_tokens(answer)
    sign_in_with_university(browser_page, provider, "amina")
    refused(browser_page, "could not be trusted")
    expect(browser_page.get_by_role("alert")).to_contain_text(reason)
    assert not User.objects.filter(email="amina@uni.example").exists()


def test_an_expired_id_token_signs_nobody_in(browser_page, university):
    provider = university(clock_offset_seconds=-7200)
    sign_in_with_university(browser_page, provider, "amina")
    refused(browser_page, "could not be trusted")
    expect(browser_page.get_by_role("alert")).to_contain_text("expired")
    assert not User.objects.filter(email="amina@uni.example").exists()


def test_a_replayed_callback_is_refused_before_the_provider_is_asked(browser_page, university):
    provider = university()
    page = browser_page
    callbacks = []
    page.on("request", lambda r: callbacks.append(r.url) if "/callback/?" in r.url else None)
    sign_in_with_university(page, provider, "amina")
    expect(signed_in_as(page)).to_be_visible()
    page.get_by_role("button", name="Sign out").first.click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto(callbacks[0])
    refused(page, "used already")
    expect(signed_in_as(page)).to_have_count(0)
