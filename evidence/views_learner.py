"""Learners' evidence pages: handing in for an assessment and following each attempt, deciding
which items a badge may link to, downloading what was handed in, the public link a badge names,
and applying for a course's badge by recognition of prior learning.

Every write goes through a service (evidence.services, courses.services); a refusal is shown
with the service's own words and changes nothing.
"""

import re
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from assessments.models import Assessment
from assessments.selectors import numbered_outcomes
from badges.models import Assertion
from courses.models import Course, CourseStatus, Enrollment, OfferingKind
from courses.services import EnrollmentRefused, prior_learning_apply

from . import selectors, services
from .file_kinds import FileKind, accepted_extensions
from .forms_learner import FILE_SLOTS, HandInForm
from .models import EvidenceItem, SubmissionState
from .services import HandInRefused

MB = services.MB
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# --- Handing in -------------------------------------------------------------------------------


class BodyLimit(FileUploadHandler):
    """Stops reading a hand-in once its body is larger than the assessment allows in all (five
    files of the largest size, and a megabyte for the rest), so an oversized upload is never
    written to disk. The rest of the body is read and dropped, so the learner gets the page that
    says why; the front web server bounds the raw body."""

    def __init__(self, request, limit):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Fields sent before the first file (the statement, the links) are still read.
        self.exceeded = content_length > self.limit

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.exceeded:
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _own_enrollment(request, enrollment_pk, assessment_pk):
    """The signed-in learner's enrolment and an assessment of its course, or 404."""
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("offering__course"),
        pk=enrollment_pk,
        learner=request.user,
    )
    assessment = get_object_or_404(
        Assessment, pk=assessment_pk, course_id=enrollment.offering.course_id
    )
    return enrollment, assessment


@csrf_exempt  # checked by _hand_in_page, once the upload handler bounds what is read
@login_required
def hand_in(request, enrollment_pk, assessment_pk):
    enrollment, assessment = _own_enrollment(request, enrollment_pk, assessment_pk)
    rules = selectors.hand_in_rules(enrollment.offering, [assessment])[assessment.pk]
    limit = None
    if request.method == "POST":
        # Before anything reads request.POST or request.FILES.
        limit = BodyLimit(request, (rules.max_file_mb * FILE_SLOTS + 1) * MB)
        request.upload_handlers.insert(0, limit)
    return _hand_in_page(request, enrollment, assessment, rules, limit)


@csrf_protect
def _hand_in_page(request, enrollment, assessment, rules, limit):
    accept = accepted_extensions(rules.file_kinds)
    form = HandInForm(accept=accept)
    if request.method == "POST":
        data, files = request.POST, request.FILES  # reads the body, through the limit
        if limit.exceeded:
            form = HandInForm(data, accept=accept)
            form.full_clean()
            form.add_error(
                None,
                f"What you sent is larger than this assessment allows (files of up to "
                f"{rules.max_file_mb} MB, at most {FILE_SLOTS}): nothing was handed in. Hand in "
                "smaller files, or links to where the work is kept.",
            )
        else:
            form = HandInForm(data, files, accept=accept)
            if form.is_valid():
                try:
                    submission = services.submission_hand_in(
                        enrollment=enrollment,
                        assessment=assessment,
                        acting_user=request.user,
                        statement=form.cleaned_data["statement"],
                        files=form.hand_in_files(),
                        links=form.hand_in_links(),
                    )
                except (HandInRefused, PermissionDenied) as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(
                        request,
                        f"Handed in: attempt {submission.attempt} of “{assessment.title}”. Your "
                        "assessor judges it against the criteria below; you are e-mailed when "
                        "it is judged.",
                    )
                    return redirect(
                        "evidence:hand_in", enrollment_pk=enrollment.pk, assessment_pk=assessment.pk
                    )
    return render(
        request,
        "evidence/learner/hand_in.html",
        _hand_in_context(enrollment, assessment, rules, form, accept),
    )


def _hand_in_context(enrollment, assessment, rules, form, accept):
    offering = enrollment.offering
    codes = {o.pk: code for code, o in numbered_outcomes([offering.course_id])[offering.course_id]}
    criteria = [
        (codes.get(c.outcome_id, ""), c)
        for c in assessment.criteria.select_related("outcome").order_by(
            "outcome__position", "outcome_id", "id"
        )
    ]
    attempts = selectors.attempts(enrollment, assessment)
    closes, by_extension = selectors.hand_in_closes(
        enrollment=enrollment, assessment=assessment, rules=rules, attempts=attempts
    )
    closed = _closed_reason(enrollment, attempts, closes)
    return {
        "enrollment": enrollment,
        "offering": offering,
        "course": offering.course,
        "assessment": assessment,
        "criteria": criteria,
        "rules": rules,
        "kinds": [FileKind(kind).label for kind in rules.file_kinds],
        "accept": accept,
        "closes": closes,
        "by_extension": by_extension,
        "closed": closed,
        "form": form,
        "attempts": [_attempt_view(s, codes) for s in reversed(attempts)],
        "files_lost": form.is_bound and bool(form.errors) and form.chose_files(),
    }


def _closed_reason(enrollment, attempts, closes):
    """Why the form is not offered, or None. Only what the page shows: the service decides."""
    last = attempts[-1] if attempts else None
    if enrollment.is_withdrawn:
        return "You were withdrawn from this offering: nothing more is handed in."
    if timezone.localdate() < enrollment.offering.starts_on:
        return f"This offering starts on {enrollment.offering.starts_on:%-d %b %Y}: hand in then."
    if last is not None and last.is_open:
        return "Your work is being judged: you can hand in again if it is returned for rework."
    if last is not None and last.state == SubmissionState.PASSED:
        return "You have passed this assessment: there is nothing more to hand in."
    if timezone.now() > closes:
        return "Hand-in is closed. Ask your instructor for an extension if you need more time."
    return None


def _attempt_view(submission, codes):
    judgement, feedback = selectors.settled_judgement(submission)
    criteria = []
    if judgement is not None:
        criteria = [
            {
                "code": codes.get(c.criterion.outcome_id, ""),
                "description": c.criterion.pass_description,
                "met": c.met,
                "comment": c.comment,
            }
            for c in judgement.criteria.all()
        ]
    return {
        "submission": submission,
        "state": SubmissionState(submission.state).label,
        "items": list(submission.items.all()),
        "feedback": feedback,
        "criteria": criteria,
    }


@login_required
@require_POST
def item_share(request, pk):
    item = get_object_or_404(
        EvidenceItem.objects.select_related("submission"),
        pk=pk,
        submission__enrollment__learner=request.user,
    )
    wanted = request.POST.get("public")
    public = (wanted == "1") if wanted in ("0", "1") else not item.public
    try:
        item = services.evidence_item_set_public(item=item, acting_user=request.user, public=public)
    except (HandInRefused, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        if item.public:
            said = f"Badges issued from now on link to “{item.title}”."
        else:
            said = (
                f"Badges issued from now on name “{item.title}” and its fingerprint, without "
                "a link to it; its link in a badge already issued now says you no longer share it."
            )
        messages.success(request, f"{said} A badge already issued keeps what it said.")
    submission = item.submission
    return redirect(
        reverse("evidence:hand_in", args=[submission.enrollment_id, submission.assessment_id])
        + f"#attempt-{submission.attempt}"
    )


# --- Files ------------------------------------------------------------------------------------


def _attachment(item, *, private, name=None):
    """The item's file as a download that no browser renders in our origin; 410 if it is gone."""
    try:
        handle = item.file.storage.open(item.file.name, "rb")
    except OSError:
        return None
    name = name or _CONTROL.sub("", item.file_name).strip() or "evidence"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=item.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store" if private else "no-cache"
    return response


def _gone(request, message):
    return render(request, "evidence/learner/gone.html", {"message": message}, status=410)


REMOVED = (
    "This file was removed under the centre's retention rule. Its title and fingerprint are kept."
)


def item_file(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    item = (
        EvidenceItem.objects.select_related("submission__enrollment__offering__course")
        .filter(pk=pk, kind=EvidenceItem.Kind.FILE)
        .first()
    )
    if item is None or not selectors.may_see_submission(
        user=request.user, submission=item.submission
    ):
        raise Http404("No such file.")
    if item.removed_at or not item.file:
        return _gone(request, REMOVED)
    name = None
    submission = item.submission
    if submission.enrollment.learner_id != request.user.pk and _marked_anonymously(submission):
        # The learner's own file name often carries their name: assessors get the code.
        name = f"{submission.code}-{item.position + 1}{PurePath(item.file_name).suffix.lower()}"
    return _attachment(item, private=True, name=name) or _gone(request, REMOVED)


def _marked_anonymously(submission) -> bool:
    offering = submission.enrollment.offering
    return selectors.hand_in_rules(offering, [submission.assessment])[
        submission.assessment_id
    ].anonymous_marking


def public_item(request, pk):
    """A file the learner shared in a badge: to anyone, while the badge stands."""
    item = (
        EvidenceItem.objects.select_related("submission")
        .filter(pk=pk, kind=EvidenceItem.Kind.FILE)
        .first()
    )
    if item is None or item.submission.record_id is None:
        raise Http404("No such item.")
    assertion = Assertion.objects.filter(
        enrollment_id=item.submission.enrollment_id, revoked_at=None
    ).first()
    if assertion is None:
        raise Http404("No such item.")
    # Public only as the badge says: an item the badge does not link (kept private at issue, or
    # shared only afterwards) does not exist here; one it links but the learner has withdrawn
    # is gone.
    own = reverse("evidence:public_item", args=[item.pk])
    named = any(
        isinstance(entry, dict) and str(entry.get("id", "")).endswith(own)
        for entry in (assertion.evidence or [])
    )
    if not named:
        raise Http404("No such item.")
    if not item.public:
        return _gone(request, "The learner no longer shares this item.")
    if item.removed_at or not item.file:
        return _gone(request, REMOVED)
    return _attachment(item, private=False) or _gone(request, REMOVED)


# --- Recognition of prior learning ------------------------------------------------------------


def _window(course):
    """The course's recognition-of-prior-learning offering: the one open now, else the next,
    else the last."""
    windows = list(course.offerings.filter(kind=OfferingKind.PRIOR_LEARNING))
    today = timezone.localdate()
    by_phase = {"running": [], "upcoming": [], "past": []}
    for window in windows:
        by_phase[window.phase(today)].append(window)
    if by_phase["running"]:
        return min(by_phase["running"], key=lambda w: w.ends_on)
    if by_phase["upcoming"]:
        return min(by_phase["upcoming"], key=lambda w: w.starts_on)
    if by_phase["past"]:
        return max(by_phase["past"], key=lambda w: w.ends_on)
    return None


def prior_learning_apply_view(request, lineage):
    course = (
        Course.objects.filter(lineage=lineage, status=CourseStatus.PUBLISHED)
        .select_related("unit", "leader")
        .order_by("-version")
        .first()
    )
    if course is None:
        raise Http404("No published course at this address.")
    window = _window(course)
    refusal = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if window is None:
            refusal = "This course takes no applications for recognition of prior learning."
        else:
            try:
                enrollment = prior_learning_apply(offering=window, learner=request.user)
            except (EnrollmentRefused, PermissionDenied) as exc:
                refusal = str(exc)
            else:
                messages.success(
                    request,
                    f"You have applied for “{course.title}” by recognition of prior learning. "
                    "Now hand in evidence for each assessment below, by "
                    f"{window.ends_on:%-d %B %Y}.",
                )
                return redirect("assessments:my_enrollment", pk=enrollment.pk)
    outcomes = numbered_outcomes([course.pk])[course.pk]
    codes = {o.pk: code for code, o in outcomes}
    applied = None
    if window is not None and request.user.is_authenticated:
        applied = Enrollment.objects.filter(
            offering=window, learner=request.user, withdrawn_at=None
        ).first()
    assessments = [
        (
            assessment,
            [
                (codes.get(c.outcome_id, ""), c)
                for c in sorted(
                    assessment.criteria.all(), key=lambda c: (c.outcome.position, c.outcome_id)
                )
            ],
        )
        for assessment in course.assessments.prefetch_related("criteria__outcome")
    ]
    return render(
        request,
        "evidence/learner/prior_learning.html",
        {
            "course": course,
            "outcomes": outcomes,
            "assessments": assessments,
            "window": window,
            "is_open": window is not None and window.phase(timezone.localdate()) == "running",
            "applied": applied,
            "refusal": refusal,
        },
    )
