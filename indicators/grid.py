"""What the monthly entry pages read: the figures due, the grid's rows, 填报进度.

Reads only; the writes are `services.py`'s. The grid's 当月 and 完成率 come from the same
evaluation as every page (`metrics.evaluate`), applied to the figure as typed (a draft too),
so the grid and the overview never judge one figure two ways.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext

from . import metrics, rules
from .cells import text
from .models import Area, Department, Figure, Indicator, ReportingWindow, ReviewFlag, Target
from .periods import deadline

Status = Figure.Status
EDITABLE = (Status.DRAFT, Status.RETURNED)


def due_indicators(department, month: int):
    """The department's entered (not derived) indicators with a figure due for `month`."""
    indicators = Indicator.objects.filter(department=department, source__isnull=True)
    return [
        ind
        for ind in indicators.select_related("category").order_by(
            "category__order", "order", "code"
        )
        if ind.period_month(month) == month
    ]


def entry_areas(indicator: Indicator, town: Area, villages: list[Area]) -> list[Area]:
    return villages if indicator.entry_level == Indicator.EntryLevel.VILLAGE else [town]


@dataclass
class DepartmentProgress:
    department: object
    expected: int = 0
    draft: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    late: int = 0
    deadline: datetime.date | None = None

    @property
    def missing(self) -> int:
        """Not yet reported: no figure, or only a draft or a returned one."""
        return self.expected - self.submitted - self.approved

    @property
    def overdue(self) -> bool:
        return bool(self.missing and self.deadline and timezone.localdate() > self.deadline)


def reporting_progress(town: Area, villages: list[Area], year: int, month: int):
    """填报进度 of a town's departments for a month: expected, submitted, approved, missing, late."""
    areas = [town, *villages]
    indicators = [
        ind
        for ind in Indicator.objects.filter(source__isnull=True, department__isnull=False)
        if ind.period_month(month) == month
    ]
    by_department = {
        d.pk: DepartmentProgress(d) for d in Department.objects.filter(indicators__in=indicators)
    }
    days = ReportingWindow.deadline_days()
    wanted = set()
    for ind in indicators:
        progress = by_department[ind.department_id]
        progress.expected += len(entry_areas(ind, town, villages))
        due = deadline(ind.cadence, year, month, days=days)
        progress.deadline = max(progress.deadline or due, due)
        wanted |= {(ind.pk, a.pk) for a in entry_areas(ind, town, villages)}
    department_of = {ind.pk: ind.department_id for ind in indicators}
    figures = (
        Figure.objects.filter(
            indicator_id__in=department_of, area__in=areas, year=year, month=month
        )
        .order_by()
        .values_list("indicator_id", "area_id", "status", "is_late")
    )
    for ind, area, status, late in figures:
        if (ind, area) not in wanted:
            continue
        progress = by_department[department_of[ind]]
        setattr(progress, status, getattr(progress, status) + 1)
        progress.late += bool(late and status in (Status.SUBMITTED, Status.APPROVED))
    return sorted(by_department.values(), key=lambda p: (p.department.order, p.department.name))


@dataclass
class GridRow:
    """One input of the entry grid with its reference columns."""

    indicator: Indicator
    area: Area
    figure: Figure | None
    previous: Decimal | None  # last period's cumulative (or level)
    last_year: Decimal | None  # the same month last year
    target: Decimal | None  # the 目标值, or the growth target's value
    baseline: Decimal | None  # last December, for the progress of stock and ratio kinds
    evaluation: metrics.Evaluation | None = None  # of the figure as typed; None without one
    cell: object = None  # the services' Cell that was posted, when a save was refused
    first: bool = False  # the first period of the year (当月 = the cumulative itself)
    flags: list = field(default_factory=list)  # Flag: what a reviewer should check first

    @property
    def block(self) -> str:
        """The rows a pasted column may fill: an indicator's villages, or the town's rows."""
        return self.indicator.code if self.indicator.is_village_entered else ""

    @property
    def name(self) -> str:
        return f"{self.indicator.pk}-{self.area.pk}"

    @property
    def editable(self) -> bool:
        return self.figure is None or self.figure.status in EDITABLE

    @property
    def shown_value(self) -> str:
        if self.cell is not None:
            return text(self.cell.raw)
        return plain(self.figure.value) if self.figure else ""

    @property
    def shown_note(self) -> str:
        if self.cell is not None:
            return self.cell.note
        return self.figure.note if self.figure else ""

    @property
    def version(self) -> int:
        if self.cell is not None and not self.cell.newer:
            return self.cell.version
        return self.figure.version if self.figure else 0

    @property
    def month_value(self) -> Decimal | None:
        """当月值 of a cumulative figure: this period's cumulative less the previous one."""
        return self.evaluation.month_value if self.evaluation else None

    @property
    def completion_pct(self) -> Decimal | None:
        """The percentage the gap is computed from: completion, or a level's progress."""
        return self.evaluation.progress_pct if self.evaluation else None

    @property
    def yoy_pct(self) -> Decimal | None:
        """同比 in % (amounts and counts), as every page computes it."""
        return self.evaluation.yoy_pct if self.evaluation else None

    @property
    def yoy_change(self) -> Decimal | None:
        """同比增量 in the unit (个百分点 for rates)."""
        return self.evaluation.yoy_change if self.evaluation else None


@dataclass(frozen=True)
class Flag:
    kind: str  # a ReviewFlag value
    message: str

    @property
    def label(self) -> str:
        return ReviewFlag(self.kind).label


def review_flags(
    ind: Indicator, value: Decimal, points: dict, year: int, month: int, yoy_pct: Decimal | None
) -> list[Flag]:
    """What the review page highlights on a figure (DOMAIN §2), with the rules every write
    path applies: a probable 元/万元/亿元 slip against its series, a cumulative figure below the
    previous period's, and an amount or level whose 同比 moves more than
    `REVIEW_OUTLIER_YOY_PCT` either way. `points` maps (year, month) to the stored values of
    the same indicator and area that were read (the previous period, last year's)."""
    flags = []
    if problem := rules.unit_slip_problem(points, year, month, value):
        flags.append(Flag(ReviewFlag.UNIT_SLIP, problem))
    previous = points.get((year, month - ind.step)) if month > ind.step else None
    if ind.is_cumulative and previous is not None:
        # The rule compares with "last month"; for a quarterly indicator that is last quarter.
        last = {(year, month - 1): previous}
        if problem := rules.cumulative_problem(last, year, month, value, after=None):
            flags.append(Flag(ReviewFlag.DECREASE, problem))
    limit = Decimal(settings.REVIEW_OUTLIER_YOY_PCT)
    if yoy_pct is not None and not ind.is_rate and abs(yoy_pct) > limit:
        flags.append(
            Flag(
                ReviewFlag.OUTLIER,
                gettext("同比变化超过%(limit)s%%：请核对数值和单位") % {"limit": limit},
            )
        )
    return flags


def plain(value: Decimal | None) -> str:
    """A stored Decimal as a person types it: 12.5, not 12.500000 or 1.25E+1."""
    if value is None:
        return ""
    value = value.normalize()
    return f"{value:f}"


def grid_rows(department, town: Area, villages: list[Area], year: int, month: int):
    """The entry grid of a department for a month: town indicators first, then village ones.

    Three queries: indicators, figures (this period, the one before, last year's), targets.
    """
    indicators = due_indicators(department, month)
    areas = [town, *villages]
    months = {month, 12} | {month - step for step in (1, 3, 12) if month - step >= 1}
    stored = {
        (f.indicator_id, f.area_id, f.year, f.month): f
        for f in Figure.objects.filter(
            indicator__in=indicators, area__in=areas, year__in=[year - 1, year], month__in=months
        )
        .order_by()
        .select_related("updated_by", "submitted_by")
    }
    targets = {
        (t.indicator_id, t.area_id): t
        for t in Target.objects.filter(
            indicator__in=indicators, area__in=areas, year=year
        ).order_by()
    }

    def value(ind, area, y, m):
        figure = stored.get((ind.pk, area.pk, y, m))
        return figure.value if figure else None

    rows = []
    ordered = sorted(indicators, key=lambda i: i.entry_level == Indicator.EntryLevel.VILLAGE)
    for ind in ordered:
        step = ind.step
        for area in entry_areas(ind, town, villages):
            target = targets.get((ind.pk, area.pk))
            figure = stored.get((ind.pk, area.pk, year, month))
            previous = value(ind, area, year, month - step) if month > step else None
            baseline = value(ind, area, year - 1, 12)
            evaluation = None
            if figure is not None:
                evaluation = metrics.evaluate(
                    kind=ind.kind,
                    direction=ind.direction,
                    month=month if month > step else 1,
                    actual=figure.value,
                    previous_actual=previous,
                    last_year_actual=value(ind, area, year - 1, month),
                    baseline=baseline,
                    target=target.value if target else None,
                    growth_pct=target.growth_pct if target else None,
                )
            goal = target.value if target else None
            if target is not None and goal is None:
                goal = metrics.growth_target_value(baseline, target.growth_pct)
            flags = []
            if figure is not None:
                points = {
                    (y, m): v
                    for y, m in ((year, month - step), (year - 1, month), (year - 1, 12))
                    if m >= 1 and (v := value(ind, area, y, m)) is not None
                }
                flags = review_flags(ind, figure.value, points, year, month, evaluation.yoy_pct)
            rows.append(
                GridRow(
                    indicator=ind,
                    area=area,
                    figure=figure,
                    previous=previous,
                    last_year=value(ind, area, year - 1, month),
                    target=goal,
                    baseline=baseline,
                    evaluation=evaluation,
                    first=month <= step,
                    flags=flags,
                )
            )
    return rows


def targets_notice(department, town: Area, year: int) -> tuple[int, int] | None:
    """When `year` has no targets for the department's indicators at the town or its villages,
    the period to offer instead: the latest year that has them, at the month after its latest
    figure (the next one to fill). None when `year` has targets, or no year does. Two queries."""
    scope = Q(area=town) | Q(area__parent=town)
    targets = Target.objects.filter(scope, indicator__department=department).order_by()
    if targets.filter(year=year).exists():
        return None
    latest = targets.aggregate(latest=Max("year"))["latest"]
    if latest is None:
        return None
    filled = (
        Figure.objects.filter(scope, indicator__department=department, year=latest)
        .order_by()
        .aggregate(last=Max("month"))["last"]
    )
    return latest, min((filled or 0) + 1, 12)
