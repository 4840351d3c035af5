"""The indicator catalogue, the areas, the targets and the figures (DOMAIN §2–§3).

Every figure is a Decimal in the indicator's own unit; derived numbers (完成率, 同比, 村均 …) are
never stored, they are computed by `metrics.py` through `selectors.py`.
"""

from contextlib import nullcontext
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import metrics, rules
from ..indexes import CoveringIndex
from .fields import FIGURE_DIGITS as FIGURE_DIGITS
from .fields import FIGURE_PLACES as FIGURE_PLACES
from .fields import figure_field


class Light(models.TextChoices):
    """亮灯 of an indicator (DOMAIN §4): the values are `metrics.Light`'s, the words are these.

    Never stored on a figure (it is computed); the ledger's task lights reuse the values with
    their own word for red (逾期), see `tasks.models.TaskLight`.
    """

    BLUE = metrics.Light.BLUE, _("已完成")
    GREEN = metrics.Light.GREEN, _("达进度")
    YELLOW = metrics.Light.YELLOW, _("欠进度")
    RED = metrics.Light.RED, _("严重滞后")
    GREY = metrics.Light.GREY, _("未报")

    @classmethod
    def label_of(cls, value) -> str:
        """The word for a light value, or a dash when there is nothing to judge."""
        try:  # `value in cls.values` builds the list of values on every call
            return str(cls(value).label)
        except ValueError:
            return "—"


# Red before yellow, the furthest behind first: the order a meeting goes through.
LAGGING_LIGHTS = (Light.RED, Light.YELLOW)


class Area(models.Model):
    class Level(models.TextChoices):
        DISTRICT = "district", _("区")
        TOWN = metrics.EntryLevel.TOWN, _("镇")
        VILLAGE = metrics.EntryLevel.VILLAGE, _("村")

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    is_demo = models.BooleanField(
        _("示例数据"), default=False, help_text=_("示例区域的页面都标注「示例数据」。")
    )

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def is_district(self) -> bool:
        return self.level == self.Level.DISTRICT

    @property
    def is_town(self) -> bool:
        return self.level == self.Level.TOWN

    @property
    def is_village(self) -> bool:
        return self.level == self.Level.VILLAGE


class Department(models.Model):
    name = models.CharField(_("名称"), max_length=64, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Category(models.Model):
    name = models.CharField(_("名称"), max_length=64, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("类别")
        verbose_name_plural = _("类别")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    class Kind(models.TextChoices):
        FLOW = metrics.Kind.FLOW, _("累计")
        COUNT = metrics.Kind.COUNT, _("计数")
        STOCK = metrics.Kind.STOCK, _("存量")
        RATIO = metrics.Kind.RATIO, _("比率")
        GROWTH = metrics.Kind.GROWTH, _("增速")

    class Direction(models.TextChoices):
        POSITIVE = metrics.Direction.POSITIVE, _("正向")
        REVERSE = metrics.Direction.REVERSE, _("逆向")

    class Cadence(models.TextChoices):
        MONTHLY = metrics.Cadence.MONTHLY, _("月")
        QUARTERLY = metrics.Cadence.QUARTERLY, _("季")
        ANNUAL = metrics.Cadence.ANNUAL, _("年")

    class EntryLevel(models.TextChoices):
        TOWN = metrics.EntryLevel.TOWN, _("镇")
        VILLAGE = metrics.EntryLevel.VILLAGE, _("村")

    class Rollup(models.TextChoices):
        SUM = metrics.Rollup.SUM, _("合计")
        AVERAGE = metrics.Rollup.AVG, _("村均")
        COUNT_AT_LEAST = metrics.Rollup.COUNT_AT_LEAST, _("达标村数")

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="indicators"
    )
    unit = models.CharField(_("单位"), max_length=16)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    direction = models.CharField(
        _("方向"), max_length=16, choices=Direction.choices, default=Direction.POSITIVE
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("牵头部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    cadence = models.CharField(
        _("填报频度"), max_length=16, choices=Cadence.choices, default=Cadence.MONTHLY
    )
    decimals = models.PositiveSmallIntegerField(_("小数位"), default=2)
    definition = models.TextField(_("统计口径"), blank=True)
    entry_level = models.CharField(
        _("填报层级"), max_length=16, choices=EntryLevel.choices, default=EntryLevel.TOWN
    )
    rollup = models.CharField(_("汇总"), max_length=16, choices=Rollup.choices, default=Rollup.SUM)
    source = models.ForeignKey(
        "self",
        verbose_name=_("来源指标"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived",
        help_text=_("派生指标（村均、达标村数）由来源指标的村级数据计算，不直接填报。"),
    )
    threshold = figure_field(verbose_name=_("达标阈值"), null=True, blank=True)
    is_key = models.BooleanField(_("重点指标"), default=False)
    verb = models.CharField(
        _("动词"),
        max_length=8,
        blank=True,
        help_text=_(
            "简报句子中的动词，如「完成」「实现」「达到」；留空按类型默认，填「无」则不用动词。"
        ),
    )
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["category__order", "order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(decimals__lte=6), name="indicator_decimals_max_6"),
            models.CheckConstraint(
                condition=~Q(rollup=metrics.Rollup.COUNT_AT_LEAST) | Q(threshold__isnull=False),
                name="indicator_count_rollup_needs_threshold",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        """The catalogue rules of DOMAIN §8, as the workbook import checks them."""
        source = self.source if self.source_id else None
        problems = rules.indicator_problems(
            code=self.code,
            kind=self.kind,
            entry_level=self.entry_level,
            rollup=self.rollup,
            threshold=self.threshold,
            source=source.code if source else "",
            source_derived=bool(source and source.source_id),
        )
        if problems:
            raise ValidationError(dict(problems))

    @property
    def is_derived(self) -> bool:
        """A derived indicator is computed from its source's village figures, never entered."""
        return self.source_id is not None

    @property
    def is_cumulative(self) -> bool:
        return self.kind in (self.Kind.FLOW, self.Kind.COUNT)

    @property
    def is_quarterly(self) -> bool:
        return self.cadence == self.Cadence.QUARTERLY

    @property
    def is_growth_rate(self) -> bool:
        """增速: the bureau's growth rate, judged against a target rate."""
        return self.kind == self.Kind.GROWTH

    @property
    def is_rate(self) -> bool:
        """A percentage (参保率, 增速): its changes are in 个百分点, never in %."""
        return self.unit == "%" or self.is_growth_rate

    @property
    def is_reverse(self) -> bool:
        """逆向: lower is better, and the target is a cap."""
        return self.direction == self.Direction.REVERSE

    @property
    def is_annual(self) -> bool:
        return self.cadence == self.Cadence.ANNUAL

    @property
    def is_village_entered(self) -> bool:
        return self.entry_level == self.EntryLevel.VILLAGE

    @property
    def step(self) -> int:
        """Months between two figures of this indicator's cadence."""
        return metrics.cadence_step(self.cadence)

    def period_month(self, month: int) -> int | None:
        """The latest month ≤ `month` at which this indicator's cadence has a figure due."""
        return metrics.period_month(self.cadence, month)


class Schedule(models.Model):
    """序时计划 (DOMAIN §3): how much of the annual target is planned by the end of each month.

    Each anchor says "by the end of month m, p% of the annual target"; between anchors (and
    from 0% at the start of the year) the planned share is linear, and December's anchor is
    required. A target without a schedule is on the even n/12 plan (均衡).
    """

    name = models.CharField(_("名称"), max_length=64, unique=True)
    description = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("序时计划")
        verbose_name_plural = _("序时计划")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def anchors(self) -> dict[int, Decimal]:
        """{month: planned share in percent}, from the prefetched or stored anchors."""
        return {a.month: a.share_pct for a in self.anchor_set.all()}


class ScheduleAnchor(models.Model):
    schedule = models.ForeignKey(
        Schedule, verbose_name=_("序时计划"), on_delete=models.CASCADE, related_name="anchor_set"
    )
    month = models.PositiveSmallIntegerField(_("月份"))
    share_pct = models.DecimalField(_("累计计划占全年目标(%)"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("序时节点")
        verbose_name_plural = _("序时节点")
        ordering = ["schedule", "month"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "month"], name="anchor_one_per_month"),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="anchor_month_1_12"
            ),
            models.CheckConstraint(condition=Q(share_pct__gte=0), name="anchor_share_not_negative"),
        ]

    def __str__(self):
        return f"{self.month}月 {self.share_pct.normalize():f}%"


class Target(models.Model):
    """A year's target: a value, or a growth rate on last year's full-year actual, or both
    (DOMAIN §3); judged against its schedule's planned share (均衡 n/12 without one)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="targets"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    value = figure_field(verbose_name=_("目标值"), null=True, blank=True)
    stretch_value = figure_field(verbose_name=_("力争值"), null=True, blank=True)
    growth_pct = models.DecimalField(
        _("目标增速%"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    schedule = models.ForeignKey(
        Schedule,
        verbose_name=_("序时计划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
        help_text=_("留空为均衡进度（n/12）。"),
    )

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["-year", "indicator__code", "area__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "year"], name="target_one_per_indicator_area_year"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(growth_pct__isnull=False),
                name="target_value_or_growth",
            ),
        ]

    def __str__(self):
        # Named when the indicator and area were read with it (the admin does), else by their
        # ids: never a query.
        if Target.indicator.is_cached(self) and Target.area.is_cached(self):
            return f"{self.year}年 {self.indicator} · {self.area}"
        return f"{self.year}年 {self.indicator_id}@{self.area_id}"


class FigureStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


class ReviewFlag(models.TextChoices):
    """Why the review page asks a reviewer to look twice at a figure before approving it."""

    UNIT_SLIP = "unit_slip", _("疑似单位错误")
    DECREASE = "decrease", _("累计数减少")
    OUTLIER = "outlier", _("同比波动大")


class FigureQuerySet(models.QuerySet):
    # What deleting many figures runs in: `versions.changing`, set by `signals.connect()` at
    # start-up (the models cannot import what reads them).
    batch = staticmethod(nullcontext)

    def delete(self):
        """Deleting many figures (the admin's action, a shell) tells the roll-up and the data
        version once, not once per figure: inside `batch` the per-figure signals collect."""
        with self.batch():
            return super().delete()


class Figure(models.Model):
    """One entered value: YTD cumulative for flow/count, the level for stock/ratio (DOMAIN §2).

    Workflow (issue 4): draft → submitted → approved, or returned with a comment. Only approved
    figures count by default; `version` rises with every write so that a save made from a stale
    page is refused instead of overwriting a newer value. Every change is kept in `history`.
    """

    Status = FigureStatus

    # No single-column indexes on the two keys: the unique constraint leads with the indicator
    # and `figure_area_period_idx` with the area, and PostgreSQL preferred the narrower `area`
    # index for the summary's roll-up, reading ten times the rows it used.
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("指标"),
        on_delete=models.PROTECT,
        related_name="figures",
        db_index=False,
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("区域"),
        on_delete=models.PROTECT,
        related_name="figures",
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    value = figure_field(verbose_name=_("数值"))
    note = models.CharField(_("备注"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.CharField(_("审核意见"), max_length=255, blank=True)
    is_late = models.BooleanField(_("逾期报送"), default=False)
    objects = FigureQuerySet.as_manager()
    # Who, when, old and new value, and why (`history_change_reason`) for every write.
    history = HistoricalRecords(
        verbose_name=_("数据修改记录"),
        verbose_name_plural=_("数据修改记录"),
        # The reason carries the clerk's note and the reviewer's comment: keep all of it.
        history_change_reason_field=models.TextField(null=True),
    )

    class Meta:
        verbose_name = _("数据")
        verbose_name_plural = _("数据")
        ordering = ["-year", "-month", "indicator__code", "area__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "year", "month"],
                name="figure_one_per_indicator_area_period",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="figure_month_1_12"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "month"], name="figure_period_idx"),
            # The summary reads one area (or its villages) for a few periods at a time, and only
            # these columns: on PostgreSQL the index alone answers it (an index-only scan).
            CoveringIndex(
                fields=["area", "year", "month"],
                name="figure_area_period_idx",
                covering=["indicator", "value", "status"],
            ),
            # Figures awaiting approval are few: the overview's "N个数据待审核" and the review
            # queue find them without reading the approved ones.
            models.Index(
                fields=["area", "year", "month"],
                condition=models.Q(status=FigureStatus.SUBMITTED),
                name="figure_submitted_idx",
            ),
        ]

    def __str__(self):
        # As typed (28.1, not 28.100000); named when read with its indicator and area (the
        # admin's change page), else by their ids: never a query.
        value = f"{self.value.normalize():f}" if self.value is not None else "—"
        if Figure.indicator.is_cached(self) and Figure.area.is_cached(self):
            return f"{self.year}年{self.month}月 {self.indicator} · {self.area} = {value}"
        return f"{self.year}-{self.month:02d} {self.indicator_id}@{self.area_id} = {value}"


class ReportingWindow(models.Model):
    """When a period's figures are due: the deadline day of the month after the period ends.

    One row per cadence, editable by administrators; without a row the 10th applies.
    """

    DEFAULT_DEADLINE_DAY = 10

    cadence = models.CharField(
        _("填报频度"), max_length=16, choices=Indicator.Cadence.choices, unique=True
    )
    deadline_day = models.PositiveSmallIntegerField(
        _("截止日"),
        default=DEFAULT_DEADLINE_DAY,
        help_text=_("报告期结束后的下一个月第几日前报送，逾期报送的数据标记为「逾期」。"),
    )

    class Meta:
        verbose_name = _("填报时限")
        verbose_name_plural = _("填报时限")
        ordering = ["cadence"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_day__gte=1, deadline_day__lte=28),
                name="reportingwindow_day_1_28",
            )
        ]

    def __str__(self):
        return _("%(cadence)s：次月%(day)s日") % {
            "cadence": self.get_cadence_display(),
            "day": self.deadline_day,
        }

    @classmethod
    def deadline_days(cls) -> dict[str, int]:
        """Cadence → deadline day of every row; a cadence without one is due on the 10th."""
        return dict(cls.objects.values_list("cadence", "deadline_day"))


class LightScheme(models.Model):
    """Editable light thresholds (DOMAIN §4): the active row is used everywhere."""

    class TimeBasis(models.TextChoices):
        MONTH = "month", _("按月")
        DAY = "day", _("按日")

    name = models.CharField(_("名称"), max_length=64, unique=True)
    is_active = models.BooleanField(_("启用"), default=False)
    blue_min_completion = models.DecimalField(
        _("蓝灯：完成率不低于(%)"), max_digits=7, decimal_places=2, default=Decimal(100)
    )
    green_min_gap = models.DecimalField(
        _("绿灯：进度差不低于(个百分点)"), max_digits=7, decimal_places=2, default=Decimal(0)
    )
    yellow_min_gap = models.DecimalField(
        _("黄灯：进度差不低于(个百分点)"), max_digits=7, decimal_places=2, default=Decimal(-10)
    )
    growth_red_below = models.DecimalField(
        _("增速目标：增速低于此值为红灯(%)"), max_digits=7, decimal_places=2, default=Decimal(0)
    )
    time_basis = models.CharField(
        _("时序进度"), max_length=8, choices=TimeBasis.choices, default=TimeBasis.MONTH
    )

    class Meta:
        verbose_name = _("亮灯规则")
        verbose_name_plural = _("亮灯规则")
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="lightscheme_one_active"
            ),
            models.CheckConstraint(
                condition=Q(yellow_min_gap__lte=models.F("green_min_gap")),
                name="lightscheme_yellow_below_green",
            ),
        ]

    def __str__(self):
        return self.name

    def thresholds(self) -> metrics.Thresholds:
        return metrics.Thresholds(
            blue_min_completion=self.blue_min_completion,
            green_min_gap=self.green_min_gap,
            yellow_min_gap=self.yellow_min_gap,
            growth_red_below=self.growth_red_below,
        )


# A token lasts a year unless made with another lifetime (`api_token --days`, or its expiry
# edited in the admin): a key forgotten in a script stops working on its own.
API_TOKEN_DAYS = 365


def api_token_expiry():
    return timezone.now() + timedelta(days=API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A per-user key for systems that read `/api/v1/…` without a browser session.

    Only a SHA-256 digest is stored; the key itself is shown once, when it is made. A token
    answers until it expires or an administrator revokes it (admin: 接口令牌 → 吊销).
    """

    class State(models.TextChoices):
        ACTIVE = "active", _("有效")
        EXPIRED = "expired", _("已过期")
        REVOKED = "revoked", _("已吊销")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("用途"), max_length=64, blank=True)
    digest = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("到期时间"), default=api_token_expiry)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}…"

    def state(self, now=None) -> str:
        """Revoked, expired or active at `now` (default: now)."""
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.State.EXPIRED
        return self.State.ACTIVE


class Membership(models.Model):
    """Who a user is in the township: role, area and (for staff and reviewers) department."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("管理员")
        CLERK = "clerk", _("填报员")
        REVIEWER = "reviewer", _("审核员")
        LEADER = "leader", _("领导")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="membership",
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    area = models.ForeignKey(Area, verbose_name=_("区域"), on_delete=models.PROTECT)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    title = models.CharField(_("职务"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("用户身份")
        verbose_name_plural = _("用户身份")
        ordering = ["area__code", "role", "user__username"]

    def __str__(self):
        role = f"{self.get_role_display()} {self.title}".strip()
        if Membership.user.is_cached(self):  # by the person, when read with it: never a query
            name = self.user.get_full_name() or self.user.get_username()
            return f"{name} · {role}"
        return role


# The 表样 model lives beside, so this module stays readable; it is part of the same app.
from .layout import Layout as Layout  # noqa: E402
from .rollup import DataVersion as DataVersion  # noqa: E402
from .rollup import TownMonth as TownMonth  # noqa: E402
