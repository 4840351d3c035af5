"""The villages behind a town's figure: each village judged as the town is, for the indicator
page's breakdown and the overview's "进度滞后的村". The same `evaluate_row` as the town."""

from dataclasses import dataclass
from decimal import Decimal

from .areas import AreaTree
from .models import Area, Indicator, Light
from .selectors import FigureValues, Judging, SummaryRow, evaluate_row, needed_months, target_values


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
    judging = Judging()
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
                    ind, values, v.pk, year, month, own_targets.get((ind.pk, v.pk)), judging
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
