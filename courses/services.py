"""Writes to courses: creating, editing a draft, status moves and new versions."""

import copy
import threading
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.access import require_leads_admin
from accounts.audit import audit_record, field_changes

from .models import (
    ALLOWED_TRANSITIONS,
    LIVE_STATUSES,
    ContentUnit,
    Course,
    CourseStatus,
    CourseTransition,
    Enrollment,
    LearningOutcome,
    Offering,
    OfferingSession,
)
from .signals import enrollments_completed


class TransitionNotAllowed(Exception):
    """The course is not in a state from which this move may be made (e.g. already decided)."""

    def __init__(self, course, to_status):
        self.course = course
        self.to_status = to_status
        current = CourseStatus(course.status).label.lower()
        target = CourseStatus(to_status).label.lower()
        super().__init__(f"This course is {current}; it cannot be moved to {target}.")


class CourseNotEditable(Exception):
    def __init__(self, course):
        label = CourseStatus(course.status).label.lower()
        super().__init__(
            f"This version is {label} and can no longer be edited. "
            "Start a revision to change an approved course."
        )


@transaction.atomic
def course_create(*, leader, unit, title, acting_user=None) -> Course:
    """A new course, as a draft of its first version."""
    return Course.objects.create(leader=leader, unit=unit, title=title.strip())


def course_lock(*, course_id) -> Course:
    """Re-read the course under a row lock; call inside a transaction."""
    return Course.objects.select_for_update().get(pk=course_id)


def course_ensure_editable(course: Course) -> None:
    if not course.is_editable:
        raise CourseNotEditable(course)


def course_set_status(*, course: Course, to_status, acting_user, comment="") -> CourseTransition:
    """Move a course along its lifecycle and write the audit row.

    The caller holds the row lock (course_lock) and has checked who may act; this refuses any
    move the lifecycle table does not allow, so two people acting at once cannot both succeed.
    """
    if to_status not in ALLOWED_TRANSITIONS[CourseStatus(course.status)]:
        raise TransitionNotAllowed(course, to_status)
    transition = CourseTransition.objects.create(
        course=course,
        from_status=course.status,
        to_status=to_status,
        acting_user=acting_user,
        comment=comment,
    )
    course.status = to_status
    course.save(update_fields=["status", "updated_at"])
    return transition


@transaction.atomic
def course_start_revision(*, course: Course, acting_user) -> tuple[Course, dict]:
    """Copy an approved or published version into a new draft; the live version stays live.

    The copy carries the outcomes and content units, so the leader edits from what was approved;
    the caller copies what other apps own (the assessment plan) with the returned map of old
    outcome ids to their copies. The database refuses a second open version of the same course.
    """
    course = course_lock(course_id=course.pk)
    if course.status not in LIVE_STATUSES:
        raise TransitionNotAllowed(course, CourseStatus.DRAFT)
    next_version = (
        Course.objects.filter(lineage=course.lineage).aggregate(v=Max("version"))["v"] + 1
    )
    old_pk = course.pk
    instructors = list(course.instructors.all())
    draft = Course.objects.get(pk=old_pk)
    draft.pk = None
    draft.id = None
    draft.version = next_version
    draft.revision_of_id = old_pk
    draft.status = CourseStatus.DRAFT
    draft.leader = acting_user if acting_user.is_course_leader else course.leader
    for flag in (
        "affirms_aim",
        "affirms_eligibility",
        "affirms_prerequisites",
        "affirms_resources",
        "affirms_budget",
    ):
        # Judgements are made afresh for each version.
        setattr(draft, flag, False)
    draft.save()
    draft.instructors.set(instructors)
    outcome_map = {}
    for outcome in LearningOutcome.objects.filter(course_id=old_pk):
        old_id = outcome.pk
        outcome.pk = None
        outcome.course = draft
        outcome.save()
        outcome_map[old_id] = outcome
    ContentUnit.objects.bulk_create(
        ContentUnit(
            course=draft,
            position=u.position,
            title=u.title,
            is_in_person=u.is_in_person,
            place=u.place,
            timing=u.timing,
        )
        for u in ContentUnit.objects.filter(course_id=old_pk)
    )
    return draft, outcome_map


# --- Publishing -----------------------------------------------------------------------------------


@transaction.atomic
def course_publish(*, course, acting_user) -> Course:
    """Put an approved version in the public catalogue; it replaces an earlier published one."""
    require_leads_admin(acting_user, "publish courses")
    course = course_lock(course_id=course.pk)
    earlier = (
        Course.objects.select_for_update()
        .filter(lineage=course.lineage, status=CourseStatus.PUBLISHED)
        .exclude(pk=course.pk)
    )
    course_set_status(course=course, to_status=CourseStatus.PUBLISHED, acting_user=acting_user)
    for old in earlier:
        course_set_status(
            course=old,
            to_status=CourseStatus.SUPERSEDED,
            acting_user=acting_user,
            comment=f"Replaced in the catalogue by version {course.version}.",
        )
    return course


@transaction.atomic
def course_retire(*, course, acting_user, comment="") -> Course:
    """Take a course out of the catalogue. Its offerings' records and badges stay valid."""
    require_leads_admin(acting_user, "retire courses")
    course = course_lock(course_id=course.pk)
    course_set_status(
        course=course, to_status=CourseStatus.RETIRED, acting_user=acting_user, comment=comment
    )
    return course


# --- Offerings and enrolment ----------------------------------------------------------------------


class EnrollmentRefused(Exception):
    pass


@transaction.atomic
def offering_create(
    *, course, acting_user, starts_on, ends_on, title="", capacity=None, instructors=(),
    sessions=(),
) -> Offering:  # fmt: skip
    """A run of a published (or approved) course version for a cohort."""
    require_leads_admin(acting_user, "create offerings")
    if course.status not in LIVE_STATUSES:
        raise EnrollmentRefused("Only approved or published courses can be offered.")
    offering = Offering.objects.create(
        course=course, title=title, starts_on=starts_on, ends_on=ends_on, capacity=capacity
    )
    instructors = list(instructors)
    offering.instructors.set(instructors)
    sessions = OfferingSession.objects.bulk_create(
        OfferingSession(offering=offering, **session) for session in sessions
    )
    audit_record(
        actor=acting_user,
        action="offering.created",
        target=offering,
        summary=f"Created the offering {offering.label} of {course.title}.",
        changes={
            "title": [None, title],
            "starts_on": [None, starts_on],
            "ends_on": [None, ends_on],
            "capacity": [None, capacity],
            "instructors": [None, sorted(str(person) for person in instructors)],
            "sessions": [None, [str(session) for session in sessions]],
        },
    )
    return offering


OFFERING_FIELDS = ("title", "starts_on", "ends_on", "capacity", "instructors")


@transaction.atomic
def offering_update(*, offering, acting_user, **fields) -> Offering:
    """Change an offering's title, dates, capacity or instructors; audited with who did it.

    Refused (ValidationError, nothing saved or recorded) when the dates run backwards or the
    capacity is below the learners already enrolled. Sessions are not changed here yet.
    """
    require_leads_admin(acting_user, "change offerings")
    unknown = set(fields) - set(OFFERING_FIELDS)
    if unknown:
        raise TypeError(f"Not a field of an offering: {', '.join(sorted(unknown))}.")
    offering = Offering.objects.select_for_update().select_related("course").get(pk=offering.pk)
    before = copy.copy(offering)
    instructors = fields.pop("instructors", None)
    for name, value in fields.items():
        setattr(offering, name, value)
    offering.clean_fields(exclude=["course"])
    if offering.ends_on < offering.starts_on:
        raise ValidationError(
            {"ends_on": ValidationError("The offering ends before it starts.", code="ends_early")}
        )
    if offering.capacity is not None and offering.capacity < (
        enrolled := offering.enrollments.count()
    ):
        raise ValidationError(
            {
                "capacity": ValidationError(
                    f"{enrolled} learners are enrolled already: give at least that many places.",
                    code="capacity_below_enrolled",
                )
            }
        )
    changes = field_changes(before, offering, fields)
    if changes:
        offering.save(update_fields=list(changes))
    if instructors is not None:
        old = list(offering.instructors.all())
        instructors = list(instructors)
        if {p.pk for p in old} != {p.pk for p in instructors}:
            offering.instructors.set(instructors)
            changes["instructors"] = [
                sorted(str(person) for person in old),
                sorted(str(person) for person in instructors),
            ]
    if changes:
        audit_record(
            actor=acting_user,
            action="offering.changed",
            target=offering,
            summary=f"Changed the offering {offering.label} of {offering.course.title}: "
            + ", ".join(name.replace("_", " ") for name in changes)
            + ".",
            changes=changes,
        )
    return offering


def _check_capacity(offering, adding):
    if offering.capacity is None:
        return
    taken = offering.enrollments.count()
    if taken + adding > offering.capacity:
        free = max(offering.capacity - taken, 0)
        raise EnrollmentRefused(
            f"The offering has {free} place{'s' if free != 1 else ''} left; "
            f"{adding} learner{'s' if adding != 1 else ''} cannot be enrolled."
        )


@transaction.atomic
def enrollment_create(*, offering, learner, acting_user=None, student_id="") -> Enrollment:
    """Enrol a learner; enrolling someone already enrolled changes nothing."""
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    existing = Enrollment.objects.filter(offering=offering, learner=learner).first()
    if existing:
        return existing
    _check_capacity(offering, 1)
    return Enrollment.objects.create(
        offering=offering, learner=learner, student_id=student_id, enrolled_by=acting_user
    )


def enrollment_mark_complete(*, enrollment) -> bool:
    """Record that the learner has completed the course, once; announce it after commit.

    The caller holds the enrollment's row lock. Returns True when this call completed it.
    """
    if enrollment.completed_at is not None:
        return False
    enrollment.completed_at = timezone.now()
    enrollment.save(update_fields=["completed_at"])
    enrollment_id = enrollment.pk
    collecting = getattr(_together, "ids", None)  # inside completions_announced_together?
    # One callback per completion: Django drops those of a rolled-back savepoint, so only
    # completions that were committed are announced.
    transaction.on_commit(lambda: _completion_committed(enrollment_id, collecting))
    return True


_together = threading.local()


@contextmanager
def completions_announced_together():
    """Announce the completions committed inside this block as one `enrollments_completed`.

    A results import that completes a cohort of 10,000 then sends one event, not 10,000. Best
    wrapped around the transaction: the list is sent when the block ends. Inside a transaction,
    it is sent when that transaction commits, after the completions' own callbacks. Nested
    blocks defer to the outermost; completions committed before an error inside the block are
    still announced.
    """
    if getattr(_together, "ids", None) is not None:
        yield
        return
    ids = _together.ids = []
    try:
        yield
    finally:
        _together.ids = None
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(lambda: _announce(ids) if ids else None)
        elif ids:
            _announce(ids)


def _completion_committed(enrollment_id, collecting):
    if collecting is not None:
        collecting.append(enrollment_id)
    else:
        _announce([enrollment_id])


def _announce(enrollment_ids):
    enrollments_completed.send(sender=Enrollment, enrollment_ids=list(enrollment_ids))


@transaction.atomic
def enrollments_confirm_completion(*, offering, enrollment_ids, acting_user) -> int:
    """The course leader confirms which completed learners may have their badge issued by hand.

    Only completed enrollments can be confirmed; returns how many were newly confirmed.
    """
    course = offering.course
    if acting_user.pk != course.leader_id and not acting_user.is_leads_admin:
        raise PermissionDenied("Only the course leader confirms completion.")
    rows = list(
        Enrollment.objects.select_for_update().filter(
            offering=offering, pk__in=enrollment_ids, completion_confirmed_at__isnull=True
        )
    )
    incomplete = [e for e in rows if e.completed_at is None]
    if incomplete:
        names = ", ".join(str(e.learner) for e in incomplete[:5])
        raise EnrollmentRefused(f"Not yet complete, so not confirmed: {names}.")
    now = timezone.now()
    for enrollment in rows:
        enrollment.completion_confirmed_at = now
        enrollment.completion_confirmed_by = acting_user
    Enrollment.objects.bulk_update(rows, ["completion_confirmed_at", "completion_confirmed_by"])
    return len(rows)
