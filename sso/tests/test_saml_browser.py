"""SAML 2.0 sign-in against a real identity provider built with pysaml2 and run by the tests
(config/testing/saml_idp.py), driven through Chromium: our SP metadata, a first sign-in with the
university's attributes, and refusal of unsigned, tampered, expired, misaddressed, wrongly
signed and replayed assertions."""

import html
import json
import re

import pytest
import requests
from playwright.sync_api import expect

from accounts.models import User
from sso.models import ExternalIdentity

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

METADATA = "/accounts/sso/campus/saml/metadata/"


@pytest.fixture
def campus(saml_idp, live_server, settings):
    """The identity provider, knowing our SP metadata, and the centre configured with it."""

    def start(*, mode="normal", trust_email=True):
        settings.SSO_PROVIDERS_JSON = json.dumps(
            [
                {
                    "slug": "campus",
                    "name": "Campus Login",
                    "protocol": "saml",
                    "metadata_url": saml_idp.metadata_url,
                    "trust_email": trust_email,
                    "roles": {"claim": "eduPersonAffiliation", "map": {"staff": "instructor"}},
                }
            ]
        )
        return saml_idp.start(sp_metadata_url=live_server.url + METADATA, mode=mode)

    return start


def sign_in_with_campus(page, idp, login):
    page.goto(f"{page.base_url}/accounts/sign-in/")
    page.get_by_role("link", name="Sign in with Campus Login").click()
    return idp.sign_in(page, login)


def refused(page, words):
    expect(page.get_by_role("heading", name="Not signed in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(words)


def test_our_metadata_asks_for_signed_assertions_at_our_acs(campus, live_server):
    campus()
    metadata = requests.get(live_server.url + METADATA, timeout=10)
    assert metadata.status_code == 200
    assert metadata.headers["Content-Type"] == "application/samlmetadata+xml"
    assert f'entityID="{live_server.url}{METADATA}"' in metadata.text
    assert 'WantAssertionsSigned="true"' in metadata.text
    assert f"{live_server.url}/accounts/sso/campus/saml/acs/" in metadata.text


def test_a_first_sign_in_makes_an_account_from_the_universitys_attributes(browser_page, campus):
    idp = campus()
    sign_in_with_campus(browser_page, idp, "alice")
    expect(browser_page.locator(".signed-in:visible")).to_contain_text("Alice Liddell")
    user = User.objects.get(email="alice@example.org")
    assert user.is_instructor, "the centre maps the affiliation staff to instructor"
    assert not (user.is_leads_admin or user.is_staff)
    identity = ExternalIdentity.objects.get(user=user)
    assert identity.provider == "campus" and len(identity.subject) == 32  # persistent NameID


def test_an_address_the_centre_does_not_trust_makes_no_account(browser_page, campus):
    idp = campus(trust_email=False)
    sign_in_with_campus(browser_page, idp, "bob")
    refused(browser_page, "does not vouch for bob@example.org")
    assert not User.objects.filter(email="bob@example.org").exists()


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("unsigned", re.compile("Signature missing", re.I)),
        ("tampered", re.compile("signature", re.I)),
        ("expired", re.compile("lifetime|expired|too old", re.I)),
        ("wrong_audience", re.compile("audience", re.I)),
        ("wrong_key", re.compile("signature", re.I)),
    ],
)
def test_an_assertion_not_to_be_believed_signs_nobody_in(browser_page, campus, mode, reason):
    idp = campus(mode=mode)
    sign_in_with_campus(browser_page, idp, "alice")
    refused(browser_page, "could not be trusted")
    expect(browser_page.get_by_role("alert")).to_contain_text(reason)
    assert not User.objects.filter(email="alice@example.org").exists()
    assert not ExternalIdentity.objects.exists()


def test_a_replayed_assertion_is_refused(browser_page, campus, live_server):
    idp = campus()
    sign_in_with_campus(browser_page, idp, "alice")
    expect(browser_page.locator(".signed-in:visible")).to_be_visible()
    replay = requests.post(
        f"{live_server.url}/accounts/sso/campus/saml/acs/",
        data={"SAMLResponse": idp.last_response()},
        timeout=10,
        allow_redirects=False,
    )
    assert replay.status_code == 400
    assert "used already" in replay.text


def _hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_a_handoff_link_opened_in_another_browser_signs_nobody_in(
    browser_page, campus, live_server
):
    """Someone who stops their own sign-in before its last step and sends that link to another
    person must not link their identity to that person's account, nor sign them in."""
    idp = campus()
    attacker = requests.Session()
    at_idp = attacker.get(f"{live_server.url}/accounts/sso/campus/", timeout=10)
    login = attacker.post(
        f"{idp.url}/idp/login",
        data={"key": _hidden(at_idp.text, "key"), "login": "alice"},
        timeout=10,
    )
    answered = attacker.post(
        f"{live_server.url}/accounts/sso/campus/saml/acs/",
        data={"SAMLResponse": html.unescape(_hidden(login.text, "SAMLResponse"))},
        timeout=10,
        allow_redirects=False,
    )
    assert answered.status_code == 302 and "/saml/done/?handoff=" in answered.headers["Location"]
    page = browser_page
    page.goto(live_server.url + answered.headers["Location"])
    refused(page, "not started in this browser")
    assert not ExternalIdentity.objects.exists()
    assert not User.objects.filter(email="alice@example.org").exists()
