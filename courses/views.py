"""The LEADS team's pages for running courses: publishing, offerings, enrolment, completion."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import leads_admin_required
from accounts.audit import audit_history
from accounts.http import posted
from accounts.services import learner_get_or_invite

from . import forms, selectors
from .models import BadgeIssueMode, Course, CourseStatus, Enrollment, Offering, OfferingKind
from .services import (
    EnrollmentRefused,
    TransitionNotAllowed,
    course_publish,
    course_retire,
    enrollment_create,
    enrollment_move,
    enrollment_withdraw,
    enrollments_confirm_completion,
    offering_create,
    offering_update,
)


@leads_admin_required
def centre_courses(request):
    return render(request, "courses/centre_courses.html", {"courses": selectors.centre_courses()})


@leads_admin_required
def course_publish_view(request, pk):
    """GET says what publishing does and asks to confirm; only the confirming POST publishes."""
    course = get_object_or_404(Course.objects.select_related("unit", "leader"), pk=pk)
    if request.method != "POST":
        if course.status != CourseStatus.APPROVED:
            messages.info(request, f"“{course.title}” is not awaiting publication.")
            return redirect("courses:centre_courses")
        earlier = (
            Course.objects.filter(lineage=course.lineage, status=CourseStatus.PUBLISHED)
            .exclude(pk=course.pk)
            .first()
        )
        return render(
            request, "courses/course_publish.html", {"course": course, "earlier": earlier}
        )
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


def _offering_forms(request, course, offering, initial, session_initial):
    form = forms.OfferingForm(posted(request), initial=initial, course=course, offering=offering)
    sessions = forms.SessionFormSet(posted(request), initial=session_initial, prefix="sessions")
    return form, sessions


def _refused(form, exc):
    """Show the service's refusal beside the fields it names (or above the form)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))


@leads_admin_required
def offering_create_view(request, pk):
    course = get_object_or_404(Course, pk=pk)
    # Prefilled from the approved template: its instructors, in-person units, planned dates.
    initial, session_initial = forms.offering_initial(course)
    form, sessions = _offering_forms(request, course, None, initial, session_initial)
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
                sessions=sessions.sessions(),
                kind=data.get("kind") or OfferingKind.COHORT,
            )
        except (EnrollmentRefused, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Offering created. Enrol its learners next.")
            return redirect("courses:offering_detail", pk=offering.pk)
    return render(
        request,
        "courses/offering_form.html",
        {"course": course, "form": form, "sessions": sessions},
    )


@leads_admin_required
def offering_edit_view(request, pk):
    offering = get_object_or_404(Offering.objects.select_related("course"), pk=pk)
    initial, session_initial = forms.offering_current(offering)
    form, sessions = _offering_forms(request, offering.course, offering, initial, session_initial)
    if request.method == "POST" and form.is_valid() and sessions.is_valid():
        try:
            offering_update(
                offering=offering,
                acting_user=request.user,
                **form.cleaned_data,
                sessions=sessions.sessions(),
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, "The offering is saved; its history shows what changed.")
            return redirect("courses:offering_detail", pk=offering.pk)
    return render(
        request,
        "courses/offering_form.html",
        {"course": offering.course, "offering": offering, "form": form, "sessions": sessions},
    )


def _enrollment_for_admin(offering_pk, pk):
    return get_object_or_404(
        Enrollment.objects.select_related("learner", "offering__course"),
        pk=pk,
        offering_id=offering_pk,
    )


@leads_admin_required
def enrollment_withdraw_view(request, pk, enrollment_pk):
    enrollment = _enrollment_for_admin(pk, enrollment_pk)
    form = forms.WithdrawForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            enrollment_withdraw(
                enrollment=enrollment,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except (EnrollmentRefused, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                f"{enrollment.learner} is withdrawn; their place is free. Their record stays "
                "under “Withdrawn learners”.",
            )
            return redirect("courses:offering_detail", pk=enrollment.offering_id)
    return render(
        request,
        "courses/enrollment_withdraw.html",
        {"enrollment": enrollment, "offering": enrollment.offering, "form": form},
    )


@leads_admin_required
def enrollment_move_view(request, pk, enrollment_pk):
    enrollment = _enrollment_for_admin(pk, enrollment_pk)
    form = forms.MoveForm(posted(request), enrollment=enrollment)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["to_offering"]
        try:
            enrollment_move(
                enrollment=enrollment,
                to_offering=target,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except (EnrollmentRefused, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"{enrollment.learner} is moved to {target.label}.")
            return redirect("courses:offering_detail", pk=enrollment.offering_id)
    return render(
        request,
        "courses/enrollment_move.html",
        {"enrollment": enrollment, "offering": enrollment.offering, "form": form},
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
    withdrawn = list(selectors.offering_withdrawn(offering)) if user.is_leads_admin else []
    manual = offering.course.badge_issue_mode == BadgeIssueMode.MANUAL
    return render(
        request,
        "courses/offering_detail.html",
        {
            "offering": offering,
            "phase": offering.phase(selectors.today()),
            "roster": roster,
            "withdrawn": withdrawn,
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
