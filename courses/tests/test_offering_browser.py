"""In Chromium, the LEADS admin's day with an offering (issue 13, "Dead ends"): create it from a
prefilled form, change its dates, capacity and sessions, withdraw a learner (the place frees)
and move another to the next cohort."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from courses.models import ContentUnit, Enrollment, Offering
from courses.services import enrollment_create, offering_create

from .factories import leads_admin, published_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = date.today()


def sign_in(page, email):
    page.goto(page.base_url + "/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_admin_creates_edits_and_runs_an_offering(browser_page):
    page = browser_page
    admin = leads_admin()
    instructor = UserFactory(is_instructor=True, is_learner=False, full_name="Imran Shah")
    course = published_course(
        title="Inclusive Learning", planned_start=TODAY + timedelta(days=14),
        planned_end=TODAY + timedelta(days=56),
    )  # fmt: skip
    course.instructors.set([instructor])
    ContentUnit.objects.create(
        course=course, title="Opening workshop", is_in_person=True, place="AKU Karachi, IED 3"
    )
    later = offering_create(
        course=course, acting_user=admin, title="Autumn cohort",
        starts_on=TODAY + timedelta(days=120), ends_on=TODAY + timedelta(days=170),
    )  # fmt: skip

    # Create: the form comes prefilled from the approved course.
    sign_in(page, admin.email)
    page.goto(page.base_url + "/centre/courses/")
    page.get_by_role("link", name="New offering of Inclusive Learning").click()
    expect(page.get_by_label("Starts on")).to_have_value((TODAY + timedelta(days=14)).isoformat())
    expect(page.get_by_label("Ends on")).to_have_value((TODAY + timedelta(days=56)).isoformat())
    expect(page.get_by_label("Imran Shah")).to_be_checked()
    expect(page.get_by_label("In-person session").first).to_have_value("Opening workshop")
    expect(page.get_by_label("Place").first).to_have_value("AKU Karachi, IED 3")
    page.get_by_label("Title").fill("Spring cohort")
    page.get_by_label("Capacity").fill("2")
    workshop = TODAY + timedelta(days=21)
    page.get_by_label("Starts at").first.fill(f"{workshop.isoformat()}T09:00")
    page.get_by_label("Ends at").first.fill(f"{workshop.isoformat()}T12:00")
    page.get_by_role("button", name="Create the offering").click()
    expect(page.get_by_role("alert")).to_contain_text("Offering created")
    offering = Offering.objects.get(title="Spring cohort")
    assert [s.place for s in offering.sessions.all()] == ["AKU Karachi, IED 3"]

    # Enrol two learners: the offering is full.
    first = UserFactory(full_name="Amina Yusuf")
    second = UserFactory(full_name="Bilal Shah")
    for learner in (first, second):
        enrollment_create(offering=offering, learner=learner, acting_user=admin)
    page.reload()
    expect(page.get_by_text("2 learners of 2 places")).to_be_visible()

    # Edit: a capacity below the learners enrolled is refused, with the reason beside it.
    page.get_by_role("link", name="Edit the offering").click()
    expect(page.get_by_label("Starts on")).to_have_value(offering.starts_on.isoformat())
    expect(page.get_by_label("Starts at").first).to_have_value(f"{workshop.isoformat()}T09:00")
    page.get_by_label("Capacity").fill("1")
    page.get_by_role("button", name="Save the offering").click()
    expect(page.get_by_text("2 learners are enrolled already")).to_be_visible()
    # …then a longer run, more places and the workshop a day later.
    page.get_by_label("Ends on").fill((TODAY + timedelta(days=63)).isoformat())
    page.get_by_label("Capacity").fill("3")
    moved_day = workshop + timedelta(days=1)
    page.get_by_label("Starts at").first.fill(f"{moved_day.isoformat()}T09:00")
    page.get_by_label("Ends at").first.fill(f"{moved_day.isoformat()}T12:00")
    page.get_by_role("button", name="Save the offering").click()
    expect(page.get_by_role("alert")).to_contain_text("The offering is saved")
    expect(page.get_by_text("2 learners of 3 places")).to_be_visible()
    expect(page.get_by_text("Offering changed")).to_be_visible()  # in its history

    # Withdraw a learner: the record stays, the place frees.
    page.get_by_role("link", name="Withdraw Amina Yusuf").click()
    page.get_by_label("Why is the learner withdrawn?").fill("Took up a post abroad.")
    page.get_by_role("button", name="Withdraw the learner").click()
    expect(page.get_by_role("alert")).to_contain_text("their place is free")
    expect(page.get_by_text("1 learner of 3 places")).to_be_visible()
    expect(page.get_by_text("Took up a post abroad.").first).to_be_visible()

    # Move the other to the autumn cohort.
    page.get_by_role("link", name="Move Bilal Shah").click()
    page.get_by_label("Move to").select_option(str(later.pk))
    page.get_by_role("button", name="Move the learner").click()
    expect(page.get_by_role("alert")).to_contain_text("is moved to Autumn cohort")
    expect(page.get_by_text("0 learners of 3 places")).to_be_visible()
    assert Enrollment.objects.get(offering=later).learner == second
    assert Enrollment.objects.withdrawn().filter(offering=offering).count() == 2
