"""Writes to assessment plans."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from courses.models import Enrollment

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
    pass


def may_record(*, user, offering) -> bool:
    """Instructors of the offering record its results; the LEADS team may too."""
    if user.is_leads_admin:
        return True
    return offering.instructors.filter(pk=user.pk).exists()


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
    check_permission=True,
) -> AssessmentRecord:
    """Record a learner's result in an assessment; an earlier record stays in the history.

    Recording the same result again with nothing new changes nothing. Completion is recomputed
    in the same transaction.
    """
    enrollment = (
        Enrollment.objects.select_for_update().select_related("offering").get(pk=enrollment.pk)
    )
    if assessment.course_id != enrollment.offering.course_id:
        raise RecordRefused(f"“{assessment.title}” is not an assessment of this course.")
    if check_permission and not may_record(user=acting_user, offering=enrollment.offering):
        raise PermissionDenied("Only the offering's instructors may record its results.")
    if result not in AssessmentRecord.Result.values:
        raise RecordRefused("The result must be pass or fail.")
    current = AssessmentRecord.objects.filter(
        enrollment=enrollment, assessment=assessment, is_current=True
    ).first()
    if (
        current
        and _same(current, result, score, evidence_url, evidence_text, feedback)
        and not evidence_file
    ):
        return current
    if current:
        current.is_current = False
        current.save(update_fields=["is_current"])
    record = AssessmentRecord(
        enrollment=enrollment,
        assessment=assessment,
        result=result,
        score=score,
        evidence_url=evidence_url,
        evidence_text=evidence_text,
        feedback=feedback,
        assessor=acting_user,
        assessed_on=assessed_on or timezone.localdate(),
        source=source,
        replaces=current,
    )
    if evidence_file is not None:
        record.evidence_file_name = evidence_file.name[-200:]
        record.evidence_file = evidence_file
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
