"""In Chromium: an instructor records a cohort in the grid; the learner sees progress turn into
completion."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from courses.tests.factories import enrolled_learners, published_course, running_offering

from .factories import assessment_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto(page.base_url + "/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_instructor_records_the_cohort_and_the_learner_sees_completion(browser_page):
    page = browser_page
    instructor = UserFactory(is_instructor=True, is_learner=False, full_name="Imran Shah")
    course = published_course(title="Data Analytics with Python", outcomes=2)
    task1, task2 = assessment_plan(course)
    offering = running_offering(course=course, instructors=[instructor])
    first, second, third = enrolled_learners(offering, 3)

    sign_in(page, first.learner.email)
    page.get_by_role("link", name="My learning").first.click()
    expect(page.get_by_text("0 of 2 learning outcomes demonstrated")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, instructor.email)
    page.get_by_role("link", name="Offerings").first.click()
    page.get_by_role("link", name="Data Analytics with Python").click()
    page.get_by_role("link", name="Record results (grid)").click()
    for enrollment in (first, second, third):
        name = enrollment.learner.full_name
        page.get_by_label(f"Task 1 — {name}").select_option("pass")
    page.get_by_label(f"Task 2 — {first.learner.full_name}").select_option("pass")
    page.get_by_label(f"Task 2 — {second.learner.full_name}").select_option("fail")
    page.get_by_role("button", name="Save the results").click()
    expect(page.get_by_role("alert")).to_contain_text("5 results recorded. 1 of 3 learners")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, first.learner.email)
    page.get_by_role("link", name="My learning").first.click()
    page.get_by_role("link", name="Data Analytics with Python").click()
    expect(page.get_by_text("you have demonstrated every learning outcome")).to_be_visible()


def test_instructor_records_one_learner_and_is_refused_before_the_cohort_starts(browser_page):
    """The per-learner form shows its date (issue 13: it was empty and blocked the form), and a
    cohort that has not started takes no result, saying so where the instructor looks."""
    from datetime import date, timedelta

    from courses.services import offering_create
    from courses.tests.factories import leads_admin

    page = browser_page
    instructor = UserFactory(is_instructor=True, is_learner=False, full_name="Imran Shah")
    course = published_course(title="Data Analytics with Python", outcomes=2)
    assessment_plan(course)
    running = running_offering(course=course, instructors=[instructor])
    (enrollment,) = enrolled_learners(running, 1)
    upcoming = offering_create(
        course=course, acting_user=leads_admin(), title="Spring 2027 cohort",
        starts_on=date.today() + timedelta(days=30), ends_on=date.today() + timedelta(days=90),
        instructors=[instructor],
    )  # fmt: skip
    (future,) = enrolled_learners(upcoming, 1)

    sign_in(page, instructor.email)
    page.goto(f"{page.base_url}/offerings/{running.pk}/")
    page.get_by_role("link", name=enrollment.learner.full_name).click()
    expect(page.get_by_label("Assessed on")).to_have_value(date.today().isoformat())
    page.get_by_label("Assessment").select_option(label="Task 1")
    page.get_by_label("Pass (demonstrates the skill)").check()
    page.get_by_role("button", name="Record the result").click()
    expect(page.get_by_role("alert")).to_contain_text("Result recorded")

    page.goto(f"{page.base_url}/offerings/{upcoming.pk}/")
    page.get_by_role("link", name="Record results (grid)").click()
    expect(page.get_by_role("status")).to_contain_text("results are recorded from that day")
    page.get_by_label(f"Task 1 — {future.learner.full_name}").select_option("pass")
    page.get_by_role("button", name="Save the results").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was recorded. This cohort starts on")
    expect(alert).to_be_in_viewport()
