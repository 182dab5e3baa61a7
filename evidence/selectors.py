"""Reads of learners' evidence: the rules that apply, a learner's attempts, an assessor's queue,
the moderation sample, and what a badge may say of the evidence. Fixed queries per page."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from assessments.services import may_record

from .file_kinds import FileKind
from .models import (
    EvidenceItem,
    EvidenceSubmission,
    Extension,
    HandInRules,
    Judgement,
    Moderation,
    SubmissionState,
)


@dataclass(frozen=True)
class Rules:
    """The hand-in rules in force for one offering and assessment (a row, or the defaults)."""

    due_at: datetime
    max_file_mb: int
    file_kinds: tuple[str, ...]
    anonymous_marking: bool
    saved: bool = False


def default_due(offering) -> datetime:
    """By default work is due at the end of the offering's last day, in the centre's time."""
    return timezone.make_aware(datetime.combine(offering.ends_on, time(23, 59)))


def hand_in_rules(offering, assessments) -> dict:
    """{assessment_id: Rules} for these assessments of one offering, in one query."""
    rows = {
        r.assessment_id: r
        for r in HandInRules.objects.filter(offering=offering, assessment__in=list(assessments))
    }
    found = {}
    for assessment in assessments:
        row = rows.get(assessment.pk)
        if row is None:
            found[assessment.pk] = Rules(
                due_at=default_due(offering),
                max_file_mb=20,
                file_kinds=tuple(FileKind.default_list()),
                anonymous_marking=False,
            )
        else:
            found[assessment.pk] = Rules(
                due_at=row.due_at,
                max_file_mb=row.max_file_mb,
                file_kinds=tuple(row.file_kinds),
                anonymous_marking=row.anonymous_marking,
                saved=True,
            )
    return found


def extension_until(enrollment, assessment):
    extension = (
        Extension.objects.filter(enrollment=enrollment, assessment=assessment)
        .order_by("-until")
        .first()
    )
    return extension.until if extension else None


def hand_in_closes(*, enrollment, assessment, rules, attempts) -> tuple[datetime, bool]:
    """(when this learner's hand-in closes, whether that is by an extension). Work returned for
    rework may be handed in again until the deadline or EVIDENCE_REWORK_DAYS after its return,
    whichever is later."""
    closes, by_extension = rules.due_at, False
    until = extension_until(enrollment, assessment)
    if until and until > closes:
        closes, by_extension = until, True
    last = attempts[-1] if attempts else None
    if last is not None and last.state == SubmissionState.RETURNED:
        rework = last.state_changed_at + timedelta(days=settings.EVIDENCE_REWORK_DAYS)
        if rework > closes:
            closes, by_extension = rework, False
    return closes, by_extension


def attempts(enrollment, assessment) -> list[EvidenceSubmission]:
    return list(
        EvidenceSubmission.objects.filter(enrollment=enrollment, assessment=assessment)
        .prefetch_related(
            "items", "judgements__assessor", "judgements__criteria__criterion__outcome"
        )
        .order_by("attempt")
    )


def stored_bytes(learner) -> int:
    """What a learner keeps stored in all (their quota counts every file not yet removed)."""
    return (
        EvidenceItem.objects.filter(
            submission__enrollment__learner=learner, kind=EvidenceItem.Kind.FILE, removed_at=None
        ).aggregate(total=Sum("size"))["total"]
        or 0
    )


def assessor_queue(*, user, offering, assessment_id=None, state=None):
    """An offering's submissions that an assessor works on, oldest first: those handed in and
    in review by default; any state when asked. Empty for anyone who may not judge."""
    if not may_record(user=user, offering=offering):
        return EvidenceSubmission.objects.none()
    submissions = EvidenceSubmission.objects.filter(enrollment__offering=offering).select_related(
        "enrollment__learner", "assessment"
    )
    if assessment_id:
        submissions = submissions.filter(assessment_id=assessment_id)
    if state:
        submissions = submissions.filter(state=state)
    else:  # waiting work; a withdrawn learner's is no longer judged
        submissions = submissions.filter(
            state__in=[SubmissionState.SUBMITTED, SubmissionState.IN_REVIEW],
            enrollment__withdrawn_at=None,
        )
    return submissions.order_by("submitted_at", "attempt")


def moderation_queue(*, user):
    """Submissions awaiting a second assessor that this person may moderate: of offerings they
    may judge (as `may_record` answers: instructors, the course's leader, the LEADS team), never
    their own first judgements."""
    awaiting = (
        EvidenceSubmission.objects.filter(moderation=Moderation.AWAITING)
        .exclude(judgements__stage="first", judgements__assessor=user)
        .select_related("enrollment__offering__course", "assessment")
        .order_by("submitted_at")
    )
    if user.is_leads_admin:
        return awaiting
    return awaiting.filter(
        Q(enrollment__offering__instructors=user) | Q(enrollment__offering__course__leader=user)
    ).distinct()


def referrals(*, user):
    """Disagreements between assessors waiting for this course leader (the LEADS team sees all)."""
    referred = (
        EvidenceSubmission.objects.filter(moderation=Moderation.REFERRED)
        .select_related("enrollment__offering__course", "assessment")
        .order_by("submitted_at")
    )
    if user.is_leads_admin:
        return referred
    return referred.filter(enrollment__offering__course__leader=user)


def may_see_submission(*, user, submission) -> bool:
    """The learner who handed it in; the offering's assessors and the LEADS team; the course
    leader. Everyone else is told it does not exist (404)."""
    if not user.is_authenticated:
        return False
    enrollment = submission.enrollment
    if enrollment.learner_id == user.pk:
        return True
    offering = enrollment.offering
    return may_record(user=user, offering=offering) or offering.course.leader_id == user.pk


def badge_evidence(record_ids) -> dict[int, list[EvidenceItem]]:
    """{record_id: [items]} for the passed records badges are issued on: what each learner
    handed in for each (the submission the record came from), in order. One query for a batch."""
    found: dict[int, list[EvidenceItem]] = {}
    for item in (
        EvidenceItem.objects.filter(submission__record_id__in=list(record_ids))
        .select_related("submission")
        .order_by("submission_id", "position")
    ):
        found.setdefault(item.submission.record_id, []).append(item)
    return found


def moderation_statement(course_lineage) -> dict:
    """The moderation record of every version of a course, for the submission pack's
    quality-assurance statement: how many results were judged, sampled, agreed, referred."""
    submissions = EvidenceSubmission.objects.filter(
        enrollment__offering__course__lineage=course_lineage
    ).exclude(state__in=[SubmissionState.SUBMITTED])
    judged = submissions.filter(
        Q(state__in=[SubmissionState.PASSED, SubmissionState.NOT_YET]) | ~Q(moderation="")
    )
    counts = dict.fromkeys(Moderation.values, 0)
    for value in judged.values_list("moderation", flat=True):
        counts[value] += 1
    sampled = sum(counts[m] for m in Moderation.values if m)
    return {
        "judged": judged.count(),
        "sampled": sampled,
        "awaiting": counts[Moderation.AWAITING],
        "agreed": counts[Moderation.AGREED],
        "referred": counts[Moderation.REFERRED],
        "resolved": counts[Moderation.RESOLVED],
    }


def recent_moderation_statements(*, days) -> list:
    """[(course, moderation statement)] for every course with evidence handed in during the
    last `days`, each counted over all its versions as the submission pack counts it."""
    from courses.models import Course

    since = timezone.now() - timedelta(days=days)
    lineages = set(
        EvidenceSubmission.objects.filter(submitted_at__gte=since).values_list(
            "enrollment__offering__course__lineage", flat=True
        )
    )
    latest = {}
    for course in Course.objects.filter(lineage__in=lineages).order_by("version"):
        latest[course.lineage] = course
    return sorted(
        ((course, moderation_statement(course.lineage)) for course in latest.values()),
        key=lambda pair: pair[0].title,
    )


def settled_judgement(submission):
    """(judgement whose criteria stand, feedback the learner is given) of a settled submission;
    (None, "") while it is open, so a first judgement awaiting moderation is never shown. The one
    answer for the learner's page and their e-mail: a moderator's agreement adds no feedback of
    its own (the first assessor's stands); a course leader who overrules gives their reason with
    the agreeing assessor's criteria."""
    if submission.is_open:
        return None, ""
    by_stage = {j.stage: j for j in submission.judgements.all()}
    first = by_stage.get(Judgement.Stage.FIRST)
    leader = by_stage.get(Judgement.Stage.LEADER)
    if submission.moderation == Moderation.RESOLVED and leader is not None and first is not None:
        if first.result == leader.result:
            return first, first.feedback
        return by_stage.get(Judgement.Stage.SECOND), leader.feedback
    return first, first.feedback if first else ""
