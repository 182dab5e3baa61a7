"""The hand-offs of the centre, walked in Chromium: each one's e-mail reaches the person it hands
the work to, and its link, opened cold by that person (signing in when the page asks), lands on
the exact page of the work handed over, where they do it.

Approval: leader → Dean (the submission's review page) → LEADS team (publish) → leader (the
course's catalogue page). Delivery: LEADS team → learner (their course page); the instructor's
results complete the learner; leader → LEADS team (the offering's badge page) → learner (the
badge's verification page).
"""

import re
import time
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from badges.models import Assertion
from badges.services import badge_class_create
from courses.models import CourseStatus
from courses.services import course_publish, enrollment_create, offering_create
from leads.tests.factories import complete_course, decided_course
from leads.tests.review_factories import leads_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def mail_to(person, subject, *, timeout=5.0):
    """The one e-mail with `subject` sent to `person`, waiting briefly for it to arrive."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in mail.outbox if m.to == [person.email] and m.subject == subject]
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    sent = [(m.to, m.subject) for m in mail.outbox]
    assert len(found) == 1, f"expected one {subject!r} to {person.email}; the outbox: {sent}"
    message = found[0]
    assert message.body.startswith(f"Dear {person.full_name},"), message.body
    return message


def link_in(message, after, *, expected_path):
    """The absolute link that follows `after` in the e-mail; it must be the exact page."""
    match = re.search(re.escape(after) + r"\s*(\S+)", message.body)
    assert match, f"no link after {after!r} in:\n{message.body}"
    link = match.group(1)
    assert link == settings.SITE_URL + expected_path, link
    return link


def open_link(page, link, *, signing_in_as=None):
    """Open an e-mailed link in a fresh browser session, as its recipient would.

    A page for one person sends them to sign in first and then back to the same page; a public
    page opens at once.
    """
    url = page.base_url + link.removeprefix(settings.SITE_URL)
    page.context.clear_cookies()
    page.goto(url)
    if signing_in_as is not None:
        expect(page).to_have_url(re.compile(re.escape(page.base_url + reverse("login")) + r"\?"))
        page.get_by_label("E-mail address").fill(signing_in_as.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(url)


def test_a_course_is_handed_from_leader_to_dean_to_leads_team_and_into_the_catalogue(
    browser_page,
):
    page = browser_page
    course = complete_course()
    leader, dean = course.leader, course.unit.dean
    admin = leads_admin()

    # The leader signs and submits from the checklist (the template's judgement items are
    # ticked already).
    open_link(
        page,
        settings.SITE_URL + reverse("leads:course_checklist", args=[course.pk]),
        signing_in_as=leader,
    )
    expect(page.get_by_label("Your full name (signature)")).to_have_value(leader.full_name)
    page.get_by_role("button", name="Sign and submit to the Dean").click()
    expect(page.get_by_role("alert").filter(has_text="Submitted.")).to_be_visible()
    submission = course.submissions.get()

    # The Dean's e-mail opens that submission's review page (not the queue), where they approve.
    message = mail_to(dean, f"Submitted for approval: {course.title}")
    review = reverse("leads:submission_review", args=[submission.pk])
    link = link_in(message, "Review the submission and decide here:", expected_path=review)
    open_link(page, link, signing_in_as=dean)
    expect(page.get_by_role("heading", level=1)).to_have_text(course.title)
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Submission 1")
    expect(page.locator("#submission-status")).to_contain_text("Awaiting decision")
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("alert").filter(has_text="You approved")).to_be_visible()
    course.refresh_from_db()
    assert course.status == CourseStatus.APPROVED

    # The LEADS team's e-mail opens the courses to run, where the course is published, once
    # confirmed.
    message = mail_to(admin, f"Approved: {course.title}")
    link = link_in(
        message,
        "publish it in the catalogue here:",
        expected_path=reverse("courses:centre_courses"),
    )
    open_link(page, link, signing_in_as=admin)
    page.get_by_role("link", name=f"Publish {course.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish “{course.title}”")
    course.refresh_from_db()
    assert course.status == CourseStatus.APPROVED  # nothing yet: the click only asked
    page.get_by_role("button", name="Publish the course").click()
    expect(page.get_by_role("alert")).to_contain_text("is now in the public catalogue")
    course.refresh_from_db()
    assert course.status == CourseStatus.PUBLISHED

    # The leader's e-mail opens the course's public page in the catalogue.
    message = mail_to(leader, f"Published in the catalogue: {course.title}")
    link = link_in(
        message,
        "Its page in the catalogue:",
        expected_path=reverse("catalogue:course", args=[course.lineage]),
    )
    open_link(page, link)
    expect(page.get_by_role("heading", level=1)).to_have_text(course.title)
    expect(page.get_by_role("main")).to_contain_text(course.aim)


def test_a_learner_is_enrolled_completes_is_confirmed_and_receives_the_badge(browser_page):
    page = browser_page
    # Approved by the Dean and published by the LEADS team, its badge designed: through the
    # services, as the first test walks those steps in the browser.
    course, _ = decided_course("approved", comment="", badge_issue_mode="manual")
    admin = leads_admin()
    course = course_publish(course=course, acting_user=admin)
    badge = badge_class_create(course=course, acting_user=admin)
    instructor = UserFactory(is_instructor=True, is_learner=False, full_name="Imran Shah")
    learner = UserFactory(is_learner=True, full_name="Amina Yusuf")
    today = date.today()
    offering = offering_create(
        course=course, acting_user=admin, title="Spring cohort",
        starts_on=today - timedelta(days=7), ends_on=today + timedelta(days=60),
        instructors=[instructor],
    )  # fmt: skip
    enrollment = enrollment_create(offering=offering, learner=learner, acting_user=admin)

    # The learner's e-mail opens their own course page.
    message = mail_to(learner, f"You are enrolled in {course.title}")
    link = link_in(
        message,
        "in time, your badge are here:",
        expected_path=reverse("assessments:my_enrollment", args=[enrollment.pk]),
    )
    open_link(page, link, signing_in_as=learner)
    expect(page.get_by_role("heading", level=1)).to_have_text(course.title)
    expect(page.get_by_role("main")).to_contain_text("Spring cohort")

    # The instructor records the result in the grid; it completes the learner.
    offering_page = settings.SITE_URL + reverse("courses:offering_detail", args=[offering.pk])
    open_link(page, offering_page, signing_in_as=instructor)
    page.get_by_role("link", name="Record results (grid)").click()
    page.get_by_label(f"Improvement plan — {learner.full_name}").select_option("pass")
    page.get_by_role("button", name="Save the results").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "1 result recorded. 1 of 1 learners have completed the course."
    )

    # The badge is issued by hand: the leader confirms the completion on the offering's page.
    open_link(page, offering_page, signing_in_as=course.leader)
    page.get_by_label(f"Confirm {learner.full_name}").check()
    page.get_by_role("button", name="Confirm the selected learners' completion").click()
    expect(page.get_by_role("alert")).to_contain_text("Completion confirmed for 1 learner")
    assert not Assertion.objects.filter(enrollment=enrollment).exists()

    # The LEADS team's e-mail opens that offering's badge page, where the badge is issued.
    message = mail_to(admin, f"Completion confirmed for 1 learner: {course.title}")
    link = link_in(
        message,
        "Their badges can now be issued here:",
        expected_path=reverse("badge_admin:offering", args=[offering.pk]),
    )
    open_link(page, link, signing_in_as=admin)
    expect(page.get_by_role("heading", level=1)).to_have_text("Issue badges")
    expect(page.get_by_role("main")).to_contain_text(f"{course.title}, Spring cohort")
    row = page.get_by_role("row", name=re.compile(learner.full_name))
    expect(row).to_contain_text("Yes")  # confirmed by the leader
    row.get_by_role("button", name=f"Issue to {learner.full_name}").click()
    expect(page.get_by_role("alert")).to_contain_text("Badge issued to")
    assertion = Assertion.objects.get(enrollment=enrollment)

    # The learner's e-mail opens the badge's verification page.
    message = mail_to(learner, f"Your badge: {badge.name}")
    link = link_in(
        message,
        "(this link never expires):",
        expected_path=reverse("badges:assertion", args=[assertion.pk]),
    )
    open_link(page, link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Valid")
    expect(page.get_by_role("main")).to_contain_text(learner.full_name)
    expect(page.get_by_role("main")).to_contain_text(badge.name)
