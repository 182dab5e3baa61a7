import csv
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from badges import views_admin
from badges.models import Assertion, BadgeClass
from badges.services import assertion_revoke

from .admin_factories import (
    add_learners,
    bomb_png,
    cohort,
    complete,
    confirm,
    issue_by_override,
    png_bytes,
    svg_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    return cohort(3)


@pytest.fixture
def admin_client(client, group):
    client.force_login(group.admin)
    return client


def upload(data, name="badge.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def field_errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- Who may open the pages -----------------------------------------------------------------------


def page_urls(group, assertion):
    return [
        reverse("badge_admin:index"),
        reverse("badge_admin:designs"),
        reverse("badge_admin:design", args=[group.course.pk]),
        reverse("badge_admin:edit", args=[group.badge.pk]),
        reverse("badge_admin:offering", args=[group.offering.pk]),
        reverse("badge_admin:list"),
        reverse("badge_admin:export"),
        reverse("badge_admin:revoke", args=[assertion.pk]),
    ]


def test_anonymous_people_are_sent_to_sign_in(client, group):
    (assertion,) = issue_by_override(group, group.enrollments[:1])
    for url in page_urls(group, assertion):
        response = client.get(url)
        assert response["Location"] == f"{reverse('login')}?next={url}", url


@pytest.mark.parametrize("role", ["learner", "instructor", "leader"])
def test_only_the_leads_team_may_open_the_pages(client, group, role):
    (assertion,) = issue_by_override(group, group.enrollments[:1])
    person = {
        "learner": group.enrollments[0].learner,
        "instructor": group.instructor,
        "leader": group.course.leader,
    }[role]
    client.force_login(person)
    for url in page_urls(group, assertion):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("badge_admin:revoke", args=[assertion.pk]), {"reason": "Because"}
    )
    assert response.status_code == 403
    assertion.refresh_from_db()
    assert assertion.revoked_at is None


def test_the_leads_team_finds_the_pages_in_the_navigation(admin_client):
    response = admin_client.get(reverse("accounts:dashboard"))
    assert f'href="{reverse("badge_admin:index")}">Badges<' in response.content.decode()


# --- Designing a badge ----------------------------------------------------------------------------


@pytest.fixture
def undesigned(client):
    group = cohort(2, design=False, badge_name="Data Wrangler", badge_level="intermediate")
    client.force_login(group.admin)
    return group


def test_the_design_page_is_prefilled_from_the_approved_template(client, undesigned):
    url = reverse("badge_admin:design", args=[undesigned.course.pk])
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["name"].value() == "Data Wrangler"
    assert form["level"].value() == "intermediate"
    assert "Apply skill 1." in form["criteria_narrative"].value()
    assert form["expires_after_months"].value() == 24
    assert form["tags"].value() == f"Intermediate, {undesigned.course.unit.name}, micro-credential"
    body = response.content.decode()
    assert "LO1</strong>: Apply skill 1." in body  # the alignments, read-only
    assert "ECTS credits" in body and "Manual issue by role" in body
    assert f'href="{url}"' in client.get(reverse("badge_admin:designs")).content.decode()


def test_saving_the_design_creates_the_badge_with_the_changes(client, undesigned):
    url = reverse("badge_admin:design", args=[undesigned.course.pk])
    initial = client.get(url).context["form"].initial
    data = {
        **{k: v for k, v in initial.items() if v is not None and k != "tags"},
        "name": "Data Wrangler II",
        "tags": "data, Python, data",
        "expires_after_months": "",
        "expires_on": "2040-01-31",
    }
    response = client.post(url, data)
    badge = BadgeClass.objects.get(course=undesigned.course)
    assert response.status_code == 302
    assert response["Location"] == reverse("badge_admin:edit", args=[badge.pk])
    assert badge.name == "Data Wrangler II"
    assert badge.tags == ["data", "Python"]
    assert str(badge.expires_on) == "2040-01-31" and badge.expires_after_months is None
    assert badge.image.name.endswith(".png") and "data-wrangler-ii" in badge.image.name
    assert [a["target_code"] for a in badge.alignments] == ["LO1", "LO2"]
    # Designing again goes to the edit page.
    again = client.get(url)
    assert again.status_code == 302 and again["Location"].endswith(f"/designs/{badge.pk}/")


def test_an_uploaded_svg_becomes_the_badge_image(client, undesigned):
    url = reverse("badge_admin:design", args=[undesigned.course.pk])
    data = {**client.get(url).context["form"].initial, "tags": "a, b", "expires_on": ""}
    data["image"] = upload(svg_bytes(), "My Badge.svg", "image/svg+xml")
    assert client.post(url, data).status_code == 302
    badge = BadgeClass.objects.get(course=undesigned.course)
    assert badge.image.name.endswith(".svg")
    assert badge.image.read() == svg_bytes()


@pytest.mark.parametrize(
    "image, code_words",
    [
        (upload(b"not an image at all", "badge.png"), "not a PNG or SVG"),
        (upload(bomb_png(), "bomb.png"), "decompression bomb"),
        (upload(png_bytes(300, 200)), "must be square"),
        (upload(svg_bytes("<script>alert(1)</script>"), "x.svg", "image/svg+xml"), "<script>"),
    ],
)
def test_a_refused_image_is_reported_at_the_field_and_nothing_is_created(
    client, undesigned, image, code_words
):
    url = reverse("badge_admin:design", args=[undesigned.course.pk])
    data = {**client.get(url).context["form"].initial, "tags": "", "image": image}
    data["expires_on"] = ""
    response = client.post(url, data)
    assert response.status_code == 400
    assert any(code_words in e for e in field_errors(response, "image"))
    assert not BadgeClass.objects.filter(course=undesigned.course).exists()


def test_a_draft_course_has_no_design_page(client, undesigned):
    undesigned.course.status = "draft"
    undesigned.course.save()
    assert client.get(reverse("badge_admin:design", args=[undesigned.course.pk])).status_code == 404


# --- Editing a badge ------------------------------------------------------------------------------


def edit_data(badge, **changes):
    data = {
        "name": badge.name,
        "description": badge.description,
        "criteria_narrative": badge.criteria_narrative,
        "level": badge.level,
        "tags": ", ".join(badge.tags),
        "expires_after_months": badge.expires_after_months or "",
        "expires_on": badge.expires_on or "",
        "message": badge.message,
    }
    return {**data, **changes}


def test_editing_changes_the_presentation_and_warns_once_badges_exist(admin_client, group):
    url = reverse("badge_admin:edit", args=[group.badge.pk])
    assert "already issued" not in admin_client.get(url).content.decode()
    issue_by_override(group, group.enrollments[:2])
    page = admin_client.get(url).content.decode()
    assert "2 badges have been issued with this design" in page
    assert "hosted Open Badges JSON" in page
    response = admin_client.post(
        url,
        edit_data(group.badge, name="Renamed badge", tags="one, two"),
        follow=True,
    )
    group.badge.refresh_from_db()
    assert (group.badge.name, group.badge.tags) == ("Renamed badge", ["one", "two"])
    assert "2 badges already issued show the change" in response.content.decode()


def test_a_new_image_is_checked_and_a_refusal_keeps_the_old_one(admin_client, group):
    url = reverse("badge_admin:edit", args=[group.badge.pk])
    before = group.badge.image.name
    response = admin_client.post(url, edit_data(group.badge, name="X", image=upload(bomb_png())))
    assert response.status_code == 400
    assert any("decompression bomb" in e for e in field_errors(response, "image"))
    group.badge.refresh_from_db()
    assert (group.badge.name, group.badge.image.name) == ("Data Analytics with Python", before)
    assert b"Data Analytics with Python</h1>" in response.content  # the saved name, not "X"

    admin_client.post(url, edit_data(group.badge, image=upload(png_bytes(512))))
    group.badge.refresh_from_db()
    assert group.badge.image.name != before
    with group.badge.image.open("rb") as handle:
        assert handle.read() == png_bytes(512)


def test_the_drawn_image_can_replace_an_upload(admin_client, group):
    url = reverse("badge_admin:edit", args=[group.badge.pk])
    response = admin_client.post(
        url, edit_data(group.badge, default_image="on", image=upload(png_bytes()))
    )
    assert response.status_code == 400 and field_errors(response, "default_image")
    before = group.badge.image.name
    admin_client.post(url, edit_data(group.badge, level="advanced", default_image="on"))
    group.badge.refresh_from_db()
    assert group.badge.image.name != before and group.badge.level == "advanced"


def test_expiry_is_either_months_or_a_future_date(admin_client, group):
    url = reverse("badge_admin:edit", args=[group.badge.pk])
    both = admin_client.post(url, edit_data(group.badge, expires_on="2040-01-01"))
    assert both.status_code == 400 and "not both" in field_errors(both, "expires_on")[0]
    past = admin_client.post(
        url, edit_data(group.badge, expires_after_months="", expires_on="2001-01-01")
    )
    assert past.status_code == 400 and "future" in field_errors(past, "expires_on")[0]
    group.badge.refresh_from_db()
    assert group.badge.expires_after_months == 24 and group.badge.expires_on is None


# --- Issuing from an offering ---------------------------------------------------------------------


def offering_url(group):
    return reverse("badge_admin:offering", args=[group.offering.pk])


def test_the_offering_page_lists_completion_confirmation_and_badges(admin_client, group):
    confirmed, completed, _ = group.enrollments
    complete(group, confirmed, completed)
    confirm(group, confirmed)
    (assertion,) = issue_by_override(group, [confirmed])
    response = admin_client.get(offering_url(group))
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("badges:assertion", kwargs={"pk": assertion.pk}) in body
    # In progress, and completed but not confirmed: both need a reason to issue by hand.
    assert body.count("Not issued: needs a reason") == 2
    assert "Not yet" in body and f"by {group.course.leader.full_name}" in body
    # Checkboxes only for learners without a badge.
    assert body.count('name="enrollments"') == 2
    assert '<th scope="col">Confirmed by the course leader</th>' in body


def test_issuing_to_one_confirmed_learner(admin_client, group):
    learner = group.enrollments[0]
    complete(group, learner)
    confirm(group, learner)
    response = admin_client.post(
        offering_url(group), {"issue_one": learner.pk, "narrative": "Top of the class"}
    )
    assert response.status_code == 302
    assertion = Assertion.objects.get(enrollment=learner)
    assert assertion.narrative == "Top of the class"
    assert assertion.issued_by == group.admin and assertion.override_reason == ""


def test_a_learner_who_did_not_complete_needs_a_reason(admin_client, group):
    learner = group.enrollments[0]
    response = admin_client.post(offering_url(group), {"issue_one": learner.pk})
    assert response.status_code == 400
    (error,) = field_errors(response, "override_reason")
    assert "has not completed" in error and "Give a reason" in error
    assert not Assertion.objects.exists()

    admin_client.post(
        offering_url(group),
        {"issue_one": learner.pk, "override_reason": "Assessed on paper at the campus"},
    )
    assertion = Assertion.objects.get(enrollment=learner)
    assert assertion.override_reason == "Assessed on paper at the campus"


def test_a_completed_learner_not_yet_confirmed_needs_a_reason_too(admin_client, group):
    learner = group.enrollments[0]
    complete(group, learner)
    response = admin_client.post(
        offering_url(group), {"scope": "selected", "enrollments": [learner.pk]}
    )
    assert response.status_code == 400
    assert "has not confirmed" in field_errors(response, "override_reason")[0]


def test_issuing_to_a_selection_reports_who_was_skipped(admin_client, group):
    ready, other_ready, not_done = group.enrollments
    complete(group, ready, other_ready)
    confirm(group, ready, other_ready)
    response = admin_client.post(
        offering_url(group),
        {
            "scope": "selected",
            "enrollments": [ready.pk, other_ready.pk, not_done.pk],
            "narrative": "Cohort of spring",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "2 badges issued." in body
    assert "Not issued to 1 learner" in body and "has not completed" in body
    assert set(Assertion.objects.values_list("enrollment", flat=True)) == {ready.pk, other_ready.pk}
    assert set(Assertion.objects.values_list("narrative", flat=True)) == {"Cohort of spring"}


def test_an_override_reason_applies_to_one_learner_only(admin_client, group):
    ids = [e.pk for e in group.enrollments[:2]]
    response = admin_client.post(
        offering_url(group),
        {"scope": "selected", "enrollments": ids, "override_reason": "Both assessed on paper"},
    )
    assert response.status_code == 400
    assert "one learner at a time" in field_errors(response, "override_reason")[0]
    assert not Assertion.objects.exists()


def test_choosing_nobody_is_an_error_at_the_selection(admin_client, group):
    response = admin_client.post(offering_url(group), {"scope": "selected"})
    assert response.status_code == 400
    assert field_errors(response, "enrollments") == ["Choose at least one learner to issue to."]


def test_issuing_to_all_confirmed_learners(admin_client, group):
    a, b, c = group.enrollments
    complete(group, a, b)
    confirm(group, a)
    issue_by_override(group, [c])
    admin_client.post(offering_url(group), {"scope": "all"})
    assert set(Assertion.objects.values_list("enrollment", flat=True)) == {a.pk, c.pk}
    response = admin_client.post(offering_url(group), {"scope": "all"})
    assert response.status_code == 400
    assert "No learner is waiting" in response.content.decode()


def test_a_course_without_a_badge_sends_the_admin_to_design_it(client):
    group = cohort(1, design=False)
    client.force_login(group.admin)
    response = client.get(offering_url(group))
    assert reverse("badge_admin:design", args=[group.course.pk]) in response.content.decode()
    assert client.post(offering_url(group), {"scope": "all"}).status_code == 302
    assert not Assertion.objects.exists()


# --- Large batches in the background --------------------------------------------------------------


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(views_admin, "BACKGROUND_OVER", 2)
    monkeypatch.setattr(views_admin, "CHUNK_SIZE", 2)


def test_a_large_batch_runs_as_tasks_with_a_progress_page(admin_client, group, small_batches):
    complete(group, *group.enrollments)
    confirm(group, *group.enrollments)
    response = admin_client.post(offering_url(group), {"scope": "all"})
    assert response.status_code == 302
    job_url = response["Location"]
    job_id = re.search(r"/batches/([0-9a-f-]+)/$", job_url).group(1)
    assert Assertion.objects.count() == 3  # the tasks ran inline (CELERY_TASK_ALWAYS_EAGER)
    page = admin_client.get(job_url).content.decode()
    assert '<progress id="issue-progress"' in page and 'aria-live="polite"' in page
    assert 'value="3"' in page and "Done." in page
    status = admin_client.get(reverse("badge_admin:job_status", args=[job_id])).json()
    assert status == {
        "status": "done", "status_label": "Done", "finished": True, "total": 3,
        "processed": 3, "percent": 100, "issued": 3, "already": 0, "not_eligible": 0,
        "failed": 0,
    }  # fmt: skip


def test_the_progress_follows_the_tasks_while_they_run(admin_client, group, small_batches):
    from badges import tasks

    class Pending:
        def __init__(self, task_id, state="PENDING", result=None):
            self.id, self.state, self.result = task_id, state, result

        def ready(self):
            return self.state in ("SUCCESS", "FAILURE")

        def successful(self):
            return self.state == "SUCCESS"

    sent = []

    def delay(ids, user_id):
        sent.append((ids, user_id))
        return Pending(f"task-{len(sent)}")

    complete(group, *group.enrollments)
    confirm(group, *group.enrollments)
    results = {"task-1": Pending("task-1"), "task-2": Pending("task-2")}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.issue_badges_bulk, "delay", delay)
        patch.setattr(tasks.issue_badges_bulk, "AsyncResult", lambda task_id: results[task_id])
        job_url = admin_client.post(offering_url(group), {"scope": "all"})["Location"]
        status_url = job_url + "status.json"
        assert [len(ids) for ids, _ in sent] == [2, 1]
        assert {user for _, user in sent} == {group.admin.pk}
        first = admin_client.get(status_url).json()
        assert (first["status"], first["processed"], first["finished"]) == ("pending", 0, False)
        results["task-1"] = Pending("task-1", "SUCCESS", {"issued": 2, "already": 0})
        second = admin_client.get(status_url).json()
        assert (second["status"], second["processed"], second["issued"]) == ("running", 2, 2)
        results["task-2"] = Pending("task-2", "FAILURE")
        third = admin_client.get(status_url).json()
        assert (third["status"], third["finished"], third["failed"]) == ("failed", True, 1)
    assert admin_client.get(job_url).status_code == 200


def test_a_narrative_goes_with_small_batches_only(admin_client, group, small_batches):
    complete(group, *group.enrollments)
    confirm(group, *group.enrollments)
    response = admin_client.post(offering_url(group), {"scope": "all", "narrative": "Well done"})
    assert response.status_code == 400
    assert "at most 2 badges" in field_errors(response, "narrative")[0]
    assert not Assertion.objects.exists()


def test_an_unknown_batch_is_not_found(admin_client):
    url = reverse("badge_admin:job_status", args=["00000000-0000-0000-0000-000000000000"])
    assert admin_client.get(url).status_code == 404


# --- Revoking -------------------------------------------------------------------------------------


def test_revoking_needs_a_reason_at_the_field(admin_client, group):
    (assertion,) = issue_by_override(group, group.enrollments[:1])
    url = reverse("badge_admin:revoke", args=[assertion.pk])
    response = admin_client.post(url, {"reason": "   "})
    assert response.status_code == 400
    assert field_errors(response, "reason") == ["Give the reason for revoking the badge."]
    assertion.refresh_from_db()
    assert assertion.revoked_at is None

    response = admin_client.post(url, {"reason": "Plagiarised project", "next": "/centre/badges/"})
    assert response.status_code == 302 and response["Location"] == "/centre/badges/"
    assertion.refresh_from_db()
    assert assertion.revocation_reason == "Plagiarised project"
    assert assertion.revoked_by == group.admin
    page = admin_client.get(url).content.decode()
    assert "This badge was revoked on" in page and "Plagiarised project" in page


def test_revoking_does_not_follow_a_next_link_elsewhere(admin_client, group):
    (assertion,) = issue_by_override(group, group.enrollments[:1])
    url = reverse("badge_admin:revoke", args=[assertion.pk])
    response = admin_client.post(url, {"reason": "Fraud", "next": "https://evil.example/"})
    assert response["Location"] == reverse("badge_admin:list")


# --- The list, its CSV, and the dashboard ---------------------------------------------------------


def test_the_list_filters_and_pages(admin_client, group, monkeypatch):
    monkeypatch.setattr(views_admin, "PAGE_SIZE", 2)
    first, second, third = issue_by_override(group, group.enrollments)
    assertion_revoke(assertion=second, acting_user=group.admin, reason="Fraud")
    url = reverse("badge_admin:list")
    page = admin_client.get(url).content.decode()
    assert "3 badges, page 1 of 2, newest first" in page
    assert 'href="?page=2"' in page
    revoked = admin_client.get(url, {"status": "revoked"})
    assert [a for a, _ in revoked.context["rows"]] == [second]
    assert "Revoked</span>" in revoked.content.decode()
    found = admin_client.get(url, {"q": third.recipient_email})
    assert [a for a, _ in found.context["rows"]] == [third]
    bad = admin_client.get(url, {"month": "March"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.content.decode()


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_export_has_the_filtered_badges(admin_client, group):
    first, second, _ = issue_by_override(group, group.enrollments)
    assertion_revoke(assertion=second, acting_user=group.admin, reason="=HYPERLINK(evil)")
    response = admin_client.get(reverse("badge_admin:export"), {"status": "revoked"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    (row,) = read_csv(response)
    assert row["Learner"] == second.recipient_name
    assert row["Status"] == "Revoked"
    assert row["Reason for revocation"] == "'=HYPERLINK(evil)"  # no formula in a spreadsheet
    assert row["Verification page"].endswith(f"/public/assertions/{second.pk}")
    assert row["Reason for issuing without completion"] == "Assessed outside the VLE"
    assert len(read_csv(admin_client.get(reverse("badge_admin:export")))) == 3


def count_queries(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        if response.streaming:
            b"".join(response.streaming_content)
        else:
            assert response.status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_number_of_badges(admin_client, group):
    issue_by_override(group, group.enrollments)
    issue_by_override(group, add_learners(group, 7))
    urls = [
        (reverse("badge_admin:index"), {}),
        (reverse("badge_admin:designs"), {}),
        (reverse("badge_admin:list"), {}),
        (reverse("badge_admin:list"), {"status": "valid", "q": "example", "page": "1"}),
        (reverse("badge_admin:export"), {}),
        (reverse("badge_admin:export"), {"badge_class": group.badge.pk, "month": "2026-01"}),
        (offering_url(group), {}),
    ]
    at_ten = [count_queries(admin_client, url, **params) for url, params in urls]
    assert Assertion.objects.count() == 10
    issue_by_override(group, add_learners(group, 90))
    other = cohort(0, title="Second course")
    issue_by_override(other, add_learners(other, 3))
    at_hundred = [count_queries(admin_client, url, **params) for url, params in urls]
    assert Assertion.objects.count() == 103
    assert at_hundred == at_ten


def test_the_dashboard_shows_counts_in_tables_and_charts_without_inline_script(admin_client, group):
    _, revoked, _ = issue_by_override(group, group.enrollments)
    assertion_revoke(assertion=revoked, acting_user=group.admin, reason="Fraud")
    cohort(0, design=False, title="Waiting for a design")
    response = admin_client.get(reverse("badge_admin:index"))
    body = response.content.decode()
    assert "1 approved course has no badge yet" in body
    course_row = re.search(r'<th scope="row">Data Analytics with Python</th>(.*?)</tr>', body, re.S)
    assert re.findall(r">(\d+)</td>", course_row.group(1)) == ["3", "2", "1", "0"]
    chart = json.loads(re.search(r'id="month-chart-data"[^>]*>(.*?)</script>', body).group(1))
    assert sum(chart["datasets"][0]["data"]) == 3 and len(chart["labels"]) == 12
    assert 'data-badge-chart="month-chart-data"' in body
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "/static/js/badge-charts.js" in body


def test_pages_have_labelled_tables_and_fields(admin_client, group):
    issue_by_override(group, group.enrollments[:1])
    for url in [reverse("badge_admin:list"), offering_url(group), reverse("badge_admin:index")]:
        body = admin_client.get(url).content.decode()
        assert body.count("<table") == body.count("<caption")
        assert "<th>" not in body  # every header cell has its scope
    body = admin_client.get(reverse("badge_admin:list")).content.decode()
    for name in ["badge_class", "status", "month", "q"]:
        assert f'<label class="form-label" for="id_{name}">' in body


def test_a_user_without_the_role_sees_no_badge_link(client):
    client.force_login(UserFactory(is_learner=True))
    body = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("badge_admin:index") not in body
