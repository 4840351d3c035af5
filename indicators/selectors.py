"""Reads shared by the summary command, the dashboard and the API.

`summary_rows` is the one place that turns stored figures into the numbers leaders read; every
page, the API and the command call it, so a number is computed once per request.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from . import metrics
from .models import Area, Figure, Indicator, LightScheme, Target


class AreaTree:
    """All areas in one query, with parents and descendants answered from memory."""

    def __init__(self, areas=None):
        areas = list(Area.objects.all()) if areas is None else list(areas)
        self.by_id = {a.pk: a for a in areas}
        self.by_code = {a.code: a for a in areas}
        self.children = defaultdict(list)
        for a in areas:
            self.children[a.parent_id].append(a)

    def descendants(self, area) -> list[Area]:
        found, queue = [], list(self.children[area.pk])
        while queue:
            found += queue
            queue = [c for a in queue for c in self.children[a.pk]]
        return found

    def villages(self, area) -> list[Area]:
        return [a for a in self.descendants(area) if a.level == Area.Level.VILLAGE]


def active_scheme() -> LightScheme:
    """The active light thresholds; the DOMAIN defaults when an administrator has none active."""
    return LightScheme.objects.filter(is_active=True).first() or LightScheme(name="默认")


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
        }


class _Values:
    """Figures of one area and the roll-ups of its descendants, for a few (year, month)s."""

    def __init__(self, area, tree, years, months, thresholds):
        self.area = area
        self.villages = len(tree.villages(area))
        self.own = {
            (ind, y, m): v
            for ind, y, m, v in Figure.objects.filter(
                area=area, year__in=years, month__in=months
            ).values_list("indicator_id", "year", "month", "value")
        }
        self.rolled = {}
        self.reached = {}
        below = [a.pk for a in tree.descendants(area)]
        if not below:
            return
        # One aggregate query: the sum, the number reporting and, per distinct threshold, the
        # number of areas at or above it (for 达标村数).
        names = {t: f"at_least_{i}" for i, t in enumerate(sorted(thresholds))}
        rows = (
            Figure.objects.filter(area_id__in=below, year__in=years, month__in=months)
            .values("indicator_id", "year", "month")
            .annotate(
                total=Sum("value"),
                n=Count("id"),
                **{name: Count("id", filter=Q(value__gte=t)) for t, name in names.items()},
            )
            .order_by()
        )
        for row in rows:
            key = (row["indicator_id"], row["year"], row["month"])
            self.rolled[key] = (row["total"], row["n"])
            for t, name in names.items():
                self.reached[(*key, t)] = row[name]

    def value(self, ind: Indicator, year: int, month: int | None):
        """(value, number of villages reporting or None) of `ind` at this area."""
        if month is None:
            return None, None
        if ind.is_derived:
            source = ind.source
            total, n = self._base(source, year, month)
            if ind.rollup == Indicator.Rollup.COUNT_AT_LEAST:
                reached = self.reached.get((source.pk, year, month, ind.threshold), 0)
            else:
                reached = None
            if total is None:
                return None, n
            return metrics.village_rollup(
                ind.rollup, total=total, reached=reached, village_count=self.villages
            ), n
        if ind.entry_level == self.area.level:
            return self.own.get((ind.pk, year, month)), None
        total, n = self._base(ind, year, month)
        if total is None:
            return None, n
        if ind.rollup == Indicator.Rollup.SUM and ind.kind == Indicator.Kind.RATIO:
            return None, n  # a ratio is never summed
        reached = self.reached.get((ind.pk, year, month, ind.threshold))
        return metrics.village_rollup(
            ind.rollup, total=total, reached=reached, village_count=self.villages
        ), n

    def _base(self, ind, year, month):
        if ind.entry_level == self.area.level:
            return self.own.get((ind.pk, year, month)), None
        total, n = self.rolled.get((ind.pk, year, month), (None, 0))
        return total, n


def indicators_for(area: Area):
    """The indicators that have a value at `area`: village ones at a village, all above."""
    qs = Indicator.objects.select_related("category", "department", "source")
    if area.level == Area.Level.VILLAGE:
        qs = qs.filter(entry_level=Indicator.EntryLevel.VILLAGE, source__isnull=True)
    return qs.order_by("category__order", "category__name", "order", "code")


def summary_rows(area: Area, year: int, month: int, *, tree: AreaTree | None = None):
    """Per indicator: target, actual and the DOMAIN §4 numbers for `area` at month `month`.

    Runs a constant number of queries (areas, light scheme, indicators, targets, own figures, one
    roll-up aggregate) whatever the number of indicators and villages.
    """
    tree = tree or AreaTree()
    area = tree.by_id[area.pk]
    scheme = active_scheme()
    thresholds = scheme.thresholds()
    indicators = list(indicators_for(area))
    targets = {t.indicator_id: t for t in Target.objects.filter(area=area, year=year)}

    periods = {ind.pk: ind.period_month(month) for ind in indicators}
    months = (
        {12}
        | {p for p in periods.values() if p}
        | {p - step(ind) for ind in indicators if (p := periods[ind.pk]) and p > step(ind)}
    )
    levels = {ind.threshold for ind in indicators if ind.threshold is not None}
    values = _Values(area, tree, [year - 1, year], months, levels)

    rows = []
    for ind in indicators:
        period = periods[ind.pk]
        actual, reported = values.value(ind, year, period)
        first = period is not None and period <= step(ind)
        previous = (
            None if first or period is None else values.value(ind, year, period - step(ind))[0]
        )
        last_year = values.value(ind, year - 1, period)[0]
        baseline = values.value(ind, year - 1, 12)[0]
        target = targets.get(ind.pk)
        time_pct = metrics.time_progress_pct(period or month, year=year, basis=scheme.time_basis)
        result = metrics.evaluate(
            kind=ind.kind,
            direction=ind.direction,
            month=1 if first else (period or month),
            actual=actual,
            previous_actual=previous,
            last_year_actual=last_year,
            baseline=baseline,
            target=target.value if target else None,
            growth_pct=target.growth_pct if target else None,
            thresholds=thresholds,
            time_pct=time_pct,
        )
        rows.append(
            SummaryRow(
                indicator=ind,
                year=year,
                month=month,
                period_month=period,
                target=result.target,
                stretch_target=target.stretch_value if target else None,
                growth_target_pct=target.growth_pct if target and target.value is None else None,
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
                village_count=values.villages,
            )
        )
    return rows


def step(ind: Indicator) -> int:
    """Months between two figures of this indicator's cadence."""
    return {"quarterly": 3, "annual": 12}.get(ind.cadence, 1)
