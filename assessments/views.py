"""Instructors record results (a grid for the cohort, a form per learner); learners follow their
progress per learning outcome."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.http import posted
from courses.models import Enrollment, Offering
from courses.selectors import learner_enrollments, offering_roster, today
from courses.services import completions_announced_together

from . import selectors
from .forms import GridForm, RecordForm
from .models import Assessment, AssessmentRecord
from .services import (
    RecordRefused,
    ResultEntry,
    may_record,
    offering_results_problem,
    record_result,
    results_record,
)


def _offering_to_record(user, pk):
    offering = get_object_or_404(Offering.objects.select_related("course", "course__unit"), pk=pk)
    if not may_record(user=user, offering=offering):
        raise PermissionDenied("Only the offering's instructors record its results.")
    return offering


@login_required
def grid(request, pk):
    offering = _offering_to_record(request.user, pk)
    enrollments = list(offering_roster(offering))
    assessments = selectors.course_plan(offering.course_id)
    current = selectors.current_records(enrollments)
    form = GridForm(
        posted(request), enrollments=enrollments, assessments=assessments, current=current
    )
    not_started = offering_results_problem(offering)
    if request.method == "POST" and form.is_valid():
        changes = list(form.changed_cells())
        try:
            with completions_announced_together(), transaction.atomic():
                results_record(
                    offering=offering,
                    acting_user=request.user,
                    entries=[
                        ResultEntry(enrollment=enrollment, assessment=assessment, result=result)
                        for enrollment, assessment, result in changes
                    ],
                    source=AssessmentRecord.Source.GRID,
                )
        except RecordRefused as exc:
            form.add_error(None, f"Nothing was recorded. {exc}")
        else:
            completed = (
                Enrollment.objects.active()
                .filter(offering=offering, completed_at__isnull=False)
                .count()
            )
            messages.success(
                request,
                f"{len(changes)} result{'s' if len(changes) != 1 else ''} recorded. "
                f"{completed} of {len(enrollments)} learners have completed the course.",
            )
            return redirect("assessments:grid", pk=offering.pk)
    progress = selectors.roster_progress(enrollments, offering.course_id)
    rows = [
        (
            enrollment,
            [(assessment, form[name], record) for assessment, name, record in cells],
            progress["demonstrated"].get(enrollment.pk, 0),
        )
        for enrollment, cells in form.cells
    ]
    return render(
        request,
        "assessments/grid.html",
        {
            "offering": offering,
            "form": form,
            "rows": rows,
            "assessments": assessments,
            "outcome_total": progress["total"],
            "not_started": not_started,
        },
    )


@login_required
def learner_record(request, pk, enrollment_pk):
    offering = _offering_to_record(request.user, pk)
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("learner", "offering__course"),
        pk=enrollment_pk,
        offering=offering,
    )
    assessments = Assessment.objects.filter(course_id=offering.course_id)
    form = RecordForm(
        posted(request), posted(request, files=True), assessments=assessments, offering=offering
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_result(
                enrollment=enrollment,
                assessment=data["assessment"],
                result=data["result"],
                acting_user=request.user,
                assessed_on=data["assessed_on"],
                score=data["score"],
                evidence_url=data["evidence_url"],
                evidence_text=data["evidence_text"],
                evidence_file=data["evidence_file"],
                feedback=data["feedback"],
            )
        except RecordRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Result recorded for {enrollment.learner}.")
            return redirect(
                "assessments:learner_record", pk=offering.pk, enrollment_pk=enrollment.pk
            )
    return render(
        request,
        "assessments/learner_record.html",
        {
            "offering": offering,
            "enrollment": enrollment,
            "form": form,
            "not_started": offering_results_problem(offering),
            "progress": selectors.enrollment_progress(enrollment),
            "history": selectors.record_history(enrollment),
        },
    )


@login_required
def my_learning(request):
    # Whether the enrollment's badge was revoked: the badges app's reverse one-to-one relation,
    # named by lookup (assessments never imports badges, DESIGN.md). A revoked badge's course is
    # not shown as Completed.
    enrollments = list(
        learner_enrollments(request.user).annotate(badge_revoked_at=F("assertion__revoked_at"))
    )
    progress = selectors.learner_progress(enrollments)
    now = today()
    rows = [(e, e.offering.phase(now), *progress[e.pk]) for e in enrollments]
    return render(request, "assessments/my_learning.html", {"rows": rows})


@login_required
def my_enrollment(request, pk):
    enrollment = get_object_or_404(
        Enrollment.objects.select_related(
            "offering__course__unit", "offering__course__leader"
        ).annotate(badge_id=F("assertion__pk"), badge_revoked_at=F("assertion__revoked_at")),
        pk=pk,
    )
    if enrollment.learner_id != request.user.pk:
        raise Http404("No such enrolment.")
    offering = enrollment.offering
    progress = selectors.enrollment_progress(enrollment)
    # The learner's latest attempt at each assessment, read through the relation's name so this
    # app imports nothing of the evidence app (it depends on this one).
    latest = {s.assessment_id: s for s in enrollment.evidence_submissions.order_by("attempt")}
    return render(
        request,
        "assessments/my_enrollment.html",
        {
            "enrollment": enrollment,
            "offering": offering,
            "phase": offering.phase(today()),
            "sessions": offering.sessions.all(),
            "units": offering.course.content_units.all(),
            "progress": progress,
            "demonstrated": sum(1 for p in progress if p.demonstrated),
            "history": selectors.record_history(enrollment),
            "hand_ins": [
                (assessment, latest.get(assessment.pk))
                for assessment in selectors.course_plan(offering.course_id)
            ],
        },
    )
