"""The Dean's day in Chromium, at a desk and on a phone: a refused decision is shown where the
Dean is looking, with the focus on it; the decision form is always one link away."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from courses.models import CourseStatus

from .factories import submitted_course
from .review_factories import leads_admin
from .test_review_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(1280, 800), (375, 740)])
def test_a_dean_decides_without_then_with_a_comment(browser_page, width, height):
    course, submission = submitted_course()
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, course.unit.dean.email)
    page.goto(page.base_url + reverse("leads:submission_review", args=[submission.pk]))

    # The long page has its decision form one link away, wherever the Dean is reading.
    jump = page.get_by_role("link", name="Go to the decision")
    page.get_by_role("heading", name="The course template").scroll_into_view_if_needed()
    expect(jump).to_be_in_viewport()
    jump.click()
    expect(page.get_by_label("Request changes")).to_be_in_viewport()

    page.get_by_label("Request changes").check()
    page.get_by_role("button", name="Record the decision").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("Say what needs to change: a comment is required.")
    expect(page.get_by_label("Request changes")).to_be_checked()
    summary.get_by_role("link").click()
    comment = page.get_by_label("Comment")
    expect(comment).to_be_focused()
    expect(comment).to_be_in_viewport()
    course.refresh_from_db()
    assert course.status == CourseStatus.SUBMITTED
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    comment.fill("Say how LO2 is assessed.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("alert")).to_contain_text("You asked for changes")
    course.refresh_from_db()
    assert course.status == CourseStatus.CHANGES_REQUESTED

    # The history keeps its comment on a phone too.
    history = page.get_by_role("table", name="History of this course")
    history.get_by_text("Say how LO2 is assessed.").scroll_into_view_if_needed()
    expect(history.get_by_text("Say how LO2 is assessed.")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_the_admin_navigation_fits_on_one_line_at_1280_px(browser_page):
    admin = leads_admin()
    # The LEADS team's menu with the Django admin and a learner's pages, and a long name.
    admin.is_staff = admin.is_learner = True
    admin.full_name = "Professor Zainab Abdul-Rahman Siddiqui"
    admin.save()
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, admin.email)
    boxes = page.locator("#main-nav .nav-link").evaluate_all(
        "els => els.map(e => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom,"
        " e.getBoundingClientRect().right])"
    )
    assert len(boxes) >= 8
    # One row: every entry at the same height, none wrapped onto a second line, none cut off.
    assert len({(top, bottom) for top, bottom, _ in boxes}) == 1, boxes
    assert max(right for _, _, right in boxes) <= 1280
    account = page.locator(".account-nav")
    expect(account.get_by_text("Signed in as Professor Zainab Abdul-Rahman")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_greetings_use_the_name_and_no_page_asks_for_a_missing_favicon(browser_page):
    person = UserFactory(full_name="Dr Amina Khan", is_course_leader=True)
    assert person.get_short_name() == "Amina"
    page = browser_page
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    sign_in(page, person.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Welcome, Dr Amina Khan"))
    icon = page.locator('link[rel="icon"]')
    expect(icon).to_have_count(1)
    assert page.request.get(page.base_url + icon.get_attribute("href")).ok
    page.goto(page.base_url + "/")
    assert missing == []
