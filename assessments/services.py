"""Writes to assessment plans, and results: who may record them, when, and completion."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.api_tokens import holds_api_token, token_scope_allows
from courses.models import Enrollment, Offering

from .models import Assessment, AssessmentRecord, RubricCriterion
from .selectors import outcomes_demonstrated


@transaction.atomic
def assessment_plan_copy(*, from_course, to_course, outcome_map) -> None:
    """Copy a course version's assessments and rubric onto a new version.

    `outcome_map` maps each old LearningOutcome id to its copy on the new version.
    """
    for old in Assessment.objects.filter(course=from_course).prefetch_related(
        "outcomes", "criteria"
    ):
        new = Assessment.objects.create(
            course=to_course,
            position=old.position,
            title=old.title,
            kind=old.kind,
            purpose=old.purpose,
            description=old.description,
        )
        new.outcomes.set([outcome_map[o.pk] for o in old.outcomes.all()])
        RubricCriterion.objects.bulk_create(
            RubricCriterion(
                assessment=new,
                outcome=outcome_map[c.outcome_id],
                pass_description=c.pass_description,
            )
            for c in old.criteria.all()
        )


@transaction.atomic
def assessment_save(
    *, course, assessment=None, title, kind, purpose, description="", criteria
) -> Assessment:
    """Create or change an assessment of a course and its pass criteria, one per outcome.

    `criteria` maps each LearningOutcome the assessment assesses to what demonstrates it.
    """
    if assessment is None:
        position = course.assessments.count()
        assessment = Assessment(course=course, position=position)
    assessment.title = title.strip()
    assessment.kind = kind
    assessment.purpose = purpose
    assessment.description = description
    assessment.save()
    assessment.outcomes.set(list(criteria))
    assessment.criteria.exclude(outcome__in=list(criteria)).delete()
    for outcome, text in criteria.items():
        RubricCriterion.objects.update_or_create(
            assessment=assessment, outcome=outcome, defaults={"pass_description": text}
        )
    return assessment


@transaction.atomic
def assessment_delete(*, assessment) -> None:
    assessment.delete()


# --- Results ----------------------------------------------------------------------------------


class RecordRefused(Exception):
    """A result the rules refuse; `index` is the refused entry's position in a batch."""

    def __init__(self, message, *, index=None):
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class ResultEntry:
    """One result to record: for `results_record`."""

    enrollment: Enrollment
    assessment: Assessment
    result: str
    assessed_on: date | None = None
    score: Decimal | None = None
    evidence_url: str = ""
    evidence_text: str = ""
    evidence_file: Any = None
    feedback: str = ""


def may_record(*, user, offering) -> bool:
    """Who records an offering's results: the LEADS team, the offering's instructors, the
    course's leader (who answers for its assessment and settles assessors' disagreements), and
    the VLE's service account (an account holding an API token, accounts/api_tokens.py) of the
    course's unit. The one answer: `results_record` asks it, and pages ask it to show links."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_leads_admin:
        return True
    if offering.course.leader_id == user.pk and user.is_active:
        return True
    if offering.instructors.filter(pk=user.pk).exists():
        return True
    return token_scope_allows(user=user, course=offering.course) and holds_api_token(user)


def _day(value):
    return value.strftime("%-d %b %Y")


def offering_results_problem(offering, *, today=None) -> str | None:
    """Why no result can be recorded for this offering now, or None: not before it starts."""
    today = today or timezone.localdate()
    if today < offering.starts_on:
        return (
            f"This cohort starts on {_day(offering.starts_on)}: results are recorded from "
            "that day, not before."
        )
    return None


def result_date_problem(offering, assessed_on, *, today=None) -> str | None:
    """Why a result cannot carry this date, or None: within the offering, from its start to
    today (an assessment is recorded once it has happened; marking may go on after the end)."""
    today = today or timezone.localdate()
    if assessed_on > today:
        return "The assessment date cannot be in the future."
    if assessed_on < offering.starts_on:
        return (
            f"The assessment date {_day(assessed_on)} is before this cohort started "
            f"({_day(offering.starts_on)}): give a date from then to today."
        )
    return None


def enrollment_check_completion(*, enrollment) -> bool:
    """Complete the enrollment when every learning outcome of its course is demonstrated
    (selectors.outcomes_demonstrated, the one rule). Call with the enrollment row locked."""
    from courses.services import enrollment_mark_complete

    if enrollment.completed_at is not None:
        return False
    if outcomes_demonstrated([enrollment])[enrollment.pk].all_demonstrated:
        return enrollment_mark_complete(enrollment=enrollment)
    return False


@transaction.atomic
def record_result(
    *,
    enrollment,
    assessment,
    result,
    acting_user,
    assessed_on=None,
    score=None,
    evidence_url="",
    evidence_text="",
    evidence_file=None,
    feedback="",
    source=AssessmentRecord.Source.FORM,
) -> AssessmentRecord:
    """Record a learner's result in an assessment; an earlier record stays in the history.

    One result through `results_record`, which checks who may act and the dates.
    """
    offering = Offering.objects.select_related("course").get(pk=enrollment.offering_id)
    entry = ResultEntry(
        enrollment=enrollment,
        assessment=assessment,
        result=result,
        assessed_on=assessed_on,
        score=score,
        evidence_url=evidence_url,
        evidence_text=evidence_text,
        evidence_file=evidence_file,
        feedback=feedback,
    )
    return results_record(
        offering=offering, acting_user=acting_user, entries=[entry], source=source
    )[0]


@transaction.atomic
def results_record(
    *, offering, acting_user, entries, source=AssessmentRecord.Source.FORM
) -> list[AssessmentRecord]:
    """Record results of one offering's learners, in order; returns their current records.

    Checks once, whatever the number of entries, who may act (`may_record`: PermissionDenied)
    and that the offering has started; then refuses (RecordRefused with the entry's `index`,
    nothing written) a learner of another offering or withdrawn, an assessment of another
    course, a result other than pass or fail, and a date before the offering's start or after
    today. Recording the same result again with nothing new changes nothing. Completion is
    recomputed in the same transaction, so it never precedes the start either.
    """
    if not may_record(user=acting_user, offering=offering):
        raise PermissionDenied(
            "Only the offering's instructors and the LEADS team record its results."
        )
    today = timezone.localdate()
    problem = offering_results_problem(offering, today=today)
    if problem:
        raise RecordRefused(problem)
    entries = list(entries)
    # Lock every learner at once, in id order, so two batches touching the same learners (an
    # import and the grid) wait for each other instead of deadlocking.
    locked = {
        e.pk: e
        for e in Enrollment.objects.select_for_update()
        .filter(pk__in={entry.enrollment.pk for entry in entries})
        .select_related("learner")
        .order_by("pk")
    }
    records = []
    for index, entry in enumerate(entries):
        try:
            records.append(
                _record_one(locked.get(entry.enrollment.pk), entry, offering, acting_user,
                            source, today)
            )  # fmt: skip
        except RecordRefused as exc:
            raise RecordRefused(str(exc), index=index) from None
    return records


def _record_one(enrollment, entry, offering, acting_user, source, today):
    if enrollment is None or enrollment.offering_id != offering.pk:
        raise RecordRefused("This learner is not enrolled in this offering.")
    enrollment.offering = offering  # loaded once for the whole batch
    if enrollment.is_withdrawn:
        raise RecordRefused(
            f"{enrollment.learner} was withdrawn from this offering on "
            f"{_day(timezone.localdate(enrollment.withdrawn_at))}: no results are recorded "
            "for them."
        )
    assessment = entry.assessment
    if assessment.course_id != offering.course_id:
        raise RecordRefused(f"“{assessment.title}” is not an assessment of this course.")
    if entry.result not in AssessmentRecord.Result.values:
        raise RecordRefused("The result must be pass or fail.")
    assessed_on = entry.assessed_on or today
    problem = result_date_problem(offering, assessed_on, today=today)
    if problem:
        raise RecordRefused(problem)
    current = AssessmentRecord.objects.filter(
        enrollment=enrollment, assessment=assessment, is_current=True
    ).first()
    if (
        current
        and _same(current, entry.result, entry.score, entry.evidence_url, entry.evidence_text,
                  entry.feedback)
        and not entry.evidence_file
    ):  # fmt: skip
        return current
    if current:
        current.is_current = False
        current.save(update_fields=["is_current"])
    record = AssessmentRecord(
        enrollment=enrollment,
        assessment=assessment,
        result=entry.result,
        score=entry.score,
        evidence_url=entry.evidence_url,
        evidence_text=entry.evidence_text,
        feedback=entry.feedback,
        assessor=acting_user,
        assessed_on=assessed_on,
        source=source,
        replaces=current,
    )
    if entry.evidence_file is not None:
        record.evidence_file_name = entry.evidence_file.name[-200:]
        record.evidence_file = entry.evidence_file
    record.save()
    enrollment_check_completion(enrollment=enrollment)
    return record


def _same(record, result, score, evidence_url, evidence_text, feedback):
    return (
        record.result == result
        and (record.score == score or (record.score is None and score is None))
        and record.evidence_url == (evidence_url or "")
        and record.evidence_text == (evidence_text or "")
        and record.feedback == (feedback or "")
    )
