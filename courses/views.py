"""The LEADS team's pages for running courses: publishing, offerings, enrolment, completion."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import leads_admin_required
from accounts.audit import audit_history
from accounts.http import posted
from accounts.services import learner_get_or_invite

from . import forms, selectors
from .models import BadgeIssueMode, Course, Offering
from .services import (
    EnrollmentRefused,
    TransitionNotAllowed,
    course_publish,
    course_retire,
    enrollment_create,
    enrollments_confirm_completion,
    offering_create,
)


@leads_admin_required
def centre_courses(request):
    return render(request, "courses/centre_courses.html", {"courses": selectors.centre_courses()})


@require_POST
@leads_admin_required
def course_publish_view(request, pk):
    course = get_object_or_404(Course, pk=pk)
    try:
        course_publish(course=course, acting_user=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{course.title}” is now in the public catalogue.")
    return redirect("courses:centre_courses")


@leads_admin_required
def course_retire_view(request, pk):
    course = get_object_or_404(Course, pk=pk)
    form = forms.RetireForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            course_retire(
                course=course, acting_user=request.user, comment=form.cleaned_data["comment"]
            )
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"“{course.title}” has left the catalogue. Badges already issued stay valid.",
            )
        return redirect("courses:centre_courses")
    return render(request, "courses/course_retire.html", {"course": course, "form": form})


@leads_admin_required
def offering_create_view(request, pk):
    course = get_object_or_404(Course, pk=pk)
    form = forms.OfferingForm(posted(request))
    sessions = forms.SessionFormSet(posted(request), prefix="sessions")
    if request.method == "POST" and form.is_valid() and sessions.is_valid():
        data = form.cleaned_data
        try:
            offering = offering_create(
                course=course,
                acting_user=request.user,
                title=data["title"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                capacity=data["capacity"],
                instructors=data["instructors"],
                sessions=[s.cleaned_data for s in sessions if s.cleaned_data],
            )
        except EnrollmentRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Offering created. Enrol its learners next.")
            return redirect("courses:offering_detail", pk=offering.pk)
    return render(
        request,
        "courses/offering_form.html",
        {"course": course, "form": form, "sessions": sessions},
    )


@login_required
def offering_list(request):
    offerings = selectors.offerings_for(request.user).order_by("-starts_on")
    if not (
        request.user.is_leads_admin or request.user.is_instructor or request.user.is_course_leader
    ):
        raise PermissionDenied("This page is for the LEADS team, instructors and course leaders.")
    today = selectors.today()
    return render(
        request,
        "courses/offering_list.html",
        {"offerings": [(o, o.phase(today)) for o in offerings]},
    )


def _offering_for(user, pk):
    offering = get_object_or_404(
        Offering.objects.select_related("course", "course__unit", "course__leader"), pk=pk
    )
    if not selectors.may_open_offering(user=user, offering=offering):
        raise Http404("No such offering.")
    return offering


@login_required
def offering_detail(request, pk):
    offering = _offering_for(request.user, pk)
    user = request.user
    form = forms.EnrolForm(posted(request)) if user.is_leads_admin else None
    if request.method == "POST" and "enrol" in request.POST:
        if form is None:
            raise PermissionDenied("Only the LEADS team enrols learners.")
        if form.is_valid():
            return _enrol(request, offering, form.cleaned_data) or redirect(
                "courses:offering_detail", pk=offering.pk
            )
    roster = list(selectors.offering_roster(offering))
    manual = offering.course.badge_issue_mode == BadgeIssueMode.MANUAL
    return render(
        request,
        "courses/offering_detail.html",
        {
            "offering": offering,
            "phase": offering.phase(selectors.today()),
            "roster": roster,
            "sessions": offering.sessions.all(),
            "instructors": offering.instructors.all(),
            "form": form,
            "manual": manual,
            "can_confirm": manual and (user.pk == offering.course.leader_id or user.is_leads_admin),
            "completed": sum(1 for e in roster if e.completed_at),
            # Who created and changed the offering: for the LEADS team, who run it.
            "history": audit_history(offering) if user.is_leads_admin else None,
        },
    )


def _enrol(request, offering, data):
    try:
        with transaction.atomic():
            learner, created = learner_get_or_invite(
                email=data["email"],
                full_name=data["full_name"],
                reason=f"You have been enrolled in “{offering.course.title}”.",
            )
            enrollment_create(
                offering=offering,
                learner=learner,
                acting_user=request.user,
                student_id=data["student_id"],
            )
    except EnrollmentRefused as exc:
        messages.error(request, str(exc))
        return None
    note = " An invitation to set a password has been e-mailed." if created else ""
    messages.success(request, f"{learner} is enrolled.{note}")
    return None


@require_POST
@login_required
def offering_confirm(request, pk):
    offering = _offering_for(request.user, pk)
    ids = [int(i) for i in request.POST.getlist("enrollment") if i.isdigit()]
    if not ids:
        messages.error(request, "Choose at least one learner to confirm.")
        return redirect("courses:offering_detail", pk=offering.pk)
    try:
        count = enrollments_confirm_completion(
            offering=offering, enrollment_ids=ids, acting_user=request.user
        )
    except EnrollmentRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Completion confirmed for {count} learner{'s' if count != 1 else ''}: "
            "the LEADS team can issue their badges.",
        )
    return redirect("courses:offering_detail", pk=offering.pk)
