from django.contrib import admin

from .models import ExternalIdentity


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Who is linked to which identity provider; removing a row unlinks it (the person can
    link again by signing in while signed in here)."""

    list_display = ["user", "provider", "email", "linked_at", "last_used_at"]
    list_filter = ["provider"]
    search_fields = ["user__email", "user__full_name", "email", "subject"]
    list_select_related = ["user"]
    readonly_fields = ["user", "provider", "subject", "email", "linked_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
