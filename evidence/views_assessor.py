"""Assessors' pages: the queue of an offering's submissions, its hand-in rules and extensions,
judging against the rubric, blind moderation, the course leader's referrals and the centre's
moderation sample.

Every write goes through evidence.services; a refusal is shown on the form it came from, with
what was typed kept, and nothing changes. Submissions are not revealed to people who may not
judge them (404), and a learner's name is never shown where the hand-in rules ask for anonymous
marking.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.http import posted
from assessments.models import Assessment
from assessments.selectors import numbered_outcomes
from assessments.services import may_record
from courses.models import Offering
from courses.selectors import offering_roster

from . import selectors, services
from .forms_assessor import (
    DecisionForm,
    ExtensionForm,
    HandInRulesForm,
    JudgementForm,
    ModerationPolicyForm,
    QueueFilterForm,
)
from .models import EvidenceSubmission, Judgement, Moderation, ModerationPolicy, SubmissionState

# --- Helpers ----------------------------------------------------------------------------------


def _offering_to_judge(user, pk) -> Offering:
    offering = get_object_or_404(Offering.objects.select_related("course"), pk=pk)
    if not may_record(user=user, offering=offering):
        raise PermissionDenied("Only the offering's instructors and the LEADS team judge evidence.")
    return offering


def _submission(pk) -> EvidenceSubmission:
    return get_object_or_404(
        EvidenceSubmission.objects.select_related(
            "enrollment__learner", "enrollment__offering__course", "assessment"
        ),
        pk=pk,
    )


def _submission_to_judge(user, pk) -> EvidenceSubmission:
    """The submission, for those who may judge its offering; anyone else is told it does not
    exist, so its existence is not revealed."""
    submission = _submission(pk)
    if not may_record(user=user, offering=submission.enrollment.offering):
        raise Http404("No such submission.")
    return submission


def _anonymous(submission) -> bool:
    offering = submission.enrollment.offering
    return selectors.hand_in_rules(offering, [submission.assessment])[
        submission.assessment_id
    ].anonymous_marking


def _who(submission, anonymous) -> str:
    """How the learner is named on an assessor's page: the submission's code when marking is
    anonymous, their name otherwise."""
    if anonymous:
        return f"Submission {submission.code}"
    return submission.enrollment.learner.full_name or submission.enrollment.learner.email


def _rubric(assessment) -> list:
    """[(code, criterion)] of the assessment's rubric, coded LO1, LO2, … as everywhere else."""
    codes = {
        outcome.pk: code
        for code, outcome in numbered_outcomes([assessment.course_id])[assessment.course_id]
    }
    criteria = assessment.criteria.select_related("outcome")
    return [(codes.get(c.outcome_id, "LO"), c) for c in criteria]


def _judgements(submission) -> dict:
    """{stage: judgement with its criteria} of one submission, each criterion coded."""
    codes = _criterion_codes(submission.assessment)
    found = {}
    for judgement in submission.judgements.select_related("assessor").prefetch_related(
        "criteria__criterion__outcome"
    ):
        _code(judgement, codes)
        found[judgement.stage] = judgement
    return found


def _code(judgement, codes):
    # The template names each criterion by its outcome's code (LO1, …), as the rubric does.
    for criterion in judgement.criteria.all():
        criterion.code = codes.get(criterion.criterion_id, "")


def _evidence_context(submission, *, anonymous) -> dict:
    """What every page showing a submission shows: the learner (or code), the items, and the
    earlier attempts of the same learner at the same assessment with their judgements."""
    codes = _criterion_codes(submission.assessment)
    earlier = [
        s
        for s in selectors.attempts(submission.enrollment, submission.assessment)
        if s.attempt < submission.attempt
    ]
    for attempt in earlier:
        for judgement in attempt.judgements.all():
            _code(judgement, codes)
    return {
        "submission": submission,
        "offering": submission.enrollment.offering,
        "who": _who(submission, anonymous),
        "anonymous": anonymous,
        "items": list(submission.items.all()),
        "earlier": earlier,
    }


def _criterion_codes(assessment) -> dict:
    return {c.pk: code for code, c in _rubric(assessment)}


def _refused(form, exc):
    form.add_error(None, str(exc))


# --- An offering's queue, hand-in rules and extensions ------------------------------------------


@login_required
def queue(request, pk):
    offering = _offering_to_judge(request.user, pk)
    assessments = list(Assessment.objects.filter(course_id=offering.course_id))
    rules = selectors.hand_in_rules(offering, assessments)
    filters = QueueFilterForm(request.GET or None, assessments=assessments)
    assessment_id = state = None
    if filters.is_bound and filters.is_valid():
        assessment_id = filters.cleaned_data["assessment"]
        state = filters.cleaned_data["state"] or None
    submissions = selectors.assessor_queue(
        user=request.user, offering=offering, assessment_id=assessment_id, state=state
    )
    rows = [(s, _who(s, rules[s.assessment_id].anonymous_marking)) for s in submissions]
    return render(
        request,
        "evidence/assessor/queue.html",
        {
            "offering": offering,
            "filters": filters,
            "rows": rows,
            "assessment_rules": [(a, rules[a.pk]) for a in assessments],
        },
    )


@login_required
def rules(request, pk, assessment_pk):
    offering = _offering_to_judge(request.user, pk)
    assessment = get_object_or_404(Assessment, pk=assessment_pk, course_id=offering.course_id)
    current = selectors.hand_in_rules(offering, [assessment])[assessment.pk]
    form = HandInRulesForm(posted(request), initial=HandInRulesForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hand_in_rules_set(
                offering=offering,
                assessment=assessment,
                acting_user=request.user,
                due_at=data["due_at"],
                max_file_mb=data["max_file_mb"],
                file_kinds=data["file_kinds"],
                anonymous_marking=data["anonymous_marking"],
            )
        except services.HandInRefused as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Hand-in rules saved for “{assessment.title}”.")
            return redirect("evidence:queue", pk=offering.pk)
    return render(
        request,
        "evidence/assessor/rules.html",
        {"offering": offering, "assessment": assessment, "form": form, "current": current},
    )


@login_required
def extension(request, pk):
    offering = _offering_to_judge(request.user, pk)
    form = ExtensionForm(
        posted(request),
        enrollments=offering_roster(offering),
        assessments=Assessment.objects.filter(course_id=offering.course_id),
        initial={
            "assessment": request.GET.get("assessment"),
            "until": timezone.localtime().replace(second=0, microsecond=0) + timedelta(days=7),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.extension_grant(
                enrollment=data["enrollment"],
                assessment=data["assessment"],
                until=data["until"],
                reason=data["reason"],
                acting_user=request.user,
            )
        except services.HandInRefused as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                f"{data['enrollment'].learner.full_name} may hand in “{data['assessment'].title}” "
                f"until {timezone.localtime(data['until']):%-d %b %Y, %H:%M}.",
            )
            return redirect("evidence:queue", pk=offering.pk)
    return render(request, "evidence/assessor/extension.html", {"offering": offering, "form": form})


# --- Judging ----------------------------------------------------------------------------------


@login_required
def judge(request, pk):
    submission = _submission_to_judge(request.user, pk)
    anonymous = _anonymous(submission)
    # The learner is told "in review" when one of the offering's assessors opens it, not when
    # the LEADS team or the course leader looks in.
    if (
        request.method == "GET"
        and submission.state == SubmissionState.SUBMITTED
        and submission.enrollment.offering.instructors.filter(pk=request.user.pk).exists()
    ):
        submission = services.submission_start_review(
            submission=submission, acting_user=request.user
        )
    judgements = _judgements(submission)
    first = judgements.get(Judgement.Stage.FIRST)
    # Open for a first judgement exactly when the service would take one.
    can_judge = submission.is_open and not submission.moderation
    # While the sample waits for a second assessor, only the first assessor sees their
    # judgement here: moderation is blind, and a moderator may open this page too.
    hidden = submission.moderation == Moderation.AWAITING and (
        first is None or first.assessor_id != request.user.pk
    )
    form = None
    # A POST always reaches the service, whatever the page last showed: if someone judged it
    # meanwhile, the service says who, and what was typed stays on the form.
    if can_judge or request.method == "POST":
        form, judged = _rubric_judgement(request, submission, services.submission_judge)
        if judged:
            messages.success(request, _judged_message(submission))
            return redirect("evidence:queue", pk=submission.enrollment.offering_id)
    return render(
        request,
        "evidence/assessor/judge.html",
        {
            **_evidence_context(submission, anonymous=anonymous),
            "form": form,
            "judgements": [] if hidden else _in_order(judgements),
            "hidden": hidden,
        },
    )


def _rubric_judgement(request, submission, service, *, moderation=False):
    """The rubric form and, on a valid POST, ``service``'s judgement (first or moderation):
    (form, judged). A refusal is shown on the form, with what was typed kept."""
    form = JudgementForm(
        posted(request),
        criteria=_rubric(submission.assessment),
        moderation=moderation,
        initial={"revision": submission.revision},
    )
    if request.method != "POST" or not form.is_valid():
        return form, False
    try:
        service(
            submission=submission,
            acting_user=request.user,
            criteria=form.judged_criteria(),
            result=form.cleaned_data["result"],
            feedback=form.cleaned_data["feedback"],
            revision=form.cleaned_data["revision"],
        )
    except services.JudgementRefused as exc:
        _refused(form, exc)
        return form, False
    submission.refresh_from_db()
    return form, True


def _in_order(judgements: dict) -> list:
    return [judgements[s] for s in Judgement.Stage.values if s in judgements]


def _judged_message(submission) -> str:
    if submission.moderation == Moderation.AWAITING:
        return (
            f"Judgement recorded. Submission {submission.code} is in the moderation sample: a "
            "second assessor judges it before the learner is told."
        )
    return f"Judgement recorded: {submission.get_state_display().lower()}. The learner is told."


# --- Moderation -------------------------------------------------------------------------------


@login_required
def moderation_queue(request):
    user = request.user
    if not (user.is_instructor or user.is_course_leader or user.is_leads_admin):
        raise PermissionDenied("Instructors, course leaders and the LEADS team moderate.")
    submissions = list(selectors.moderation_queue(user=request.user))
    return render(request, "evidence/assessor/moderation_queue.html", {"submissions": submissions})


FIRST_ASSESSOR_REFUSED = "You judged this submission first: a second assessor moderates it."


@login_required
def moderate(request, pk):
    submission = _submission_to_judge(request.user, pk)
    anonymous = _anonymous(submission)
    judgements = _judgements(submission)
    first = judgements.get(Judgement.Stage.FIRST)
    second = judgements.get(Judgement.Stage.SECOND)
    first_assessor = first is not None and first.assessor_id == request.user.pk
    awaiting = submission.moderation == Moderation.AWAITING
    form = None
    if awaiting or request.method == "POST":
        form, judged = _rubric_judgement(
            request, submission, services.submission_moderate, moderation=True
        )
        if judged:
            if submission.moderation == Moderation.REFERRED:
                messages.warning(
                    request,
                    "Your judgement differs from the first assessor's: the course leader "
                    "decides. Both judgements are below.",
                )
            else:
                messages.success(request, "You agree with the first assessor: it is settled.")
            return redirect("evidence:moderate", pk=submission.pk)
    # Blind: nothing of the first judgement shows until this moderator's own is recorded. The
    # first assessor is refused the form (the service refuses them too, with its reason), and
    # sees only their own judgement.
    refusal = None
    if first_assessor and form is not None:
        refused = form.non_field_errors() if form.is_bound else None
        refusal = refused[0] if refused else FIRST_ASSESSOR_REFUSED
        form = None
    shown = []
    if second is not None and submission.moderation != Moderation.NOT_SAMPLED:
        shown = _in_order(judgements)
    elif first_assessor:
        shown = [first]
    return render(
        request,
        "evidence/assessor/moderate.html",
        {
            **_evidence_context(submission, anonymous=anonymous),
            "form": form,
            "awaiting": awaiting,
            "first_assessor": first_assessor,
            "refusal": refusal,
            "judgements": shown,
            "side_by_side": second is not None,
        },
    )


# --- Referrals: the course leader settles disagreements ---------------------------------------


@login_required
def referrals(request):
    if not (request.user.is_course_leader or request.user.is_leads_admin):
        raise PermissionDenied("Course leaders settle disagreements between assessors.")
    submissions = list(selectors.referrals(user=request.user))
    return render(request, "evidence/assessor/referrals.html", {"submissions": submissions})


@login_required
def decide(request, pk):
    submission = _submission(pk)
    course = submission.enrollment.offering.course
    if not (request.user.is_leads_admin or course.leader_id == request.user.pk):
        raise Http404("No such referral.")
    anonymous = _anonymous(submission)
    referred = submission.moderation == Moderation.REFERRED
    form = None
    if referred or request.method == "POST":
        form = DecisionForm(posted(request), initial={"revision": submission.revision})
        if request.method == "POST" and form.is_valid():
            try:
                services.submission_decide(
                    submission=submission,
                    acting_user=request.user,
                    result=form.cleaned_data["result"],
                    reason=form.cleaned_data["reason"],
                    revision=form.cleaned_data["revision"],
                )
            except services.JudgementRefused as exc:
                _refused(form, exc)
            else:
                messages.success(request, "Decision recorded. The learner is told.")
                return redirect("evidence:referrals")
    judgements = _judgements(submission)
    return render(
        request,
        "evidence/assessor/decide.html",
        {
            **_evidence_context(submission, anonymous=anonymous),
            "form": form,
            "referred": referred,
            # A referral is past moderation: both assessors have judged, so both are shown.
            "judgements": _in_order(judgements)
            if submission.moderation in (Moderation.REFERRED, Moderation.RESOLVED)
            else [],
        },
    )


# --- The centre's moderation sample -------------------------------------------------------------

RECENT_DAYS = 365


@login_required
def policy(request):
    if not request.user.is_leads_admin:
        raise PermissionDenied("The LEADS team sets the centre's moderation sample.")
    current = ModerationPolicy.objects.first() or ModerationPolicy()
    form = ModerationPolicyForm(
        posted(request),
        initial={"sample_percent": current.sample_percent, "every_not_yet": current.every_not_yet},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.moderation_policy_set(
                acting_user=request.user,
                sample_percent=form.cleaned_data["sample_percent"],
                every_not_yet=form.cleaned_data["every_not_yet"],
            )
        except services.JudgementRefused as exc:
            _refused(form, exc)
        else:
            messages.success(request, "The moderation sample is saved; it applies from now on.")
            return redirect("evidence:policy")
    return render(
        request,
        "evidence/assessor/policy.html",
        {
            "form": form,
            "current": current,
            "statements": selectors.recent_moderation_statements(days=RECENT_DAYS),
            "recent_days": RECENT_DAYS,
        },
    )
