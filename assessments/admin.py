from django.contrib import admin

from .models import Assessment, RubricCriterion


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "kind", "purpose"]
    list_filter = ["kind", "purpose"]
    search_fields = ["title", "course__title"]
    list_select_related = ["course"]
    inlines = [RubricCriterionInline]
