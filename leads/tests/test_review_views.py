import json
import re

import pytest
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Course, CourseStatus
from leads import checklist
from leads.models import Decision

from .factories import decided_course, make_unit_with_dean, submitted_course
from .review_factories import (
    CHANGED_OUTCOME,
    age,
    leads_admin,
    learner,
    other_unit_dean,
    resubmitted_course,
    submitted_in,
)

pytestmark = pytest.mark.django_db


def review_url(submission):
    return reverse("leads:submission_review", args=[submission.pk])


def decide_url(submission):
    return reverse("leads:submission_decide", args=[submission.pk])


def pack_url(submission):
    return reverse("leads:submission_pack", args=[submission.pk])


def page_text(response):
    return response.content.decode()


# --- Who may open what ------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client):
    _, submission = submitted_course()
    for url in (
        reverse("leads:review_queue"),
        reverse("leads:all_submissions"),
        review_url(submission),
        pack_url(submission),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(decide_url(submission), {"decision": "approved"})
    assert response.status_code == 302
    assert Decision.objects.count() == 0


def test_learners_are_refused_every_review_page(client):
    _, submission = submitted_course()
    client.force_login(learner())
    for url in (
        reverse("leads:review_queue"),
        reverse("leads:all_submissions"),
        review_url(submission),
        pack_url(submission),
    ):
        assert client.get(url).status_code == 403
    assert client.post(decide_url(submission), {"decision": "approved"}).status_code == 403
    assert Decision.objects.count() == 0


def test_a_dean_of_another_unit_finds_no_such_submission(client):
    course, submission = submitted_course()
    client.force_login(other_unit_dean())
    assert client.get(review_url(submission)).status_code == 404
    assert client.get(pack_url(submission)).status_code == 404
    assert client.post(decide_url(submission), {"decision": "approved"}).status_code == 404
    course.refresh_from_db()
    assert course.status == CourseStatus.SUBMITTED


def test_the_queue_is_for_deans_and_the_list_for_the_leads_admin(client):
    course, _ = submitted_course()
    client.force_login(course.leader)
    assert client.get(reverse("leads:review_queue")).status_code == 403
    assert client.get(reverse("leads:all_submissions")).status_code == 403
    client.force_login(course.unit.dean)
    assert client.get(reverse("leads:all_submissions")).status_code == 403
    client.force_login(leads_admin())
    assert client.get(reverse("leads:review_queue")).status_code == 403


def test_unknown_submission_is_404(client):
    client.force_login(leads_admin())
    assert client.get(reverse("leads:submission_review", args=[987654])).status_code == 404


# --- The queue --------------------------------------------------------------------------------


def test_the_queue_lists_the_units_submissions_oldest_first_with_their_age(client):
    unit, dean, _ = make_unit_with_dean(name="Institute for Educational Development")
    newer, older = submitted_in(unit, count=2, title="Leading")
    age([older], days=3)
    submitted_in(make_unit_with_dean()[0], count=1, title="Elsewhere")
    client.force_login(dean)
    page = page_text(client.get(reverse("leads:review_queue")))
    assert "2 submissions awaiting a decision" in page
    assert page.index("Leading 2") < page.index("Leading 1")
    assert "3 days" in page
    assert "Elsewhere" not in page
    assert review_url(older) in page


def test_an_empty_queue_says_so(client):
    _, dean, _ = make_unit_with_dean()
    client.force_login(dean)
    assert "No submissions are waiting" in page_text(client.get(reverse("leads:review_queue")))


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_queue_runs_as_many_queries_for_12_submissions_as_for_2(client):
    unit, dean, _ = make_unit_with_dean()
    submitted_in(unit, count=2)
    client.force_login(dean)
    url = reverse("leads:review_queue")
    client.get(url)  # the session and anything cached on first use
    with_two = count_queries(client, url)
    submitted_in(unit, count=10, title="More")
    assert count_queries(client, url) == with_two


def test_the_list_runs_as_many_queries_for_12_submissions_as_for_2(client):
    unit, _, _ = make_unit_with_dean()
    other, _, _ = make_unit_with_dean()
    submitted_in(unit, count=1)
    decided_course("approved", unit=other)
    client.force_login(leads_admin())
    url = reverse("leads:all_submissions") + f"?unit={unit.pk}&state=&waiting="
    client.get(url)
    with_two = (count_queries(client, url), count_queries(client, reverse("leads:all_submissions")))
    submitted_in(unit, count=5, title="More")
    for outcome in ("approved", "changes_requested", "rejected", "approved", "rejected"):
        decided_course(outcome, unit=other, comment="Reason.")
    with_twelve = (
        count_queries(client, url),
        count_queries(client, reverse("leads:all_submissions")),
    )
    assert with_twelve == with_two


# --- The review page --------------------------------------------------------------------------


def test_the_review_shows_the_template_the_checklist_and_what_changed(client):
    course, first, second = resubmitted_course()
    client.force_login(course.unit.dean)
    page = page_text(client.get(review_url(second)))
    # The whole template, in the template's order.
    template = page[page.index("The course template") :]
    headings = [title for _, title in checklist.TEMPLATE_SECTIONS]
    positions = [template.index(f"{n}. {title}<") for n, title in enumerate(headings, 1)]
    assert positions == sorted(positions)
    assert "School Improvement Leader" in page and "AKU Karachi campus" in page
    assert "EQF level 6" in page and "Hybrid" in page
    # The checklist with findings, status in words.
    assert "Course has 2–5 clear learning goals" in page
    assert "Awaiting approval" in page and "Affirmed" in page and ">Met<" in page
    # What changed since the last decision, old and new.
    assert "What changed since the last decision" in page
    assert "Reword LO2." in page
    assert "Learning outcome 2" in page
    assert "Design a professional development plan for a team of teachers." in page
    assert CHANGED_OUTCOME in page
    # The decision form, with a visible label on every control.
    # The fragment brings a refused decision back to the form, not to the top of the page.
    assert 'action="' + decide_url(second) + '#decision"' in page
    assert '<label class="form-label fw-semibold" for="id_comment">Comment</label>' in page
    assert "<legend" in page and "Your decision" in page


def test_a_first_submission_has_no_comparison(client):
    course, submission = submitted_course()
    client.force_login(course.unit.designates.first())
    page = page_text(client.get(review_url(submission)))
    assert "What changed" not in page
    assert "Record the decision" in page


def test_headings_are_in_order(client):
    course, _, second = resubmitted_course()
    client.force_login(course.unit.dean)
    page = page_text(client.get(review_url(second)))
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", page)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_a_dean_who_leads_the_course_is_not_offered_the_form_and_told_why(client):
    course, submission = submitted_course()
    dean = course.unit.dean
    Course.objects.filter(pk=course.pk).update(leader=dean)
    client.force_login(dean)
    page = page_text(client.get(review_url(submission)))
    assert "Record the decision" not in page
    assert "You lead this course" in page
    assert client.post(decide_url(submission), {"decision": "approved"}).status_code == 403
    assert Decision.objects.count() == 0


def test_the_leader_and_the_leads_admin_read_the_submission_but_do_not_decide(client):
    course, submission = submitted_course()
    for person in (course.leader, leads_admin()):
        client.force_login(person)
        page = page_text(client.get(review_url(submission)))
        assert "Record the decision" not in page
        assert "Only the dean of" in page or "You lead this course" in page
        assert client.post(decide_url(submission), {"decision": "approved"}).status_code == 403
    assert Decision.objects.count() == 0


# --- Deciding ---------------------------------------------------------------------------------


def test_the_dean_approves_and_the_page_says_approved(client, django_capture_on_commit_callbacks):
    course, submission = submitted_course()
    client.force_login(course.unit.dean)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(submission), {"decision": "approved", "comment": ""})
    assert response.status_code == 302 and response["Location"] == review_url(submission)
    course.refresh_from_db()
    assert course.status == CourseStatus.APPROVED
    assert submission.decision.outcome == "approved"
    assert any("Approved" in m.subject for m in mail.outbox)
    page = page_text(client.get(response["Location"]))
    assert "You approved “Leading School Improvement”." in page
    assert "Approved</span>" in page and "by Dean Person" in page
    assert "Record the decision" not in page
    # The checklist's last item now says who approved.
    assert "Approved by Dean Person on" in page


def test_a_designate_decides_for_the_dean(client):
    course, submission = submitted_course()
    client.force_login(course.unit.designates.first())
    client.post(
        decide_url(submission), {"decision": "changes_requested", "comment": "Add a rubric."}
    )
    decision = Decision.objects.get()
    assert decision.as_designate and decision.outcome == "changes_requested"
    course.refresh_from_db()
    assert course.status == CourseStatus.CHANGES_REQUESTED
    page = page_text(client.get(review_url(submission)))
    assert "(designate of the dean)" in page and "Add a rubric." in page


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ("changes_requested", "Say what needs to change: a comment is required."),
        ("rejected", "Give the reason for rejecting the course."),
    ],
)
def test_changes_or_reject_without_a_comment_is_refused_at_the_field(client, decision, message):
    course, submission = submitted_course()
    client.force_login(course.unit.dean)
    response = client.post(decide_url(submission), {"decision": decision, "comment": "   "})
    assert response.status_code == 200
    page = page_text(response)
    assert f'<div id="id_comment_error" class="invalid-feedback d-block">{message}</div>' in page
    textarea = re.search(r"<textarea[^>]*>", page).group(0)
    assert 'aria-describedby="id_comment_helptext id_comment_error"' in textarea
    assert 'aria-invalid="true"' in textarea and "is-invalid" in textarea
    assert 'value="' + decision + '"' in page and "checked" in page
    course.refresh_from_db()
    assert course.status == CourseStatus.SUBMITTED
    assert Decision.objects.count() == 0


def test_no_choice_is_refused_at_the_field(client):
    course, submission = submitted_course()
    client.force_login(course.unit.dean)
    page = page_text(client.post(decide_url(submission), {"comment": "Fine"}))
    assert "Choose approve, request changes or reject." in page
    assert 'aria-describedby="id_decision_error"' in page
    assert Decision.objects.count() == 0


def test_a_decision_on_a_course_no_longer_awaiting_one_is_refused(client):
    course, submission = decided_course("rejected", comment="Not a micro-credential.")
    client.force_login(course.unit.designates.first())
    response = client.post(decide_url(submission), {"decision": "approved"}, follow=True)
    page = page_text(response)
    assert "already been decided" in page and "Nothing was changed." in page
    course.refresh_from_db()
    assert course.status == CourseStatus.REJECTED
    assert Decision.objects.get().outcome == "rejected"


def test_an_earlier_submission_cannot_be_decided_after_a_resubmission(client):
    course, first, _ = resubmitted_course()
    client.force_login(course.unit.dean)
    page = page_text(client.get(review_url(first)))
    assert "Record the decision" not in page
    response = client.post(decide_url(first), {"decision": "approved"}, follow=True)
    assert "already been decided" in page_text(response)
    course.refresh_from_db()
    assert course.status == CourseStatus.SUBMITTED


def test_a_comment_with_html_is_shown_escaped(client):
    course, submission = submitted_course()
    client.force_login(course.unit.dean)
    client.post(
        decide_url(submission),
        {"decision": "rejected", "comment": '<script>alert("x")</script><b>bold</b>'},
    )
    page = page_text(client.get(review_url(submission)))
    assert "<script>alert" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page


def test_deciding_is_post_only(client):
    course, submission = submitted_course()
    client.force_login(course.unit.dean)
    assert client.get(decide_url(submission)).status_code == 405


# --- All submissions --------------------------------------------------------------------------


def test_the_leads_admin_sees_every_unit_with_counts_chart_and_table(client):
    first, _, _ = make_unit_with_dean(name="Institute for Educational Development")
    second, _, _ = make_unit_with_dean(name="School of Nursing")
    submitted_in(first, count=2, title="Waiting")
    decided_course("approved", unit=second, title="Approved course", comment="")
    client.force_login(leads_admin())
    response = client.get(reverse("leads:all_submissions"))
    page = page_text(response)
    assert "Waiting 1" in page and "Approved course" in page
    counts = {c.state: c.count for c in response.context["counts"]}
    assert counts == {"awaiting": 2, "approved": 1, "changes_requested": 0, "rejected": 0}
    data = re.search(r'<script id="units-chart-data" type="application/json">(.*?)</script>', page)
    chart = json.loads(data.group(1))
    assert chart["labels"] == ["Institute for Educational Development", "School of Nursing"]
    assert chart["datasets"][0]["data"] == [2, 0]
    assert 'data-chart="units-chart-data"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page and "js/charts.js" in page
    assert "<caption>Submissions by state per unit" in page
    assert '<th scope="row">School of Nursing</th>' in page
    assert "<script>" not in page  # no inline scripts (CSP)


def test_the_list_filters_by_unit_state_and_waiting_time(client):
    first, _, _ = make_unit_with_dean()
    second, _, _ = make_unit_with_dean()
    submitted_in(first, count=1, title="Recent")
    submitted_in(first, count=1, title="Old", days_ago=15)
    decided_course("rejected", unit=second, title="Turned down", comment="Budget.")
    client.force_login(leads_admin())
    url = reverse("leads:all_submissions")

    def titles(query):
        response = client.get(url + query)
        return {s.title for s in response.context["page"].object_list}

    assert titles(f"?unit={first.pk}") == {"Recent 1", "Old 1"}
    assert titles("?state=rejected") == {"Turned down"}
    assert titles("?waiting=14") == {"Old 1"}
    assert titles("?waiting=30") == set()


def test_a_bad_filter_is_reported_and_not_applied(client):
    submitted_in(make_unit_with_dean()[0], count=1, title="Kept")
    client.force_login(leads_admin())
    response = client.get(reverse("leads:all_submissions") + "?state=lost&waiting=abc")
    page = page_text(response)
    assert "This filter was not applied." in page
    assert {s.title for s in response.context["page"].object_list} == {"Kept 1"}


# --- Shared includes --------------------------------------------------------------------------


def test_the_checklist_include_names_each_section_as_the_checklist_does():
    items = checklist.compute_checklist({})
    html = render_to_string("leads/includes/checklist_view.html", {"items": items})
    for number, title in checklist.SECTIONS.items():
        assert f"{number}.\n        {title}\n" in html
    assert "Not met" in html and "Awaiting approval" in html
    assert "Problem:" in html


def test_the_checklist_include_reads_stored_dicts_too():
    items = checklist.as_json(checklist.compute_checklist({"title": "X", "affirms_budget": True}))
    html = render_to_string("leads/includes/checklist_view.html", {"items": items})
    assert html.count("Affirmed</span>") == 1 and "Met</span>" in html


def test_the_snapshot_include_needs_only_the_snapshot():
    _, submission = submitted_course()
    html = render_to_string("leads/includes/snapshot_view.html", {"snapshot": submission.snapshot})
    for _, title in checklist.TEMPLATE_SECTIONS:
        assert title in html
    assert "hybrid" in html and "EQF level 6" in html  # without labels: codes, plainly
    assert "<h3" in html and "<h2" not in html  # sits under the page's h2 by default


def test_the_history_include_shows_who_when_from_to_and_comment():
    course, _ = decided_course("changes_requested", comment="Add <em>more</em>.")
    html = render_to_string(
        "leads/includes/history.html", {"transitions": list(course.transitions.all())}
    )
    assert "Submitted for approval" in html and "Changes requested" in html
    assert "Dean Person" in html and "Leader Person" in html
    assert "Add &lt;em&gt;more&lt;/em&gt;." in html
    assert '<th scope="col">Comment</th>' in html
