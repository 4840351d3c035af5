"""The ledger in the admin, narrowed like the core's to the records of the user's own town
(indicators/admin_scope.py): tasks, their headings, reports, files, requests and trail."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from indicators.admin import PLAIN_DECIMALS, LabelledFormSet, PersonChoiceField, person, shown
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
    formset = LabelledFormSet
    extra = 0


class PeopleByName:
    """People by the name the ledger uses (李镇长), in lists and in the choice of a user."""

    people = ()  # the model's user fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.people:
            kwargs["form_class"] = PersonChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Task)
class TaskAdmin(PeopleByName, ScopedAdmin):
    area_path = "area"
    people = ("lead_leader", "closed_by")
    list_display = [
        "number",
        "title",
        "section",
        "lead_department",
        shown("lead_leader", _("牵头领导"), person, "lead_leader__first_name"),
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
    formfield_overrides = PLAIN_DECIMALS


@admin.register(ProgressReport)
class ProgressReportAdmin(PeopleByName, ScopedAdmin):
    area_path = "task__area"
    people = ("author",)
    list_display = [
        "task",
        "year",
        "month",
        "percent",
        shown("author", _("填报人"), person),
        "reported_on",
    ]
    list_filter = ["year", "month"]
    list_select_related = ["task", "author"]
    search_fields = ["task__number", "task__title"]
    ordering = ["-year", "-month", "task__number"]


@admin.register(Attachment)
class AttachmentAdmin(ScopedAdmin):
    area_path = "report__task__area"
    list_display = ["name", "report", "size", "content_type", "uploaded_at"]
    list_select_related = ["report__task"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(PeopleByName, ScopedAdmin):
    area_path = "task__area"
    people = ("requested_by", "decided_by")
    list_display = [
        "task",
        "new_deadline",
        "decision",
        shown("requested_by", _("申请人"), person),
        shown("decided_by", _("审批人"), person),
    ]
    list_filter = ["decision"]
    list_select_related = ["task", "requested_by", "decided_by"]


@admin.register(TaskEvent)
class TaskEventAdmin(PeopleByName, ScopedAdmin):
    area_path = "task__area"
    people = ("user",)
    list_display = ["task", "kind", shown("user", _("用户"), person), "on"]
    list_filter = ["kind"]
    list_select_related = ["task", "user"]


@admin.register(TaskLightRule)
class TaskLightRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "warn_days", "milestone_grace_days"]


@admin.register(TaskLightChange)
class TaskLightChangeAdmin(PeopleByName, ScopedAdmin):
    area_path = "task__area"
    people = ("user",)
    list_display = [
        "task",
        "as_of",
        "old",
        "new",
        "automatic",
        shown("user", _("用户"), person),
        "reason",
    ]
    list_filter = ["automatic", "new"]
    list_select_related = ["task", "user"]
