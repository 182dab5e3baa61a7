"""The course leader's pages: the LEADS course template section by section, the checklist and
submission, and the course page that leaders, deans and the LEADS team share."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.http import posted
from assessments.models import Assessment
from courses import outcome_verbs, rules
from courses.models import Course, CourseStatus
from courses.services import CourseNotEditable, TransitionNotAllowed
from courses.services import course_create as create

from . import checklist, forms
from .access import course_for, leads_people_only
from .diff import display_labels
from .services import (
    ContentUnitRow,
    OutcomeRow,
    SubmissionRefused,
    course_assessment_remove,
    course_assessment_save,
    course_section_save,
    course_submit,
    may_decide,
)
from .services import (
    course_checklist as live_checklist,
)
from .services import (
    course_revise as revise,
)

SECTION_TITLES = dict(checklist.TEMPLATE_SECTIONS)
SECTION_KEYS = [key for key, _ in checklist.TEMPLATE_SECTIONS]


def _leader_only(request, course):
    if course.leader_id != request.user.pk:
        raise PermissionDenied("Only the course's leader may change it.")


def _next_section(key):
    index = SECTION_KEYS.index(key)
    return SECTION_KEYS[index + 1] if index + 1 < len(SECTION_KEYS) else None


@leads_people_only
def my_courses(request):
    courses = (
        Course.objects.filter(leader=request.user)
        .select_related("unit")
        .order_by("title", "-version")
    )
    return render(request, "leads/course_list.html", {"courses": courses})


@leads_people_only
def course_create(request):
    if not request.user.is_course_leader:
        raise PermissionDenied("Only course leaders start new courses.")
    form = forms.CourseCreateForm(posted(request), initial={"unit": request.user.unit_id})
    if request.method == "POST" and form.is_valid():
        course = create(
            leader=request.user, unit=form.cleaned_data["unit"], title=form.cleaned_data["title"]
        )
        messages.success(request, "Course created. Fill in the template section by section.")
        return redirect("leads:course_section", pk=course.pk, section="basic")
    return render(request, "leads/course_create.html", {"form": form})


@leads_people_only
def course_detail(request, pk):
    course = course_for(request.user, pk)
    snapshot, items = live_checklist(course)
    submissions = list(
        course.submissions.select_related("decision__decided_by").order_by("-number")
    )
    transitions = course.transitions.select_related("acting_user")
    versions = Course.objects.filter(lineage=course.lineage).order_by("-version")
    pending = submissions[0] if submissions and course.status == CourseStatus.SUBMITTED else None
    return render(
        request,
        "leads/course_detail.html",
        {
            "course": course,
            "snapshot": snapshot,
            "labels": display_labels(snapshot),
            "items": items,
            "sections": _sections(course, items),
            "blocking": checklist.blocking_items(items),
            "submissions": submissions,
            "transitions": transitions,
            "versions": versions,
            "is_leader": course.leader_id == request.user.pk,
            "pending": pending,
            "can_decide": pending is not None and may_decide(user=request.user, course=course),
            "can_revise": course.leader_id == request.user.pk
            and course.status in {CourseStatus.APPROVED, CourseStatus.PUBLISHED}
            and not course.lineage_has_open_version(),
        },
    )


def _sections(course, items):
    status = checklist.section_status(items)
    return [
        {"key": key, "title": title, "problems": status[key]}
        for key, title in checklist.TEMPLATE_SECTIONS
    ]


# --- Sections of the template -------------------------------------------------------------------
SIMPLE_FORMS = {
    "basic": forms.BasicForm,
    "audience": forms.AudienceForm,
    "hours": forms.HoursForm,
    "modality": forms.ModalityForm,
    "budget": forms.BudgetForm,
    "badge": forms.BadgeForm,
    "eu": forms.EUForm,
}


def _section_forms(section, course, data):
    if section in SIMPLE_FORMS:
        return {"form": SIMPLE_FORMS[section](data, instance=course)}
    if section == "outcomes":
        return {
            "formset": forms.OutcomeFormSet(data, queryset=course.outcomes.all(), prefix="outcomes")
        }
    if section == "content":
        return {
            "form": forms.ScheduleForm(data, instance=course),
            "formset": forms.ContentUnitFormSet(
                data, queryset=course.content_units.all(), prefix="units"
            ),
        }
    if section == "assessment":
        return {"form": forms.EvidenceForm(data, instance=course)}
    raise Http404("No such section.")


def _kept(formset, main_field):
    """The formset's rows the leader keeps, in the order shown: not ticked for removal, and not
    emptied of their main field."""
    return [
        form
        for form in formset.forms
        if not formset._should_delete_form(form)
        and (form.cleaned_data.get(main_field) or "").strip()
    ]


def _form_fields(form):
    """The model fields a ModelForm edits, as cleaned (its extra fields are not the model's)."""
    return {
        name: form.cleaned_data[name] for name in form._meta.fields if name in form.cleaned_data
    }


def _section_writes(section, bound):
    """What saving the section writes, as the arguments of services.course_section_save."""
    writes = {}
    if "form" in bound:
        writes["fields"] = _form_fields(bound["form"])
    if section == "outcomes":
        writes["outcomes"] = [
            OutcomeRow(id=form.instance.pk, text=form.cleaned_data["text"].strip())
            for form in _kept(bound["formset"], "text")
        ]
    if section == "content":
        writes["content_units"] = [
            ContentUnitRow(
                id=form.instance.pk,
                title=form.cleaned_data["title"].strip(),
                is_in_person=form.cleaned_data["is_in_person"],
                place=form.cleaned_data["place"],
                timing=form.cleaned_data["timing"],
            )
            for form in _kept(bound["formset"], "title")
        ]
    return writes


@leads_people_only
def course_section(request, pk, section):
    course = course_for(request.user, pk)
    if section not in SECTION_TITLES:
        raise Http404("No such section.")
    _leader_only(request, course)
    if not course.is_editable:
        messages.info(request, CourseNotEditable(course).args[0])
        return redirect("leads:course_detail", pk=course.pk)
    bound = _section_forms(section, course, posted(request))
    if request.method == "POST" and all(f.is_valid() for f in bound.values()):
        course_section_save(
            course=course, acting_user=request.user, **_section_writes(section, bound)
        )
        advice = getattr(bound.get("form"), "advice", [])
        for finding in advice:
            messages.warning(request, finding.message)
        messages.success(request, f"{SECTION_TITLES[section]}: saved.")
        following = _next_section(section)
        if "continue" in request.POST and following:
            return redirect("leads:course_section", pk=course.pk, section=following)
        if "continue" in request.POST:
            return redirect("leads:course_checklist", pk=course.pk)
        return redirect("leads:course_section", pk=course.pk, section=section)
    _, items = live_checklist(course)
    context = {
        "course": course,
        "section": section,
        "section_title": SECTION_TITLES[section],
        "sections": _sections(course, items),
        "findings": checklist.section_findings(items, section),
        "refused": request.method == "POST",
        "next_section": _next_section(section),
        **bound,
    }
    if section == "outcomes":
        # The verb of each outcome as shown, unless its field already carries the error; the
        # page's script rechecks it as the leader types, from the same table.
        for form in bound["formset"].forms:
            text = form["text"].value() or ""
            form.verb_finding = (
                outcome_verbs.check_outcome_verb(text)
                if text.strip() and not form["text"].errors
                else None
            )
        context["verb_table"] = outcome_verbs.browser_table()
    if section in {"hours", "modality"}:
        context["browser_rules"] = {
            **rules.browser_rules(),
            "total_hours": float(course.total_hours),
        }
    if section == "assessment":
        context["assessments"] = course.assessments.prefetch_related(
            "outcomes", "criteria__outcome"
        )
    template = select_template([f"leads/section_{section}.html", "leads/section_form.html"])
    return HttpResponse(template.render(context, request))


@leads_people_only
def assessment_edit(request, pk, assessment_pk=None):
    course = course_for(request.user, pk)
    _leader_only(request, course)
    if not course.is_editable:
        messages.info(request, CourseNotEditable(course).args[0])
        return redirect("leads:course_detail", pk=course.pk)
    assessment = None
    if assessment_pk is not None:
        assessment = get_object_or_404(Assessment, pk=assessment_pk, course=course)
    form = forms.AssessmentForm(posted(request), instance=assessment, course=course)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        course_assessment_save(
            course=course,
            acting_user=request.user,
            assessment=assessment,
            title=data["title"],
            kind=data["kind"],
            purpose=data["purpose"],
            description=data["description"],
            criteria=form.criteria(),
        )
        messages.success(request, f"Assessment “{data['title']}” saved.")
        return redirect("leads:course_section", pk=course.pk, section="assessment")
    return render(
        request,
        "leads/assessment_form.html",
        {"course": course, "form": form, "assessment": assessment},
    )


@require_POST
@leads_people_only
def assessment_delete(request, pk, assessment_pk):
    course = course_for(request.user, pk)
    _leader_only(request, course)
    assessment = get_object_or_404(Assessment, pk=assessment_pk, course=course)
    try:
        course_assessment_remove(course=course, acting_user=request.user, assessment=assessment)
    except CourseNotEditable as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Assessment “{assessment.title}” removed.")
    return redirect("leads:course_section", pk=course.pk, section="assessment")


class _Refused(Exception):
    pass


@leads_people_only
def course_checklist(request, pk):
    course = course_for(request.user, pk)
    is_leader = course.leader_id == request.user.pk
    form = forms.ChecklistForm(
        posted(request),
        instance=course,
        initial={"signed_name": request.user.full_name},
    )
    reasons = []
    if request.method == "POST":
        _leader_only(request, course)
        if form.is_valid():
            try:
                with transaction.atomic():
                    course_section_save(
                        course=course, acting_user=request.user, fields=_form_fields(form)
                    )
                    if "submit" in request.POST:
                        course_submit(
                            course=course,
                            acting_user=request.user,
                            signed_name=form.cleaned_data["signed_name"],
                        )
            except SubmissionRefused as exc:
                # Nothing is kept from a refused submission, ticks included.
                reasons = exc.reasons
                course.refresh_from_db()
            except (CourseNotEditable, TransitionNotAllowed) as exc:
                messages.error(request, str(exc))
                return redirect("leads:course_detail", pk=course.pk)
            else:
                if "submit" in request.POST:
                    messages.success(
                        request,
                        "Submitted. The Dean and designates of "
                        f"{course.unit.name} have been told by e-mail.",
                    )
                    return redirect("leads:course_detail", pk=course.pk)
                messages.success(request, "Checklist saved.")
                return redirect("leads:course_checklist", pk=course.pk)
    _, items = live_checklist(course)
    return render(
        request,
        "leads/course_checklist.html",
        {
            "course": course,
            "items": items,
            "blocking": checklist.blocking_items(items),
            "form": form,
            "reasons": reasons,
            "is_leader": is_leader,
            "sections": _sections(course, items),
        },
        status=400 if reasons else 200,
    )


@leads_people_only
def course_revise(request, pk):
    """GET says what a revision is and asks to confirm; only the confirming POST starts one."""
    course = course_for(request.user, pk)
    if request.method != "POST":
        _leader_only(request, course)
        if course.status not in {CourseStatus.APPROVED, CourseStatus.PUBLISHED}:
            messages.info(request, "Only an approved or published course is revised.")
            return redirect("leads:course_detail", pk=course.pk)
        if course.lineage_has_open_version():
            messages.info(request, "A revision of this course is already open.")
            return redirect("leads:course_detail", pk=course.pk)
        return render(request, "leads/course_revise.html", {"course": course})
    try:
        draft = revise(course=course, acting_user=request.user)
    except TransitionNotAllowed:
        messages.error(request, "A revision of this course is already open.")
        return redirect("leads:course_detail", pk=course.pk)
    messages.success(
        request,
        f"Version {draft.version} started as a draft. Version {course.version} stays live "
        "until the Dean approves the revision.",
    )
    return redirect(reverse("leads:course_detail", args=[draft.pk]))
