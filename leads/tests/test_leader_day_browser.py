"""The course leader's day in Chromium: a section refused for one field keeps everything typed,
the checks run while typing, and nothing is published or revised by one stray click."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from courses.models import Course, CourseStatus
from courses.services import course_create

from .factories import decided_course, make_unit_with_dean
from .test_review_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def draft_for(leader_name="Amina Khan"):
    unit, dean, _ = make_unit_with_dean(name="Department of Data Science")
    leader = UserFactory(is_course_leader=True, unit=unit, full_name=leader_name)
    course = course_create(leader=leader, unit=unit, title="Data Storytelling")
    return course, leader


def section_url(page, course, section):
    return page.base_url + reverse("leads:course_section", args=[course.pk, section])


def expect_focused_error_summary(page):
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    return summary


def test_an_invalid_outcome_keeps_every_outcome_typed(browser_page):
    course, leader = draft_for()
    page = browser_page
    sign_in(page, leader.email)
    page.goto(section_url(page, course, "outcomes"))
    page.get_by_label("Learning outcome 1").fill("Construct a data story for a decision.")
    page.get_by_label("Learning outcome 2").fill("Understand what makes a chart honest.")
    page.get_by_label("Learning outcome 3").fill("Evaluate a chart for honesty and clarity.")
    page.get_by_role("button", name="Save", exact=True).click()

    summary = expect_focused_error_summary(page)
    expect(summary).to_contain_text("'Understand' cannot be observed")
    summary.get_by_role("link", name=re.compile("cannot be observed")).click()
    expect(page.get_by_label("Learning outcome 2")).to_be_focused()
    expect(page.get_by_label("Learning outcome 1")).to_have_value(
        "Construct a data story for a decision."
    )
    expect(page.get_by_label("Learning outcome 2")).to_have_value(
        "Understand what makes a chart honest."
    )
    expect(page.get_by_label("Learning outcome 3")).to_have_value(
        "Evaluate a chart for honesty and clarity."
    )
    # Said once: beside the field (the summary links to it), not again in a list of findings.
    assert page.get_by_text("'Understand' cannot be observed").count() == 2
    assert course.outcomes.count() == 0

    # The verb check runs while typing, from the table shipped with the page.
    page.get_by_label("Learning outcome 2").fill("Know the parts of a chart.")
    expect(page.locator("#id_outcomes-1-text-live")).to_contain_text("'Know' cannot be observed")
    page.get_by_label("Learning outcome 2").fill("Learners will be able to critique a chart.")
    expect(page.locator("#id_outcomes-1-text-live")).to_contain_text("'Critique' is a measurable")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="saved")).to_be_visible()
    assert [o.text for o in course.outcomes.all()] == [
        "Construct a data story for a decision.",
        "Learners will be able to critique a chart.",
        "Evaluate a chart for honesty and clarity.",
    ]


def test_an_invalid_unit_keeps_the_dates_units_and_ticks_typed(browser_page):
    course, leader = draft_for()
    page = browser_page
    sign_in(page, leader.email)
    page.goto(section_url(page, course, "content"))
    page.get_by_label("Planned start").fill("2027-02-01")
    page.get_by_label("Planned end").fill("2027-03-31")
    page.get_by_label("Topic or unit").nth(0).fill("From analysis to story")
    page.get_by_label("Topic or unit").nth(1).fill("Workshop on campus")
    page.get_by_label("In person").nth(1).check()
    page.get_by_label("When in the course").nth(1).fill("Week 3")
    page.get_by_role("button", name="Save", exact=True).click()

    summary = expect_focused_error_summary(page)
    expect(summary).to_contain_text("must name its place")
    expect(page.get_by_label("Planned start")).to_have_value("2027-02-01")
    expect(page.get_by_label("Planned end")).to_have_value("2027-03-31")
    expect(page.get_by_label("Topic or unit").nth(0)).to_have_value("From analysis to story")
    expect(page.get_by_label("Topic or unit").nth(1)).to_have_value("Workshop on campus")
    expect(page.get_by_label("In person").nth(1)).to_be_checked()
    expect(page.get_by_label("When in the course").nth(1)).to_have_value("Week 3")
    course.refresh_from_db()
    assert course.planned_start is None and course.content_units.count() == 0

    page.get_by_label("Place").nth(1).fill("Karachi campus")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="saved")).to_be_visible()
    assert [u.title for u in course.content_units.all()] == [
        "From analysis to story",
        "Workshop on campus",
    ]

    # A ticked "Remove" box survives a refused save too.
    page.get_by_label("Remove this unit").nth(0).check()
    page.get_by_label("Place").nth(1).fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    expect_focused_error_summary(page)
    expect(page.get_by_label("Remove this unit").nth(0)).to_be_checked()


def test_the_in_person_cap_is_checked_while_typing(browser_page):
    course, leader = draft_for()
    Course.objects.filter(pk=course.pk).update(
        credits=1, teaching_hours=8, self_study_hours=16, other_hours=2
    )
    page = browser_page
    sign_in(page, leader.email)
    page.goto(section_url(page, course, "modality"))
    live = page.locator("#in-person-cap")
    page.get_by_label("Hybrid").check()
    page.get_by_label("In-person hours").fill("12")
    expect(live).to_contain_text("46.2%")
    expect(live).to_contain_text("at most 40% in person (10.4 hours)")
    page.get_by_label("In-person hours").fill("10")
    expect(live).to_contain_text("within the 40% limit")
    page.get_by_label("Online asynchronous").check()
    expect(live).to_contain_text("in-person hours should be 0")

    # Refused with the server's own sentence, and the choice typed is kept.
    page.get_by_role("button", name="Save", exact=True).click()
    expect_focused_error_summary(page)
    expect(page.get_by_label("Online asynchronous")).to_be_checked()
    expect(page.get_by_label("In-person hours")).to_have_value("10")


def test_the_sidebar_and_the_to_do_list_agree(browser_page):
    course, leader = draft_for()
    page = browser_page
    sign_in(page, leader.email)
    page.goto(section_url(page, course, "basic"))
    nav = page.get_by_role("navigation", name="Sections of the course template")
    todo = page.get_by_role("region", name="What the checklist says about this section")
    count = int(re.search(r"(\d+) to do", nav.get_by_role("listitem").first.inner_text()).group(1))
    expect(todo.locator(".finding-error")).to_have_count(count)


def test_publishing_and_revising_are_confirmed_first(browser_page):
    from .review_factories import leads_admin

    course, _ = decided_course("approved", comment="")
    admin = leads_admin()
    page = browser_page
    sign_in(page, admin.email)
    page.goto(page.base_url + reverse("courses:centre_courses"))
    page.get_by_role("link", name=re.compile("Publish")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Publish")
    expect(page.get_by_role("main")).to_contain_text("public catalogue")
    course.refresh_from_db()
    assert course.status == CourseStatus.APPROVED
    page.get_by_role("button", name="Publish the course").click()
    expect(page.get_by_role("alert")).to_contain_text("is now in the public catalogue")
    course.refresh_from_db()
    assert course.status == CourseStatus.PUBLISHED

    page.context.clear_cookies()
    sign_in(page, course.leader.email)
    page.goto(page.base_url + reverse("leads:course_detail", args=[course.pk]))
    page.get_by_role("link", name="Start a revision").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Start a revision")
    expect(page.get_by_role("main")).to_contain_text("stays live")
    assert Course.objects.filter(lineage=course.lineage).count() == 1
    page.get_by_role("button", name="Start the revision").click()
    expect(page.get_by_role("alert")).to_contain_text("started as a draft")
    assert Course.objects.filter(lineage=course.lineage).count() == 2
