"""Reads for the LEADS team's badge pages: the dashboard's counts, the filtered list of issued
badges (page and CSV), the courses to design a badge for, and an offering's learners.

Every function here runs a fixed number of queries, whatever the number of badges: counts are
grouped in the database, lists use select_related, and the CSV streams from one query.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from courses.models import LIVE_STATUSES, Course, Enrollment, Offering

from .models import Assertion, BadgeClass

STATUSES = {"valid": "Valid", "revoked": "Revoked", "expired": "Expired"}
MONTHS_SHOWN = 12


def status_q(status: str, now: datetime) -> Q:
    """Assertions in a status: valid, revoked (whatever its expiry) or expired (not revoked)."""
    not_expired = Q(expires_on__isnull=True) | Q(expires_on__gt=now)
    return {
        "valid": Q(revoked_at__isnull=True) & not_expired,
        "revoked": Q(revoked_at__isnull=False),
        "expired": Q(revoked_at__isnull=True, expires_on__lte=now),
    }[status]


def status_of(*, revoked_at, expires_on, now) -> str:
    if revoked_at is not None:
        return "revoked"
    if expires_on is not None and expires_on <= now:
        return "expired"
    return "valid"


# --- Dashboard ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    label: str
    issued: int
    revoked: int
    expired: int
    badge_class: BadgeClass | None = None

    @property
    def valid(self):
        return self.issued - self.revoked - self.expired


def counts_by_course(now: datetime) -> list[CountRow]:
    """For each badge (one per course version): badges issued, revoked, and expired unrevoked."""
    rows = (
        BadgeClass.objects.select_related("course")
        .annotate(
            n_issued=Count("assertions"),
            n_revoked=Count("assertions", filter=Q(assertions__revoked_at__isnull=False)),
            n_expired=Count(
                "assertions",
                filter=Q(assertions__revoked_at__isnull=True, assertions__expires_on__lte=now),
            ),
        )
        .order_by("course__title", "course__version")
    )
    return [
        CountRow(
            str(b.course) if b.course_id else f"Pathway: {b.name}",
            b.n_issued,
            b.n_revoked,
            b.n_expired,
            badge_class=b,
        )
        for b in rows
    ]


def last_months(today: date, n: int = MONTHS_SHOWN) -> list[date]:
    """The first days of the last ``n`` months, oldest first, this month last."""
    year, month = today.year, today.month
    months = []
    for _ in range(n):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _per_month(queryset, field, since) -> dict[tuple[int, int], int]:
    found = (
        queryset.filter(**{f"{field}__gte": since})
        .order_by()
        .annotate(month=TruncMonth(field))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    return {(month.year, month.month): n for month, n in found}


def counts_by_month(now: datetime) -> list[CountRow]:
    """Per month of the last twelve (in the centre's time zone): badges issued that month,
    revoked that month, and expired that month without having been revoked."""
    months = last_months(timezone.localdate(now))
    since = timezone.make_aware(datetime.combine(months[0], datetime.min.time()))
    issued = _per_month(Assertion.objects.all(), "issued_on", since)
    revoked = _per_month(Assertion.objects.all(), "revoked_at", since)
    expired = _per_month(
        Assertion.objects.filter(revoked_at__isnull=True, expires_on__lte=now), "expires_on", since
    )
    return [
        CountRow(
            f"{m:%b %Y}",
            issued.get((m.year, m.month), 0),
            revoked.get((m.year, m.month), 0),
            expired.get((m.year, m.month), 0),
        )
        for m in months
    ]


def totals(now: datetime) -> CountRow:
    found = Assertion.objects.aggregate(
        issued=Count("pk"),
        revoked=Count("pk", filter=status_q("revoked", now)),
        expired=Count("pk", filter=status_q("expired", now)),
    )
    return CountRow("All badges", found["issued"], found["revoked"], found["expired"])


SERIES = [("issued", "Issued"), ("revoked", "Revoked"), ("expired", "Expired")]


def chart_data(rows: list[CountRow], *, axis_title: str, horizontal=False) -> dict:
    """Chart.js data for a grouped bar chart (see static/js/badge-charts.js)."""
    return {
        "labels": [row.label for row in rows],
        "axisTitle": axis_title,
        "horizontal": horizontal,
        "datasets": [
            {"key": key, "label": label, "data": [getattr(row, key) for row in rows]}
            for key, label in SERIES
        ],
    }


def waiting_count() -> int:
    """Learners who may have their badge issued now without an override, across all courses."""
    return (
        Enrollment.objects.active()
        .filter(completed_at__isnull=False, offering__course__badge_class__isnull=False)
        .filter(~Exists(Assertion.objects.filter(enrollment=OuterRef("pk"))))
        .filter(
            Q(completion_confirmed_at__isnull=False)
            | ~Q(offering__course__badge_class__issue_mode=BadgeClass.IssueMode.MANUAL)
        )
        .count()
    )


def courses_without_badge() -> QuerySet:
    """Approved and published course versions that have no badge designed yet."""
    return (
        Course.objects.filter(status__in=LIVE_STATUSES, badge_class__isnull=True)
        .select_related("unit", "leader")
        .order_by("title", "-version")
    )


def badge_designs() -> QuerySet:
    """Designed badges with their course, issued count and offerings (with learner counts)."""
    offerings = Offering.objects.annotate(
        n_learners=Count("enrollments", distinct=True),
        n_completed=Count(
            "enrollments", filter=Q(enrollments__completed_at__isnull=False), distinct=True
        ),
        n_confirmed=Count(
            "enrollments",
            filter=Q(enrollments__completion_confirmed_at__isnull=False),
            distinct=True,
        ),
        n_badges=Count("enrollments__assertion", distinct=True),
    ).order_by("-starts_on", "id")
    # A pathway's badge is designed with its pathway (pathways.py), not here.
    return (
        BadgeClass.objects.filter(course__isnull=False)
        .select_related("course")
        .annotate(n_issued=Count("assertions", distinct=True))
        .prefetch_related(Prefetch("course__offerings", queryset=offerings))
        .order_by("course__title", "-course__version")
    )


# --- The list of issued badges --------------------------------------------------------------------


def month_range(month: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(month.replace(day=1), datetime.min.time()))
    year, number = (month.year, month.month + 1) if month.month < 12 else (month.year + 1, 1)
    end = timezone.make_aware(datetime.combine(date(year, number, 1), datetime.min.time()))
    return start, end


def assertions_filtered(
    *, now, badge_class=None, status=None, month: date | None = None, search=""
) -> QuerySet:
    """Issued badges, newest first, filtered by badge (course), status, month of issue, and
    learner name or e-mail (as issued, or as the account has it now)."""
    queryset = Assertion.objects.select_related(
        "badge_class__course", "enrollment__offering", "issued_by", "revoked_by"
    ).order_by("-issued_on", "id")
    if badge_class is not None:
        queryset = queryset.filter(badge_class=badge_class)
    if status:
        queryset = queryset.filter(status_q(status, now))
    if month is not None:
        start, end = month_range(month)
        queryset = queryset.filter(issued_on__gte=start, issued_on__lt=end)
    for word in search.split():
        queryset = queryset.filter(
            Q(recipient_name__icontains=word)
            | Q(recipient_email__icontains=word)
            | Q(recipient__full_name__icontains=word)
            | Q(recipient__email__icontains=word)
        )
    return queryset


CSV_COLUMNS = [
    ("id", "Badge id"),
    ("recipient_name", "Learner"),
    ("recipient_email", "E-mail"),
    ("badge_class__name", "Badge"),
    ("badge_class__course__title", "Course"),
    ("badge_class__course__version", "Course version"),
    ("enrollment__offering__title", "Offering"),
    ("enrollment__offering__starts_on", "Offering starts"),
    ("issued_on", "Issued on"),
    ("expires_on", "Expires on"),
    ("revoked_at", "Revoked on"),
    ("revocation_reason", "Reason for revocation"),
    ("automatic", "Issued automatically"),
    ("issued_by__full_name", "Issued by"),
    ("override_reason", "Reason for issuing without completion"),
]


def assertions_for_csv(queryset: QuerySet):
    """The rows of the CSV export as dicts, streamed from one query (a server-side cursor)."""
    return (
        queryset.order_by("-issued_on", "id")
        .values(*[field for field, _ in CSV_COLUMNS])
        .iterator(chunk_size=2000)
    )


# --- One offering ---------------------------------------------------------------------------------


def offering_learners(offering) -> QuerySet:
    """The offering's learners with completion, the leader's confirmation and their badge."""
    return (
        Enrollment.objects.filter(offering=offering)
        .select_related("learner", "completion_confirmed_by", "assertion")
        .order_by("learner__full_name", "learner__email", "id")
    )


def issuable_enrollments(*, badge_class, offering=None) -> QuerySet:
    """Enrollments that may have the badge issued without an override: completed, confirmed by
    the course leader when the badge is issued by hand, and without a badge yet."""
    queryset = (
        Enrollment.objects.active()
        .filter(offering__course_id=badge_class.course_id, completed_at__isnull=False)
        .filter(~Exists(Assertion.objects.filter(enrollment=OuterRef("pk"))))
    )
    if offering is not None:
        queryset = queryset.filter(offering=offering)
    if badge_class.issue_mode == BadgeClass.IssueMode.MANUAL:
        queryset = queryset.filter(completion_confirmed_at__isnull=False)
    return queryset.order_by("pk")


def may_issue_without_override(enrollment, badge_class) -> bool:
    if enrollment.completed_at is None:
        return False
    return (
        badge_class.issue_mode != BadgeClass.IssueMode.MANUAL
        or enrollment.completion_confirmed_at is not None
    )
