from django.contrib import admin

from .models import ContentUnit, Course, CourseTransition, LearningOutcome


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
