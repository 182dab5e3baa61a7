"""In Chromium: a learner adds a badge to a wallet from their backpack, on a phone-sized screen,
and sees the QR code, the link and the transaction code a wallet asks for."""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD

from .test_credentials import issue_one

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_learner_makes_a_wallet_offer_from_the_backpack_on_a_phone(browser_page, settings):
    page = browser_page
    settings.SITE_URL = page.base_url
    assertion = issue_one()
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(page.base_url + "/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(assertion.recipient.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(page.base_url + "/learn/badges/")
    page.get_by_role("link", name=re.compile(r"^Add to a wallet")).first.click()
    page.get_by_role("button", name="Make an offer for my wallet").click()
    expect(page.get_by_role("img", name=re.compile("QR code of the offer"))).to_be_visible()
    code = page.locator("#tx-code").inner_text()
    assert re.fullmatch(r"\d{6}", code)
    link = page.get_by_role("link", name="Open in my wallet app").get_attribute("href")
    assert link.startswith("openid-credential-offer://?credential_offer=")
    offer = json.loads(parse_qs(urlsplit(link).query)["credential_offer"][0])
    assert offer["credential_issuer"] == page.base_url
    grant = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert grant["tx_code"]["length"] == 6 and grant["pre-authorized_code"]
    # Nothing on the page is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
