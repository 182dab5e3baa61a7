from django.contrib import admin

from .models import Decision, Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Submissions are signed records: readable here, never edited."""

    list_display = ["course", "number", "signed_name", "signed_on", "submitted_at"]
    list_filter = ["course__unit"]
    search_fields = ["course__title", "signed_name"]
    list_select_related = ["course"]
    readonly_fields = [f.name for f in Submission._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["submission", "outcome", "decided_by", "as_designate", "decided_at"]
    list_filter = ["outcome"]
    list_select_related = ["submission__course", "decided_by"]
    readonly_fields = [f.name for f in Decision._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
