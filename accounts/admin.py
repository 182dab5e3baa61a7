from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .forms import UserAdminChangeForm, UserAdminCreationForm
from .models import Unit, User


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
