"""Reads for the public catalogue: published courses with their filters, and one course's page.

Only a lineage's *published* version is public. Drafts, versions awaiting the Dean, approved but
unpublished, superseded and retired versions never appear, and a course's public URL names its
lineage, so it stays the same when a new version is published in its place.

Every read here costs a fixed number of queries whatever the number of courses, outcomes or
offerings (the tests hold them to it): related rows come by select_related or prefetch_related.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.models import Unit

from . import rules
from .models import BadgeIssueMode, ContentUnit, Course, CourseStatus, LearningOutcome, Offering

PAGE_SIZE = 24


@dataclass(frozen=True)
class CatalogueFilters:
    """What a visitor asked the catalogue for; empty values mean "any"."""

    q: str = ""
    badge_level: str = ""
    eqf_level: int | None = None
    modality: str = ""
    credits: int | None = None
    unit: int | None = None
    upcoming: bool = False

    @property
    def active(self) -> bool:
        return any(
            (
                self.q,
                self.badge_level,
                self.eqf_level is not None,
                self.modality,
                self.credits is not None,
                self.unit is not None,
                self.upcoming,
            )
        )


def _search_terms(q: str) -> list[str]:
    # Every word must match somewhere (title, aim or an outcome), so adding a word narrows.
    return [term for term in q.split()[:10] if term]


def published_courses(
    *, filters: CatalogueFilters | None = None, today: date | None = None
) -> QuerySet[Course]:
    """Published course versions matching the filters, by title.

    Each row carries `next_offering_starts_on`: the start of the soonest offering of that
    version that starts after `today`, or None.
    """
    filters = filters or CatalogueFilters()
    today = today or timezone.localdate()
    next_start = (
        Offering.objects.filter(course=OuterRef("pk"), starts_on__gt=today)
        .order_by("starts_on")
        .values("starts_on")[:1]
    )
    courses = (
        Course.objects.filter(status=CourseStatus.PUBLISHED)
        .select_related("unit")
        .annotate(next_offering_starts_on=Subquery(next_start))
    )
    for term in _search_terms(filters.q):
        in_outcomes = LearningOutcome.objects.filter(course=OuterRef("pk"), text__icontains=term)
        courses = courses.filter(
            Q(title__icontains=term) | Q(aim__icontains=term) | Exists(in_outcomes)
        )
    if filters.badge_level:
        courses = courses.filter(badge_level=filters.badge_level)
    if filters.eqf_level is not None:
        courses = courses.filter(eqf_level=filters.eqf_level)
    if filters.modality:
        courses = courses.filter(modality=filters.modality)
    if filters.credits is not None:
        courses = courses.filter(credits=filters.credits)
    if filters.unit is not None:
        courses = courses.filter(unit_id=filters.unit)
    if filters.upcoming:
        courses = courses.filter(next_offering_starts_on__isnull=False)
    return courses.order_by("title", "id")


def catalogue_units() -> list[tuple[int, str]]:
    """The units that run at least one published course, for the unit filter."""
    return list(
        Unit.objects.filter(courses__status=CourseStatus.PUBLISHED)
        .distinct()
        .order_by("name")
        .values_list("id", "name")
    )


# --- One course's public page ---------------------------------------------------------------------


@dataclass(frozen=True)
class AssessedOutcome:
    outcome: LearningOutcome
    pass_when: str = ""


@dataclass(frozen=True)
class PublicAssessment:
    title: str
    kind: str
    summative: bool
    purpose: str
    description: str
    assessed: list[AssessedOutcome] = field(default_factory=list)


@dataclass(frozen=True)
class CoursePage:
    """What the public page of a course shows, ready for the template."""

    course: Course
    url: str
    modality_label: str
    modality_description: str
    outcomes: list[LearningOutcome]
    content_units: list[ContentUnit]
    assessments: list[PublicAssessment]
    offerings: list[Offering]
    badge_expiry: str
    badge_issue: str

    @property
    def json_ld(self) -> dict:
        return course_json_ld(self)


def course_public_url(course: Course) -> str:
    """The absolute public URL of a course, built from SITE_URL (never from the request)."""
    return settings.SITE_URL + reverse("catalogue:course", kwargs={"lineage": course.lineage})


def badge_expiry_words(course: Course) -> str:
    if course.badge_expiry_months:
        months = course.badge_expiry_months
        return f"Expires {months} month{'s' if months != 1 else ''} after it is issued."
    if course.badge_expiry_date:
        return f"Expires on {dateformat.format(course.badge_expiry_date, 'j F Y')}."
    return "Does not expire."


BADGE_ISSUE_WORDS = {
    BadgeIssueMode.AUTOMATIC: "Issued automatically when you complete the course.",
    BadgeIssueMode.MANUAL: (
        "Issued by the LEADS team once the course leader confirms that you completed the course."
    ),
}


def _public_assessments(course: Course) -> list[PublicAssessment]:
    result = []
    for assessment in course.assessments.all():
        pass_when = {c.outcome_id: c.pass_description for c in assessment.criteria.all()}
        result.append(
            PublicAssessment(
                title=assessment.title,
                kind=assessment.get_kind_display(),
                summative=assessment.summative,
                purpose=assessment.get_purpose_display(),
                description=assessment.description,
                assessed=[
                    AssessedOutcome(outcome=o, pass_when=pass_when.get(o.pk, ""))
                    for o in assessment.outcomes.all()
                ],
            )
        )
    return result


def published_course(*, lineage: uuid.UUID, today: date | None = None) -> CoursePage | None:
    """The public page of a course's published version, or None when no version is published.

    A retired course has no published version, so it has no public page; the badges it awarded
    stay valid on their own verification pages.
    """
    today = today or timezone.localdate()
    upcoming = (
        Offering.objects.filter(starts_on__gt=today)
        .order_by("starts_on", "id")
        .prefetch_related("sessions")
    )
    course = (
        Course.objects.filter(lineage=lineage, status=CourseStatus.PUBLISHED)
        .select_related("unit", "leader")
        .prefetch_related(
            "outcomes",
            "content_units",
            # The assessment plan belongs to the assessments app; it is read through the
            # relation's name, so courses imports nothing from it (DESIGN.md, dependencies).
            "assessments__outcomes",
            "assessments__criteria",
            Prefetch("offerings", queryset=upcoming, to_attr="upcoming_offerings"),
        )
        .order_by("-version")
        .first()
    )
    if course is None:
        return None
    modality = rules.MODALITIES.get(course.modality)
    return CoursePage(
        course=course,
        url=course_public_url(course),
        modality_label=modality.label if modality else "",
        modality_description=modality.description if modality else "",
        outcomes=list(course.outcomes.all()),
        content_units=list(course.content_units.all()),
        assessments=_public_assessments(course),
        offerings=course.upcoming_offerings,
        badge_expiry=badge_expiry_words(course),
        badge_issue=BADGE_ISSUE_WORDS.get(course.badge_issue_mode, ""),
    )


# schema.org CourseInstance.courseMode, from the EU form of participation.
_COURSE_MODE = {"online": "online", "on_site": "onsite", "blended": "blended"}


def _hours_duration(hours) -> str:
    """ISO 8601 duration for a number of hours, e.g. PT50H or PT7H30M."""
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    return f"PT{whole}H{rest}M" if rest else f"PT{whole}H"


def course_json_ld(page: CoursePage) -> dict:
    """A schema.org `Course` (https://schema.org/Course) for search engines and recruiters."""
    course = page.course
    data = {
        "@context": "https://schema.org",
        "@type": "Course",
        "name": course.title,
        "url": page.url,
        "description": course.aim or course.title,
        "provider": {
            "@type": "Organization",
            "name": settings.CENTRE_NAME,
            "url": settings.SITE_URL + "/",
            "department": {"@type": "Organization", "name": course.unit.name},
        },
    }
    if page.outcomes:
        data["teaches"] = [o.text for o in page.outcomes]
    if course.prerequisites:
        data["coursePrerequisites"] = course.prerequisites
    if course.target_audience:
        data["audience"] = {"@type": "Audience", "audienceType": course.target_audience}
    if course.eqf_level:
        data["educationalLevel"] = f"EQF level {course.eqf_level}"
    if course.credits:
        data["numberOfCredits"] = {
            "@type": "StructuredValue",
            "value": course.credits,
            "unitText": "ECTS",
        }
    if course.total_hours:
        data["timeRequired"] = _hours_duration(course.total_hours)
    if course.badge_name:
        credential = {
            "@type": "EducationalOccupationalCredential",
            "name": course.badge_name,
            "credentialCategory": "Micro-credential (digital badge)",
        }
        if course.badge_description:
            credential["description"] = course.badge_description
        if course.badge_level:
            credential["educationalLevel"] = course.get_badge_level_display()
        data["educationalCredentialAwarded"] = credential
    mode = _COURSE_MODE.get(rules.MODALITY_PARTICIPATION_FORM.get(course.modality, ""))
    instances = []
    for offering in page.offerings:
        instance = {
            "@type": "CourseInstance",
            "name": offering.label,
            "startDate": offering.starts_on.isoformat(),
            "endDate": offering.ends_on.isoformat(),
        }
        if mode:
            instance["courseMode"] = mode
        if offering.capacity:
            instance["maximumAttendeeCapacity"] = offering.capacity
        instances.append(instance)
    if instances:
        data["hasCourseInstance"] = instances
    return data
