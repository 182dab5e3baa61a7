from datetime import date, datetime

import pytest
from django.utils import timezone

from badges import stats
from badges.models import Assertion
from badges.services import assertion_revoke
from courses.tests.factories import approved_course

from .admin_factories import cohort, complete, confirm, issue_by_override

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 6, 15, 12, 0))


def at(year, month, day):
    return timezone.make_aware(datetime(year, month, day, 9, 0))


def set_dates(assertion, **dates):
    # Issue dates in the past cannot be made by the service (it stamps now): set them after.
    Assertion.objects.filter(pk=assertion.pk).update(**dates)


@pytest.fixture
def three_badges():
    """One valid, one revoked, one expired badge of one course; a second course with none."""
    group = cohort(3)
    valid, revoked, expired = issue_by_override(group, group.enrollments)
    assertion_revoke(assertion=revoked, acting_user=group.admin, reason="Plagiarism")
    set_dates(valid, issued_on=at(2026, 6, 1), expires_on=at(2028, 6, 1))
    set_dates(revoked, issued_on=at(2026, 1, 10), revoked_at=at(2026, 3, 5))
    set_dates(expired, issued_on=at(2025, 3, 1), expires_on=at(2026, 5, 20))
    other = cohort(1, title="Statistics for Teachers")
    return group, other, (valid, revoked, expired)


def test_counts_per_course_split_issued_into_revoked_and_expired(three_badges):
    group, other, _ = three_badges
    rows = {row.badge_class: row for row in stats.counts_by_course(NOW)}
    mine, theirs = rows[group.badge], rows[other.badge]
    assert (mine.issued, mine.valid, mine.revoked, mine.expired) == (3, 1, 1, 1)
    assert (theirs.issued, theirs.valid, theirs.revoked, theirs.expired) == (0, 0, 0, 0)
    assert mine.label == str(group.course)


def test_counts_per_month_cover_the_last_twelve_months(three_badges):
    rows = stats.counts_by_month(NOW)
    assert [r.label for r in rows][:2] == ["Jul 2025", "Aug 2025"]
    assert rows[-1].label == "Jun 2026" and len(rows) == 12
    by_label = {r.label: (r.issued, r.revoked, r.expired) for r in rows}
    assert by_label["Jun 2026"] == (1, 0, 0)
    assert by_label["Jan 2026"] == (1, 0, 0)
    assert by_label["Mar 2026"] == (0, 1, 0)
    assert by_label["May 2026"] == (0, 0, 1)
    # Issued in March 2025, before the twelve months shown: counted only as expired.
    assert sum(r.issued for r in rows) == 2


def test_totals(three_badges):
    totals = stats.totals(NOW)
    assert (totals.issued, totals.valid, totals.revoked, totals.expired) == (3, 1, 1, 1)


def test_last_months_cross_the_year():
    months = stats.last_months(date(2026, 2, 10), 4)
    assert months == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_chart_data_has_one_dataset_per_count():
    rows = [stats.CountRow("Jan 2026", 5, 1, 2)]
    data = stats.chart_data(rows, axis_title="Badges", horizontal=True)
    assert data["labels"] == ["Jan 2026"] and data["horizontal"] is True
    assert [(d["key"], d["data"]) for d in data["datasets"]] == [
        ("issued", [5]),
        ("revoked", [1]),
        ("expired", [2]),
    ]


@pytest.mark.parametrize(
    "status, expected", [("valid", [0]), ("revoked", [1]), ("expired", [2]), (None, [0, 1, 2])]
)
def test_the_list_filters_by_status(three_badges, status, expected):
    _, _, badges = three_badges
    found = set(stats.assertions_filtered(now=NOW, status=status))
    assert found == {badges[i] for i in expected}


def test_the_list_filters_by_course_month_and_learner(three_badges):
    group, other, (valid, revoked, _) = three_badges
    (theirs,) = issue_by_override(other, other.enrollments)
    assert set(stats.assertions_filtered(now=NOW, badge_class=other.badge)) == {theirs}
    assert list(stats.assertions_filtered(now=NOW, month=date(2026, 1, 1))) == [revoked]
    learner = valid.recipient
    first_word = learner.full_name.split()[0]
    assert valid in stats.assertions_filtered(now=NOW, search=first_word)
    assert list(stats.assertions_filtered(now=NOW, search=learner.email.upper())) == [valid]
    # The name on the badge is the one at issue; the account's present name finds it too.
    learner.full_name = "Zainab Qureshi-Renamed"
    learner.save()
    assert list(stats.assertions_filtered(now=NOW, search="qureshi-renamed")) == [valid]
    assert list(stats.assertions_filtered(now=NOW, search="nobody@nowhere")) == []


def test_the_csv_rows_come_from_one_query(three_badges, django_assert_num_queries):
    queryset = stats.assertions_filtered(now=NOW)
    with django_assert_num_queries(1):
        rows = list(stats.assertions_for_csv(queryset))
    assert len(rows) == 3 and {"recipient_email", "badge_class__name"} <= set(rows[0])


def test_issuable_enrollments_need_confirmation_only_for_manual_badges():
    manual = cohort(4)
    done, confirmed, with_badge, _ = manual.enrollments
    complete(manual, done, confirmed, with_badge)
    confirm(manual, confirmed, with_badge)
    issue_by_override(manual, [with_badge])
    assert list(stats.issuable_enrollments(badge_class=manual.badge)) == [confirmed]
    assert stats.may_issue_without_override(confirmed, manual.badge)
    assert not stats.may_issue_without_override(done, manual.badge)

    automatic = cohort(2, issue_mode="automatic", title="Automatic course")
    complete(automatic, automatic.enrollments[0])  # its issuance waits for the commit
    assert list(stats.issuable_enrollments(badge_class=automatic.badge)) == [
        automatic.enrollments[0]
    ]
    assert stats.waiting_count() == 2


def test_courses_without_a_badge_are_the_approved_ones_not_yet_designed():
    designed = cohort(0)
    waiting = cohort(0, design=False, title="Not designed yet")
    approved = approved_course(title="Approved, not published")
    found = list(stats.courses_without_badge())
    assert waiting.course in found and approved in found
    assert designed.course not in found
