"""The Django admin shows evidence to the LEADS team for support; it changes none of it.

Every write goes through evidence.services (judgements, moderation, retention), which check who
acts and keep the audit history; an edit here would skip all of that, so the pages are
read-only. The moderation sample has its own page (evidence:policy)."""

from django.contrib import admin

from .models import (
    CriterionJudgement,
    EvidenceItem,
    EvidenceSubmission,
    Extension,
    HandInRules,
    Judgement,
    ModerationPolicy,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EvidenceItemInline(ReadOnlyInline):
    model = EvidenceItem
    # The file itself is left out: it leaves only through the view that checks who asks.
    fields = ["position", "kind", "title", "file_name", "size", "url", "sha256", "public",
              "removed_at"]  # fmt: skip
    readonly_fields = fields


class JudgementInline(ReadOnlyInline):
    model = Judgement
    fields = ["stage", "assessor", "result", "feedback", "judged_at"]
    readonly_fields = fields


@admin.register(EvidenceSubmission)
class EvidenceSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["code", "assessment", "enrollment", "attempt", "state", "moderation",
                    "submitted_at", "late"]  # fmt: skip
    list_filter = ["state", "moderation", "late"]
    search_fields = ["code", "enrollment__learner__full_name", "enrollment__learner__email",
                     "assessment__title"]  # fmt: skip
    list_select_related = ["assessment", "enrollment__learner", "enrollment__offering__course"]
    date_hierarchy = "submitted_at"
    inlines = [EvidenceItemInline, JudgementInline]


class CriterionJudgementInline(ReadOnlyInline):
    model = CriterionJudgement
    fields = ["criterion", "met", "comment"]
    readonly_fields = fields


@admin.register(Judgement)
class JudgementAdmin(ReadOnlyAdmin):
    list_display = ["submission", "stage", "assessor", "result", "judged_at"]
    list_filter = ["stage", "result"]
    search_fields = ["submission__code", "assessor__full_name", "assessor__email"]
    list_select_related = ["submission__assessment", "assessor"]
    inlines = [CriterionJudgementInline]


@admin.register(HandInRules)
class HandInRulesAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "offering", "due_at", "max_file_mb", "anonymous_marking",
                    "changed_by", "changed_at"]  # fmt: skip
    list_filter = ["anonymous_marking"]
    list_select_related = ["assessment", "offering__course", "changed_by"]


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ["enrollment", "assessment", "until", "granted_by", "granted_at"]
    search_fields = ["enrollment__learner__full_name", "enrollment__learner__email", "reason"]
    list_select_related = ["enrollment__learner", "enrollment__offering__course", "assessment",
                           "granted_by"]  # fmt: skip


@admin.register(ModerationPolicy)
class ModerationPolicyAdmin(ReadOnlyAdmin):
    list_display = ["sample_percent", "every_not_yet", "changed_by", "changed_at"]
