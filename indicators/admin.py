from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .admin_scope import VIEW, ScopedAdmin, ScopedInline, admin_scope
from .grid import plain
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

# ---------------------------------------------------------------------------- formatting
# Figures are stored with six decimal places; the admin shows them as they were typed
# (20000, 1.5), in its lists and in its forms, and names people as the pages do (李镇长).


class PlainDecimalInput(forms.NumberInput):
    def format_value(self, value):
        return plain(value) if isinstance(value, Decimal) else super().format_value(value)


PLAIN_DECIMALS = {models.DecimalField: {"widget": PlainDecimalInput}}


def as_typed(value) -> str:
    return "—" if value is None else plain(value)


def person(user) -> str:
    """李镇长（leader）: the name people use, with the login name to tell two apart."""
    if user is None:
        return "—"
    name = user.get_full_name()
    return f"{name}（{user.get_username()}）" if name else user.get_username()


def shown(field: str, description, show=as_typed, ordering: str | None = None):
    """A list column: `show(obj.<field>)` under `description`, sorted by `ordering` (default
    the field itself): figures as typed, people by name."""

    @admin.display(description=description, ordering=ordering or field)
    def column(obj):
        return show(getattr(obj, field))

    return column


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person(obj)


class ReadWith:
    """The change page reads its object with the rows its __str__ names (the title and the
    breadcrumbs say "2025年 JJ01 一般公共预算收入 · 示例镇", not ids)."""

    read_with = ()

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        for name in self.read_with if obj is not None else ():
            getattr(obj, name)
        return obj


class LabelledFormSet(forms.BaseInlineFormSet):
    """A tabular inline's inputs have no <label> of their own: each is named by its column."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            # A related field's select sits inside Django's wrapper (the + and ✎ links).
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs.setdefault("aria-label", str(field.label))


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
    formset = LabelledFormSet
    formfield_overrides = PLAIN_DECIMALS
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
    formfield_overrides = PLAIN_DECIMALS
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


class AnchorFormSet(LabelledFormSet):
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
    formfield_overrides = PLAIN_DECIMALS
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
class TargetAdmin(ReadWith, ScopedAdmin):
    area_path = "area"
    read_with = ("indicator", "area")
    list_display = [
        "year",
        "indicator",
        "area",
        shown("value", _("目标值")),
        shown("stretch_value", _("力争值")),
        shown("growth_pct", _("目标增速%")),
        "schedule",
    ]
    list_filter = ["year", "indicator__category", "area__level"]
    search_fields = ["indicator__code", "indicator__name", "area__name", "area__code"]
    list_select_related = ["indicator", "area", "schedule"]
    autocomplete_fields = ["indicator", "area"]
    ordering = ["-year", "indicator__category__order", "indicator__order", "area__code"]
    formfield_overrides = PLAIN_DECIMALS


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
class FigureAdmin(ReadWith, ScopedAdmin, SimpleHistoryAdmin):
    """Figures as the services keep them: a draft or returned figure may be corrected here
    (checked, versioned and recorded like an entry in the grid); a submitted one goes back
    through 退回 and an approved, locked one through 重新打开 with a reason, on the review page.
    Nothing is deleted: the history keeps every value ever entered."""

    read_with = ("indicator", "area")
    form = FigureAdminForm
    area_path = "area"
    list_display = [
        "year",
        "month",
        "indicator",
        "area",
        "value_text",
        "note",
        "status",
        shown("updated_by", _("最后修改人"), person),
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
    formfield_overrides = PLAIN_DECIMALS

    # Also the read-only change page's value (get_fields), hence an attribute.
    value_text = staticmethod(shown("value", _("数值")))

    def get_readonly_fields(self, request, obj=None):
        # Which figure a row is never changes; only its value and note may be corrected.
        where = ["indicator", "area", "year", "month"] if obj is not None else []
        return [*where, *self.readonly_fields]

    def get_fields(self, request, obj=None):
        fields = ["indicator", "area", "year", "month", "value", "note", "confirmed"]
        if obj is not None:
            fields.insert(6, "reason")
            if not self.has_change_permission(request, obj):  # read-only: as typed
                fields[fields.index("value")] = "value_text"
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
        shown("blue_min_completion", _("蓝灯：完成率不低于(%)")),
        shown("green_min_gap", _("绿灯：进度差不低于(个百分点)")),
        shown("yellow_min_gap", _("黄灯：进度差不低于(个百分点)")),
        shown("growth_red_below", _("增速目标：增速低于此值为红灯(%)")),
        "time_basis",
    ]
    list_filter = ["is_active"]
    formfield_overrides = PLAIN_DECIMALS


@admin.register(Membership)
class MembershipAdmin(ReadWith, ScopedAdmin):
    area_path = "area"
    read_with = ("user",)
    list_display = [
        shown("user", _("用户"), person, "user__username"),
        "role",
        "title",
        "area",
        "department",
    ]
    # Only the areas of the listed memberships: the filter names no other town.
    list_filter = ["role", ("area", admin.RelatedOnlyFieldListFilter), "department"]
    search_fields = ["user__username", "user__first_name", "title"]
    list_select_related = ["user", "area", "department"]
    autocomplete_fields = ["user", "area", "department"]
    ordering = ["area__code", "role", "department__order", "user__username"]


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
