"""Django admin for the issuer, badge classes and issued badges.

Issued badges are read-only here and never deleted (DESIGN.md, "Badges"): revoking, like issuing,
goes through badges.services, from the admin actions below or the centre's badge pages. Badge
classes are designed from the approved course on those pages, so the admin does not add them.
"""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from . import services, stats
from .forms import BadgeClassAdminForm, RevokeForm
from .models import Assertion, BadgeClass, Issuer


def _plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


@admin.register(Issuer)
class IssuerAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "email", "created_at"]
    readonly_fields = ["id", "created_at"]
    # A URL typed without a scheme is the centre's site, served over HTTPS.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        # The centre is the one issuer; its public URL must not change once badges point to it.
        return super().has_add_permission(request) and not Issuer.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BadgeClass)
class BadgeClassAdmin(admin.ModelAdmin):
    form = BadgeClassAdminForm
    list_display = ["name", "course", "level", "issue_mode", "issued", "updated_at"]
    list_filter = ["level", "issue_mode"]
    search_fields = ["name", "course__title"]
    list_select_related = ["course"]
    fields = [
        "id", "issuer", "course", "name", "description", "criteria_narrative", "level", "tags",
        "image", "expires_after_months", "expires_on", "message", "issue_mode", "alignments",
        "ects_credits", "eqf_level", "hours", "assessment_type", "participation_form",
        "quality_assurance", "created_at", "updated_at",
    ]  # fmt: skip
    # What follows the approved course version, and how the badge is issued, is not edited here.
    readonly_fields = [
        "id", "issuer", "course", "issue_mode", "alignments", "ects_credits", "eqf_level",
        "hours", "assessment_type", "participation_form", "quality_assurance", "created_at",
        "updated_at",
    ]  # fmt: skip
    actions = ["issue_to_waiting_learners"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_issued=Count("assertions"))

    def save_model(self, request, obj, form, change):
        # Through the service, as on the centre's pages: it checks who may edit a design and
        # audits the change. `obj` already holds the new values; the service compares them
        # with the saved row.
        services.badge_class_update(
            badge=obj,
            acting_user=request.user,
            **{name: form.cleaned_data[name] for name in form.changed_data},
        )

    @admin.display(description="issued", ordering="n_issued")
    def issued(self, obj):
        return obj.n_issued

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # A pathway's badge follows its pathway (its name, credits, criteria): it is changed on
        # the pathway's page, never here.
        if obj is not None and obj.course_id is None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_issue_permission(self, request):
        return request.user.is_leads_admin

    @admin.action(
        description="Issue to every confirmed (or, if automatic, completed) learner without a "
        "badge",
        permissions=["issue"],
    )
    def issue_to_waiting_learners(self, request, queryset):
        from .views_admin import BACKGROUND_OVER, issue_job_start

        for badge in queryset.select_related("course"):
            ids = list(stats.issuable_enrollments(badge_class=badge).values_list("pk", flat=True))
            if not ids:
                self.message_user(request, f"{badge}: no learner is waiting for this badge.")
            elif len(ids) > BACKGROUND_OVER:
                job_id = issue_job_start(
                    enrollment_ids=ids,
                    acting_user=request.user,
                    title=str(badge.course),
                    back_url=reverse("badge_admin:designs"),
                )
                self.message_user(
                    request,
                    format_html(
                        '{}: issuing {} badges in the background. <a href="{}">See the '
                        "progress</a>.",
                        badge,
                        len(ids),
                        reverse("badge_admin:job", kwargs={"job_id": job_id}),
                    ),
                )
            else:
                result = services.assertions_issue_bulk(
                    enrollment_ids=ids, acting_user=request.user
                )
                skipped = len(result["skipped"])
                self.message_user(
                    request,
                    f"{badge}: {_plural(result['issued'], 'badge')} issued"
                    + (f", {skipped} not eligible" if skipped else "")
                    + ".",
                    messages.SUCCESS,
                )


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(stats.STATUSES.items())

    def queryset(self, request, queryset):
        if self.value() in stats.STATUSES:
            return queryset.filter(stats.status_q(self.value(), timezone.now()))
        return queryset


@admin.register(Assertion)
class AssertionAdmin(admin.ModelAdmin):
    """Read-only: a badge is issued and revoked through the services, and never deleted."""

    list_display = [
        "recipient_name", "recipient_email", "badge_version", "issued_on", "status", "automatic",
    ]  # fmt: skip
    list_filter = [StatusFilter, "automatic", "badge_class"]
    search_fields = ["recipient_name", "recipient_email", "badge_class__name"]
    list_select_related = ["badge_version"]
    date_hierarchy = "issued_on"
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.display(description="status")
    def status(self, obj):
        return stats.STATUSES[obj.status(timezone.now())]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return request.user.is_leads_admin

    @admin.action(description="Revoke the selected badges", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        """Asks for the reason on an intermediate page, then revokes each badge not yet revoked."""
        selected = list(queryset.select_related("badge_version"))
        to_revoke = [a for a in selected if a.revoked_at is None]
        if not to_revoke:
            self.message_user(request, "The selected badges are already revoked.", messages.WARNING)
            return None
        form = RevokeForm(request.POST if request.POST.get("post") else None)
        if form.is_bound and form.is_valid():
            revoked, refused = 0, []
            for assertion in to_revoke:
                try:
                    services.assertion_revoke(
                        assertion=assertion,
                        acting_user=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except services.DependentsUndecided as undecided:
                    # What becomes of them is decided one badge at a time, on its own page.
                    refused.append(
                        format_html(
                            '{}’s “{}”: {} <a href="{}">Revoke it on its own page</a>.',
                            assertion.recipient_name,
                            assertion.badge_version.name,
                            undecided,
                            reverse("badge_admin:revoke", args=[assertion.pk]),
                        )
                    )
                    continue
                except services.IssueRefused as other:  # revoked a moment ago, …
                    refused.append(f"{assertion.recipient_name}: {other}")
                    continue
                revoked += 1
            self.message_user(request, f"{_plural(revoked, 'badge')} revoked.", messages.SUCCESS)
            for problem in refused:
                self.message_user(
                    request, format_html("Not revoked — {}", problem), messages.WARNING
                )
            return None
        return TemplateResponse(
            request,
            "badges/admin/django_admin_revoke.html",
            {
                **self.admin_site.each_context(request),
                "title": "Revoke badges",
                "opts": self.model._meta,
                "queryset": selected,
                "assertions": to_revoke,
                "already": [a.recipient_name for a in selected if a.revoked_at is not None],
                "form": form,
            },
            status=400 if form.errors else 200,
        )
