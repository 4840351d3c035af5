from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .admin_scope import VIEW, ScopedAdmin, ScopedInline, admin_scope
from .models import (
    ApiToken,
    Area,
    Category,
    Department,
    Figure,
    Indicator,
    LightScheme,
    Membership,
    ReportingWindow,
    Schedule,
    ScheduleAnchor,
    Target,
)
from .rules import schedule_problems


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    area_path = "pk"
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]

    def has_change_permission(self, request, obj=None):
        # A town's administrator keeps its villages; the town itself is the district's.
        own = getattr(getattr(request.user, "membership", None), "area_id", None)
        if obj is not None and admin_scope(request) is not None and obj.pk == own:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    town_admin_may = VIEW  # the shared catalogue: a town's forms choose from it
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


@admin.register(Category)
class CategoryAdmin(ScopedAdmin):
    town_admin_may = VIEW
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


class TargetInline(ScopedInline, admin.TabularInline):
    model = Target
    area_path = "area"
    town_admin_may = VIEW  # a town's targets are kept under 目标
    extra = 0
    autocomplete_fields = ["area"]


@admin.register(Indicator)
class IndicatorAdmin(ScopedAdmin):
    town_admin_may = VIEW
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
        (_("简报用词"), {"fields": ["verb"]}),
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


class AnchorFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        anchors = {
            form.cleaned_data["month"]: form.cleaned_data["share_pct"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        }
        problems = schedule_problems(anchors)
        if problems:
            raise forms.ValidationError([message for _month, message in problems])


class ScheduleAnchorInline(ScopedInline, admin.TabularInline):
    model = ScheduleAnchor
    town_admin_may = VIEW
    formset = AnchorFormSet
    extra = 2


@admin.register(Schedule)
class ScheduleAdmin(ScopedAdmin):
    """序时计划: anchors "by the end of month m, p% of the annual target", linear between them."""

    town_admin_may = VIEW
    list_display = ["name", "description", "anchor_text"]
    search_fields = ["name"]
    inlines = [ScheduleAnchorInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("anchor_set")

    @admin.display(description=_("节点"))
    def anchor_text(self, obj):
        return "，".join(str(a) for a in obj.anchor_set.all())


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    area_path = "area"
    list_display = [
        "year",
        "indicator",
        "area",
        "value",
        "stretch_value",
        "growth_pct",
        "schedule",
    ]
    list_filter = ["year", "indicator__category", "area__level"]
    search_fields = ["indicator__code", "indicator__name", "area__name", "area__code"]
    list_select_related = ["indicator", "area", "schedule"]
    autocomplete_fields = ["indicator", "area"]


class FigureAdminForm(forms.ModelForm):
    """A figure typed in the admin is checked by the entry services, as in the grid."""

    reason = forms.CharField(
        label=_("修改原因"),
        required=False,
        max_length=200,
        help_text=_("修改已有数据时必填，记入修改记录。"),
    )
    confirmed = forms.BooleanField(
        label=_("疑似单位错误的数值已核对无误（须在备注中写明原因）"), required=False
    )

    class Meta:
        model = Figure
        fields = ["indicator", "area", "year", "month", "value", "note"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        figure = self.instance if self.instance.pk else None
        if figure is not None and not data.get("reason", "").strip():
            self.add_error("reason", _("请写明修改原因，它会记入修改记录。"))
            return data
        indicator = data.get("indicator") or figure.indicator
        area = data.get("area") or figure.area
        year, month = data.get("year") or figure.year, data.get("month") or figure.month
        self.cell = services.Cell(
            indicator,
            area,
            raw=str(data["value"]),
            note=data.get("note", ""),
            confirmed=data.get("confirmed", False),
            version=figure.version if figure else 0,
        )
        services.check_cells([self.cell], user=self.user, year=year, month=month, as_admin=True)
        if self.cell.error:
            raise forms.ValidationError(self.cell.error)
        self.period = (year, month)
        return data


@admin.register(Figure)
class FigureAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Figures as the services keep them: a draft or returned figure may be corrected here
    (checked, versioned and recorded like an entry in the grid); a submitted one goes back
    through 退回 and an approved, locked one through 重新打开 with a reason, on the review page.
    Nothing is deleted: the history keeps every value ever entered."""

    form = FigureAdminForm
    area_path = "area"
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
        "status",
        "version",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
        "review_comment",
        "is_late",
    ]
    history_list_display = ["value", "status", "history_change_reason"]
    date_hierarchy = "updated_at"

    def get_readonly_fields(self, request, obj=None):
        # Which figure a row is never changes; only its value and note may be corrected.
        where = ["indicator", "area", "year", "month"] if obj is not None else []
        return [*where, *self.readonly_fields]

    def get_fields(self, request, obj=None):
        fields = ["indicator", "area", "year", "month", "value", "note", "confirmed"]
        if obj is not None:
            fields.insert(6, "reason")
        return [*fields, *self.readonly_fields] if obj is not None else fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        editable = obj is None or obj.status in services.EDITABLE
        return editable and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        year, month = form.period
        reason = "管理后台修改" if change else "管理后台新增"
        if change:
            reason += f"：{form.cleaned_data['reason'].strip()}"
        result = services.figures_save(
            user=request.user,
            cells=[form.cell],
            year=year,
            month=month,
            reason=reason,
            as_admin=True,
        )
        saved = form.cell.figure
        if not result.ok:  # changed by someone else since the form was checked
            messages.error(request, result.errors[0].error)
            if saved is None:
                raise PermissionDenied(result.errors[0].error)
        obj.pk, obj.version, obj.status = saved.pk, saved.version, saved.status


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
class MembershipAdmin(ScopedAdmin):
    area_path = "area"
    list_display = ["user", "role", "title", "area", "department"]
    # Only the areas of the listed memberships: the filter names no other town.
    list_filter = ["role", ("area", admin.RelatedOnlyFieldListFilter), "department"]
    search_fields = ["user__username", "user__first_name", "title"]
    list_select_related = ["user", "area", "department"]
    autocomplete_fields = ["user", "area", "department"]


@admin.register(ReportingWindow)
class ReportingWindowAdmin(admin.ModelAdmin):
    list_display = ["cadence", "deadline_day"]
    list_editable = ["deadline_day"]


class TokenStateFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return ApiToken.State.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == ApiToken.State.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == ApiToken.State.EXPIRED:
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == ApiToken.State.ACTIVE:
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    """Keys of /api/v1/: who holds which, when it was last used, until when it answers.

    Keys are made with `manage.py api_token USERNAME [--days N]`, which shows the key once;
    here a token's purpose and expiry may be changed, and it may be revoked (never deleted:
    the list keeps who had access, and until when).
    """

    area_path = "user__membership__area"
    list_display = [
        "user",
        "name",
        "prefix_text",
        "created_at",
        "last_used_at",
        "expires_at",
        "state_text",
    ]
    list_filter = [TokenStateFilter]
    search_fields = ["user__username", "user__first_name", "name", "prefix"]
    list_select_related = ["user"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description=_("前缀"), ordering="prefix")
    def prefix_text(self, obj):
        return f"{obj.prefix}…"

    @admin.display(description=_("状态"))
    def state_text(self, obj):
        return ApiToken.State(obj.state()).label

    @admin.action(description=_("吊销所选令牌"), permissions=["change"])
    def revoke(self, request, queryset):
        n = services.api_tokens_revoke(tokens=queryset)
        message = gettext("已吊销%(n)d个令牌，它们从现在起不能再调用接口。") % {"n": n}
        self.message_user(request, message, messages.SUCCESS)

    def has_add_permission(self, request):
        # A key is shown once, when it is made: by the command, never in a page.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
