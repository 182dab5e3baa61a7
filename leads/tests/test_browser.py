"""The whole LEADS process in Chromium: a leader fills the template and submits, the dean asks for
changes, the leader revises and resubmits, the dean sees what changed and approves."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from courses.models import Course, CourseStatus

from .factories import make_unit_with_dean

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto(page.base_url + "/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def save_and_continue(page):
    page.get_by_role("button", name="Save and continue").click()


def fill_template(page):
    page.get_by_label("Course name").fill("Data Storytelling for Managers")
    page.get_by_label("Aim").fill("Help managers turn analysis into decisions their teams act on.")
    save_and_continue(page)

    page.get_by_label("Target audience").fill("Managers and team leads who present data.")
    page.get_by_label("Eligibility criteria").fill("A current management or team-lead role.")
    save_and_continue(page)

    page.get_by_label("Credits").fill("1")
    page.get_by_label("Teaching hours").fill("8")
    page.get_by_label("Self-study hours").fill("14")
    page.get_by_label("Assessment and other work (hours)").fill("2")
    # The arithmetic is shown live, in words, before saving.
    expect(page.locator("#hours-arithmetic")).to_contain_text("24 (8 teaching")
    expect(page.locator("#hours-arithmetic")).to_contain_text("1 short")
    page.get_by_label("Self-study hours").fill("16")
    expect(page.locator("#hours-arithmetic")).to_contain_text("they fit")
    save_and_continue(page)

    page.get_by_label("Learning outcome 1").fill("Construct a data story for a decision.")
    page.get_by_label("Learning outcome 2").fill("Evaluate a chart for honesty and clarity.")
    save_and_continue(page)

    page.get_by_label("Topic or unit").first.fill("From analysis to story")
    save_and_continue(page)

    page.get_by_label("Online asynchronous").check()
    save_and_continue(page)

    page.get_by_role("link", name="Add an assessment").click()
    page.get_by_label("Title").fill("Data story presentation")
    page.get_by_label("Type").select_option("presentation")
    page.get_by_label("LO1:").check()
    page.get_by_label("LO2:").check()
    page.get_by_label("Pass criterion for LO1").fill("tells a story that leads to a decision")
    page.get_by_label("Pass criterion for LO2").fill("spots and fixes a misleading chart")
    page.get_by_role("button", name="Save the assessment").click()
    page.get_by_label("Evidence required for the badge").fill("A recorded five-minute data story.")
    save_and_continue(page)

    page.get_by_label("Teaching and other resources").fill("One instructor and the VLE.")
    page.get_by_label("Budget").fill("Department budget.")
    save_and_continue(page)

    page.get_by_label("Badge name").fill("Data Storyteller")
    page.get_by_label("Badge description").fill("Tells honest, decision-ready data stories.")
    page.get_by_label("Badge level").select_option("beginner")
    page.get_by_label("Automatic on course completion").check()
    page.get_by_label("Congratulatory message").fill("Well told!")
    save_and_continue(page)

    page.get_by_label("EQF level").select_option("5")
    page.get_by_label("Type of assessment").fill("Presentation, pass/fail")
    page.get_by_label("Type of quality assurance").fill("Internal: Dean's approval.")
    save_and_continue(page)


def tick_and_submit(page):
    for label in ["aim reflects", "eligibility criteria are", "prerequisites (or",
                  "resources are available", "adequate budget"]:  # fmt: skip
        page.get_by_label(label).check()
    page.get_by_role("button", name="Sign and submit to the Dean").click()
    expect(page.get_by_text("Submitted.")).to_be_visible()


def test_leader_submits_dean_requests_changes_leader_resubmits_dean_approves(browser_page):
    unit, dean, _ = make_unit_with_dean(name="Department of Data Science")
    leader = UserFactory(is_course_leader=True, unit=unit, full_name="Omar Siddiqui")
    page = browser_page

    sign_in(page, leader.email)
    page.get_by_role("link", name="My courses").first.click()
    page.get_by_role("link", name="Start a new course").click()
    page.get_by_label("Course name").fill("Data Storytelling for Managers")
    page.get_by_role("button", name="Create the course").click()
    fill_template(page)

    # Submitting before ticking the judgement items is refused, with every reason.
    page.get_by_role("button", name="Sign and submit to the Dean").click()
    expect(page.locator("#submission-refused")).to_contain_text("Tick this item")
    tick_and_submit(page)
    course = Course.objects.get(title="Data Storytelling for Managers")
    assert course.status == CourseStatus.SUBMITTED
    sign_out(page)

    sign_in(page, dean.email)
    page.get_by_role("link", name="Review queue").first.click()
    page.get_by_role("link", name="Data Storytelling for Managers").click()
    page.get_by_label("Request changes").check()
    page.get_by_label("Comment").fill("Make LO1 about a decision the learner's own team faces.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Changes requested").first).to_be_visible()
    sign_out(page)

    sign_in(page, leader.email)
    page.get_by_role("link", name="My courses").first.click()
    page.get_by_role("link", name="Data Storytelling for Managers").click()
    expect(page.get_by_role("status").filter(has_text="Make LO1 about a decision")).to_be_visible()
    page.get_by_role("link", name="Competencies / learning outcomes").click()
    page.get_by_label("Learning outcome 1").fill(
        "Construct a data story for a decision your own team faces."
    )
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("link", name="Checklist and submission").click()
    tick_and_submit(page)
    sign_out(page)

    sign_in(page, dean.email)
    page.get_by_role("link", name="Review queue").first.click()
    page.get_by_role("link", name="Data Storytelling for Managers").click()
    changes = page.locator("#changes")
    expect(changes).to_contain_text("Construct a data story for a decision.")
    expect(changes).to_contain_text("your own team faces")
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Approved").first).to_be_visible()
    course.refresh_from_db()
    assert course.status == CourseStatus.APPROVED
