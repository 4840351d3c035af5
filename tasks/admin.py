"""The ledger in the admin, narrowed like the core's to the records of the user's own town
(indicators/admin_scope.py): tasks, their headings, reports, files, requests and trail."""

from django.contrib import admin

from indicators.admin_scope import ScopedAdmin, ScopedInline

from .models import (
    Attachment,
    ExtensionRequest,
    Milestone,
    ProgressReport,
    Section,
    Task,
    TaskEvent,
    TaskLightChange,
    TaskLightRule,
)


@admin.register(Section)
class SectionAdmin(ScopedAdmin):
    area_path = "area"
    list_display = ["title", "year", "area", "parent", "order"]
    list_filter = ["year", ("area", admin.RelatedOnlyFieldListFilter)]
    list_editable = ["order"]
    list_select_related = ["parent", "area"]
    search_fields = ["title"]


class MilestoneInline(ScopedInline, admin.TabularInline):
    model = Milestone
    area_path = "task__area"
    extra = 0


@admin.register(Task)
class TaskAdmin(ScopedAdmin):
    area_path = "area"
    list_display = [
        "number",
        "title",
        "section",
        "lead_department",
        "lead_leader",
        "deadline",
        "status",
        "light",
    ]
    list_filter = ["year", "status", "lead_department", "priority"]
    list_select_related = ["section", "lead_department", "lead_leader"]
    search_fields = ["number", "title", "content"]
    autocomplete_fields = ["section", "indicator", "area"]
    filter_horizontal = ["cooperating"]
    readonly_fields = ["light"]  # recorded by the services with a TaskLightChange, never typed
    inlines = [MilestoneInline]


@admin.register(ProgressReport)
class ProgressReportAdmin(ScopedAdmin):
    area_path = "task__area"
    list_display = ["task", "year", "month", "percent", "author", "reported_on"]
    list_filter = ["year", "month"]
    list_select_related = ["task", "author"]
    search_fields = ["task__number", "task__title"]


@admin.register(Attachment)
class AttachmentAdmin(ScopedAdmin):
    area_path = "report__task__area"
    list_display = ["name", "report", "size", "content_type", "uploaded_at"]
    list_select_related = ["report__task"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ScopedAdmin):
    area_path = "task__area"
    list_display = ["task", "new_deadline", "decision", "requested_by", "decided_by"]
    list_filter = ["decision"]
    list_select_related = ["task", "requested_by", "decided_by"]


@admin.register(TaskEvent)
class TaskEventAdmin(ScopedAdmin):
    area_path = "task__area"
    list_display = ["task", "kind", "user", "on"]
    list_filter = ["kind"]
    list_select_related = ["task", "user"]


@admin.register(TaskLightRule)
class TaskLightRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "warn_days", "milestone_grace_days"]


@admin.register(TaskLightChange)
class TaskLightChangeAdmin(ScopedAdmin):
    area_path = "task__area"
    list_display = ["task", "as_of", "old", "new", "automatic", "user", "reason"]
    list_filter = ["automatic", "new"]
    list_select_related = ["task", "user"]
