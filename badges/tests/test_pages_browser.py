"""In Chromium: a learner completes a course whose badge is issued automatically, finds it in
their backpack and shares its link; an anonymous visitor verifies it; the LEADS team revokes it
and the same link says so."""

import io
import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from assessments.services import record_result
from badges.models import Assertion
from badges.services import assertion_revoke
from courses.services import enrollment_create
from courses.tests.factories import leads_admin

from .factories import badge_course, issued_badge, revoked_badge

try:  # a development tool, not a requirement: the QR code is decoded where it is installed
    import zxingcpp
except ImportError:
    zxingcpp = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}
AXE = Path(__file__).resolve().parents[2] / "tools/a11y/node_modules/axe-core/axe.min.js"


def sign_in(page, email):
    page.goto(page.base_url + "/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/dashboard/"))


def assert_no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"


def decode_qr(png: bytes):
    """The text of the QR code in a screenshot, read by an independent decoder (zxing-cpp)."""
    from PIL import Image

    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return results[0].text if results else None


def test_completion_issues_the_badge_which_is_shared_verified_and_then_revoked(
    browser_page, live_server, settings
):
    page = browser_page
    # Absolute links (the share link, the QR code) point at this test's server.
    settings.SITE_URL = live_server.url
    outside = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((live_server.url, "data:")) else outside.append(r.url),
    )
    csp_errors = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )

    course, (task1, task2), offering, instructor, badge = badge_course(
        title="Data Analytics with Python"
    )
    learner = UserFactory(is_learner=True, full_name="Amina Yusuf")
    enrollment = enrollment_create(offering=offering, learner=learner)
    record_result(enrollment=enrollment, assessment=task1, result="pass", acting_user=instructor)
    assert not Assertion.objects.filter(enrollment=enrollment).exists()
    # The last result completes the course; the badge follows with nobody doing anything.
    record_result(enrollment=enrollment, assessment=task2, result="pass", acting_user=instructor)
    assertion = Assertion.objects.get(enrollment=enrollment)
    assert assertion.automatic

    sign_in(page, learner.email)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(page.base_url + "/learn/badges/")
    card = page.locator(f"#badge-{assertion.pk}")
    expect(card.get_by_role("heading", name="Data Analytics with Python")).to_be_visible()
    expect(card.get_by_text("Valid", exact=True)).to_be_visible()
    share = card.get_by_label("Share link (never expires)")
    share_url = share.input_value()
    assert share_url == f"{live_server.url}/public/assertions/{assertion.pk}"
    card.get_by_role("button", name="Copy link to Data Analytics with Python").click()
    expect(card.get_by_text("Link copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == share_url
    linkedin = card.get_by_role("link", name="Add to LinkedIn profile")
    assert linkedin.get_attribute("href").startswith("https://www.linkedin.com/profile/add?")
    page.set_viewport_size(PHONE)
    assert_no_sideways_scroll(page)
    page.context.clear_cookies()  # signed out

    # An employer opens the link, on a phone, signed in to nothing.
    page.goto(share_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Valid")
    expect(page.get_by_text("Amina Yusuf").first).to_be_visible()
    assert_no_sideways_scroll(page)
    qr_image = page.get_by_role("img", name="QR code of this page’s address")
    expect(qr_image).to_be_visible()
    if zxingcpp is not None:
        qr_image.scroll_into_view_if_needed()
        assert decode_qr(qr_image.screenshot()) == share_url

    assertion_revoke(
        assertion=assertion, acting_user=leads_admin(), reason="Assessment found plagiarised"
    )
    page.reload()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Revoked")
    expect(heading).not_to_contain_text("Valid")
    expect(page.get_by_text("Assessment found plagiarised")).to_be_visible()
    assert_no_sideways_scroll(page)

    assert outside == [], f"the pages loaded from elsewhere: {outside}"
    assert csp_errors == []


@pytest.mark.parametrize("width", [1280, 375])
def test_the_badge_pages_have_no_wcag_a_or_aa_violations(browser, live_server, settings, width):
    """axe-core (installed from npm into tools/a11y by scripts/test.sh) on every badge page, in a
    context that bypasses the CSP only so that axe can be injected."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core is not installed: npm ci --prefix tools/a11y")
        pytest.skip("axe-core is not installed: npm ci --prefix tools/a11y")
    settings.SITE_URL = live_server.url
    valid = issued_badge()
    revoked = revoked_badge(learner=valid.recipient, title="Statistics for Health")
    badge = valid.badge_class
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    public = [
        f"/public/assertions/{valid.pk}",
        f"/public/assertions/{revoked.pk}",
        f"/public/badges/{badge.pk}",
        f"/public/issuers/{badge.issuer_id}",
        f"/public/learners/{valid.recipient.public_id}",
    ]
    found = {}
    try:
        for path in [*public, "/learn/badges/"]:
            if path == "/learn/badges/":
                sign_in(page, valid.recipient.email)
            response = page.goto(live_server.url + path)
            assert response.status == 200 and page.url == live_server.url + path, path
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
                "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
            )
            problems = [
                {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in result["violations"]
            ]
            if problems:
                found[path] = problems
            if width == PHONE["width"]:
                assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    finally:
        context.close()
    assert found == {}, json.dumps(found, indent=2)
