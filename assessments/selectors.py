"""Reads of assessment plans and records: the grid, a learner's progress, and what each learner
demonstrated. Each runs a fixed number of queries whatever the cohort's size.

:func:`outcomes_demonstrated` is the one answer to "what did this learner demonstrate?"
(DESIGN.md, "One owner per rule"): completion, the progress pages, the grid and every badge
format read it, and it numbers the outcomes the one way (LO1, LO2, … by position, then id).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from courses.models import Enrollment, LearningOutcome

from .models import Assessment, AssessmentRecord, RubricCriterion


def course_plan(course_id):
    return list(Assessment.objects.filter(course_id=course_id).prefetch_related("outcomes"))


def current_records(enrollments):
    """{(enrollment_id, assessment_id): current record} for these enrollments."""
    records = AssessmentRecord.objects.filter(
        enrollment__in=enrollments, is_current=True
    ).select_related("assessor")
    return {(r.enrollment_id, r.assessment_id): r for r in records}


# --- What a learner demonstrated: the one rule ------------------------------------------------


def outcome_code(index: int) -> str:
    """The code of the learning outcome at ``index`` (0-based) of its course, in the order
    position, then id: LO1, LO2, …"""
    return f"LO{index + 1}"


def numbered_outcomes(course_ids: Iterable) -> dict[object, list[tuple[str, LearningOutcome]]]:
    """{course_id: [(code, outcome), …]} in order, in one query for any number of courses."""
    numbered: dict[object, list] = {course_id: [] for course_id in course_ids}
    for outcome in LearningOutcome.objects.filter(course_id__in=list(numbered)).order_by(
        "course_id", "position", "id"
    ):
        per_course = numbered[outcome.course_id]
        per_course.append((outcome_code(len(per_course)), outcome))
    return numbered


@dataclass(frozen=True)
class PassedAssessment:
    """A current, passed, summative assessment record of a learner."""

    record_id: int
    assessment_id: int
    title: str
    assessed_on: date
    feedback: str = ""
    evidence_url: str = ""


@dataclass(frozen=True)
class OutcomeResult:
    """One learning outcome of the course, and whether (and by what) the learner demonstrated it."""

    outcome_id: int
    code: str
    text: str
    demonstrated_by: tuple[PassedAssessment, ...] = ()

    @property
    def demonstrated(self) -> bool:
        return bool(self.demonstrated_by)


@dataclass(frozen=True)
class OutcomeResults:
    """Every learning outcome of an enrollment's course, in order, with its result."""

    enrollment_id: int
    outcomes: tuple[OutcomeResult, ...] = ()
    # Every current passed summative record, in plan order (a badge's evidence).
    passed: tuple[PassedAssessment, ...] = ()

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def demonstrated_count(self) -> int:
        return sum(1 for o in self.outcomes if o.demonstrated)

    @property
    def all_demonstrated(self) -> bool:
        """The completion rule: a course with outcomes, every one demonstrated."""
        return bool(self.outcomes) and all(o.demonstrated for o in self.outcomes)

    @property
    def demonstrated_codes(self) -> set[str]:
        return {o.code for o in self.outcomes if o.demonstrated}

    def as_json(self) -> list[dict]:
        """Plain JSON, as an issued badge keeps it: per outcome its code, text, whether it was
        demonstrated, and by which assessments (title and date)."""
        return [
            {
                "code": o.code,
                "text": o.text,
                "demonstrated": o.demonstrated,
                "demonstrated_by": [
                    {"title": p.title, "assessed_on": p.assessed_on.isoformat()}
                    for p in o.demonstrated_by
                ],
            }
            for o in self.outcomes
        ]


def _course_of(enrollments) -> dict:
    """{enrollment_id: course_id}, from the enrollments' loaded offerings where they have them,
    in at most one query for the rest."""
    course_of, unknown = {}, []
    for enrollment in enrollments:
        if isinstance(enrollment, Enrollment) and Enrollment.offering.is_cached(enrollment):
            course_of[enrollment.pk] = enrollment.offering.course_id
        else:
            unknown.append(getattr(enrollment, "pk", enrollment))
    if unknown:
        course_of.update(
            Enrollment.objects.filter(pk__in=unknown).values_list("pk", "offering__course_id")
        )
    return course_of


def outcomes_demonstrated(enrollments) -> dict[int, OutcomeResults]:
    """{enrollment_id: OutcomeResults} for enrollments (instances or ids) in any courses.

    An outcome is demonstrated when a current, passed record of a summative assessment whose
    rubric judges that outcome says so. Three queries (four when an enrollment comes without
    its offering), whatever the number of enrollments, courses and outcomes.
    """
    course_of = _course_of(list(enrollments))
    if not course_of:
        return {}
    numbered = numbered_outcomes(set(course_of.values()))
    judges = defaultdict(set)  # assessment_id -> outcome ids its rubric judges
    for assessment_id, outcome_id in RubricCriterion.objects.filter(
        assessment__course_id__in=list(numbered),
        assessment__purpose=Assessment.Purpose.SUMMATIVE,
    ).values_list("assessment_id", "outcome_id"):
        judges[assessment_id].add(outcome_id)
    passed = defaultdict(list)
    for row in (
        AssessmentRecord.objects.filter(
            enrollment_id__in=list(course_of),
            is_current=True,
            result=AssessmentRecord.Result.PASS,
            assessment__purpose=Assessment.Purpose.SUMMATIVE,
        )
        .order_by("assessment__position", "assessment_id")
        .values_list(
            "enrollment_id",
            "pk",
            "assessment_id",
            "assessment__title",
            "assessed_on",
            "feedback",
            "evidence_url",
        )  # fmt: skip
    ):
        passed[row[0]].append(PassedAssessment(*row[1:]))
    results = {}
    for enrollment_id, course_id in course_of.items():
        records = tuple(passed[enrollment_id])
        results[enrollment_id] = OutcomeResults(
            enrollment_id=enrollment_id,
            outcomes=tuple(
                OutcomeResult(
                    outcome_id=outcome.pk,
                    code=code,
                    text=outcome.text,
                    demonstrated_by=tuple(
                        p for p in records if outcome.pk in judges[p.assessment_id]
                    ),
                )
                for code, outcome in numbered[course_id]
            ),
            passed=records,
        )
    return results


# --- Progress pages ---------------------------------------------------------------------------


@dataclass
class OutcomeProgress:
    """One outcome on a progress page: the selector's result, with the learner's current fails
    (shown even after completion) and formative attempts (for feedback)."""

    result: OutcomeResult
    failed: list = field(default_factory=list)
    attempts: list = field(default_factory=list)

    @property
    def code(self):
        return self.result.code

    @property
    def text(self):
        return self.result.text

    @property
    def demonstrated(self):
        return self.result.demonstrated

    @property
    def demonstrated_by(self):
        return self.result.demonstrated_by


def enrollment_progress(enrollment: Enrollment) -> list[OutcomeProgress]:
    """For each learning outcome: whether it is demonstrated (and by what), and which current
    records of it failed or were formative practice."""
    results = outcomes_demonstrated([enrollment])[enrollment.pk]
    progress = {o.outcome_id: OutcomeProgress(o) for o in results.outcomes}
    judges = defaultdict(set)
    for assessment_id, outcome_id in RubricCriterion.objects.filter(
        outcome_id__in=list(progress)
    ).values_list("assessment_id", "outcome_id"):
        judges[assessment_id].add(outcome_id)
    for record in (
        AssessmentRecord.objects.filter(enrollment=enrollment, is_current=True)
        .exclude(result=AssessmentRecord.Result.PASS, assessment__purpose="summative")
        .select_related("assessment")
    ):
        for outcome_id in judges[record.assessment_id]:
            item = progress[outcome_id]
            (item.failed if record.assessment.summative else item.attempts).append(record)
    return list(progress.values())


def roster_progress(enrollments, course_id) -> dict:
    """{"total": outcomes of the course, "demonstrated": {enrollment_id: outcomes demonstrated}},
    in a fixed number of queries for any cohort."""
    results = outcomes_demonstrated(enrollments)
    if results:
        total = next(iter(results.values())).total
    else:
        total = len(numbered_outcomes([course_id])[course_id])
    return {"total": total, "demonstrated": {k: r.demonstrated_count for k, r in results.items()}}


def learner_progress(enrollments) -> dict:
    """{enrollment_id: (outcomes demonstrated, outcomes of its course)} for enrolments in any
    number of courses (a learner's page), in a fixed number of queries."""
    results = outcomes_demonstrated(enrollments)
    return {pk: (r.demonstrated_count, r.total) for pk, r in results.items()}


def record_history(enrollment):
    return (
        AssessmentRecord.objects.filter(enrollment=enrollment)
        .select_related("assessment", "assessor")
        .order_by("assessment__position", "-recorded_at", "-id")
    )
