from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import Course
from leads import selectors
from leads.services import submission_approve

from .factories import decided_course, make_unit_with_dean, submitted_course
from .review_factories import age, resubmitted_course, submitted_in, submitted_revision

pytestmark = pytest.mark.django_db


def test_the_queue_holds_the_units_waiting_submissions_oldest_first():
    unit, dean, designate = make_unit_with_dean(name="Institute for Educational Development")
    newer, older = submitted_in(unit, count=2)
    age([older], days=3)
    decided_course("approved", unit=unit)  # decided: not waiting
    submitted_in(make_unit_with_dean()[0], count=1)  # another unit's

    for person in (dean, designate):
        rows = selectors.dean_queue(user=person)
        assert [row.submission.pk for row in rows] == [older.pk, newer.pk]
    assert rows[0].age == "3 days"
    assert rows[0].submission.title == "Course 2"
    assert not rows[0].you_lead


def test_the_queue_marks_courses_the_dean_leads_and_resubmissions():
    course, _, second = resubmitted_course()
    Course.objects.filter(pk=course.pk).update(leader=course.unit.dean)
    [row] = selectors.dean_queue(user=course.unit.dean)
    assert row.submission.pk == second.pk
    assert row.you_lead and row.is_resubmission


def test_a_person_who_is_no_dean_has_an_empty_queue():
    course, _ = submitted_course()
    assert selectors.dean_queue(user=course.leader) == []


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(seconds=20), "less than a minute"),
        (timedelta(hours=5, minutes=3), "5 hours"),
        (timedelta(days=1, hours=23), "1 day"),
        (timedelta(days=15), "2 weeks"),
    ],
)
def test_age_in_words(delta, words):
    now = timezone.now()
    assert selectors.age_in_words(now - delta, now) == words


def test_filters_by_unit_state_and_days_waiting():
    unit, _, _ = make_unit_with_dean()
    other, _, _ = make_unit_with_dean()
    fresh = submitted_in(unit, count=1, title="Fresh")
    stale = submitted_in(unit, count=1, title="Stale", days_ago=20)
    _, rejected = decided_course("rejected", unit=unit, comment="No budget.")
    age([rejected], days=40)  # old, but decided: not waiting
    elsewhere = submitted_in(other, count=1, days_ago=10)

    def pks(**filters):
        return {s.pk for s in selectors.submissions_filtered(**filters)}

    assert pks(unit=unit) == {fresh[0].pk, stale[0].pk, rejected.pk}
    assert pks(state="rejected") == {rejected.pk}
    assert pks(state=selectors.AWAITING, unit=other) == {elsewhere[0].pk}
    assert pks(waiting_more_than=7) == {stale[0].pk, elsewhere[0].pk}
    assert pks(waiting_more_than=14) == {stale[0].pk}
    assert pks(waiting_more_than=30) == set()
    assert pks(state="approved") == set()


def test_counts_per_state_list_every_state():
    unit, _, _ = make_unit_with_dean()
    submitted_in(unit, count=2)
    decided_course("changes_requested", unit=unit)
    counts = selectors.state_counts(selectors.submissions_filtered())
    assert [(c.state, c.label, c.count) for c in counts] == [
        ("awaiting", "Awaiting decision", 2),
        ("approved", "Approved", 0),
        ("changes_requested", "Changes requested", 1),
        ("rejected", "Rejected", 0),
    ]


def test_states_by_unit_and_the_chart_carry_the_same_numbers():
    first, _, _ = make_unit_with_dean(name="A unit")
    second, _, _ = make_unit_with_dean(name="B unit")
    submitted_in(first, count=2)
    decided_course("approved", unit=first)
    decided_course("rejected", unit=second, comment="Out of scope.")
    rows = selectors.states_by_unit(selectors.submissions_filtered())
    assert [(row.unit, row.counts, row.total) for row in rows] == [
        ("A unit", [2, 1, 0, 0], 3),
        ("B unit", [0, 0, 0, 1], 1),
    ]
    chart = selectors.chart_data(rows)
    assert chart["labels"] == ["A unit", "B unit"]
    assert [d["key"] for d in chart["datasets"]] == list(selectors.SUBMISSION_STATES)
    assert chart["datasets"][0]["data"] == [2, 0]
    assert chart["datasets"][3]["data"] == [0, 1]


def test_the_previous_decided_submission_of_a_resubmission():
    _, first, second = resubmitted_course()
    assert selectors.previous_decided_submission(second).pk == first.pk
    assert selectors.previous_decided_submission(first) is None


def test_a_revision_is_compared_with_the_approved_version():
    _, approved, _, submission = submitted_revision()
    assert selectors.previous_decided_submission(submission).pk == approved.pk


def test_a_submission_awaits_a_decision_until_decided():
    course, submission = submitted_course()
    submission = selectors.submission_get(pk=submission.pk)
    assert selectors.submission_is_awaiting(submission)
    submission_approve(submission=submission, acting_user=course.unit.dean)
    submission = selectors.submission_get(pk=submission.pk)
    assert not selectors.submission_is_awaiting(submission)
    assert selectors.submission_get(pk=submission.pk + 1000) is None


def test_the_approval_item_of_the_checklist_says_who_approved():
    course, submission = decided_course("approved", comment="")
    items = selectors.submission_checklist(selectors.submission_get(pk=submission.pk))
    [approval] = [item for item in items if item["kind"] == "approval"]
    assert approval["ok"] is True
    assert approval["findings"][0]["message"].startswith("Approved by Dean Person on ")
    # The stored checklist itself is never rewritten.
    submission.refresh_from_db()
    stored = [item for item in submission.checklist if item["kind"] == "approval"]
    assert stored[0]["ok"] is False


def test_history_and_decisions_of_a_course():
    course, first, second = resubmitted_course()
    history = selectors.course_history(course)
    assert [(t.from_status, t.to_status) for t in history] == [
        ("draft", "submitted"),
        ("submitted", "changes_requested"),
        ("changes_requested", "submitted"),
    ]
    assert [d.submission.number for d in selectors.course_decisions(course)] == [1]
