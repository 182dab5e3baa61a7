"""Reads the review pages share: the Dean's queue, every submission with filters and counts, and
one submission with its course, history and the previous decided submission.

List reads never load the snapshots (they can be large) and run a fixed number of queries
whatever the number of submissions.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, QuerySet, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.timesince import timesince

from courses.models import CourseStatus, CourseTransition

from .checklist import APPROVAL
from .diff import date_words
from .models import Decision, Submission

AWAITING = "awaiting"
# A submission's state: awaiting a decision, or the decision's outcome.
SUBMISSION_STATES = {AWAITING: "Awaiting decision", **dict(Decision.Outcome.choices)}
WAITING_DAYS = (7, 14, 30)


def age_in_words(since: datetime, now: datetime | None = None) -> str:
    """How long ago, in the largest whole unit: "3 days", "2 weeks", "less than a minute"."""
    now = now or timezone.now()
    if now - since < timedelta(minutes=1):
        return "less than a minute"
    return timesince(since, now, depth=1).replace("\xa0", " ")


def with_ages(submissions, now=None) -> list[Submission]:
    """The submissions, each with `age`: how long ago it was sent, in words."""
    now = now or timezone.now()
    submissions = list(submissions)
    for submission in submissions:
        submission.age = age_in_words(submission.submitted_at, now)
    return submissions


def _with_state(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(state=Coalesce(F("decision__outcome"), Value(AWAITING)))


def _submission_rows() -> QuerySet:
    """Submissions for lists: course, unit, leader and decision joined, snapshots left unread."""
    return _with_state(
        Submission.objects.select_related(
            "course__unit", "course__leader", "submitted_by", "decision__decided_by"
        )
        .defer("snapshot", "checklist")
        .annotate(title=KT("snapshot__title"))
    )


# --- The Dean's queue -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    submission: Submission
    age: str
    you_lead: bool  # the person leads this course, so another dean or designate decides

    @property
    def is_resubmission(self):
        return self.submission.number > 1 or self.submission.course.version > 1


def awaiting_decision(queryset: QuerySet | None = None) -> QuerySet:
    queryset = _submission_rows() if queryset is None else queryset
    return queryset.filter(decision__isnull=True, course__status=CourseStatus.SUBMITTED)


def dean_queue(*, user, now=None) -> list[QueueRow]:
    """The submissions of the person's units awaiting a decision, oldest first."""
    now = now or timezone.now()
    unit_ids = [unit.pk for unit in user.dean_units]
    submissions = awaiting_decision().filter(course__unit_id__in=unit_ids)
    return [
        QueueRow(
            submission=submission,
            age=age_in_words(submission.submitted_at, now),
            you_lead=submission.course.leader_id == user.pk,
        )
        for submission in submissions.order_by("submitted_at", "pk")
    ]


# --- Every submission, for the LEADS admin ----------------------------------------------------


def submissions_filtered(*, unit=None, state=None, waiting_more_than=None, now=None) -> QuerySet:
    """Every submission, newest first, narrowed by unit, state and days waiting for a decision.

    ``waiting_more_than`` (days) keeps only submissions still awaiting a decision after that long.
    """
    queryset = _submission_rows()
    if unit is not None:
        queryset = queryset.filter(course__unit=unit)
    if state == AWAITING:
        queryset = queryset.filter(decision__isnull=True)
    elif state:
        queryset = queryset.filter(decision__outcome=state)
    if waiting_more_than:
        cutoff = (now or timezone.now()) - timedelta(days=waiting_more_than)
        queryset = awaiting_decision(queryset).filter(submitted_at__lt=cutoff)
    return queryset.order_by("-submitted_at", "-pk")


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int


def state_counts(queryset: QuerySet) -> list[StateCount]:
    """How many submissions are in each state, every state listed (zero included)."""
    found = dict(
        queryset.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    return [StateCount(key, label, found.get(key, 0)) for key, label in SUBMISSION_STATES.items()]


@dataclass(frozen=True)
class UnitStateRow:
    unit: str
    counts: list[int]  # in the order of SUBMISSION_STATES

    @property
    def total(self):
        return sum(self.counts)


def states_by_unit(queryset: QuerySet) -> list[UnitStateRow]:
    """For each unit with submissions, how many are in each state; units in name order."""
    found = (
        queryset.order_by()
        .values_list("course__unit__name", "state")
        .annotate(n=Count("pk"))
        .values_list("course__unit__name", "state", "n")
    )
    table: dict[str, dict[str, int]] = {}
    for unit, state, n in found:
        table.setdefault(unit, {})[state] = n
    return [
        UnitStateRow(unit, [table[unit].get(key, 0) for key in SUBMISSION_STATES])
        for unit in sorted(table)
    ]


def chart_data(rows: list[UnitStateRow]) -> dict:
    """Chart.js data for a bar chart of submissions by state per unit (see static/js/charts.js)."""
    return {
        "labels": [row.unit for row in rows],
        "datasets": [
            {"key": key, "label": label, "data": [row.counts[index] for row in rows]}
            for index, (key, label) in enumerate(SUBMISSION_STATES.items())
        ],
    }


# --- One submission ---------------------------------------------------------------------------


def submission_get(*, pk) -> Submission | None:
    """The submission with its course, unit, people and decision; None when there is none."""
    return (
        _with_state(Submission.objects)
        .select_related(
            "course__unit__dean", "course__leader", "submitted_by", "decision__decided_by"
        )
        .filter(pk=pk)
        .first()
    )


def decision_of(submission: Submission) -> Decision | None:
    try:
        return submission.decision
    except Decision.DoesNotExist:
        return None


def submission_is_awaiting(submission: Submission) -> bool:
    """True while this is the course's open submission and nobody has decided on it."""
    return (
        decision_of(submission) is None
        and submission.course.status == CourseStatus.SUBMITTED
        and not submission.course.submissions.filter(number__gt=submission.number).exists()
    )


def previous_decided_submission(submission: Submission) -> Submission | None:
    """The last submission of the same course decided before this one was sent.

    Looks across versions (the lineage), so a revision of an approved course is compared with
    the version the Dean approved.
    """
    # Ids follow the order submissions were made in, even where timestamps tie.
    return (
        Submission.objects.filter(
            course__lineage=submission.course.lineage,
            decision__isnull=False,
            pk__lt=submission.pk,
        )
        .select_related("course", "decision__decided_by")
        .order_by("-pk")
        .first()
    )


def course_history(course) -> list[CourseTransition]:
    """The course version's status changes, oldest first, with who made them."""
    return list(course.transitions.select_related("acting_user").order_by("at", "pk"))


def course_decisions(course) -> list[Decision]:
    """Every decision on the course version's submissions, oldest first."""
    return list(
        Decision.objects.filter(submission__course=course)
        .select_related("submission", "decided_by")
        .order_by("decided_at", "pk")
    )


def submission_checklist(submission: Submission) -> list[dict]:
    """The checklist as stored at submission, with item 10 told the decision's outcome.

    The stored checklist was computed before any decision, so its approval item always reads
    "awaiting"; once approved, the pack and the review page say who approved it and when.
    """
    items = [dict(item) for item in submission.checklist]
    decision = decision_of(submission)
    if decision is None or decision.outcome != Decision.Outcome.APPROVED:
        return items
    day = timezone.localtime(decision.decided_at).date()
    message = f"Approved by {decision.decided_by.full_name} on {date_words(day)}."
    for item in items:
        if item.get("kind") == APPROVAL:
            item["ok"] = True
            item["findings"] = [
                {"code": "approval", "ok": True, "message": message, "field": None,
                 "severity": "error", "blocking": False}
            ]  # fmt: skip
    return items
