"""Writes of learners' evidence: hand-in rules and extensions, handing in, judging against the
rubric, moderation, the learner's consent to link an item from their badge, and retention.

Each service checks who may act, locks what it changes and says what it writes (STYLE.md). A
judgement that settles a result records it through `assessments.services.record_result`, the
grid's own service, so completion and badges follow unchanged.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import User
from assessments.models import AssessmentRecord
from assessments.services import RecordRefused, may_record, record_result
from courses.models import Enrollment

from . import selectors
from .file_kinds import FileKind, FileRefused, recognise
from .models import (
    ALLOWED_TRANSITIONS,
    OPEN_STATES,
    CriterionJudgement,
    EvidenceItem,
    EvidenceSubmission,
    Extension,
    HandInRules,
    Judgement,
    Moderation,
    ModerationPolicy,
    SubmissionState,
)
from .notifications import judgement_announce, referral_announce

MB = 1024 * 1024
_WEB_ADDRESS = URLValidator(schemes=["http", "https"])


class HandInRefused(Exception):
    """A hand-in the rules refuse; nothing is stored."""


class JudgementRefused(Exception):
    """A judgement the rules refuse; nothing changes."""


def _day(value):
    return timezone.localtime(value).strftime("%-d %b %Y, %H:%M")


# --- Rules and extensions ---------------------------------------------------------------------


@transaction.atomic
def hand_in_rules_set(
    *, offering, assessment, acting_user, due_at, max_file_mb, file_kinds, anonymous_marking
) -> HandInRules:
    """Set how one offering's learners hand in for one assessment. The offering's instructors and
    the LEADS team set them; a video limit above the centre's EVIDENCE_MAX_VIDEO_MB is refused."""
    if not may_record(user=acting_user, offering=offering):
        raise PermissionDenied("Only the offering's instructors and the LEADS team set hand-ins.")
    if assessment.course_id != offering.course_id:
        raise HandInRefused(f"“{assessment.title}” is not an assessment of this course.")
    kinds = [FileKind(kind) for kind in file_kinds]
    if not kinds:
        raise HandInRefused("Accept at least one kind of file.")
    ceiling = settings.EVIDENCE_MAX_VIDEO_MB if FileKind.VIDEO in kinds else 50
    if not 1 <= max_file_mb <= ceiling:
        raise HandInRefused(f"The largest file may be from 1 to {ceiling} MB.")
    rules, _ = HandInRules.objects.update_or_create(
        offering=offering,
        assessment=assessment,
        defaults={
            "due_at": due_at,
            "max_file_mb": max_file_mb,
            "file_kinds": [str(kind) for kind in kinds],
            "anonymous_marking": anonymous_marking,
            "changed_by": acting_user,
        },
    )
    audit_record(
        actor=acting_user,
        action="evidence.hand_in_rules",
        target=offering,
        summary=f"Hand-in for “{assessment.title}”: due {_day(due_at)}, files up to "
        f"{max_file_mb} MB ({', '.join(kinds)}), "
        + ("anonymous marking." if anonymous_marking else "named marking."),
    )
    return rules


@transaction.atomic
def extension_grant(*, enrollment, assessment, until, reason, acting_user) -> Extension:
    """Give one learner until `until` for one assessment, with a reason, audited."""
    offering = enrollment.offering
    if not may_record(user=acting_user, offering=offering):
        raise PermissionDenied("Only the offering's instructors and the LEADS team grant time.")
    if assessment.course_id != offering.course_id:
        raise HandInRefused(f"“{assessment.title}” is not an assessment of this course.")
    if enrollment.is_withdrawn:
        raise HandInRefused(f"{enrollment.learner} was withdrawn from this offering.")
    if not reason.strip():
        raise HandInRefused("Say why the extension is granted.")
    if until <= timezone.now():
        raise HandInRefused("An extension ends in the future.")
    extension = Extension.objects.create(
        enrollment=enrollment, assessment=assessment, until=until, reason=reason.strip(),
        granted_by=acting_user,
    )  # fmt: skip
    audit_record(
        actor=acting_user,
        action="evidence.extension",
        target=offering,
        summary=f"{enrollment.learner} may hand in “{assessment.title}” until {_day(until)}: "
        f"{reason.strip()}",
    )
    return extension


# --- Handing in -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandInFile:
    upload: object  # an UploadedFile
    title: str = ""
    public: bool = False


@dataclass(frozen=True)
class HandInLink:
    url: str
    title: str = ""
    public: bool = False


def _sha256_of(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _check_file(upload, rules) -> tuple:
    limit = rules.max_file_mb * MB
    if upload.size > limit:
        raise HandInRefused(
            f"“{upload.name}” is {upload.size / MB:.1f} MB: files for this assessment may be "
            f"up to {rules.max_file_mb} MB."
        )
    if upload.size == 0:
        raise HandInRefused(f"“{upload.name}” is empty.")
    head = upload.read(8192)
    upload.seek(0)
    try:
        found = recognise(upload.name, head, kinds=rules.file_kinds)
    except FileRefused as exc:
        raise HandInRefused(str(exc)) from None
    return found


def submission_hand_in(
    *, enrollment, assessment, acting_user, statement="", files=(), links=()
) -> EvidenceSubmission:
    """A learner hands in evidence for one assessment of their enrolment: a new attempt, its
    items stored privately with their SHA-256.

    Refused (HandInRefused, nothing stored): anyone but the learner; a withdrawn learner; an
    assessment of another course; before the offering starts; after the hand-in closes (the
    deadline, an extension, or the rework window); while an earlier attempt is still being
    judged or once the assessment is passed; nothing handed in; a file too large, of a kind the
    assessment refuses or not what its name says; more than the learner's storage quota.
    """
    saved_files = []
    try:
        with transaction.atomic():
            return _hand_in(enrollment, assessment, acting_user, statement, list(files),
                            list(links), saved_files)  # fmt: skip
    except BaseException:
        for item in saved_files:  # the rows rolled back: their files go too
            item.file.storage.delete(item.file.name)
        raise


def _hand_in(enrollment, assessment, acting_user, statement, files, links, saved_files):
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("offering__course", "learner")
        .get(pk=enrollment.pk)
    )
    if acting_user is None or enrollment.learner_id != acting_user.pk:
        raise PermissionDenied("Only the learner hands in their own work.")
    # The quota counts all the learner's files: hand-ins to two enrolments wait for each other.
    User.objects.select_for_update().filter(pk=acting_user.pk).first()
    offering = enrollment.offering
    if enrollment.is_withdrawn:
        raise HandInRefused("You were withdrawn from this offering: nothing more is handed in.")
    if assessment.course_id != offering.course_id:
        raise HandInRefused(f"“{assessment.title}” is not an assessment of this course.")
    now = timezone.now()
    if timezone.localdate() < offering.starts_on:
        raise HandInRefused(
            f"This offering starts on {offering.starts_on:%-d %b %Y}: hand in from then."
        )
    rules = selectors.hand_in_rules(offering, [assessment])[assessment.pk]
    earlier = selectors.attempts(enrollment, assessment)
    last = earlier[-1] if earlier else None
    if last is not None and last.is_open:
        raise HandInRefused(
            f"Your work handed in on {_day(last.submitted_at)} is being judged: you can hand in "
            "again if it is returned for rework."
        )
    if last is not None and last.state == SubmissionState.PASSED:
        raise HandInRefused("You have passed this assessment: there is nothing more to hand in.")
    closes, by_extension = selectors.hand_in_closes(
        enrollment=enrollment, assessment=assessment, rules=rules, attempts=earlier
    )
    if now > closes:
        raise HandInRefused(
            f"Hand-in closed on {_day(closes)}. Ask your instructor for an extension if you need "
            "more time."
        )
    links = [link for link in links if link.url.strip()]
    for link in links:
        try:
            _WEB_ADDRESS(link.url.strip())
        except ValidationError:
            raise HandInRefused(
                f"“{link.url.strip()[:100]}” is not a web address (http or https)."
            ) from None
    statement = statement.strip()
    if not files and not links and not statement:
        raise HandInRefused("Hand in at least one file, link or written statement.")
    checked = [(upload, _check_file(upload.upload, rules)) for upload in files]
    adding = sum(upload.upload.size for upload in files)
    quota = settings.EVIDENCE_QUOTA_MB * MB
    stored = selectors.stored_bytes(enrollment.learner)
    if stored + adding > quota:
        raise HandInRefused(
            f"These files ({adding / MB:.1f} MB) would take your stored evidence past your "
            f"{settings.EVIDENCE_QUOTA_MB} MB limit ({stored / MB:.1f} MB used). Hand in smaller "
            "files, or links to where the work is kept."
        )
    submission = EvidenceSubmission.objects.create(
        enrollment=enrollment,
        assessment=assessment,
        attempt=(last.attempt + 1) if last else 1,
        statement=statement,
        submitted_at=now,
        state_changed_at=now,
        late=by_extension and now > rules.due_at,
    )
    position = 0
    for given, found in checked:
        upload = given.upload
        item = EvidenceItem(
            submission=submission,
            position=position,
            kind=EvidenceItem.Kind.FILE,
            # Under anonymous marking the file's own name (often the learner's) is not its title.
            title=(
                given.title.strip()
                or (f"File {position + 1}" if rules.anonymous_marking else upload.name)
            )[:200],
            file_name=upload.name[-200:],
            file_kind=found.kind,
            content_type=found.content_type,
            size=upload.size,
            sha256=_sha256_of(upload),
            public=given.public,
        )
        item.file.save(upload.name, upload, save=False)
        saved_files.append(item)
        item.save()
        position += 1
    for link in links:
        url = link.url.strip()
        EvidenceItem.objects.create(
            submission=submission, position=position, kind=EvidenceItem.Kind.LINK,
            title=(link.title.strip() or url)[:200], url=url,
            sha256=hashlib.sha256(url.encode()).hexdigest(), public=link.public,
        )  # fmt: skip
        position += 1
    if statement:
        EvidenceItem.objects.create(
            submission=submission, position=position, kind=EvidenceItem.Kind.TEXT,
            title="Written statement", text=statement,
            sha256=hashlib.sha256(statement.encode()).hexdigest(),
        )  # fmt: skip
    return submission


@transaction.atomic
def evidence_item_set_public(*, item, acting_user, public: bool) -> EvidenceItem:
    """The learner decides whether a badge issued from now on may link to this item itself.
    A badge already issued keeps what it said (it is never changed); withdrawing consent makes
    the item's public link answer that it was withdrawn."""
    item = (
        EvidenceItem.objects.select_for_update()
        .select_related("submission__enrollment")
        .get(pk=item.pk)
    )
    if item.submission.enrollment.learner_id != getattr(acting_user, "pk", None):
        raise PermissionDenied("Only the learner decides who sees their work.")
    if item.kind == EvidenceItem.Kind.TEXT:
        raise HandInRefused("A written statement is never linked; its fingerprint is.")
    item.public = public
    item.save(update_fields=["public"])
    return item


# --- Judging ----------------------------------------------------------------------------------


def _lock(submission) -> EvidenceSubmission:
    return (
        EvidenceSubmission.objects.select_for_update(of=("self",))
        .select_related("enrollment__offering__course", "enrollment__learner", "assessment")
        .get(pk=submission.pk)
    )


def _move(submission, to_state, now):
    if to_state not in ALLOWED_TRANSITIONS[SubmissionState(submission.state)]:
        raise JudgementRefused(
            f"This submission is {submission.get_state_display().lower()}: it cannot become "
            f"{SubmissionState(to_state).label.lower()}."
        )
    submission.state = to_state
    submission.state_changed_at = now


def _check_revision(submission, revision):
    if revision is not None and revision != submission.revision:
        last = submission.judgements.select_related("assessor").last()
        # Never who, while a second assessor judges blind.
        blind = submission.moderation == Moderation.AWAITING
        who = f"{last.assessor.full_name} " if last and not blind else "Someone "
        raise JudgementRefused(
            f"{who}changed this submission while you were reading it "
            f"(it is now {submission.get_state_display().lower()}). Nothing you entered was "
            "saved: open it again to see where it stands."
        )


@transaction.atomic
def submission_start_review(*, submission, acting_user) -> EvidenceSubmission:
    """An assessor opens a submission: the learner sees it is in review. Idempotent."""
    submission = _lock(submission)
    if not may_record(user=acting_user, offering=submission.enrollment.offering):
        raise PermissionDenied("Only the offering's assessors judge its submissions.")
    if submission.state == SubmissionState.SUBMITTED:
        _move(submission, SubmissionState.IN_REVIEW, timezone.now())
        submission.revision = F("revision") + 1
        submission.save(update_fields=["state", "state_changed_at", "revision"])
        submission.refresh_from_db(fields=["revision"])
    return submission


def _not_own_work(submission, acting_user):
    if submission.enrollment.learner_id == acting_user.pk:
        raise PermissionDenied("Nobody judges their own work.")


def _criteria_judged(submission, criteria):
    """[(criterion, met, comment)] for every criterion of the assessment, or JudgementRefused."""
    rubric = list(submission.assessment.criteria.select_related("outcome"))
    missing = [c for c in rubric if c.pk not in criteria]
    if missing:
        raise JudgementRefused(
            "Judge every criterion of the rubric: "
            + "; ".join(f"“{c.pass_description}”" for c in missing)
            + " has no judgement."
        )
    return [(c, bool(criteria[c.pk][0]), (criteria[c.pk][1] or "").strip()) for c in rubric]


def _overall_problem(result, judged):
    all_met = all(met for _, met, _ in judged)
    if result == Judgement.Result.PASS and not all_met:
        return "A pass needs every criterion met; return it for rework or find it not yet met."
    if result != Judgement.Result.PASS and all_met:
        return "Every criterion is met: the result is a pass."
    return None


def _judge(submission, *, stage, acting_user, criteria, result, feedback, now):
    if result not in Judgement.Result.values:
        raise JudgementRefused("Choose pass, rework or not yet demonstrated.")
    judged = _criteria_judged(submission, criteria)
    problem = _overall_problem(result, judged)
    if problem:
        raise JudgementRefused(problem)
    try:
        with transaction.atomic():
            judgement = Judgement.objects.create(
                submission=submission, stage=stage, assessor=acting_user, result=result,
                feedback=feedback.strip(), judged_at=now,
            )  # fmt: skip
    except IntegrityError:
        raise JudgementRefused("This submission was judged a moment ago.") from None
    CriterionJudgement.objects.bulk_create(
        CriterionJudgement(judgement=judgement, criterion=c, met=met, comment=comment)
        for c, met, comment in judged
    )
    return judgement


def _sampled(result) -> bool:
    policy = ModerationPolicy.objects.first() or ModerationPolicy()
    if result == Judgement.Result.NOT_YET and policy.every_not_yet:
        return True
    return secrets.randbelow(100) < policy.sample_percent


def _settle(submission, *, result, assessor, feedback, now):
    """Write the settled result: the learner's AssessmentRecord through the grid's service
    (pass, or fail for "not yet") in the name of the person who settles it, and the
    submission's final state."""
    final = SubmissionState.PASSED if result == Judgement.Result.PASS else SubmissionState.NOT_YET
    if submission.enrollment.is_withdrawn:
        # Said by the submission's code: under anonymous marking the assessor has no name.
        raise JudgementRefused(
            f"The learner of submission {submission.code} was withdrawn from this offering: no "
            "result is recorded for them."
        )
    try:
        record = record_result(
            enrollment=submission.enrollment,
            assessment=submission.assessment,
            result=AssessmentRecord.Result.PASS
            if final == SubmissionState.PASSED
            else AssessmentRecord.Result.FAIL,
            acting_user=assessor,
            feedback=feedback,
            # Not the anonymous code: the grid shows this beside the learner's name.
            evidence_text=f"Judged from the learner's submission (attempt {submission.attempt}, "
            f"handed in {_day(submission.submitted_at)}).",
            source=AssessmentRecord.Source.SUBMISSION,
        )
    except RecordRefused as exc:
        raise JudgementRefused(str(exc)) from None
    _move(submission, final, now)
    submission.record = record
    return record


@transaction.atomic
def submission_judge(
    *, submission, acting_user, criteria, result, feedback="", revision=None
) -> Judgement:
    """The first assessor's judgement: per criterion met or not (with a comment), an overall
    result that follows the rubric (pass only when every criterion is met), feedback.

    Rework returns the work to the learner. A pass or "not yet" is settled at once, unless the
    centre's moderation sample takes it: then it waits, in review, for a second assessor.
    Refused: anyone who may not judge the offering; a submission already judged, or changed
    since the assessor opened it (`revision`); a judgement that does not follow the rubric.
    """
    submission = _lock(submission)
    offering = submission.enrollment.offering
    if not may_record(user=acting_user, offering=offering):
        raise PermissionDenied("Only the offering's assessors judge its submissions.")
    _not_own_work(submission, acting_user)
    _check_revision(submission, revision)
    if not submission.is_open or submission.moderation:
        raise JudgementRefused(
            f"This submission is {submission.get_state_display().lower()}: it has been judged."
        )
    now = timezone.now()
    if submission.state == SubmissionState.SUBMITTED:
        _move(submission, SubmissionState.IN_REVIEW, now)
    judgement = _judge(submission, stage=Judgement.Stage.FIRST, acting_user=acting_user,
                       criteria=criteria, result=result, feedback=feedback, now=now)  # fmt: skip
    if result == Judgement.Result.REWORK:
        _move(submission, SubmissionState.RETURNED, now)
    elif _sampled(result):
        submission.moderation = Moderation.AWAITING
    else:
        _settle(submission, result=result, assessor=acting_user, feedback=judgement.feedback,
                now=now)  # fmt: skip
    submission.revision = F("revision") + 1
    submission.save()
    submission.refresh_from_db(fields=["revision"])
    if not submission.is_open:
        judgement_announce(submission=submission)
    return judgement


@transaction.atomic
def submission_moderate(
    *, submission, acting_user, criteria, result, feedback="", revision=None
) -> Judgement:
    """A second assessor judges a sampled submission blind (the pages show them nothing of the
    first judgement until theirs is recorded). If both reach the same result it is settled;
    otherwise the disagreement goes to the course leader. Audited."""
    submission = _lock(submission)
    offering = submission.enrollment.offering
    if not may_record(user=acting_user, offering=offering):
        raise PermissionDenied("Only the offering's assessors and the LEADS team moderate.")
    _not_own_work(submission, acting_user)
    _check_revision(submission, revision)
    if submission.moderation != Moderation.AWAITING:
        raise JudgementRefused("This submission is not waiting for moderation.")
    first = submission.judgements.get(stage=Judgement.Stage.FIRST)
    if first.assessor_id == acting_user.pk:
        raise JudgementRefused("A second assessor moderates: not the one who judged it first.")
    if result == Judgement.Result.REWORK:
        raise JudgementRefused("A moderator finds the skill demonstrated or not yet.")
    now = timezone.now()
    second = _judge(submission, stage=Judgement.Stage.SECOND, acting_user=acting_user,
                    criteria=criteria, result=result, feedback=feedback, now=now)  # fmt: skip
    if second.result == first.result:
        submission.moderation = Moderation.AGREED
        _settle(submission, result=first.result, assessor=acting_user, feedback=first.feedback,
                now=now)  # fmt: skip
        summary = f"Second assessor agreed: {first.get_result_display().lower()}."
    else:
        submission.moderation = Moderation.REFERRED
        summary = (
            f"Assessors disagree ({first.assessor}: {first.get_result_display().lower()}; "
            f"{acting_user}: {second.get_result_display().lower()}): referred to the course "
            "leader."
        )
    submission.revision = F("revision") + 1
    submission.save()
    submission.refresh_from_db(fields=["revision"])
    audit_record(
        actor=acting_user,
        action="evidence.moderated",
        target=offering,
        summary=f"{submission.assessment.title}, submission {submission.code}: {summary}",
    )
    if submission.moderation == Moderation.REFERRED:
        referral_announce(submission=submission)
    else:
        judgement_announce(submission=submission)
    return second


@transaction.atomic
def submission_decide(*, submission, acting_user, result, reason, revision=None) -> Judgement:
    """The course leader (or the LEADS team) settles a disagreement between assessors, with the
    reason. Audited; the learner is told."""
    submission = _lock(submission)
    course = submission.enrollment.offering.course
    if not (acting_user.is_leads_admin or course.leader_id == acting_user.pk):
        raise PermissionDenied("The course leader settles disagreements between assessors.")
    _not_own_work(submission, acting_user)
    _check_revision(submission, revision)
    if submission.moderation != Moderation.REFERRED:
        raise JudgementRefused("This submission has no disagreement to settle.")
    if submission.judgements.filter(assessor=acting_user).exists():
        raise JudgementRefused(
            "You judged this submission yourself: the LEADS team settles this disagreement."
        )
    if result not in (Judgement.Result.PASS, Judgement.Result.NOT_YET):
        raise JudgementRefused("Settle it as a pass or as not yet demonstrated.")
    if not reason.strip():
        raise JudgementRefused(
            "Give the reason for the decision: the learner and the audit see it."
        )
    now = timezone.now()
    first = submission.judgements.get(stage=Judgement.Stage.FIRST)
    decision = Judgement.objects.create(
        submission=submission, stage=Judgement.Stage.LEADER, assessor=acting_user,
        result=result, feedback=reason.strip(), judged_at=now,
    )  # fmt: skip
    submission.moderation = Moderation.RESOLVED
    feedback = first.feedback if result == first.result else reason.strip()
    _settle(submission, result=result, assessor=acting_user, feedback=feedback, now=now)
    submission.revision = F("revision") + 1
    submission.save()
    submission.refresh_from_db(fields=["revision"])
    audit_record(
        actor=acting_user,
        action="evidence.decided",
        target=submission.enrollment.offering,
        summary=f"{submission.assessment.title}, submission {submission.code}: "
        f"{decision.get_result_display().lower()}. {reason.strip()}",
    )
    judgement_announce(submission=submission)
    return decision


@transaction.atomic
def moderation_policy_set(*, acting_user, sample_percent, every_not_yet) -> ModerationPolicy:
    if not acting_user.is_leads_admin:
        raise PermissionDenied("The LEADS team sets the centre's moderation sample.")
    if not 0 <= sample_percent <= 100:
        raise JudgementRefused("The share moderated is from 0 to 100%.")
    policy = ModerationPolicy.objects.select_for_update().first() or ModerationPolicy()
    before = (policy.sample_percent, policy.every_not_yet) if policy.pk else (None, None)
    policy.sample_percent = sample_percent
    policy.every_not_yet = every_not_yet
    policy.changed_by = acting_user
    policy.save()
    audit_record(
        actor=acting_user,
        action="evidence.moderation_policy",
        target=policy,
        summary=f"Moderation: {sample_percent}% of passes"
        + (" and every “not yet demonstrated”." if every_not_yet else "."),
        changes={
            "sample_percent": [before[0], sample_percent],
            "every_not_yet": [before[1], every_not_yet],
        },
    )
    return policy


# --- Retention --------------------------------------------------------------------------------


def evidence_retention_sweep(*, now=None) -> int:
    """Remove the files of offerings that ended more than EVIDENCE_RETENTION_DAYS ago (README,
    "Evidence"); their titles and SHA-256 stay, and so does every badge that names them.
    Returns how many files were removed. Safe to run twice."""
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - timedelta(days=settings.EVIDENCE_RETENTION_DAYS)
    removed = 0
    due = EvidenceItem.objects.filter(
        kind=EvidenceItem.Kind.FILE,
        removed_at=None,
        submission__enrollment__offering__ends_on__lt=cutoff,
    ).exclude(  # never while it is still being judged or moderated
        Q(submission__state__in=list(OPEN_STATES))
        | Q(submission__moderation__in=[Moderation.AWAITING, Moderation.REFERRED])
    )
    for item in due.iterator():
        if item.file:
            item.file.storage.delete(item.file.name)
        EvidenceItem.objects.filter(pk=item.pk).update(removed_at=now, file="")
        removed += 1
    return removed
