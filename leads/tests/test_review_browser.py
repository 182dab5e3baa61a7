"""The Dean's review and the LEADS admin's overview, driven in Chromium against live_server."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
from courses.models import CourseStatus

from .factories import decided_course, submitted_course
from .review_factories import CHANGED_OUTCOME, leads_admin, resubmitted_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD_OUTCOME = "Design a professional development plan for a team of teachers."


def sign_in(page, email):
    page.goto(page.base_url + reverse("login"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def csp_errors(page):
    """Collects console messages about the Content Security Policy (inline code is refused)."""
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return errors


def test_a_dean_reads_what_changed_in_a_resubmission_and_approves_it(browser_page):
    course, _, second = resubmitted_course()
    page = browser_page
    errors = csp_errors(page)
    sign_in(page, course.unit.dean.email)

    page.goto(page.base_url + reverse("leads:review_queue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses awaiting your decision")
    queue = page.get_by_role("table", name="1 submission awaiting a decision")
    expect(queue.get_by_role("row", name=re.compile("Leading School Improvement"))).to_contain_text(
        "Resubmission 2"
    )
    queue.get_by_role("link", name="Leading School Improvement").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Leading School Improvement")
    expect(page.get_by_role("heading", name="What changed since the last decision")).to_be_visible()
    change = page.get_by_role("table", name="1 change, field by field").get_by_role(
        "row", name=re.compile("Learning outcome 2")
    )
    expect(change.get_by_role("cell").nth(0)).to_have_text(OLD_OUTCOME)
    expect(change.get_by_role("cell").nth(1)).to_have_text(CHANGED_OUTCOME)

    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()

    expect(page.get_by_role("alert")).to_contain_text("You approved “Leading School Improvement”")
    expect(page.locator("#submission-status")).to_contain_text("Approved")
    expect(page.get_by_role("button", name="Record the decision")).to_have_count(0)
    course.refresh_from_db()
    assert course.status == CourseStatus.APPROVED
    assert second.__class__.objects.get(pk=second.pk).decision.outcome == "approved"
    assert errors == []


def test_a_missing_reason_is_reported_at_the_field(browser_page):
    course, _ = submitted_course()
    page = browser_page
    sign_in(page, course.unit.designates.first().email)
    page.goto(page.base_url + reverse("leads:review_queue"))
    page.get_by_role("link", name="Leading School Improvement").click()
    page.get_by_label("Reject").check()
    page.get_by_role("button", name="Record the decision").click()
    comment = page.get_by_label("Comment")
    expect(comment).to_have_attribute("aria-invalid", "true")
    expect(comment).to_have_accessible_description(
        re.compile("Give the reason for rejecting the course.")
    )
    expect(page.get_by_label("Reject")).to_be_checked()
    course.refresh_from_db()
    assert course.status == CourseStatus.SUBMITTED


def test_the_review_page_fits_a_phone(browser_page):
    course, _, second = resubmitted_course()
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, course.unit.dean.email)
    page.goto(page.base_url + reverse("leads:submission_review", args=[second.pk]))
    expect(page.get_by_role("heading", name="The course template")).to_be_attached()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    expect(page.get_by_role("button", name="Record the decision")).to_be_attached()


def test_the_leads_admin_sees_the_chart_and_the_same_numbers_in_a_table(browser_page):
    submitted_course()
    decided_course("rejected", comment="No budget.", title="Turned down")
    admin = leads_admin()
    page = browser_page
    errors = csp_errors(page)
    sign_in(page, admin.email)
    page.goto(page.base_url + reverse("leads:all_submissions"))
    expect(page.get_by_role("heading", level=1)).to_have_text("All submissions")
    chart = page.get_by_role("img", name=re.compile("Stacked bar chart of submissions"))
    expect(chart).to_be_visible()
    page.wait_for_function("document.getElementById('units-chart').chart !== undefined")
    drawn = page.evaluate(
        "(() => { const c = document.getElementById('units-chart').chart;"
        " return c.data.datasets.map(d => d.data.reduce((a, b) => a + b, 0)); })()"
    )
    assert drawn == [1, 0, 0, 1]
    table = page.get_by_role("table", name=re.compile("Submissions by state per unit"))
    expect(table.get_by_role("row")).to_have_count(3)
    page.get_by_label("State", exact=True).select_option("rejected")
    page.get_by_role("button", name="Show submissions").click()
    listing = page.get_by_role("table", name="1 submission")
    expect(listing).to_contain_text("Turned down")
    assert errors == []
