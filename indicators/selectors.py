"""Reads shared by the summary command, the dashboard and the API.

`summary_rows` is the one place that turns stored figures into the numbers leaders read; every
page, the API and the command call it, so a number is computed once per request.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Case, Count, Max, Q, Sum, Value, When

from . import metrics
from .areas import AreaTree
from .models import Area, Figure, Indicator, Light, LightScheme, Target


def latest_period(
    area: Area, tree: AreaTree, submitted: bool = False, year: int | None = None
) -> tuple[int, int] | None:
    """The latest (year, month) with a counted figure in `area` or below (within `year` when
    given): the default period. Two MAX lookups, which the (area, year, month) index answers."""
    ids = [area.pk, *(a.pk for a in tree.descendants(area))]
    statuses = [Figure.Status.APPROVED]
    if submitted:
        statuses.append(Figure.Status.SUBMITTED)
    figures = Figure.objects.filter(area_id__in=ids, status__in=statuses)
    if year is None:
        year = figures.aggregate(latest=Max("year"))["latest"]
        if year is None:
            return None
    month = figures.filter(year=year).aggregate(latest=Max("month"))["latest"]
    return (year, month) if month else None


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
    series: tuple | None = None  # this year's 12 monthly values, when asked for
    series_last: tuple | None = None  # last year's 12 monthly values, when asked for
    month_values: tuple | None = None  # this year's 当月 (当季) of each month, with the series
    month_values_last: tuple | None = None  # last year's, with the series
    pace: tuple | None = None  # the level that meets the target on time, each month
    progress_pct: Decimal | None = None  # what the gap is computed from (completion/progress)
    provisional: bool = False  # 初步数: the actual or 当月 uses a submitted, unapproved figure

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

    Two queries whatever the number of areas, indicators and villages: the areas' own figures,
    and one aggregate over their descendants (sum, number reporting and, for each (source,
    threshold) in `reach`, the number at or above it for 达标村数), grouped by the area each
    descendant rolls up to. `months` are read for every indicator, all twelve for those in
    `all_months` (the key indicators' trends, in the same two queries).
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
        # No ORDER BY: the model's default ordering would join indicators and areas to sort.
        period = Q(month__in=months)
        if all_months:
            period |= Q(indicator_id__in=all_months)
        figures = Figure.objects.filter(period, year__in=years, status__in=statuses).order_by()
        if indicators is not None:
            figures = figures.filter(indicator_id__in=indicators)
        self.own, self.unapproved = {}, set()  # unapproved: keys read from submitted figures
        for area, ind, y, m, v, status in figures.filter(area_id__in=self.level).values_list(
            "area_id", "indicator_id", "year", "month", "value", "status"
        ):
            self.own[area, ind, y, m] = v
            if status != Figure.Status.APPROVED:
                self.unapproved.add((area, ind, y, m))
        self.rolled, self.reached = {}, {}
        owners = {d.pk: a.pk for a in areas for d in tree.descendants(a)}
        if not owners:
            return
        if len(areas) == 1:
            owner = Value(areas[0].pk)
        else:  # several towns at once (the district ranking): map each village to its town
            by_owner = defaultdict(list)
            for below, above in owners.items():
                by_owner[above].append(below)
            owner = Case(*(When(area_id__in=ids, then=Value(pk)) for pk, ids in by_owner.items()))
        # Threshold counts as one CASE on the indicator per column, not one FILTER per
        # threshold: each row is tested only against its own indicator's threshold.
        slots = defaultdict(list)
        for source_id, threshold in sorted(reach):
            slots[source_id].append(threshold)
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
            .annotate(owner=owner)
            .values("owner", "indicator_id", "year", "month")
            .annotate(total=Sum("value"), n=Count("id"), **counts)
            .order_by()
        )
        for row in rows:
            key = (row["owner"], row["indicator_id"], row["year"], row["month"])
            self.rolled[key] = (row["total"], row["n"])
            if row.get("pending"):
                self.unapproved.add(key)
            for k, threshold in enumerate(slots.get(row["indicator_id"], ())):
                self.reached[(*key, threshold)] = row[f"reached_{k}"]

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
            and ind.kind == Indicator.Kind.RATIO
        ):
            return None, n  # a ratio is never summed
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


def target_values(key: str | tuple, **filters) -> dict:
    """{key: TargetValues} of the targets matching `filters`, keyed by the field `key`
    (indicator_id or area_id) or by a tuple of such fields."""
    keys = (key,) if isinstance(key, str) else key
    rows = (
        Target.objects.filter(**filters)
        .order_by()
        .values_list(*keys, "value", "growth_pct", "stretch_value")
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
    ind, values, area_id, year, month, target, scheme, series: bool = False
) -> SummaryRow:
    """One summary row from loaded figures: the one formula path for every page. With
    `series`, the row also carries the twelve months (`values` must hold all of them)."""
    period = ind.period_month(month)
    actual, reported = values.value(ind, area_id, year, period)
    first = period is not None and period <= ind.step
    previous = (
        None if first or period is None else values.value(ind, area_id, year, period - ind.step)[0]
    )
    last_year = values.value(ind, area_id, year - 1, period)[0]
    baseline = values.value(ind, area_id, year - 1, 12)[0]
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
        thresholds=scheme.thresholds(),
        time_pct=time_pct,
    )
    return SummaryRow(
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
        village_count=values.villages[area_id],
        provisional=values.provisional(ind, area_id, year, period)
        or (previous is not None and values.provisional(ind, area_id, year, period - ind.step)),
        progress_pct=result.progress_pct,
        **(_series_fields(ind, values, area_id, year, result, baseline, scheme) if series else {}),
    )


def _series_fields(ind, values, area_id, year, result, baseline, scheme) -> dict:
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
                time_pct=metrics.time_progress_pct(m, year=year, basis=scheme.time_basis),
            )
            for m in range(1, 13)
        )
        if result.target is not None
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
    scheme = active_scheme()
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
            scheme,
            ind.pk in with_trend,
        )
        for ind in indicators
    ]


@dataclass(frozen=True)
class VillageRow:
    area: Area
    value: Decimal | None
    target: Decimal | None
    completion_pct: Decimal | None = None
    gap_pp: Decimal | None = None
    yoy_pct: Decimal | None = None
    light: str | None = None


def village_rows(
    indicators, villages, year: int, month: int, *, targets=True, include_submitted=False
) -> dict[int, list[tuple[Area, SummaryRow]]]:
    """{indicator id: [(village, SummaryRow)]}: each village judged on each village-entered
    indicator with the same formulas as the town (its own target, unless `targets` is False).
    Three queries (light scheme, targets, figures) whatever the number of villages."""
    scheme = active_scheme()
    own_targets = (
        target_values(
            ("indicator_id", "area_id"), indicator__in=indicators, area__in=villages, year=year
        )
        if targets
        else {}
    )
    values = FigureValues(
        villages,
        AreaTree(villages),
        years=[year - 1, year],
        months=needed_months(indicators, month),
        indicators=[ind.pk for ind in indicators],
        include_submitted=include_submitted,
    )
    return {
        ind.pk: [
            (
                v,
                evaluate_row(
                    ind, values, v.pk, year, month, own_targets.get((ind.pk, v.pk)), scheme
                ),
            )
            for v in villages
        ]
        for ind in indicators
    }


def village_breakdown(
    indicator: Indicator, area: Area, year: int, month: int, *, include_submitted: bool = False
) -> list[VillageRow]:
    """Each village under `area` with its counted figure for the period, judged like the town
    (completion of its own target, gap to 时序进度, 同比, light); a derived indicator shows its
    source's figures without targets. Largest first; villages that have not reported come last.
    Approved figures only, unless `include_submitted`. Four queries."""
    source = indicator.source or indicator
    if source.entry_level != Indicator.EntryLevel.VILLAGE:
        return []
    villages = list(Area.objects.filter(parent=area, level=Area.Level.VILLAGE))
    if not villages:
        return []
    judged = village_rows(
        [source],
        villages,
        year,
        month,
        targets=indicator.source_id is None,
        include_submitted=include_submitted,
    )[source.pk]
    rows = [
        VillageRow(v, r.actual, r.target, r.completion_pct, r.gap_pp, r.yoy_pct, r.light)
        for v, r in judged
    ]
    return sorted(rows, key=lambda r: (r.value is None, -(r.value or 0), r.area.code))


@dataclass(frozen=True)
class VillageLag:
    """A village-level indicator at a town and the villages that pull its total down."""

    row: SummaryRow  # the indicator at the town
    villages: list  # [(Area, SummaryRow)], worst first, at most `limit`
    behind: int  # villages behind 时序进度 (with village targets) or below last year (without)
    by_gap: bool  # True: judged on village targets; False: on 同比 (no village targets)


def village_laggards(
    area: Area,
    year: int,
    month: int,
    rows: list[SummaryRow],
    *,
    tree: AreaTree,
    include_submitted: bool = False,
    indicators: int = 3,
    limit: int = 5,
) -> list[VillageLag]:
    """Which villages pull the town's total down, for the overview.

    Takes the village-entered indicators that lag at the town (red, then yellow; at most
    `indicators` of them) and evaluates each village with the same formulas as the town
    (`village_rows`). A village is behind when its own target puts it behind 时序进度; where
    villages have no targets, when it is below last year. Three queries, whatever the number of
    villages.
    """
    villages = [a for a in tree.children[area.pk] if a.level == Area.Level.VILLAGE]
    if area.level != Area.Level.TOWN or not villages:
        return []
    order = {Light.RED: 0, Light.YELLOW: 1}
    chosen = sorted(
        (
            r
            for r in rows
            if r.indicator.entry_level == Indicator.EntryLevel.VILLAGE
            and not r.indicator.is_derived
            and r.light in order
        ),
        key=lambda r: (order[r.light], r.gap_pp if r.gap_pp is not None else 0),
    )[:indicators]
    if not chosen:
        return []
    judged = village_rows(
        [r.indicator for r in chosen], villages, year, month, include_submitted=include_submitted
    )
    found = []
    for town_row in chosen:
        ind = town_row.indicator
        evaluated = judged[ind.pk]
        by_gap = any(r.target is not None for _, r in evaluated)
        # The gap is already signed so that behind is negative; growth is bad for a reverse one.
        sign = -1 if not by_gap and ind.direction == Indicator.Direction.REVERSE else 1

        def worse(r, by_gap=by_gap, sign=sign):
            return r.gap_pp if by_gap else (None if r.yoy_pct is None else sign * r.yoy_pct)

        behind = sorted(
            (
                (v, r)
                for v, r in evaluated
                if worse(r) is not None and (r.light in order if by_gap else worse(r) < 0)
            ),
            key=lambda pair: (worse(pair[1]), pair[0].code),
        )
        found.append(VillageLag(town_row, behind[:limit], len(behind), by_gap))
    return found


def summary_payload(area: Area, year: int, month: int, rows) -> dict:
    """The DOMAIN §8 JSON document shared by `manage.py summary --json` and the API."""
    return {
        "area": {"code": area.code, "name": area.name, "level": area.level},
        "year": year,
        "month": month,
        "indicators": [row.as_json() for row in rows],
    }


@dataclass(frozen=True)
class RankRow:
    area: Area
    row: SummaryRow
    rank: int | None
    previous_rank: int | None

    @property
    def rank_change(self) -> int | None:
        """Places gained since last month (positive = moved up)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


RANK_MEASURES = {"completion": "completion_pct", "gap": "gap_pp", "growth": "yoy_pct"}


def town_ranking(
    district: Area, year: int, month: int, indicator: Indicator, measure: str = "gap", *, tree=None
) -> list[RankRow]:
    """The towns under `district` ranked on one indicator (排名), with last month's rank.

    A constant number of queries whatever the number of towns: every town's figures and its
    villages' roll-ups come from one FigureValues.
    """
    tree = tree or AreaTree()
    towns = sorted(
        (a for a in tree.descendants(tree.by_id[district.pk]) if a.level == Area.Level.TOWN),
        key=lambda a: a.code,
    )
    if not towns:
        return []
    scheme = active_scheme()
    ids = [indicator.pk] + ([indicator.source_id] if indicator.source_id else [])
    targets = target_values("area_id", indicator=indicator, area__in=towns, year=year)
    months = needed_months([indicator], month) | needed_months([indicator], max(month - 1, 1))
    values = FigureValues(
        towns,
        tree,
        years=[year - 1, year],
        months=months,
        reach=reach_of([indicator]),
        indicators=ids,
    )
    field_name = RANK_MEASURES[measure]

    def ranks(rows):
        # Reverse indicators: a larger gap is still better, so one ordering serves all measures.
        order = sorted(
            (i for i, r in enumerate(rows) if getattr(r, field_name) is not None),
            key=lambda i: getattr(rows[i], field_name),
            reverse=True,
        )
        return {i: place for place, i in enumerate(order, start=1)}

    now = [
        evaluate_row(indicator, values, t.pk, year, month, targets.get(t.pk), scheme) for t in towns
    ]
    before = (
        [
            evaluate_row(indicator, values, t.pk, year, month - 1, targets.get(t.pk), scheme)
            for t in towns
        ]
        if month > 1
        else [None] * len(towns)
    )
    rank_now = ranks(now)
    rank_before = ranks(before) if month > 1 else {}
    result = [
        RankRow(area=t, row=now[i], rank=rank_now.get(i), previous_rank=rank_before.get(i))
        for i, t in enumerate(towns)
    ]
    return sorted(result, key=lambda r: (r.rank is None, r.rank or 0, r.area.code))


def unapproved_count(area: Area, year: int, month: int, *, tree: AreaTree | None = None) -> int:
    """Figures of `area` and the areas below it for the month that await approval (初步数)."""
    tree = tree or AreaTree()
    ids = [area.pk, *(a.pk for a in tree.descendants(tree.by_id[area.pk]))]
    return Figure.objects.filter(
        area_id__in=ids, year=year, month=month, status=Figure.Status.SUBMITTED
    ).count()
