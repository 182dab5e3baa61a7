"""The Dean's and the LEADS admin's pages: the queue, the review and decision, every submission,
and the printable submission pack. Reads come from selectors, writes go through services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.access import leads_admin_required

from . import selectors
from .access import dean_only, leads_people_only
from .diff import display_labels, snapshot_diff
from .forms_review import DecisionForm, SubmissionFilterForm
from .models import Decision
from .pack import pack_filename, submission_pack_pdf
from .services import (
    AlreadyDecided,
    may_decide,
    may_view_course,
    submission_approve,
    submission_reject,
    submission_request_changes,
)

DECIDE = {
    Decision.Outcome.APPROVED: submission_approve,
    Decision.Outcome.CHANGES_REQUESTED: submission_request_changes,
    Decision.Outcome.REJECTED: submission_reject,
}
DONE = {
    Decision.Outcome.APPROVED: "You approved “{title}”.",
    Decision.Outcome.CHANGES_REQUESTED: "You asked for changes to “{title}”.",
    Decision.Outcome.REJECTED: "You rejected “{title}”.",
}
PAGE_SIZE = 50


def _submission_for(user, pk):
    """The submission if this person may see its course; otherwise 404, like course_for."""
    submission = selectors.submission_get(pk=pk)
    if submission is None or not may_view_course(user=user, course=submission.course):
        raise Http404("No such submission.")
    return submission


def _why_no_decision(user, submission, awaiting):
    """Why this person is not offered the decision form, in words; None when they are."""
    course = submission.course
    if not awaiting:
        return None  # the page shows the decision, or that it is no longer awaiting one
    if course.leader_id == user.pk:
        return (
            "You lead this course, so you cannot decide on it: another dean or designate of "
            f"{course.unit.name} decides."
        )
    if not may_decide(user=user, course=course):
        return (
            f"Only the dean of {course.unit.name} or one of the dean's designates decides on "
            "this submission."
        )
    return None


def _review_page(request, submission, form=None):
    user = request.user
    course = submission.course
    previous = selectors.previous_decided_submission(submission)
    awaiting = selectors.submission_is_awaiting(submission)
    refusal = _why_no_decision(user, submission, awaiting)
    can_decide = awaiting and refusal is None
    context = {
        "submission": submission,
        "course": course,
        "snapshot": submission.snapshot,
        "labels": display_labels(submission.snapshot),
        "checklist_items": selectors.submission_checklist(submission),
        "decision": selectors.decision_of(submission),
        "awaiting": awaiting,
        "age": selectors.age_in_words(submission.submitted_at),
        "previous": previous,
        "changes": snapshot_diff(previous.snapshot, submission.snapshot) if previous else None,
        "transitions": selectors.course_history(course),
        "can_decide": can_decide,
        "refusal": refusal,
        "form": (form or DecisionForm()) if can_decide else None,
    }
    return render(request, "leads/review/submission.html", context)


@require_safe
@dean_only
def review_queue(request):
    rows = selectors.dean_queue(user=request.user)
    return render(
        request,
        "leads/review/queue.html",
        {"rows": rows, "units": request.user.dean_units},
    )


@require_safe
@leads_people_only
def submission_review(request, pk):
    return _review_page(request, _submission_for(request.user, pk))


@require_POST
@leads_people_only
def submission_decide(request, pk):
    submission = _submission_for(request.user, pk)
    if not may_decide(user=request.user, course=submission.course):
        raise PermissionDenied(
            _why_no_decision(request.user, submission, awaiting=True)
            or "You may not decide on this submission."
        )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _review_page(request, submission, form)
    outcome = form.cleaned_data["decision"]
    try:
        DECIDE[outcome](
            submission=submission,
            acting_user=request.user,
            comment=form.cleaned_data["comment"],
        )
    except AlreadyDecided as exc:
        messages.error(request, f"{exc} Nothing was changed.")
        return redirect("leads:submission_review", pk=submission.pk)
    except ValueError as exc:  # the service's own check of the comment
        form.add_error("comment", str(exc))
        return _review_page(request, submission, form)
    title = submission.snapshot.get("title") or submission.course.title
    messages.success(
        request,
        DONE[outcome].format(title=title) + " The course leader has been told by e-mail.",
    )
    return redirect("leads:submission_review", pk=submission.pk)


@require_safe
@leads_people_only
def submission_pack(request, pk):
    submission = _submission_for(request.user, pk)
    response = HttpResponse(submission_pack_pdf(submission), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pack_filename(submission)}"'
    return response


@require_safe
@leads_admin_required
def all_submissions(request):
    form = SubmissionFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    overview = selectors.submissions_filtered(**{**filters, "state": None})
    by_unit = selectors.states_by_unit(overview)
    page = Paginator(selectors.submissions_filtered(**filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.with_ages(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    state_query = query.copy()
    state_query.pop("state", None)
    return render(
        request,
        "leads/review/all_submissions.html",
        {
            "form": form,
            "page": page,
            "counts": selectors.state_counts(overview),
            "by_unit": by_unit,
            "states": selectors.SUBMISSION_STATES,
            "chart": selectors.chart_data(by_unit),
            "query": query.urlencode(),
            "state_query": state_query.urlencode(),
            "filtered": any(value for value in filters.values()),
            "overview_filtered": bool(filters.get("unit") or filters.get("waiting_more_than")),
        },
    )
