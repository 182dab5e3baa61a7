"""Reads of assessment plans and records: the grid, a learner's progress. Each runs a fixed number
of queries whatever the cohort's size."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

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


@dataclass
class OutcomeProgress:
    outcome: LearningOutcome
    demonstrated_by: list = field(default_factory=list)  # passed summative assessments
    failed: list = field(default_factory=list)  # current fails, shown even after completion
    attempts: list = field(default_factory=list)  # formative records, for feedback

    @property
    def demonstrated(self):
        return bool(self.demonstrated_by)


def enrollment_progress(enrollment: Enrollment) -> list[OutcomeProgress]:
    """For each learning outcome: which current records demonstrate it, and which failed."""
    course_id = enrollment.offering.course_id
    outcomes = list(LearningOutcome.objects.filter(course_id=course_id))
    progress = {o.pk: OutcomeProgress(o) for o in outcomes}
    criteria = defaultdict(set)
    for assessment_id, outcome_id in RubricCriterion.objects.filter(
        assessment__course_id=course_id
    ).values_list("assessment_id", "outcome_id"):
        criteria[assessment_id].add(outcome_id)
    for record in AssessmentRecord.objects.filter(
        enrollment=enrollment, is_current=True
    ).select_related("assessment"):
        for outcome_id in criteria[record.assessment_id]:
            item = progress.get(outcome_id)
            if item is None:
                continue
            if not record.assessment.summative:
                item.attempts.append(record)
            elif record.passed:
                item.demonstrated_by.append(record)
            else:
                item.failed.append(record)
    return list(progress.values())


def _outcomes_shown(enrollments, course_ids) -> dict:
    """{enrollment_id: ids of the outcomes its current passed summative records demonstrate},
    in two queries for any number of enrolments and courses."""
    criteria = defaultdict(set)
    for assessment_id, outcome_id in RubricCriterion.objects.filter(
        assessment__course_id__in=course_ids, assessment__purpose=Assessment.Purpose.SUMMATIVE
    ).values_list("assessment_id", "outcome_id"):
        criteria[assessment_id].add(outcome_id)
    shown = defaultdict(set)
    for enrollment_id, assessment_id in AssessmentRecord.objects.filter(
        enrollment__in=enrollments, is_current=True, result=AssessmentRecord.Result.PASS
    ).values_list("enrollment_id", "assessment_id"):
        shown[enrollment_id] |= criteria[assessment_id]
    return shown


def roster_progress(enrollments, course_id) -> dict:
    """{enrollment_id: number of outcomes demonstrated}, in three queries for any cohort."""
    outcome_count = LearningOutcome.objects.filter(course_id=course_id).count()
    shown = _outcomes_shown(enrollments, [course_id])
    return {"total": outcome_count, "demonstrated": {k: len(v) for k, v in shown.items()}}


def learner_progress(enrollments) -> dict:
    """{enrollment_id: (outcomes demonstrated, outcomes of its course)} for enrolments in any
    number of courses (a learner's page), in three queries however many courses they take."""
    enrollments = list(enrollments)
    course_of = {e.pk: e.offering.course_id for e in enrollments}
    course_ids = set(course_of.values())
    totals = dict(
        LearningOutcome.objects.filter(course_id__in=course_ids)
        .order_by()
        .values("course_id")
        .annotate(n=Count("pk"))
        .values_list("course_id", "n")
    )
    shown = _outcomes_shown(enrollments, course_ids)
    return {e.pk: (len(shown[e.pk]), totals.get(course_of[e.pk], 0)) for e in enrollments}


def record_history(enrollment):
    return (
        AssessmentRecord.objects.filter(enrollment=enrollment)
        .select_related("assessment", "assessor")
        .order_by("assessment__position", "-recorded_at", "-id")
    )
