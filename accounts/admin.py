from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.contenttypes.models import ContentType
from django.utils.html import format_html, format_html_join

from .forms import UserAdminChangeForm, UserAdminCreationForm
from .models import AUDIT_ACTIONS, AuditEntry, Unit, User
from .services import unit_set_dean


class AuditActionFilter(admin.SimpleListFilter):
    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return list(AUDIT_ACTIONS.items())

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "unit",
        "is_course_leader",
        "is_instructor",
        "is_leads_admin",
        "is_learner",
        "is_active",
    ]
    list_filter = [
        "is_course_leader",
        "is_instructor",
        "is_leads_admin",
        "is_learner",
        "is_active",
        "unit",
    ]
    search_fields = ["email", "full_name"]
    # The unit may be empty, and Django's automatic select_related follows only non-null keys.
    list_select_related = ["unit"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "unit"]}),
        (
            "Roles",
            {"fields": ["is_course_leader", "is_instructor", "is_leads_admin", "is_learner"]},
        ),
        (
            "Django admin",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "usable_password", "password1", "password2"],
            },
        ),
    ]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "dean"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["parent", "dean"]  # both may be empty: see UserAdmin
    filter_horizontal = ["designates"]
    autocomplete_fields = ["dean", "parent"]

    def save_model(self, request, obj, form, change):
        # The dean and designates are named by unit_set_dean (in save_related), which checks
        # who may appoint and audits it; here only the unit's other fields are saved.
        if change:
            fields = [name for name in form.changed_data if name not in ("dean", "designates")]
            if fields:
                obj.save(update_fields=fields)
        else:
            dean, obj.dean = obj.dean, None
            obj.save()
            obj.dean = dean

    def save_related(self, request, form, formsets, change):
        unit_set_dean(
            unit=form.instance,
            dean=form.cleaned_data["dean"],
            designates=form.cleaned_data["designates"],
            acting_user=request.user,
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail, read-only: entries are written by the services alone and never edited
    or deleted."""

    list_display = ["at", "who", "what", "target", "summary"]
    list_filter = [AuditActionFilter]
    search_fields = ["summary", "target_label", "actor__full_name", "actor__email"]
    list_select_related = ["actor"]  # empty for the system: see UserAdmin
    date_hierarchy = "at"
    fields = ["at", "actor", "action", "target", "summary", "what_changed"]
    readonly_fields = fields

    @admin.display(description="who", ordering="actor__full_name")
    def who(self, entry):
        return entry.actor or "System"

    @admin.display(description="action", ordering="action")
    def what(self, entry):
        return entry.action_label

    @admin.display(description="target")
    def target(self, entry):
        # get_for_id is served from ContentType's cache: no query per row.
        kind = ContentType.objects.get_for_id(entry.target_type_id)
        return f"{kind.name.capitalize()}: {entry.target_label}"

    @admin.display(description="what changed")
    def what_changed(self, entry):
        lines = format_html_join("", "<li>{}: {} → {}</li>", entry.change_lines)
        return format_html("<ul>{}</ul>", lines) if entry.changes else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
