"""The public catalogue: selectors, the home page's search and filters, and each course's page."""

import json
import re
import uuid
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UnitFactory, UserFactory
from assessments.tests.factories import assessment_plan
from courses.catalogue import (
    PAGE_SIZE,
    CatalogueFilters,
    badge_expiry_words,
    published_course,
    published_courses,
)
from courses.models import ContentUnit, CourseStatus
from courses.services import (
    course_create,
    course_publish,
    course_retire,
    course_set_status,
    course_start_revision,
    offering_create,
)

from .factories import approved_course, leads_admin
from .factories import published_course as make_published

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def course_url(course):
    return reverse("catalogue:course", kwargs={"lineage": course.lineage})


def titles(courses):
    return [c.title for c in courses]


def offer(course, *, starts_in_days, length_days=30, **kwargs):
    today = timezone.localdate()
    return offering_create(
        course=course,
        acting_user=leads_admin(),
        starts_on=today + timedelta(days=starts_in_days),
        ends_on=today + timedelta(days=starts_in_days + length_days),
        **kwargs,
    )


def revise(course, **changes):
    """Start version N+1 of a live course, with some fields changed."""
    draft, _ = course_start_revision(course=course, acting_user=course.leader)
    for name, value in changes.items():
        setattr(draft, name, value)
    draft.save()
    return draft


def approve_and_publish(draft):
    course_set_status(course=draft, to_status=CourseStatus.SUBMITTED, acting_user=draft.leader)
    course_set_status(
        course=draft, to_status=CourseStatus.APPROVED, acting_user=UserFactory(is_learner=False)
    )
    return course_publish(course=draft, acting_user=leads_admin())


def publish_revision(course, **changes):
    return approve_and_publish(revise(course, **changes))


# --- What is public -----------------------------------------------------------------------------


def test_only_published_versions_are_listed():
    shown = make_published(title="Published")
    approved_course(title="Approved, not yet published")
    retired = make_published(title="Retired")
    course_retire(course=retired, acting_user=leads_admin())
    course_create(leader=UserFactory(is_course_leader=True), unit=UnitFactory(), title="Draft")
    publish_revision(make_published(title="Old version"), title="New version")

    assert titles(published_courses()) == ["New version", "Published"]
    page = published_course(lineage=shown.lineage)
    assert page is not None and page.course == shown


def test_a_retired_course_has_no_public_page(client):
    course = make_published()
    assert client.get(course_url(course)).status_code == 200
    course_retire(course=course, acting_user=leads_admin(), comment="Replaced by a new course")
    assert published_course(lineage=course.lineage) is None
    assert client.get(course_url(course)).status_code == 404


def test_unpublished_and_unknown_courses_are_not_found(client):
    assert client.get(course_url(approved_course())).status_code == 404
    assert client.get(f"/courses/{uuid.uuid4()}/").status_code == 404


def test_the_course_url_is_stable_when_a_new_version_is_published(client):
    v1 = make_published(title="Teaching with Cases")
    url = course_url(v1)

    # A revision in progress changes nothing in public.
    draft = revise(v1, title="Teaching with Cases, second edition")
    assert "Teaching with Cases</h1>" in client.get(url).content.decode()

    v2 = approve_and_publish(draft)
    assert v2.lineage == v1.lineage and v2.version == 2
    assert course_url(v2) == url
    page = client.get(url).content.decode()
    assert "Teaching with Cases, second edition</h1>" in page
    v1.refresh_from_db()
    assert v1.status == CourseStatus.SUPERSEDED
    home = client.get(HOME).content.decode()
    assert home.count(url) == 1
    assert "1 course" in home


# --- Search and filters -------------------------------------------------------------------------


def test_text_search_looks_in_title_aim_and_outcomes():
    make_published(title="Data Analytics with Python")
    make_published(title="Clinical Teaching", aim="Plan bedside TEACHING sessions.")
    outcome_match = make_published(title="Leading Teams")
    outcome_match.outcomes.update(text="Facilitate a pandas workshop.")

    def search(q):
        return titles(published_courses(filters=CatalogueFilters(q=q)))

    assert search("python") == ["Data Analytics with Python"]
    assert search("teaching") == ["Clinical Teaching"]
    assert search("PANDAS") == ["Leading Teams"]
    # Every word must match somewhere.
    assert search("bedside plan") == ["Clinical Teaching"]
    assert search("bedside python") == []


@pytest.mark.parametrize(
    ("field", "wanted", "other", "filters"),
    [
        ("badge_level", "advanced", "beginner", CatalogueFilters(badge_level="advanced")),
        ("eqf_level", 6, 5, CatalogueFilters(eqf_level=6)),
        ("modality", "hybrid", "asynchronous", CatalogueFilters(modality="hybrid")),
        ("credits", 3, 1, CatalogueFilters(credits=3)),
    ],
)
def test_each_field_filter(field, wanted, other, filters):
    make_published(title="Wanted", **{field: wanted})
    make_published(title="Other", **{field: other})
    assert titles(published_courses(filters=filters)) == ["Wanted"]


def test_unit_filter():
    unit = UnitFactory(name="School of Nursing")
    make_published(title="Nursing course", unit=unit)
    make_published(title="Elsewhere")
    assert titles(published_courses(filters=CatalogueFilters(unit=unit.pk))) == ["Nursing course"]


def test_upcoming_filter_wants_an_offering_of_that_version_starting_after_today():
    upcoming = make_published(title="Starts next month")
    offer(upcoming, starts_in_days=30)
    running = make_published(title="Already running")
    offer(running, starts_in_days=-7)
    today_start = make_published(title="Starts today")
    offer(today_start, starts_in_days=0)
    make_published(title="Never offered")
    # An upcoming offering of an earlier version does not count for the published one.
    old = make_published(title="Old version offered")
    offer(old, starts_in_days=10)
    publish_revision(old, title="New version not offered")

    found = published_courses(filters=CatalogueFilters(upcoming=True))
    assert titles(found) == ["Starts next month"]
    assert found[0].next_offering_starts_on == timezone.localdate() + timedelta(days=30)


def test_filters_combine():
    make_published(title="Advanced hybrid", badge_level="advanced", modality="hybrid")
    make_published(title="Advanced online", badge_level="advanced", modality="synchronous")
    make_published(title="Beginner hybrid", badge_level="beginner", modality="hybrid")
    filters = CatalogueFilters(badge_level="advanced", modality="hybrid", q="advanced")
    assert titles(published_courses(filters=filters)) == ["Advanced hybrid"]


def test_home_page_filters_by_get_and_announces_the_count(client):
    unit = UnitFactory(name="Institute for Educational Development")
    make_published(title="Assessment Design", badge_level="advanced", eqf_level=7, unit=unit)
    make_published(title="Classroom Basics", badge_level="beginner", eqf_level=5, credits=2)
    make_published(title="Mentoring", badge_level="advanced", eqf_level=6)

    page = client.get(HOME).content.decode()
    assert re.search(r'role="status">\s*3 courses', page)
    assert "Clear all filters" not in page
    # The unit filter offers the units that run published courses.
    assert ">Institute for Educational Development</option>" in page

    response = client.get(HOME, {"badge_level": "advanced", "eqf_level": "7"})
    body = response.content.decode()
    assert titles(response.context["courses"]) == ["Assessment Design"]
    assert re.search(r'role="status">\s*1 course\b', body)
    assert 'value="advanced" selected' in body  # the form keeps what was asked
    assert "Clear all filters" in body
    assert "<title>1 course found" in body

    response = client.get(HOME, {"credits": "2", "unit": str(unit.pk)})
    assert titles(response.context["courses"]) == []


def test_an_empty_result_says_so_and_offers_to_clear_the_filters(client):
    make_published(title="Assessment Design")
    body = client.get(HOME, {"q": "astrophysics"}).content.decode()
    assert re.search(r'role="status">\s*0 courses', body)
    assert "No courses match your search and filters." in body
    assert f'href="{HOME}">Clear all filters</a>' in body


def test_no_published_courses_at_all(client):
    approved_course()
    body = client.get(HOME).content.decode()
    assert "No micro-credential courses are published yet." in body
    assert "Clear all filters" not in body


def test_filter_values_that_are_not_choices_are_ignored(client):
    make_published(title="Assessment Design")
    response = client.get(
        HOME, {"unit": "999999", "eqf_level": "eleven", "credits": "-1", "modality": "<b>"}
    )
    assert response.status_code == 200
    assert titles(response.context["courses"]) == ["Assessment Design"]
    assert "<b>" not in response.content.decode()


def test_cards_show_level_and_workload_in_words(client):
    course = make_published(
        title="Assessment Design",
        badge_level="expert_specialised",
        eqf_level=7,
        credits=2,
        teaching_hours=15,
        self_study_hours=33,
        other_hours=2,
        modality="hybrid",
    )
    offer(course, starts_in_days=20)
    body = client.get(HOME).content.decode()
    assert (
        f'<h3 class="h5 card-title"><a class="stretched-link" href="{course_url(course)}">' in body
    )
    assert "Expert / specialised" in body
    assert "Level 7" in body
    assert "2 ECTS (50 hours)" in body
    assert "Hybrid" in body
    starts = timezone.localdate() + timedelta(days=20)
    assert f"Starts {starts.day} {starts:%B %Y}" in body


def test_the_catalogue_is_paginated_at_24(client):
    for i in range(PAGE_SIZE + 1):
        make_published(title=f"Course {i:02d}", badge_level="advanced")
    first = client.get(HOME, {"badge_level": "advanced"})
    assert len(first.context["courses"]) == PAGE_SIZE
    body = first.content.decode()
    assert re.search(r'role="status">\s*25 courses', body)
    # Page links keep the filters.
    assert 'href="?badge_level=advanced&amp;page=2"' in body
    second = client.get(HOME, {"badge_level": "advanced", "page": "2"})
    assert titles(second.context["courses"]) == ["Course 24"]
    assert client.get(HOME, {"page": "nonsense"}).status_code == 200


# --- Query counts -------------------------------------------------------------------------------


def _home_queries(client, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(HOME, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_the_home_page_query_count_does_not_grow_with_courses(client):
    for i in range(3):
        offer(make_published(title=f"Course {i}"), starts_in_days=5)
    few = _home_queries(client)
    few_filtered = _home_queries(client, {"q": "course", "upcoming": "on"})
    for i in range(3, 30):
        offer(make_published(title=f"Course {i}"), starts_in_days=5)
    assert _home_queries(client) == few
    assert _home_queries(client, {"q": "course", "upcoming": "on"}) == few_filtered


def _course_page_queries(client, course):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(course_url(course)).status_code == 200
    return len(ctx.captured_queries)


def _sessions(n, in_days=40):
    # Within the offering's dates (courses.services.offering_problems).
    start = timezone.now() + timedelta(days=in_days)
    return [
        {
            "title": f"Workshop {i}",
            "place": "Karachi campus",
            "starts_at": start + timedelta(days=i),
            "ends_at": start + timedelta(days=i, hours=3),
        }
        for i in range(n)
    ]


def test_the_course_page_query_count_does_not_grow_with_its_contents(client):
    small = make_published(title="Small", outcomes=2)
    assessment_plan(small)
    offer(small, starts_in_days=30, sessions=_sessions(1))
    big = make_published(title="Big", outcomes=5)
    assessment_plan(big, formative=True)
    for i in range(4):
        ContentUnit.objects.create(course=big, position=i, title=f"Unit {i}")
    for days in (30, 60, 90):
        offer(big, starts_in_days=days, sessions=_sessions(3, in_days=days + 1))
    assert _course_page_queries(client, big) == _course_page_queries(client, small)


# --- The course page ----------------------------------------------------------------------------


def rich_course():
    course = make_published(
        title="Assessment Design",
        aim="Design fair assessments for adult learners.",
        target_audience="Teachers in higher education.",
        eligibility="A teaching post.",
        prerequisites="An introductory teaching course.",
        credits=2,
        teaching_hours=15,
        self_study_hours=33,
        other_hours=2,
        modality="hybrid",
        in_person_hours=10,
        eqf_level=7,
        badge_name="Assessment Designer",
        badge_description="Designs valid, reliable assessments.",
        badge_level="advanced",
        badge_expiry_months=36,
        badge_issue_mode="manual",
        eu_assessment_type="Portfolio and practical",
        assessment_supervision="on_site_id",
        quality_assurance="Approved by the Dean.",
        unit=UnitFactory(name="Institute for Educational Development"),
    )
    course.leader.full_name = "Amina Qureshi"
    course.leader.save()
    ContentUnit.objects.create(course=course, position=0, title="Principles of assessment")
    ContentUnit.objects.create(
        course=course,
        position=1,
        title="Rubric clinic",
        is_in_person=True,
        place="AKU Karachi campus",
        timing="Week 3",
    )
    assessment_plan(course)
    return course


def test_the_course_page_shows_what_a_learner_and_a_recruiter_need(client):
    course = rich_course()
    offer(course, starts_in_days=-3)  # running: not upcoming
    day = timezone.localdate() + timedelta(days=45)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    upcoming = offer(
        course,
        starts_in_days=40,
        title="Autumn cohort",
        capacity=25,
        sessions=[
            {
                "title": "Opening workshop",
                "place": "Karachi campus, room 4",
                "starts_at": start + timedelta(hours=9),
                "ends_at": start + timedelta(hours=12),
            }
        ],
    )
    response = client.get(course_url(course))
    body = response.content.decode()
    for text in (
        '<h1 class="mb-1">Assessment Design</h1>',
        "Design fair assessments for adult learners.",
        "Teachers in higher education.",
        "A teaching post.",
        "An introductory teaching course.",
        "Apply skill 1.",
        "LO2",
        "2 ECTS credits",
        "50 hours",
        "Of which in person",
        "Hybrid",
        "In-person time should not exceed 40%",  # the modality's description
        "Blended (online and on-site)",  # the EU form of participation
        "EQF level 7",
        "Principles of assessment",
        "In person at AKU Karachi campus, Week 3",
        "Task 1",
        "Assignment · Summative (counts towards the badge) · graded pass or fail",
        "Pass when the learner does apply skill 1.",
        "Portfolio and practical",
        "Supervised on site, with identity verification",
        "Assessment Designer",
        "Designs valid, reliable assessments.",
        "Advanced",
        "Expires 36 months after it is issued.",
        "Issued by the LEADS team once the course leader confirms",
        "Institute for Educational Development",
        "Amina Qureshi",
        "Autumn cohort",
        f"{upcoming.starts_on:%-d %B %Y} to {upcoming.ends_on:%-d %B %Y}",
        "25 learners",
        "Opening workshop, Karachi campus, room 4",
    ):
        assert text in body, text
    assert [o.label for o in response.context["page"].offerings] == ["Autumn cohort"]
    # Headings go down one level at a time.
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", body)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_badge_expiry_in_words():
    course = approved_course()
    assert badge_expiry_words(course) == "Does not expire."
    course.badge_expiry_months = 1
    assert badge_expiry_words(course) == "Expires 1 month after it is issued."
    course.badge_expiry_months = None
    course.badge_expiry_date = date(2030, 1, 31)
    assert badge_expiry_words(course) == "Expires on 31 January 2030."


def _json_ld(body):
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def test_the_course_page_carries_schema_org_course_json_ld(client, settings):
    settings.SITE_URL = "https://leads.example.org"
    course = rich_course()
    offer(course, starts_in_days=10, capacity=30)
    data = _json_ld(client.get(course_url(course)).content.decode())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Course"
    assert data["name"] == "Assessment Design"
    assert data["url"] == f"https://leads.example.org/courses/{course.lineage}/"
    assert data["provider"]["department"]["name"] == "Institute for Educational Development"
    assert data["teaches"] == ["Apply skill 1.", "Apply skill 2."]
    assert data["educationalLevel"] == "EQF level 7"
    assert data["numberOfCredits"]["value"] == 2
    assert data["timeRequired"] == "PT50H"
    assert data["educationalCredentialAwarded"]["name"] == "Assessment Designer"
    (instance,) = data["hasCourseInstance"]
    assert instance["courseMode"] == "blended"
    assert instance["maximumAttendeeCapacity"] == 30


def test_course_text_is_escaped_everywhere(client):
    evil = '<script>alert("x")</script>'
    course = make_published(title=f"Hacking {evil}", aim=f"Aim </script><b>{evil}")
    course.outcomes.update(text=evil)
    ContentUnit.objects.create(course=course, title=evil, is_in_person=True, place=evil)
    home = client.get(HOME).content.decode()
    page = client.get(course_url(course)).content.decode()
    for body in (home, page):
        assert evil not in body
        assert "<b>" not in body
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    # The JSON-LD keeps the text exactly, and no string in it can close its <script> element.
    assert page.count("</script>") == page.count("<script")
    data = _json_ld(page)
    assert data["name"] == f"Hacking {evil}"
    assert data["teaches"] == [evil, evil]


def test_pages_are_public_and_work_signed_in_too(client):
    course = make_published()
    assert client.get(HOME).status_code == 200
    assert client.get(course_url(course)).status_code == 200
    client.force_login(UserFactory())
    assert client.get(HOME).status_code == 200
    assert client.get(course_url(course)).status_code == 200
