"""The course leader's pages: every bad input gets a message at its field and changes nothing."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from courses.models import Course, CourseStatus, LearningOutcome

from .factories import complete_course, submitted_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return complete_course()


@pytest.fixture
def leader_client(client, course):
    client.force_login(course.leader)
    return client


def section_url(course, section):
    return reverse("leads:course_section", args=[course.pk, section])


def post_section(client, course, section, data):
    return client.post(section_url(course, section), data)


def snapshot_of(course):
    course.refresh_from_db()
    return {f.name: getattr(course, f.name) for f in Course._meta.concrete_fields}


def test_a_leader_starts_a_course_and_fills_the_first_section(client):
    unit_course = complete_course()
    leader = unit_course.leader
    client.force_login(leader)
    response = client.post(
        reverse("leads:course_create"), {"title": "Data Analytics Basics", "unit": leader.unit_id}
    )
    course = Course.objects.get(title="Data Analytics Basics")
    assert response["Location"] == section_url(course, "basic")
    response = client.post(
        section_url(course, "basic"),
        {"title": "Data Analytics Basics", "aim": "Analyse sales data.", "continue": "1"},
    )
    assert response["Location"] == section_url(course, "audience")
    course.refresh_from_db()
    assert (course.aim, course.status) == ("Analyse sales data.", CourseStatus.DRAFT)


@pytest.mark.parametrize(
    ("credits", "message"),
    [(0, "at least 1 credit"), (7, "at most 6 credits")],
)
def test_credits_out_of_range_are_refused_at_the_field(leader_client, course, credits, message):
    before = snapshot_of(course)
    response = post_section(
        leader_client,
        course,
        "hours",
        {"credits": credits, "teaching_hours": 16, "self_study_hours": 32, "other_hours": 8},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot_of(course) == before


def test_hours_that_do_not_add_up_are_explained_in_words(leader_client, course):
    before = snapshot_of(course)
    response = post_section(
        leader_client,
        course,
        "hours",
        {"credits": 3, "teaching_hours": 20, "self_study_hours": 30, "other_hours": 10},
    )
    page = response.content.decode()
    assert "3 credits need 75–90 hours" in page
    assert "15 short" in page
    assert snapshot_of(course) == before


def outcome_data(texts, existing=()):
    data = {
        "outcomes-TOTAL_FORMS": len(texts),
        "outcomes-INITIAL_FORMS": len(existing),
        "outcomes-MIN_NUM_FORMS": 0,
        "outcomes-MAX_NUM_FORMS": 5,
    }
    for i, text in enumerate(texts):
        data[f"outcomes-{i}-text"] = text
        if i < len(existing):
            data[f"outcomes-{i}-id"] = existing[i].pk
    return data


@pytest.mark.parametrize("count", [0, 1, 6])
def test_outcome_counts_outside_two_to_five_are_refused(leader_client, course, count):
    existing = list(course.outcomes.all())
    texts = [f"Apply method {i} to a case." for i in range(count)]
    texts += [""] * (len(existing) - count) if count < len(existing) else []
    response = post_section(leader_client, course, "outcomes", outcome_data(texts, existing))
    assert response.status_code == 200
    assert "learning outcome" in response.content.decode().lower()
    assert [o.text for o in course.outcomes.all()] == [o.text for o in existing]


def test_a_vague_verb_is_flagged_with_a_suggestion_and_not_saved(leader_client, course):
    existing = list(course.outcomes.all())
    texts = ["Understand school data.", existing[1].text, existing[2].text]
    response = post_section(leader_client, course, "outcomes", outcome_data(texts, existing))
    page = response.content.decode()
    assert "cannot be observed" in page
    assert LearningOutcome.objects.get(pk=existing[0].pk).text == existing[0].text


def test_outcomes_are_saved_in_order(leader_client, course):
    existing = list(course.outcomes.all())
    texts = [existing[2].text, existing[0].text, "Design a mentoring plan for new teachers."]
    post_section(leader_client, course, "outcomes", outcome_data(texts, existing))
    assert [o.text for o in course.outcomes.all()] == texts


def test_hybrid_with_sixty_percent_in_person_is_refused(leader_client, course):
    before = snapshot_of(course)
    response = post_section(
        leader_client, course, "modality", {"modality": "hybrid", "in_person_hours": 34}
    )
    page = response.content.decode()
    assert "40%" in page
    assert snapshot_of(course) == before


def test_an_in_person_session_without_a_place_is_refused(leader_client, course):
    units = list(course.content_units.all())
    data = {
        "planned_start": "2027-02-01",
        "planned_end": "2027-03-31",
        "units-TOTAL_FORMS": len(units),
        "units-INITIAL_FORMS": len(units),
        "units-MIN_NUM_FORMS": 0,
        "units-MAX_NUM_FORMS": 1000,
    }
    for i, unit in enumerate(units):
        data.update(
            {
                f"units-{i}-id": unit.pk,
                f"units-{i}-title": unit.title,
                f"units-{i}-timing": unit.timing,
                f"units-{i}-place": "" if unit.is_in_person else unit.place,
            }
        )
        if unit.is_in_person:
            data[f"units-{i}-is_in_person"] = "on"
    response = post_section(leader_client, course, "content", data)
    assert "must name its place" in response.content.decode()
    assert course.content_units.get(is_in_person=True).place == "AKU Karachi campus"


def test_an_expiry_in_the_past_is_refused(leader_client, course):
    before = snapshot_of(course)
    response = post_section(
        leader_client,
        course,
        "badge",
        {
            "badge_name": "X",
            "badge_description": "Y",
            "badge_level": "beginner",
            "badge_issue_mode": "manual",
            "badge_message": "Well done",
            "expiry": "date",
            "badge_expiry_date": "2020-01-01",
        },
    )
    assert "already" in response.content.decode() or "past" in response.content.decode()
    assert snapshot_of(course) == before


def test_an_outcome_with_no_assessment_blocks_submission_with_the_reason(leader_client, course):
    LearningOutcome.objects.create(
        course=course, position=3, text="Evaluate a colleague's lesson plan."
    )
    response = leader_client.post(
        reverse("leads:course_checklist", args=[course.pk]),
        {
            "affirms_aim": "on",
            "affirms_eligibility": "on",
            "affirms_prerequisites": "on",
            "affirms_resources": "on",
            "affirms_budget": "on",
            "signed_name": "Leader Person",
            "submit": "1",
        },
    )
    assert response.status_code == 400
    assert "LO4" in response.content.decode()
    course.refresh_from_db()
    assert course.status == CourseStatus.DRAFT


def test_signing_and_submitting_sends_it_to_the_dean(
    leader_client, course, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(
            reverse("leads:course_checklist", args=[course.pk]),
            {
                "affirms_aim": "on",
                "affirms_eligibility": "on",
                "affirms_prerequisites": "on",
                "affirms_resources": "on",
                "affirms_budget": "on",
                "signed_name": "Leader Person",
                "submit": "1",
            },
        )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == CourseStatus.SUBMITTED
    assert course.submissions.get().signed_name == "Leader Person"
    assert course.unit.dean.email in [m.to[0] for m in mailoutbox]


def test_script_in_any_text_is_shown_escaped(leader_client, course):
    Course.objects.filter(pk=course.pk).update(aim="<script>alert(1)</script>")
    page = leader_client.get(reverse("leads:course_detail", args=[course.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_leader_opening_another_leaders_draft_gets_404(client, course):
    other = UserFactory(is_course_leader=True)
    client.force_login(other)
    for url in [
        reverse("leads:course_detail", args=[course.pk]),
        section_url(course, "basic"),
        reverse("leads:course_checklist", args=[course.pk]),
    ]:
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "learner"])
def test_learners_and_anonymous_users_are_refused_every_leads_page(client, course, who):
    if who == "learner":
        client.force_login(UserFactory(is_learner=True))
    for url in [
        reverse("leads:my_courses"),
        reverse("leads:course_create"),
        reverse("leads:course_detail", args=[course.pk]),
        section_url(course, "hours"),
        reverse("leads:course_checklist", args=[course.pk]),
    ]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if who == "anonymous":
            assert response["Location"].startswith(reverse("login"))


def test_a_submitted_course_cannot_be_edited(client):
    course, _ = submitted_course()
    client.force_login(course.leader)
    response = client.post(section_url(course, "basic"), {"title": "Changed", "aim": "Changed"})
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Leading School Improvement"


def test_my_courses_runs_the_same_queries_for_few_or_many_courses(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    course = complete_course()
    client.force_login(course.leader)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("leads:my_courses")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(10):
        complete_course(leader=course.leader, unit=course.unit, title=f"Course {i}")
    assert count() == few
