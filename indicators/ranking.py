"""The towns of a district ranked on one indicator (排名), with the change since last month."""

from dataclasses import dataclass

from .areas import AreaTree
from .models import Area, Indicator
from .selectors import (
    FigureValues,
    Judging,
    SummaryRow,
    evaluate_row,
    needed_months,
    reach_of,
    target_values,
)


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
    judging = Judging()
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
        evaluate_row(indicator, values, t.pk, year, month, targets.get(t.pk), judging)
        for t in towns
    ]
    before = (
        [
            evaluate_row(indicator, values, t.pk, year, month - 1, targets.get(t.pk), judging)
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
