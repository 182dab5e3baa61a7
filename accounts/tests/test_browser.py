"""Each demo role signs in through the real sign-in page in Chromium and sees its home page."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.people import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [
    ("admin@leads.example", "LEADS admin"),
    ("dean.ied@leads.example", "Dean or designate"),
    ("designate.ied@leads.example", "Dean or designate"),
    ("leader@leads.example", "Course leader"),
    ("instructor@leads.example", "Instructor"),
    ("learner@leads.example", "Learner"),
]


@pytest.fixture
def demo_centre(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize(("email", "panel"), ROLES)
def test_each_demo_role_signs_in_and_sees_its_home_page(browser_page, demo_centre, email, panel):
    page = browser_page
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("E-mail address").fill(email.upper())
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.get_by_role("heading", name=panel, level=2)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()


def test_wrong_password_is_refused_with_a_message(browser_page, demo_centre):
    page = browser_page
    page.goto(page.base_url + "/accounts/sign-in/")
    page.get_by_label("E-mail address").fill("learner@leads.example")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("do not match an account")).to_be_visible()


def test_keyboard_users_can_skip_to_the_content_on_a_phone(browser_page, demo_centre):
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(page.base_url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The navigation collapses behind a labelled button on a narrow screen.
    expect(page.get_by_role("button", name="Show or hide navigation")).to_be_visible()
