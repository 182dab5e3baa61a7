"""An anonymous visitor filters the catalogue in Chromium and opens a course page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UnitFactory
from courses.services import offering_create

from .factories import leads_admin, published_course


def fits_the_width(page):
    return page.evaluate(
        "document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_visitor_filters_the_catalogue_and_opens_a_course(browser_page):
    page = browser_page
    wanted = published_course(
        title="Assessment Design",
        aim="Design fair assessments.",
        badge_level="advanced",
        badge_name="Assessment Designer",
        eqf_level=7,
        modality="hybrid",
        unit=UnitFactory(name="Institute for Educational Development"),
    )
    starts = timezone.localdate() + timedelta(days=30)
    session_start = timezone.now() + timedelta(days=31)
    offering_create(
        course=wanted,
        acting_user=leads_admin(),
        title="Autumn cohort",
        starts_on=starts,
        ends_on=starts + timedelta(days=42),
        capacity=20,
        sessions=[
            {
                "title": "Opening workshop",
                "place": "Karachi campus",
                "starts_at": session_start,
                "ends_at": session_start + timedelta(hours=3),
            }
        ],
    )
    published_course(title="Classroom Basics", badge_level="beginner", eqf_level=5)
    published_course(title="Mentoring New Teachers", badge_level="advanced", eqf_level=6)

    page.set_viewport_size({"width": 375, "height": 800})  # a phone
    page.goto(page.base_url + "/")
    status = page.get_by_role("status")
    expect(status).to_contain_text("3 courses")
    assert fits_the_width(page)

    page.get_by_label("Badge level").select_option(label="Advanced")
    page.get_by_label("Has an upcoming offering").check()
    page.get_by_role("button", name="Show courses").click()

    expect(status).to_contain_text("1 course")
    results = page.get_by_role("list", name=re.compile("1 course"))
    expect(results.get_by_role("heading", level=3)).to_have_text(["Assessment Design"])
    expect(page.get_by_label("Badge level")).to_have_value("advanced")
    expect(page.get_by_label("Has an upcoming offering")).to_be_checked()

    page.get_by_role("link", name="Assessment Design").click()
    expect(page).to_have_url(re.compile(rf"/courses/{wanted.lineage}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment Design")
    expect(page.get_by_role("heading", name="The badge you earn")).to_be_visible()
    expect(page.get_by_text("Assessment Designer", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Autumn cohort")).to_be_visible()
    expect(page.get_by_text("Opening workshop, Karachi campus")).to_be_visible()
    assert fits_the_width(page)

    page.get_by_role("link", name="Course catalogue").click()
    expect(page.get_by_role("status")).to_contain_text("3 courses")
