"""Writes to courses: creating, editing a draft, status moves and new versions."""

import copy
import threading
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from accounts.access import require_leads_admin
from accounts.audit import audit_record, field_changes
from accounts.models import User

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
    OfferingKind,
    OfferingSession,
)
from .notifications import (
    completion_confirmed_announce,
    course_transition_announce,
    enrollments_announce,
    may_be_told_of_enrolment,
)
from .signals import enrollment_move_checked, enrollments_completed


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
    published = course_set_status(
        course=course, to_status=CourseStatus.PUBLISHED, acting_user=acting_user
    )
    course_transition_announce(transition=published)
    for old in earlier:
        superseded = course_set_status(
            course=old,
            to_status=CourseStatus.SUPERSEDED,
            acting_user=acting_user,
            comment=f"Replaced in the catalogue by version {course.version}.",
        )
        course_transition_announce(transition=superseded)
    return course


@transaction.atomic
def course_retire(*, course, acting_user, comment="") -> Course:
    """Take a course out of the catalogue. Its offerings' records and badges stay valid.

    The leader and the learners of its offerings that have not ended are told by e-mail.
    """
    require_leads_admin(acting_user, "retire courses")
    course = course_lock(course_id=course.pk)
    retired = course_set_status(
        course=course, to_status=CourseStatus.RETIRED, acting_user=acting_user, comment=comment
    )
    course_transition_announce(transition=retired)
    return course


# --- Offerings and enrolment ----------------------------------------------------------------------


class EnrollmentRefused(Exception):
    pass


@transaction.atomic
def offering_create(
    *, course, acting_user, starts_on, ends_on, title="", capacity=None, instructors=(),
    sessions=(), kind=OfferingKind.COHORT,
) -> Offering:  # fmt: skip
    """A run of a published (or approved) course version for a cohort, or a window for
    applications for recognition of prior learning (`kind`)."""
    require_leads_admin(acting_user, "create offerings")
    if course.status not in LIVE_STATUSES:
        raise EnrollmentRefused("Only approved or published courses can be offered.")
    sessions = list(sessions)
    problems = offering_problems(
        course=course, starts_on=starts_on, ends_on=ends_on, capacity=capacity, sessions=sessions
    )
    if problems:
        raise ValidationError(problems)
    offering = Offering.objects.create(
        course=course, title=title, starts_on=starts_on, ends_on=ends_on, capacity=capacity,
        kind=kind,
    )  # fmt: skip
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
            "kind": [None, OfferingKind(kind).label],
            "title": [None, title],
            "starts_on": [None, starts_on],
            "ends_on": [None, ends_on],
            "capacity": [None, capacity],
            "instructors": [None, sorted(str(person) for person in instructors)],
            "sessions": [None, [_session_words(session) for session in sessions]],
        },
    )
    return offering


OFFERING_FIELDS = ("title", "starts_on", "ends_on", "capacity", "instructors", "sessions")
SESSION_FIELDS = ("title", "place", "starts_at", "ends_at")


def _session_words(session) -> str:
    get = session.get if isinstance(session, dict) else lambda name: getattr(session, name)
    starts = timezone.localtime(get("starts_at"))
    ends = timezone.localtime(get("ends_at"))
    return f"{get('title')}, {get('place')}, {starts:%Y-%m-%d %H:%M}–{ends:%H:%M}"


def _day(value):
    return value.strftime("%-d %b %Y")


def offering_problems(
    *, course, starts_on, ends_on, capacity=None, sessions=(), offering=None
) -> dict[str, list[ValidationError]]:
    """What is wrong with these offering dates, capacity and sessions: {field: [errors]}.

    The one place the rules live; the services refuse what this finds, and the site's and the
    Django admin's forms call it to show the same messages beside the fields. `offering` is
    the offering being changed (None for a new one); `course` None skips the course's plan.
    Sessions are dicts of SESSION_FIELDS;
    their problems are filed under NON_FIELD_ERRORS, naming the session.

    * The offering cannot end before it starts.
    * It fits the approved course: when the template plans a start and an end, a cohort runs at
      least that long, since the Dean approved the workload (hours, credits) over that
      schedule; later cohorts may start on any date.
    * Capacity is never below the learners enrolled now (withdrawn ones do not count).
    * It cannot start after a learner completed it: completion never precedes the start.
    * In-person sessions fall within the offering's dates.
    """
    problems: dict[str, list[ValidationError]] = {}

    def add(field, message, code):
        problems.setdefault(field, []).append(ValidationError(message, code=code))

    if starts_on and ends_on:
        if ends_on < starts_on:
            add("ends_on", "The offering cannot end before it starts.", "ends_early")
        elif course is not None and course.planned_start and course.planned_end:
            planned = (course.planned_end - course.planned_start).days
            length = (ends_on - starts_on).days
            if length < planned:
                add(
                    "ends_on",
                    f"The approved course runs {planned + 1} days (planned "
                    f"{_day(course.planned_start)} to {_day(course.planned_end)}); this "
                    f"offering would run {length + 1}. End it on "
                    f"{_day(starts_on + (course.planned_end - course.planned_start))} or "
                    "later, or revise the course's schedule through the Dean.",
                    "shorter_than_planned",
                )
    if offering is not None and capacity is not None:
        enrolled = offering.enrollments.active().count()
        if capacity < enrolled:
            add(
                "capacity",
                f"{enrolled} learners are enrolled already: give at least that many places, "
                "or withdraw learners first.",
                "capacity_below_enrolled",
            )
    if offering is not None and starts_on:
        first = offering.enrollments.aggregate(first=Min("completed_at"))["first"]
        if first is not None and timezone.localdate(first) < starts_on:
            add(
                "starts_on",
                f"A learner completed this offering on {_day(timezone.localdate(first))}: "
                "it cannot start after that.",
                "starts_after_completion",
            )
    for number, session in enumerate(sessions, start=1):
        name = f"Session {number} (“{session.get('title', '')}”)"
        begins, ends = session.get("starts_at"), session.get("ends_at")
        if not begins or not ends:
            continue
        if ends <= begins:
            add(NON_FIELD_ERRORS, f"{name} ends before it starts.", "session_ends_early")
        elif (
            starts_on
            and ends_on
            and not (
                starts_on <= timezone.localdate(begins) and timezone.localdate(ends) <= ends_on
            )
        ):
            add(
                NON_FIELD_ERRORS,
                f"{name} is on {_day(timezone.localdate(begins))}, outside the offering's "
                f"dates ({_day(starts_on)} to {_day(ends_on)}).",
                "session_outside_offering",
            )
    return problems


@transaction.atomic
def offering_update(*, offering, acting_user, **fields) -> Offering:
    """Change an offering's title, dates, capacity, instructors or in-person sessions; audited
    with who did it and what changed.

    `sessions`, when given, is the whole new list (dicts of SESSION_FIELDS) and replaces the
    old one. Refused (ValidationError, nothing saved or recorded) when `offering_problems`
    finds anything: dates backwards or shorter than the approved schedule, capacity below the
    learners enrolled, a start after a completion, a session outside the dates.
    """
    require_leads_admin(acting_user, "change offerings")
    unknown = set(fields) - set(OFFERING_FIELDS)
    if unknown:
        raise TypeError(f"Not a field of an offering: {', '.join(sorted(unknown))}.")
    offering = Offering.objects.select_for_update().select_related("course").get(pk=offering.pk)
    before = copy.copy(offering)
    instructors = fields.pop("instructors", None)
    sessions = fields.pop("sessions", None)
    if sessions is not None:
        sessions = [{name: session[name] for name in SESSION_FIELDS} for session in sessions]
    for name, value in fields.items():
        setattr(offering, name, value)
    offering.clean_fields(exclude=["course"])
    old_sessions = list(offering.sessions.all())
    problems = offering_problems(
        course=offering.course,
        starts_on=offering.starts_on,
        ends_on=offering.ends_on,
        capacity=offering.capacity,
        sessions=sessions
        if sessions is not None
        else [{name: getattr(s, name) for name in SESSION_FIELDS} for s in old_sessions],
        offering=offering,
    )
    if problems:
        raise ValidationError(problems)
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
    if sessions is not None:
        old_words = [_session_words(s) for s in old_sessions]
        new_words = [_session_words(s) for s in sorted(sessions, key=lambda s: s["starts_at"])]
        if old_words != new_words:
            offering.sessions.all().delete()
            OfferingSession.objects.bulk_create(
                OfferingSession(offering=offering, **session) for session in sessions
            )
            changes["sessions"] = [old_words, new_words]
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
    """Withdrawn learners free their place: only active enrollments count."""
    if offering.capacity is None:
        return
    taken = offering.enrollments.active().count()
    if taken + adding > offering.capacity:
        free = max(offering.capacity - taken, 0)
        raise EnrollmentRefused(
            f"The offering has {free} place{'s' if free != 1 else ''} left; "
            f"{adding} learner{'s' if adding != 1 else ''} cannot be enrolled. Raise its "
            "capacity with “Edit the offering” on its page."
        )


@transaction.atomic
def enrollment_create(*, offering, learner, acting_user=None, student_id="") -> Enrollment:
    """Enrol a learner; enrolling someone already enrolled changes nothing.

    A learner withdrawn from this offering is enrolled again (their earlier results stay), if
    a place is free; the withdrawal stays in the offering's audit trail.
    """
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    existing = Enrollment.objects.filter(offering=offering, learner=learner).first()
    if existing and not existing.is_withdrawn:
        return existing
    _check_capacity(offering, 1)
    if existing:
        enrollment = _enrollment_reinstate(existing, acting_user)
    else:
        enrollment = Enrollment.objects.create(
            offering=offering, learner=learner, student_id=student_id, enrolled_by=acting_user
        )
    if may_be_told_of_enrolment(learner):  # a new account is sent its invitation instead
        enrollments_announce(enrollment_ids=[enrollment.pk])
    return enrollment


@transaction.atomic
def prior_learning_apply(*, offering, learner) -> Enrollment:
    """A person applies for a course's badge by recognition of prior learning: they are
    enrolled, by their own hand, in an open recognition-of-prior-learning offering, and hand in
    evidence for its assessments (the `evidence` app) like any learner. Refused outside the
    window, for a course not in the catalogue, when the places are taken, or when they already
    have a badge or an application for this course."""
    offering = Offering.objects.select_related("course").get(pk=offering.pk)
    if not offering.is_prior_learning:
        raise EnrollmentRefused("This offering is a taught cohort: the LEADS team enrols learners.")
    if offering.course.status != CourseStatus.PUBLISHED:
        raise EnrollmentRefused("This course is not in the catalogue.")
    if offering.phase(timezone.localdate()) != "running":
        raise EnrollmentRefused(
            f"Applications are open from {_day(offering.starts_on)} to {_day(offering.ends_on)}."
        )
    # One application at a time per person: two at once wait for each other here.
    User.objects.select_for_update().filter(pk=learner.pk).first()
    earlier = list(
        Enrollment.objects.filter(
            learner=learner, offering__course__lineage=offering.course.lineage
        ).select_related("offering")
    )
    if any(e.is_withdrawn for e in earlier):
        # A withdrawal is the LEADS team's decision: the person cannot undo it by applying.
        raise EnrollmentRefused(
            "You were withdrawn from this course: ask the LEADS team before applying again."
        )
    if any(e.completed_at for e in earlier):
        raise EnrollmentRefused("You have completed this course already: its badge is yours.")
    other = next((e for e in earlier if e.offering_id != offering.pk), None)
    if other is not None:
        raise EnrollmentRefused(
            f"You are already enrolled in {other.offering.label} of this course: hand in your "
            "evidence there."
        )
    return enrollment_create(offering=offering, learner=learner, acting_user=learner)


def _enrollment_reinstate(enrollment, acting_user) -> Enrollment:
    changes = {
        "learner": [None, str(enrollment.learner)],
        "withdrawn_at": [enrollment.withdrawn_at, None],
        "withdrawal_reason": [enrollment.withdrawal_reason, ""],
    }
    enrollment.withdrawn_at = None
    enrollment.withdrawn_by = None
    enrollment.withdrawal_reason = ""
    enrollment.moved_to = None
    enrollment.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "moved_to"])
    audit_record(
        actor=acting_user,
        action="enrollment.reinstated",
        target=enrollment.offering,
        summary=f"Enrolled {enrollment.learner} again after their withdrawal.",
        changes=changes,
    )
    return enrollment


def _enrollment_lock(enrollment) -> Enrollment:
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("learner", "offering__course")
        .get(pk=enrollment.pk)
    )


@transaction.atomic
def enrollment_withdraw(*, enrollment, acting_user, reason) -> Enrollment:
    """Withdraw a learner from their offering: the place is freed, the record is kept.

    The enrollment keeps its results, completion and any badge already issued (a badge is a
    frozen record: revoking it is a separate decision, badges.services.assertion_revoke).
    From now on the learner is left out of the grid, completion, badge issuance and the places
    taken. Audited on the offering, with who withdrew them and why.
    """
    require_leads_admin(acting_user, "withdraw learners")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError("Say why the learner is withdrawn.", code="required")}
        )
    enrollment = _enrollment_lock(enrollment)
    if enrollment.is_withdrawn:
        raise EnrollmentRefused(
            f"{enrollment.learner} was already withdrawn on "
            f"{_day(timezone.localdate(enrollment.withdrawn_at))}."
        )
    _withdraw(enrollment, acting_user, reason)
    audit_record(
        actor=acting_user,
        action="enrollment.withdrawn",
        target=enrollment.offering,
        summary=f"Withdrew {enrollment.learner}: {reason}",
        changes={"learner": [str(enrollment.learner), None], "reason": [None, reason]},
    )
    return enrollment


def _withdraw(enrollment, acting_user, reason, moved_to=None):
    enrollment.withdrawn_at = timezone.now()
    enrollment.withdrawn_by = acting_user
    enrollment.withdrawal_reason = reason
    enrollment.moved_to = moved_to
    enrollment.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "moved_to"])


def enrollment_move_targets(enrollment):
    """Offerings this learner may be moved to: other offerings of the same course (any
    approved version of it) that have not ended."""
    return (
        Offering.objects.filter(
            course__lineage=enrollment.offering.course.lineage,
            ends_on__gte=timezone.localdate(),
        )
        .exclude(pk=enrollment.offering_id)
        .select_related("course")
        .order_by("starts_on", "id")
    )


@transaction.atomic
def enrollment_move(*, enrollment, to_offering, acting_user, reason="") -> Enrollment:
    """Move a learner to another offering of the same course; returns their new enrollment.

    The old enrollment is withdrawn (kept, with its results, pointing at the new one) and the
    learner is enrolled in the other offering, where they are assessed afresh: results count
    only within the offering they were recorded in. Refused when the learner is withdrawn
    already, is enrolled in the other offering, has a badge issued for this one (an app above
    courses says so through `enrollment_move_checked`), or the other offering is full, has
    ended or is of another course. Audited on both offerings.
    """
    require_leads_admin(acting_user, "move learners")
    reason = (reason or "").strip()
    # Lock both offerings in id order, so two moves between the same pair cannot deadlock.
    offerings = {
        o.pk: o
        for o in Offering.objects.select_for_update()
        .select_related("course")
        .filter(pk__in=[enrollment.offering_id, to_offering.pk])
        .order_by("pk")
    }
    enrollment = _enrollment_lock(enrollment)
    source, target = offerings[enrollment.offering_id], offerings.get(to_offering.pk)
    learner = enrollment.learner
    if target is None or target.pk == source.pk:
        raise EnrollmentRefused("Choose another offering to move the learner to.")
    if enrollment.is_withdrawn:
        raise EnrollmentRefused(f"{learner} is withdrawn from this offering already.")
    if target.course.lineage != source.course.lineage:
        raise EnrollmentRefused(
            f"“{target}” is an offering of another course: learners move only between "
            "offerings of the same course."
        )
    if target.ends_on < timezone.localdate():
        raise EnrollmentRefused(f"“{target.label}” ended on {_day(target.ends_on)}.")
    for _, refusal in enrollment_move_checked.send(sender=Enrollment, enrollment=enrollment):
        if refusal:
            raise EnrollmentRefused(refusal)
    existing = Enrollment.objects.filter(offering=target, learner=learner).first()
    if existing and not existing.is_withdrawn:
        raise EnrollmentRefused(f"{learner} is enrolled in “{target.label}” already.")
    _check_capacity(target, 1)
    if existing:
        moved = _enrollment_reinstate(existing, acting_user)
    else:
        moved = Enrollment.objects.create(
            offering=target,
            learner=learner,
            student_id=enrollment.student_id,
            enrolled_by=acting_user,
        )
    # Hook for the offering e-mails (enrolment, withdrawal): the learner is now enrolled in
    # `target` (`moved`) and withdrawn from `source`; announce on commit like enrollment_create.
    why = f"Moved to {target.label}" + (f": {reason}" if reason else ".")
    _withdraw(enrollment, acting_user, why, moved_to=moved)
    for offering, action, summary in [
        (source, "enrollment.moved_out", f"Moved {learner} to {target.label}."),
        (target, "enrollment.moved_in", f"{learner} moved here from {source.label}."),
    ]:
        audit_record(
            actor=acting_user,
            action=action,
            target=offering,
            summary=summary + (f" {reason}" if reason else ""),
            changes={
                "learner": [str(learner), str(learner)],
                "offering": [source.label, target.label],
            },
        )
    return moved


def enrollment_mark_complete(*, enrollment) -> bool:
    """Record that the learner has completed the course, once; announce it after commit.

    The caller holds the enrollment's row lock. Returns True when this call completed it.
    Refused (EnrollmentRefused) for a withdrawn learner and before the offering starts:
    completion never precedes the start.
    """
    if enrollment.completed_at is not None:
        return False
    if enrollment.is_withdrawn:
        raise EnrollmentRefused(f"{enrollment.learner} is withdrawn: they cannot complete.")
    starts_on = enrollment.offering.starts_on
    if timezone.localdate() < starts_on:
        raise EnrollmentRefused(
            f"This offering starts on {_day(starts_on)}: nobody completes it before then."
        )
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
    # The hand-off: the LEADS team issues these badges, so it is told, with the page to do it.
    completion_confirmed_announce(
        offering=offering, enrollment_ids=[e.pk for e in rows], acting_user=acting_user
    )
    return len(rows)
