"""The LEADS submission process: submit, decide (approve, request changes, reject), revise.

Each move locks the course row, checks who may act, writes the audit row (CourseTransition) and,
for the Dean's moves, the Decision; e-mails go out after commit (STYLE.md, rules 1–3).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.side_effects import enqueue_on_commit
from assessments.services import assessment_delete, assessment_plan_copy, assessment_save
from courses.models import CourseStatus
from courses.notifications import course_transition_announce
from courses.services import (
    TransitionNotAllowed,
    course_ensure_editable,
    course_lock,
    course_set_status,
    course_start_revision,
)

from . import checklist
from .models import Decision, Submission
from .snapshot import SCALAR_FIELDS, course_for_snapshot, course_snapshot


class SubmissionRefused(Exception):
    """The checklist has unmet items; `reasons` lists every one, in the guide's order."""

    def __init__(self, reasons):
        self.reasons = reasons
        super().__init__("The course cannot be submitted yet: " + " ".join(reasons))


class AlreadyDecided(Exception):
    """Someone else decided on this submission first (or it is no longer awaiting a decision)."""


@dataclass(frozen=True)
class DecisionRule:
    course_status: str
    comment_required: str | None  # the message when a comment is missing, or None


DECISIONS = {
    Decision.Outcome.APPROVED: DecisionRule(CourseStatus.APPROVED, None),
    Decision.Outcome.CHANGES_REQUESTED: DecisionRule(
        CourseStatus.CHANGES_REQUESTED, "Say what needs to change: a comment is required."
    ),
    Decision.Outcome.REJECTED: DecisionRule(
        CourseStatus.REJECTED, "Give the reason for rejecting the course."
    ),
}


def _notify_on_commit(transition):
    from .tasks import send_transition_emails

    enqueue_on_commit(send_transition_emails, transition.pk)


def may_view_course(*, user, course) -> bool:
    return (
        course.leader_id == user.pk
        or user.is_leads_admin
        or any(unit.pk == course.unit_id for unit in user.dean_units)
    )


def may_decide(*, user, course) -> bool:
    """A dean or designate of the course's unit, who does not lead the course."""
    if course.leader_id == user.pk:
        return False
    return any(unit.pk == course.unit_id for unit in user.dean_units)


def course_checklist(course, *, today=None):
    """The checklist of the course as it stands now (live rows, not a submission)."""
    snapshot = course_snapshot(course_for_snapshot(course.pk))
    return snapshot, checklist.compute_checklist(
        snapshot, approved=course.status in {CourseStatus.APPROVED, CourseStatus.PUBLISHED},
        today=today,
    )  # fmt: skip


@transaction.atomic
def course_submit(*, course, acting_user, signed_name: str, signed_on: date | None = None):
    """The course leader signs and submits the course to the Dean.

    Refused, with every reason, while any checklist item is unmet.
    """
    course = course_lock(course_id=course.pk)
    if course.leader_id != acting_user.pk:
        raise PermissionDenied("Only the course's leader may submit it.")
    if course.status not in {CourseStatus.DRAFT, CourseStatus.CHANGES_REQUESTED}:
        raise TransitionNotAllowed(course, CourseStatus.SUBMITTED)
    if not signed_name.strip():
        raise SubmissionRefused(["Sign the submission with your full name."])
    snapshot, items = course_checklist(course)
    blocking = checklist.blocking_items(items)
    if blocking:
        reasons = []
        for item in blocking:
            problems = [f["message"] for f in item.findings if f["blocking"]]
            reasons.append(f"{item.section}. {item.text} — {' '.join(problems)}")
        raise SubmissionRefused(reasons)
    number = course.submissions.count() + 1
    submission = Submission.objects.create(
        course=course,
        number=number,
        snapshot=snapshot,
        checklist=checklist.as_json(items),
        signed_name=signed_name.strip(),
        signed_on=signed_on or timezone.localdate(),
        submitted_by=acting_user,
    )
    transition = course_set_status(
        course=course,
        to_status=CourseStatus.SUBMITTED,
        acting_user=acting_user,
        comment=f"Submission {number}, signed by {submission.signed_name}.",
    )
    _notify_on_commit(transition)
    return submission


def _decide(*, submission, acting_user, outcome, comment):
    rule = DECISIONS[outcome]
    comment = (comment or "").strip()
    course = course_lock(course_id=submission.course_id)
    if not may_decide(user=acting_user, course=course):
        if course.leader_id == acting_user.pk:
            raise PermissionDenied("You lead this course, so another dean or designate decides.")
        raise PermissionDenied("Only the dean or a designate of the course's unit may decide.")
    latest = course.submissions.order_by("-number").first()
    if (
        course.status != CourseStatus.SUBMITTED
        or latest.pk != submission.pk
        or Decision.objects.filter(submission=submission).exists()
    ):
        raise AlreadyDecided(
            "This submission has already been decided (or is no longer awaiting a decision): "
            f"the course is now {CourseStatus(course.status).label.lower()}."
        )
    if rule.comment_required and not comment:
        raise ValueError(rule.comment_required)
    as_designate = course.unit.dean_id != acting_user.pk
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                submission=submission,
                outcome=outcome,
                comment=comment,
                decided_by=acting_user,
                as_designate=as_designate,
            )
    except IntegrityError as exc:  # the one-decision-per-submission constraint
        raise AlreadyDecided("This submission has already been decided.") from exc
    transition = course_set_status(
        course=course, to_status=rule.course_status, acting_user=acting_user, comment=comment
    )
    if outcome == Decision.Outcome.APPROVED:
        _supersede_previous_approved(course=course, acting_user=acting_user)
    _notify_on_commit(transition)
    return decision


def _supersede_previous_approved(*, course, acting_user):
    """An approved revision replaces an earlier version that was approved but never published.

    A published earlier version stays in the catalogue until the revision is published.
    """
    if not course.revision_of_id:
        return
    previous = course_lock(course_id=course.revision_of_id)
    if previous.status == CourseStatus.APPROVED:
        superseded = course_set_status(
            course=previous,
            to_status=CourseStatus.SUPERSEDED,
            acting_user=acting_user,
            comment=f"Replaced by version {course.version}.",
        )
        course_transition_announce(transition=superseded)


@transaction.atomic
def submission_approve(*, submission, acting_user, comment=""):
    return _decide(
        submission=submission,
        acting_user=acting_user,
        outcome=Decision.Outcome.APPROVED,
        comment=comment,
    )


@transaction.atomic
def submission_request_changes(*, submission, acting_user, comment):
    return _decide(
        submission=submission,
        acting_user=acting_user,
        outcome=Decision.Outcome.CHANGES_REQUESTED,
        comment=comment,
    )


@transaction.atomic
def submission_reject(*, submission, acting_user, comment):
    return _decide(
        submission=submission,
        acting_user=acting_user,
        outcome=Decision.Outcome.REJECTED,
        comment=comment,
    )


@transaction.atomic
def course_revise(*, course, acting_user):
    """Start a new draft version of an approved or published course; the live one stays live."""
    if course.leader_id != acting_user.pk:
        raise PermissionDenied("Only the course's leader may revise it.")
    if course.lineage_has_open_version():
        raise TransitionNotAllowed(course, CourseStatus.DRAFT)
    draft, outcome_map = course_start_revision(course=course, acting_user=acting_user)
    assessment_plan_copy(from_course=course, to_course=draft, outcome_map=outcome_map)
    return draft


# The Course fields a course leader writes in the template: the snapshot's own list (so what the
# Dean reads is exactly what the leader can write) and the instructors the template names.
TEMPLATE_FIELDS = frozenset([*SCALAR_FIELDS, "instructors"])


@dataclass(frozen=True)
class OutcomeRow:
    """A learning outcome as the leader lists it: an existing one (`id`) or a new one."""

    text: str
    id: int | None = None


@dataclass(frozen=True)
class ContentUnitRow:
    """A topic or unit as the leader lists it: an existing one (`id`) or a new one."""

    title: str
    is_in_person: bool = False
    place: str = ""
    timing: str = ""
    id: int | None = None


def _lock_for_editing(*, course, acting_user):
    """The course, row-locked, if this person may edit it now.

    Only the leader edits, and only a draft or a course with changes requested; the row lock
    keeps an edit from landing after a concurrent submission has frozen the course.
    """
    locked = course_lock(course_id=course.pk)
    if locked.leader_id != acting_user.pk:
        raise PermissionDenied("Only the course's leader may edit it.")
    course_ensure_editable(locked)
    return locked


def _replace_rows(manager, rows, columns):
    """Make the course's rows exactly `rows`, numbered in the order given; rows not listed go."""
    existing = {row.pk: row for row in manager.all()}
    unknown = {row.id for row in rows if row.id is not None} - set(existing)
    if unknown:
        raise ValueError(f"Rows {sorted(unknown)} are not this course's.")
    kept = set()
    for position, row in enumerate(rows):
        obj = existing.get(row.id) if row.id is not None else manager.model(course=manager.instance)
        for column in columns:
            setattr(obj, column, getattr(row, column))
        obj.position = position
        obj.save()
        kept.add(obj.pk)
    manager.exclude(pk__in=kept).delete()


@transaction.atomic
def course_section_save(
    *,
    course,
    acting_user,
    fields: Mapping[str, Any] | None = None,
    outcomes: Sequence[OutcomeRow] | None = None,
    content_units: Sequence[ContentUnitRow] | None = None,
):
    """Write a section of the course template (or the checklist's affirmations).

    Writes `fields` (Course fields of the template, TEMPLATE_FIELDS, and nothing else; the
    instructors as a list of users), and, when given, the whole ordered list of learning
    outcomes or of content units: listed rows are kept or added in that order, unlisted ones are
    removed. Only the leader, and only while the course is editable.
    """
    locked = _lock_for_editing(course=course, acting_user=acting_user)
    fields = dict(fields or {})
    stray = set(fields) - TEMPLATE_FIELDS
    if stray:
        raise ValueError(f"Not fields of the course template: {', '.join(sorted(stray))}.")
    columns = []
    for name, value in fields.items():
        if locked._meta.get_field(name).many_to_many:
            getattr(locked, name).set(value)
        else:
            setattr(locked, name, value)
            columns.append(name)
    if columns:
        locked.save(update_fields=[*columns, "updated_at"])
    if outcomes is not None:
        _replace_rows(locked.outcomes, outcomes, ["text"])
    if content_units is not None:
        _replace_rows(
            locked.content_units, content_units, ["title", "is_in_person", "place", "timing"]
        )
    return locked


@transaction.atomic
def course_assessment_save(
    *, course, acting_user, assessment=None, title, kind, purpose, description="", criteria
):
    """Add or change an assessment of the course and its pass criteria (outcome -> text)."""
    locked = _lock_for_editing(course=course, acting_user=acting_user)
    if assessment is not None and assessment.course_id != locked.pk:
        raise ValueError("The assessment is not this course's.")
    if any(outcome.course_id != locked.pk for outcome in criteria):
        raise ValueError("Criteria may only name this course's learning outcomes.")
    return assessment_save(
        course=locked,
        assessment=assessment,
        title=title,
        kind=kind,
        purpose=purpose,
        description=description,
        criteria=criteria,
    )


@transaction.atomic
def course_assessment_remove(*, course, acting_user, assessment) -> None:
    """Remove an assessment (and its criteria) from the course."""
    locked = _lock_for_editing(course=course, acting_user=acting_user)
    if assessment.course_id != locked.pk:
        raise ValueError("The assessment is not this course's.")
    assessment_delete(assessment=assessment)
