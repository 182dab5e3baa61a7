from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse

from .models import (
    ContentUnit,
    Course,
    CourseTransition,
    Enrollment,
    LearningOutcome,
    Offering,
    OfferingSession,
)
from .services import (
    SESSION_FIELDS,
    EnrollmentRefused,
    enrollment_move,
    enrollment_move_targets,
    enrollment_withdraw,
    offering_create,
    offering_problems,
    offering_update,
)


class LearningOutcomeInline(admin.TabularInline):
    model = LearningOutcome
    extra = 0


class ContentUnitInline(admin.TabularInline):
    model = ContentUnit
    extra = 0


class CourseTransitionInline(admin.TabularInline):
    """The audit trail is read-only: transitions are written by the services alone."""

    model = CourseTransition
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "acting_user", "comment", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "unit", "leader", "status", "credits", "updated_at"]
    list_filter = ["status", "unit", "modality", "badge_level", "eqf_level"]
    search_fields = ["title", "leader__full_name", "leader__email"]
    list_select_related = ["unit", "leader"]
    # Status moves go through the services (with their audit rows and e-mails), never a field.
    readonly_fields = ["status", "lineage", "version", "revision_of", "created_at", "updated_at"]
    autocomplete_fields = ["leader", "unit"]
    filter_horizontal = ["instructors"]
    inlines = [LearningOutcomeInline, ContentUnitInline, CourseTransitionInline]


# --- Delivery: offerings and enrolments, written through the services ----------------------------


class OfferingAdminForm(forms.ModelForm):
    """The service's own rules (offering_problems) beside the fields; the service writes."""

    class Meta:
        model = Offering
        fields = ["course", "title", "starts_on", "ends_on", "capacity", "instructors"]

    def clean(self):
        data = super().clean()
        course = data.get("course") or getattr(self.instance, "course", None)
        if data.get("starts_on") and data.get("ends_on"):
            problems = offering_problems(
                course=course,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                capacity=data.get("capacity"),
                offering=self.instance if self.instance.pk else None,
            )
            for field, errors in problems.items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
        return data


class SessionInlineFormSet(BaseInlineFormSet):
    def sessions(self) -> list[dict]:
        return [
            {name: f.cleaned_data[name] for name in SESSION_FIELDS}
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]

    def clean(self):
        super().clean()
        offering = self.instance
        if any(self.errors) or not (offering.starts_on and offering.ends_on):
            return
        problems = offering_problems(
            course=None,
            starts_on=offering.starts_on,
            ends_on=offering.ends_on,
            sessions=self.sessions(),
        )
        if NON_FIELD_ERRORS in problems:
            raise ValidationError(problems[NON_FIELD_ERRORS])


class OfferingSessionInline(admin.TabularInline):
    model = OfferingSession
    formset = SessionInlineFormSet
    extra = 0


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    """Offerings are created and changed through courses.services (rules, audit); learners
    are withdrawn or moved from the Enrollments list's actions."""

    form = OfferingAdminForm
    list_display = ["__str__", "starts_on", "ends_on", "capacity"]
    list_select_related = ["course"]
    search_fields = ["title", "course__title"]
    date_hierarchy = "starts_on"
    filter_horizontal = ["instructors"]
    autocomplete_fields = ["course"]
    inlines = [OfferingSessionInline]

    def get_readonly_fields(self, request, obj=None):
        return ["course"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # enrolments, results and badges point at it

    def save_model(self, request, obj, form, change):
        """Written in save_related, with the sessions, by the service."""

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        sessions = formsets[0].sessions() if formsets else []
        fields = {
            name: data[name]
            for name in ("title", "starts_on", "ends_on", "capacity", "instructors")
        }
        if change:
            offering_update(
                offering=form.instance, acting_user=request.user, **fields, sessions=sessions
            )
        else:
            offering = offering_create(
                course=data["course"], acting_user=request.user, **fields, sessions=sessions
            )
            form.instance.pk = offering.pk
        for formset in formsets:
            # The sessions were written by the service; the admin's change message (in its own
            # log) reads these, the audit trail has the details.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class ChooseOfferingForm(forms.Form):
    to_offering = forms.ModelChoiceField(queryset=Offering.objects.none(), label="Move to")
    reason = forms.CharField(required=False, max_length=2000, label="Why (optional)")


class WithdrawReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, label="Why are they withdrawn?")


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    """Read-only records; withdrawing and moving are actions that call the services."""

    list_display = ["learner", "offering", "enrolled_at", "completed_at", "withdrawn_at"]
    list_filter = [("withdrawn_at", admin.EmptyFieldListFilter), "offering__course"]
    list_select_related = ["learner", "offering__course"]
    search_fields = ["learner__email", "learner__full_name", "offering__title"]
    actions = ["withdraw_learners", "move_learners"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _intermediate(self, request, queryset, *, title, form, action, button):
        return TemplateResponse(
            request,
            "admin/courses/enrollment/action_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "queryset": queryset,
                "form": form,
                "action": action,
                "button": button,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def _report(self, request, done, refused, verb):
        if done:
            self.message_user(request, f"{done} learner{'s' if done != 1 else ''} {verb}.")
        for message in refused:
            self.message_user(request, message, level=messages.ERROR)

    @admin.action(description="Withdraw the selected learners (their places are freed)")
    def withdraw_learners(self, request, queryset):
        form = WithdrawReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, refused = 0, []
            for enrollment in queryset.select_related("learner"):
                try:
                    enrollment_withdraw(
                        enrollment=enrollment,
                        acting_user=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                    done += 1
                except (EnrollmentRefused, PermissionDenied) as exc:
                    refused.append(str(exc))
            self._report(request, done, refused, "withdrawn")
            return None
        return self._intermediate(
            request, queryset, title="Withdraw learners", form=form,
            action="withdraw_learners", button="Withdraw them",
        )  # fmt: skip

    @admin.action(description="Move the selected learners to another offering")
    def move_learners(self, request, queryset):
        queryset = queryset.select_related("learner", "offering__course")
        lineages = {e.offering.course.lineage for e in queryset}
        if len(lineages) != 1:
            self.message_user(
                request,
                "Choose learners of one course: they move between offerings of that course.",
                level=messages.ERROR,
            )
            return None
        form = ChooseOfferingForm(request.POST if "apply" in request.POST else None)
        first = queryset[0]
        form.fields["to_offering"].queryset = enrollment_move_targets(first).exclude(
            pk__in={e.offering_id for e in queryset}
        )
        if form.is_bound and form.is_valid():
            done, refused = 0, []
            for enrollment in queryset:
                try:
                    enrollment_move(
                        enrollment=enrollment,
                        to_offering=form.cleaned_data["to_offering"],
                        acting_user=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                    done += 1
                except (EnrollmentRefused, PermissionDenied) as exc:
                    refused.append(str(exc))
            self._report(request, done, refused, "moved")
            return None
        return self._intermediate(
            request, queryset, title="Move learners", form=form,
            action="move_learners", button="Move them",
        )  # fmt: skip
