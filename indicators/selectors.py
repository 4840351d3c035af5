"""Reads shared by the summary command, the dashboard and the API.

`summary_rows` is the one place that turns stored figures into the numbers leaders read; every
page, the API and the command call it, so a number is computed once per request.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db.models import Case, Count, Q, Sum, Value, When
from django.utils import timezone

from . import metrics, periods
from .areas import AreaTree
from .models import (
    LAGGING_LIGHTS,
    Area,
    Figure,
    Indicator,
    LightScheme,
    ReportingWindow,
    ScheduleAnchor,
    Target,
    TownMonth,
)


def open_period(
    area: Area,
    tree: AreaTree,
    submitted: bool = False,
    year: int | None = None,
    share: Decimal | None = None,
) -> tuple[int, int] | None:
    """The month a page opens on (DOMAIN §7): the latest month (within `year` when given) in
    which at least `share` percent (the `OPEN_MONTH_SHARE` setting, 80 by default) of the due
    figures of `area` and below are counted, not the latest month in which any figure exists,
    so one department's early figures never make a month look reported. Without such a month,
    the latest month with figures. Two queries.
    """
    share = Decimal(settings.OPEN_MONTH_SHARE) if share is None else share
    scope = [area, *tree.descendants(area)]
    places = {
        level: sum(1 for a in scope if a.level == level)
        for level in (Indicator.EntryLevel.TOWN, Indicator.EntryLevel.VILLAGE)
    }
    entered = list(
        Indicator.objects.filter(source__isnull=True)
        .order_by()
        .values_list("entry_level", "cadence")
    )
    statuses = [Figure.Status.APPROVED, *([Figure.Status.SUBMITTED] if submitted else [])]
    counted = Figure.objects.filter(
        area_id__in=[a.pk for a in scope], status__in=statuses, indicator__source__isnull=True
    )
    if year is not None:
        counted = counted.filter(year=year)
    months = dict(
        ((y, m), n)
        for y, m, n in counted.order_by()
        .values_list("year", "month")
        .annotate(n=Count("id"))
        .values_list("year", "month", "n")
    )
    for y, m in sorted(months, reverse=True):
        due = sum(places[level] for level, cadence in entered if periods.is_due(cadence, m))
        if due and Decimal(months[y, m]) * 100 >= share * due:
            return y, m
    return max(months) if months else None


def completeness(rows) -> dict:
    """本月应报、已审核、逾期未报: the month's due rows, those counted, those overdue."""
    due = [r for r in rows if r.due]
    return {
        "due": len(due),
        "counted": sum(1 for r in due if r.has_figure),
        "overdue": sum(1 for r in due if r.overdue),
        "missing": sum(1 for r in due if not r.has_figure),
    }


def active_scheme() -> LightScheme:
    """The active light thresholds; the DOMAIN defaults when an administrator has none active."""
    return LightScheme.objects.filter(is_active=True).first() or LightScheme(name="默认")


class Judging:
    """What every row of one read is judged by: the light thresholds and time basis, the
    targets' 序时计划, the reporting deadlines and the date "overdue" is judged on.

    Schedules and deadlines are read only when a row needs them, so a township without
    schedules, or a month where everything is reported, costs no query for them.
    """

    def __init__(self, *, today: datetime.date | None = None):
        self.scheme = active_scheme()
        self.thresholds = self.scheme.thresholds()
        self.today = today or timezone.localdate()
        self._anchors = None
        self._days = None

    def time_pct(self, target, period: int, year: int) -> tuple[Decimal, str | None]:
        """The planned share at `period` (时序进度) and the schedule's name (None: 均衡)."""
        schedule = getattr(target, "schedule_id", None)
        if schedule is None:
            basis = self.scheme.time_basis
            return metrics.time_progress_pct(period, year=year, basis=basis), None
        name, anchors = self.schedules()[schedule]
        position = metrics.time_position(period, year=year, basis=self.scheme.time_basis)
        return metrics.schedule_share(anchors, position), name

    def schedules(self) -> dict[int, tuple[str, dict]]:
        if self._anchors is None:
            self._anchors = {}
            rows = ScheduleAnchor.objects.values_list(
                "schedule_id", "schedule__name", "month", "share_pct"
            )
            for schedule, name, month, share in rows:
                self._anchors.setdefault(schedule, (name, {}))[1][month] = share
        return self._anchors

    def overdue(self, ind: Indicator, year: int, period: int) -> bool:
        """A figure due for `period` whose deadline has passed on `today`."""
        # Deadlines fall on day 1–28 of the month after the period: outside that month the
        # answer is known without reading the reporting windows.
        following = datetime.date(year + period // 12, period % 12 + 1, 1)
        if self.today < following:
            return False
        if self.today > following.replace(day=28):
            return True
        if self._days is None:
            self._days = ReportingWindow.deadline_days()
        return self.today > periods.deadline(ind.cadence, year, period, days=self._days)


@dataclass(frozen=True)
class SummaryRow:
    indicator: Indicator
    year: int
    month: int
    period_month: int | None  # the month whose figure counts (quarterly/annual cadences lag)
    target: Decimal | None
    stretch_target: Decimal | None
    growth_target_pct: Decimal | None
    actual: Decimal | None
    month_value: Decimal | None
    last_year_actual: Decimal | None
    baseline: Decimal | None
    yoy_pct: Decimal | None
    completion_pct: Decimal | None
    time_progress_pct: Decimal
    gap_pp: Decimal | None
    growth_gap_pp: Decimal | None
    light: str | None
    reported: int | None  # villages that reported, for indicators rolled up from villages
    village_count: int
    series: tuple | None = None  # this year's 12 monthly values, when asked for
    series_last: tuple | None = None  # last year's 12 monthly values, when asked for
    month_values: tuple | None = None  # this year's 当月 (当季) of each month, with the series
    month_values_last: tuple | None = None  # last year's, with the series
    pace: tuple | None = None  # the level that meets the target on time, each month
    progress_pct: Decimal | None = None  # what the gap is computed from (completion/progress)
    provisional: bool = False  # 初步数: the actual or 当月 uses a submitted, unapproved figure
    target_growth_pct: Decimal | None = None  # the target's 目标增速%, whatever its form
    yoy_change: Decimal | None = None  # 同比增量, in the unit (个百分点 for rates)
    net_change: Decimal | None = None  # a level's 比年初净增
    schedule: str | None = None  # the target's 序时计划 (None: 均衡, n/12)
    projected_full_year: Decimal | None = None  # 预计全年 (flow/count)
    projected_pct: Decimal | None = None  # 预计完成年度目标
    needed_monthly: Decimal | None = None  # 后N个月需月均
    has_figure: bool = False  # the counted period has a figure
    overdue: bool = False  # due and not reported after its deadline
    value_light: str | None = None  # the value test's light alone (dual test)
    growth_light: str | None = None  # the growth test's light alone (dual test)

    @property
    def due(self) -> bool:
        """Whether a figure is due for the month asked (a quarterly one: at quarter ends)."""
        return self.period_month == self.month

    @property
    def lagging(self) -> bool:
        """Red or yellow: behind its target."""
        return self.light in LAGGING_LIGHTS

    @property
    def period_months(self) -> int | None:
        """The months the figure covers (3 for 一季度): n of 1—n月, the counted period."""
        return self.period_month

    def as_json(self) -> dict:
        """The DOMAIN §8 row: JSON numbers in the indicator's unit, percent as percent."""
        ind = self.indicator

        def num(value):
            return None if value is None else float(value)

        return {
            "code": ind.code,
            "name": ind.name,
            "unit": ind.unit,
            "kind": ind.kind,
            "direction": ind.direction,
            "category": ind.category.name,
            "target": num(self.target),
            "stretch_target": num(self.stretch_target),
            "growth_target_pct": num(self.growth_target_pct),
            "actual": num(self.actual),
            "month_value": num(self.month_value),
            "last_year_actual": num(self.last_year_actual),
            "yoy_pct": num(self.yoy_pct),
            "completion_pct": num(self.completion_pct),
            "time_progress_pct": num(self.time_progress_pct),
            "gap_pp": num(self.gap_pp),
            "growth_gap_pp": num(self.growth_gap_pp),
            "light": self.light,
            "period_month": self.period_month,
            "provisional": self.provisional,
            # Added since (DOMAIN §8: extend, never rename).
            "yoy_change": num(self.yoy_change),
            "progress_pct": num(self.progress_pct),
            "schedule": self.schedule,
            "projected_full_year": num(self.projected_full_year),
            "needed_monthly": num(self.needed_monthly),
            "reported": self.has_figure,
            "overdue": self.overdue,
        }


def reach_of(indicators) -> set[tuple[int, Decimal]]:
    """(source indicator id, threshold) of each 达标村数-style indicator among `indicators`."""
    return {
        (ind.source_id, ind.threshold)
        for ind in indicators
        if ind.source_id
        and ind.threshold is not None
        and ind.rollup == Indicator.Rollup.COUNT_AT_LEAST
    }


class FigureValues:
    """Figures of some areas (all of one level) and the roll-ups of everything below them.

    A constant number of queries whatever the number of areas, indicators, villages and towns:
    the areas' own figures, and one aggregate over their descendants (sum, number reporting
    and, for each (source, threshold) in `reach`, the number at or above it for 达标村数),
    grouped by the area each descendant rolls up to. Below a district, each town and its
    villages come from the stored roll-up (`TownMonth`, one row per town, indicator and month)
    instead of their figures. `months` are read for every indicator, all twelve for those in
    `all_months` (the key indicators' trends), each read as its own query: OR-ing the trend into
    the period made PostgreSQL scan far more rows.
    """

    def __init__(
        self,
        areas,
        tree,
        *,
        years,
        months,
        reach=(),
        indicators=None,
        all_months=(),
        include_submitted=False,
    ):
        self.level = {a.pk: a.level for a in areas}
        self.villages = {a.pk: len(tree.villages(a)) for a in areas}
        # Approved figures only, unless asked; drafts and returned figures never count.
        statuses = [Figure.Status.APPROVED]
        if include_submitted:
            statuses.append(Figure.Status.SUBMITTED)
        months = set(months)
        periods = [Q(month__in=months)]
        trend = set(all_months)
        if trend and len(months) < 12:
            periods.append(Q(indicator_id__in=trend) & ~Q(month__in=months))
        # No ORDER BY: the model's default ordering would join indicators and areas to sort.
        base = Figure.objects.filter(year__in=years, status__in=statuses).order_by()
        if indicators is not None:
            base = base.filter(indicator_id__in=indicators)
        self.own, self.unapproved = {}, set()  # unapproved: keys read from submitted figures
        for period in periods:
            own = base.filter(period, area_id__in=self.level)
            for area, ind, y, m, v, status in own.values_list(
                "area_id", "indicator_id", "year", "month", "value", "status"
            ):
                self.own[area, ind, y, m] = v
                if status != Figure.Status.APPROVED:
                    self.unapproved.add((area, ind, y, m))
        self.rolled, self.reached = {}, {}
        raw, stored = self._owners(areas, tree)
        slots = defaultdict(list)
        for source_id, threshold in sorted(reach):
            slots[source_id].append(threshold)
        for period in periods:
            if raw:
                self._add_figures(base.filter(period), raw, slots, include_submitted)
            if stored:
                self._add_stored(years, period, indicators, stored, reach, include_submitted)

    @staticmethod
    def _owners(areas, tree):
        """{descendant: area} read from figures, and {town: area} read from the roll-up."""
        from .rollup import top_towns

        raw, stored = {}, {}
        for a in areas:
            below = tree.descendants(a)
            for town in top_towns(tree, below):
                stored[town.pk] = a.pk
            covered = {
                d.pk
                for t, owner in stored.items()
                if owner == a.pk
                for d in tree.descendants(tree.by_id[t])
            }
            for d in below:
                if d.pk not in stored and d.pk not in covered:
                    raw[d.pk] = a.pk
        return raw, stored

    @staticmethod
    def _owner(owners, field="area_id"):
        if len(set(owners.values())) == 1:
            return Value(next(iter(owners.values())))
        by_owner = defaultdict(list)  # several towns at once (the ranking): each village's town
        for below, above in owners.items():
            by_owner[above].append(below)
        return Case(
            *(When(**{f"{field}__in": ids}, then=Value(pk)) for pk, ids in by_owner.items())
        )

    def _add(self, key, total, n):
        if key in self.rolled:
            before, m = self.rolled[key]
            total = before + total if before is not None and total is not None else before or total
            n += m
        self.rolled[key] = (total, n)

    def _add_figures(self, figures, owners, slots, include_submitted):
        # Threshold counts as one CASE on the indicator per column, not one FILTER per
        # threshold: each row is tested only against its own indicator's threshold.
        counts = {
            f"reached_{k}": Sum(
                Case(
                    *(
                        When(indicator_id=source_id, value__gte=ts[k], then=Value(1))
                        for source_id, ts in slots.items()
                        if len(ts) > k
                    ),
                    default=Value(0),
                )
            )
            for k in range(max(map(len, slots.values()), default=0))
        }
        if include_submitted:
            counts["pending"] = Count("id", filter=~Q(status=Figure.Status.APPROVED))
        rows = (
            figures.filter(area_id__in=owners)
            .annotate(owner=self._owner(owners))
            .values("owner", "indicator_id", "year", "month")
            .annotate(total=Sum("value"), n=Count("id"), **counts)
            .order_by()
        )
        for row in rows:
            key = (row["owner"], row["indicator_id"], row["year"], row["month"])
            self._add(key, row["total"], row["n"])
            if row.get("pending"):
                self.unapproved.add(key)
            for k, threshold in enumerate(slots.get(row["indicator_id"], ())):
                reached = (*key, threshold)
                self.reached[reached] = self.reached.get(reached, 0) + row[f"reached_{k}"]

    def _add_stored(self, years, period, indicators, owners, reach, include_submitted):
        """The towns' stored roll-up rows, summed per owner (one aggregate)."""
        prefix = "counted" if include_submitted else "approved"
        rows = TownMonth.objects.filter(period, town_id__in=owners, year__in=years).order_by()
        if indicators is not None:
            rows = rows.filter(indicator_id__in=indicators)
        rows = (
            rows.annotate(owner=self._owner(owners, "town_id"))
            .values("owner", "indicator_id", "year", "month", "threshold")
            .annotate(
                total=Sum(f"{prefix}_total"),
                n=Sum(f"{prefix}_count"),
                approved=Sum("approved_count"),
            )
        )
        for row in rows:
            key = (row["owner"], row["indicator_id"], row["year"], row["month"])
            if row["threshold"] is not None:
                if (row["indicator_id"], row["threshold"]) in reach:
                    reached = (*key, row["threshold"])
                    self.reached[reached] = self.reached.get(reached, 0) + row["n"]
                continue
            if not row["n"]:
                continue
            self._add(key, row["total"], row["n"])
            if include_submitted and row["n"] > row["approved"]:
                self.unapproved.add(key)

    def provisional(self, ind: Indicator, area_id: int, year: int, month: int | None) -> bool:
        """Whether the value of `ind` at this area and month uses any unapproved figure."""
        source = ind.source if ind.is_derived else ind
        return month is not None and (area_id, source.pk, year, month) in self.unapproved

    def value(self, ind: Indicator, area_id: int, year: int, month: int | None):
        """(value, number of areas reporting or None) of `ind` at the area `area_id`."""
        if month is None:
            return None, None
        if ind.entry_level == self.level[area_id] and not ind.is_derived:
            return self.own.get((area_id, ind.pk, year, month)), None
        source = ind.source if ind.is_derived else ind
        if source.entry_level == self.level[area_id]:
            total, n = self.own.get((area_id, source.pk, year, month)), None
        else:
            total, n = self.rolled.get((area_id, source.pk, year, month), (None, 0))
        if total is None:
            return None, n
        if (
            not ind.is_derived
            and ind.rollup == Indicator.Rollup.SUM
            and ind.kind in (Indicator.Kind.RATIO, Indicator.Kind.GROWTH)
        ):
            return None, n  # a ratio or a growth rate is never summed (DOMAIN §2)
        reached = self.reached.get((area_id, source.pk, year, month, ind.threshold), 0)
        return metrics.village_rollup(
            ind.rollup, total=total, reached=reached, village_count=self.villages[area_id]
        ), n


def indicators_for(area: Area, indicator: Indicator | None = None) -> list[Indicator]:
    """The indicators that have a value at `area`: village ones at a village, all above (or
    just `indicator`), with category, department and the source of derived ones loaded."""
    qs = Indicator.objects.select_related("category", "department")
    if area.level == Area.Level.VILLAGE:
        qs = qs.filter(entry_level=Indicator.EntryLevel.VILLAGE, source__isnull=True)
    if indicator is not None:
        return list(qs.filter(pk=indicator.pk).select_related("source"))
    indicators = list(qs.order_by("category__order", "category__name", "order", "code"))
    # A derived indicator's source is in the same list: attach it rather than join it again.
    by_id = {ind.pk: ind for ind in indicators}
    for ind in indicators:
        if ind.source_id:
            ind.source = by_id[ind.source_id]
    return indicators


class TargetValues(NamedTuple):
    value: Decimal | None
    growth_pct: Decimal | None
    stretch_value: Decimal | None
    schedule_id: int | None


def target_values(key: str | tuple, **filters) -> dict:
    """{key: TargetValues} of the targets matching `filters`, keyed by the field `key`
    (indicator_id or area_id) or by a tuple of such fields."""
    keys = (key,) if isinstance(key, str) else key
    rows = (
        Target.objects.filter(**filters)
        .order_by()
        .values_list(*keys, "value", "growth_pct", "stretch_value", "schedule_id")
    )
    n = len(keys)
    return {(row[0] if n == 1 else row[:n]): TargetValues(*row[n:]) for row in rows}


def needed_months(indicators, month: int) -> set[int]:
    """The months a summary at `month` reads: the period, the one before, and December."""
    months = {12}
    for ind in indicators:
        period = ind.period_month(month)
        if period:
            months.add(period)
            if period > ind.step:
                months.add(period - ind.step)
    return months


def evaluate_row(
    ind, values, area_id, year, month, target, judging: Judging, series: bool = False
) -> SummaryRow:
    """One summary row from loaded figures: the one formula path for every page. With
    `series`, the row also carries the twelve months (`values` must hold all of them).

    A quarterly or annual indicator is judged at its last period end (`period_month`); before
    its first one it has nothing to judge (light None), never 未报.
    """
    period = ind.period_month(month)
    actual, reported = values.value(ind, area_id, year, period)
    first = period is not None and period <= ind.step
    previous = (
        None if first or period is None else values.value(ind, area_id, year, period - ind.step)[0]
    )
    last_year = values.value(ind, area_id, year - 1, period)[0]
    baseline = values.value(ind, area_id, year - 1, 12)[0]
    time_pct, schedule = judging.time_pct(target, period or month, year)
    result = metrics.evaluate(
        kind=ind.kind,
        direction=ind.direction,
        month=period or month,
        first=first,
        actual=actual,
        previous_actual=previous,
        last_year_actual=last_year,
        baseline=baseline,
        target=target.value if target else None,
        growth_pct=target.growth_pct if target else None,
        thresholds=judging.thresholds,
        time_pct=time_pct,
        rate=ind.is_rate,
        decimals=ind.decimals,
    )
    growth_only = target is not None and target.value is None and not ind.is_growth_rate
    return SummaryRow(
        indicator=ind,
        year=year,
        month=month,
        period_month=period,
        target=result.target,
        stretch_target=target.stretch_value if target else None,
        growth_target_pct=target.growth_pct if growth_only else None,
        actual=actual,
        month_value=result.month_value,
        last_year_actual=last_year,
        baseline=baseline,
        yoy_pct=result.yoy_pct,
        completion_pct=result.completion_pct,
        time_progress_pct=result.time_progress_pct,
        gap_pp=result.gap_pp,
        growth_gap_pp=result.growth_gap_pp,
        light=result.light if period is not None else None,
        reported=reported,
        village_count=values.villages[area_id],
        provisional=values.provisional(ind, area_id, year, period)
        or (previous is not None and values.provisional(ind, area_id, year, period - ind.step)),
        progress_pct=result.progress_pct,
        target_growth_pct=target.growth_pct if target else None,
        yoy_change=result.yoy_change,
        net_change=result.net_change,
        schedule=schedule,
        projected_full_year=result.projected,
        projected_pct=result.projected_pct,
        needed_monthly=result.needed_monthly,
        has_figure=actual is not None,
        overdue=period is not None and actual is None and judging.overdue(ind, year, period),
        value_light=result.value_light,
        growth_light=result.growth_light,
        **(
            _series_fields(ind, values, area_id, year, result, baseline, judging, target)
            if series
            else {}
        ),
    )


def _series_fields(ind, values, area_id, year, result, baseline, judging, target) -> dict:
    """This and last year's twelve months, their 当月 and the pace line, for trends and charts."""
    this = tuple(values.value(ind, area_id, year, m)[0] for m in range(1, 13))
    last = tuple(values.value(ind, area_id, year - 1, m)[0] for m in range(1, 13))
    cumulative = ind.is_cumulative
    return {
        "series": this,
        "series_last": last,
        "month_values": metrics.month_values(this, step=ind.step) if cumulative else None,
        "month_values_last": metrics.month_values(last, step=ind.step) if cumulative else None,
        "pace": tuple(
            metrics.planned_level(
                kind=ind.kind,
                target=result.target,
                baseline=baseline,
                time_pct=judging.time_pct(target, m, year)[0],
            )
            for m in range(1, 13)
        )
        if result.target is not None and not ind.is_growth_rate
        else None,
    }


def summary_rows(
    area: Area,
    year: int,
    month: int,
    *,
    tree: AreaTree | None = None,
    series: bool | str = False,
    indicator: Indicator | None = None,
    include_submitted: bool = False,
    today: datetime.date | None = None,
) -> list[SummaryRow]:
    """Per indicator: target, actual and the DOMAIN §4 numbers for `area` at month `month`.

    With `series`, each row also carries this and last year's twelve monthly values (for trends
    and charts); with `series="key"` only the key indicators' rows do. Runs a constant number
    of queries (areas, light scheme, indicators, targets, own figures, one roll-up aggregate)
    whatever the number of indicators and villages. With `indicator`, only that indicator's row (the indicator page).
    Approved figures only, unless `include_submitted` (then rows reading a submitted figure are
    `provisional`, 初步数).
    """
    tree = tree or AreaTree()
    area = tree.by_id[area.pk]
    judging = Judging(today=today)
    indicators = indicators_for(area, indicator)
    targets = target_values("indicator_id", area=area, year=year)
    values = FigureValues(
        [area],
        tree,
        years=[year - 1, year],
        months=range(1, 13) if series is True else needed_months(indicators, month),
        reach=reach_of(indicators),
        indicators=None
        if indicator is None
        else [i for ind in indicators for i in (ind.pk, ind.source_id) if i],
        all_months=[i for ind in indicators if ind.is_key for i in (ind.pk, ind.source_id) if i]
        if series == "key"
        else (),
        include_submitted=include_submitted,
    )
    if series is True:
        with_trend = {ind.pk for ind in indicators}
    elif series == "key":
        with_trend = {ind.pk for ind in indicators if ind.is_key}
    else:
        with_trend = set()
    return [
        evaluate_row(
            ind,
            values,
            area.pk,
            year,
            month,
            targets.get(ind.pk),
            judging,
            ind.pk in with_trend,
        )
        for ind in indicators
    ]


def summary_payload(area: Area, year: int, month: int, rows) -> dict:
    """The DOMAIN §8 JSON document shared by `manage.py summary --json` and the API."""
    return {
        "area": {"code": area.code, "name": area.name, "level": area.level},
        "year": year,
        "month": month,
        "indicators": [row.as_json() for row in rows],
    }


def unapproved_count(area: Area, year: int, month: int, *, tree: AreaTree | None = None) -> int:
    """Figures of `area` and the areas below it for the month that await approval (初步数)."""
    tree = tree or AreaTree()
    ids = [area.pk, *(a.pk for a in tree.descendants(tree.by_id[area.pk]))]
    return Figure.objects.filter(
        area_id__in=ids, year=year, month=month, status=Figure.Status.SUBMITTED
    ).count()
