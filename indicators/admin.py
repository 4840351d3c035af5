from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Area,
    Category,
    Department,
    Figure,
    Indicator,
    LightScheme,
    Membership,
    ReportingWindow,
    Target,
)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    autocomplete_fields = ["area"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "category",
        "unit",
        "kind",
        "direction",
        "department",
        "entry_level",
        "rollup",
        "cadence",
        "is_key",
    ]
    list_filter = [
        "category",
        "kind",
        "direction",
        "department",
        "entry_level",
        "cadence",
        "is_key",
    ]
    search_fields = ["code", "name", "definition"]
    list_select_related = ["category", "department"]
    autocomplete_fields = ["source"]
    inlines = [TargetInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "category", "department", "is_key", "order"]}),
        (_("口径与单位"), {"fields": ["unit", "decimals", "definition"]}),
        (
            _("计算方式"),
            {
                "fields": [
                    "kind",
                    "direction",
                    "cadence",
                    "entry_level",
                    "rollup",
                    "source",
                    "threshold",
                ]
            },
        ),
    ]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["year", "indicator", "area", "value", "stretch_value", "growth_pct"]
    list_filter = ["year", "indicator__category", "area__level"]
    search_fields = ["indicator__code", "indicator__name", "area__name", "area__code"]
    list_select_related = ["indicator", "area"]
    autocomplete_fields = ["indicator", "area"]


@admin.register(Figure)
class FigureAdmin(SimpleHistoryAdmin):
    # The workflow fields change only through the entry services; the admin shows them and the
    # full history (「历史」), and records the admin's own edits there too.
    list_display = [
        "year",
        "month",
        "indicator",
        "area",
        "value",
        "note",
        "status",
        "updated_by",
        "updated_at",
    ]
    list_filter = [
        "status",
        "year",
        "month",
        "indicator__category",
        "indicator__department",
        "area__level",
    ]
    search_fields = ["indicator__code", "indicator__name", "area__name", "area__code", "note"]
    list_select_related = ["indicator", "area", "updated_by"]
    autocomplete_fields = ["indicator", "area"]
    readonly_fields = [
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
        "status",
        "version",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
        "review_comment",
        "is_late",
    ]
    history_list_display = ["value", "status", "history_change_reason"]
    date_hierarchy = "updated_at"

    def save_model(self, request, obj, form, change):
        # Record who typed the figure: the admin is an entry path like any other.
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        if change:
            obj.version += 1  # an open entry page then refuses to overwrite this edit
        obj._change_reason = "管理后台修改" if change else "管理后台新增"
        super().save_model(request, obj, form, change)


@admin.register(LightScheme)
class LightSchemeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "is_active",
        "blue_min_completion",
        "green_min_gap",
        "yellow_min_gap",
        "growth_red_below",
        "time_basis",
    ]
    list_filter = ["is_active"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "title", "area", "department"]
    list_filter = ["role", "area", "department"]
    search_fields = ["user__username", "user__first_name", "title"]
    list_select_related = ["user", "area", "department"]
    autocomplete_fields = ["user", "area", "department"]


@admin.register(ReportingWindow)
class ReportingWindowAdmin(admin.ModelAdmin):
    list_display = ["cadence", "deadline_day"]
    list_editable = ["deadline_day"]
