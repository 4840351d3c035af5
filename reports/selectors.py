"""The overview (驾驶舱) as one read: the summary rows and everything composed from them.

Every number the overview shows, the tally, the lagging list, the comparison with last year and
each category's completion, is computed here from `indicators.selectors.summary_rows`, once;
the page, its category chart and the briefs that come later show these results and compute
nothing. The task block is the ledger's own tally (`tasks.selectors.task_tally`).
"""

from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from indicators import metrics, versions
from indicators.areas import AreaTree
from indicators.formatting import FLAT_BELOW
from indicators.models import LAGGING_LIGHTS, Area, Light
from indicators.periods import month_end
from indicators.selectors import SummaryRow, completeness, summary_rows, unapproved_count
from indicators.villages import village_laggards
from tasks.selectors import task_tally

LAGGING_SHOWN = 10  # the overview's list; the rest are in the category tables below it
LIGHT_ORDER = (Light.BLUE, Light.GREEN, Light.YELLOW, Light.RED, Light.GREY)
FULL = Decimal(100)


@dataclass(frozen=True)
class Tally:
    """Counts per light and the DOMAIN §7 tally line, in the page's language."""

    counts: Counter
    total: int
    text: str


def tally(rows: list[SummaryRow]) -> Tally:
    """ "共32项指标：已完成3项，达进度13项…": zero counts are left out (DOMAIN §7)."""
    counts = Counter(r.light for r in rows)
    words = [
        _("%(light)s%(n)s项") % {"light": light.label, "n": counts[light]}
        for light in LIGHT_ORDER
        if counts[light]
    ]
    lead = _("共%(n)s项指标：") % {"n": len(rows)}
    return Tally(counts, len(rows), lead + _("，").join(words))


def lagging(rows: list[SummaryRow]) -> list[SummaryRow]:
    """Red then yellow, the furthest behind first: the list a meeting goes through."""
    behind = [r for r in rows if r.light in LAGGING_LIGHTS]
    return sorted(
        behind,
        key=lambda r: (r.light != Light.RED, r.gap_pp if r.gap_pp is not None else 0),
    )


@dataclass(frozen=True)
class YoyTally:
    """与上年同期比: how many indicators moved the right way, and the worst moves."""

    better: int
    worse: int
    flat: int
    worst: list = field(default_factory=list)

    @property
    def text(self) -> str:
        """ "与上年同期比：22项好于上年同期，8项低于上年同期" without zero counts."""
        parts = [
            (_("%(n)s项好于上年同期") % {"n": self.better}) if self.better else "",
            (_("%(n)s项低于上年同期") % {"n": self.worse}) if self.worse else "",
            (_("%(n)s项与上年同期持平") % {"n": self.flat}) if self.flat else "",
        ]
        words = _("，").join(p for p in parts if p)
        return _("与上年同期比：%(words)s") % {"words": words} if words else ""


def _change(row) -> Decimal | None:
    """How a row moved on last year: % for amounts, 个百分点 for rates."""
    return row.yoy_change if row.indicator.is_rate else row.yoy_pct


def yoy_tally(rows: list[SummaryRow], limit: int = 3) -> YoyTally:
    """A reverse indicator, such as accidents, does better when it falls; a rate is compared
    by its change in 个百分点."""
    better, worse, flat = 0, [], 0
    for r in rows:
        change = _change(r)
        if change is None:
            continue
        if abs(change) < FLAT_BELOW:
            flat += 1
        elif (change > 0) != r.indicator.is_reverse:
            better += 1
        else:
            worse.append(r)
    worse.sort(key=lambda r: -abs(_change(r)))
    return YoyTally(better, len(worse), flat, worse[:limit])


@dataclass(frozen=True)
class CategoryGroup:
    name: str
    rows: list
    tally: Tally
    completion: Decimal | None  # average completion of its positive, targeted indicators


def by_category(rows: list[SummaryRow]) -> list[CategoryGroup]:
    """The rows per category in page order, each with its tally and average completion."""
    groups: dict[str, list[SummaryRow]] = {}
    for row in rows:
        groups.setdefault(row.indicator.category.name, []).append(row)
    result = []
    for name, group in groups.items():
        values = [
            r.completion_pct
            for r in group
            if r.completion_pct is not None and not r.indicator.is_reverse
        ]
        average = sum(values) / len(values) if values else None
        result.append(CategoryGroup(name, group, tally(group), average))
    return result


def category_light(completion: Decimal | None, pace: Decimal | None, thresholds) -> str | None:
    """The light of a category's average completion against 时序进度, judged as one positive
    cumulative indicator would be (the chart's bar against its pace line); None when empty."""
    if completion is None or pace is None:
        return None
    return metrics.light(
        has_figure=True,
        kind=metrics.Kind.FLOW,
        direction=metrics.Direction.POSITIVE,
        actual=completion,
        target=FULL,
        completion=completion,
        gap=completion - pace,
        thresholds=thresholds,
    )


@dataclass(frozen=True)
class Overview:
    area: Area
    year: int
    month: int
    rows: list
    tally: Tally
    yoy: YoyTally
    lagging: list  # the first LAGGING_SHOWN
    lagging_more: int  # how many more are behind
    overdue: list  # due, not reported, past the deadline: listed apart, never as on pace
    completeness: dict  # 本月应报、已审核、逾期未报 (indicators.selectors.completeness)
    villages: list  # indicators.selectors.VillageLag
    key_rows: list
    categories: list  # CategoryGroup
    empty_categories: list  # names of the categories without an average completion
    time_progress: Decimal | None
    tasks: dict | None
    provisional: int  # rows reading a submitted, unapproved figure
    awaiting: int  # figures of the month submitted and not yet approved (when not counted)


def overview(
    area: Area,
    year: int,
    month: int,
    *,
    tree: AreaTree,
    include_submitted: bool = False,
    tasks: bool = True,
) -> Overview:
    """Everything the overview shows for `area` at month `month` of `year` (without the task
    block when `tasks` is False)."""
    rows = summary_rows(
        area, year, month, tree=tree, series="key", include_submitted=include_submitted
    )
    behind = lagging(rows)
    categories = by_category(rows)
    return Overview(
        area=area,
        year=year,
        month=month,
        rows=rows,
        tally=tally(rows),
        yoy=yoy_tally(rows),
        lagging=behind[:LAGGING_SHOWN],
        lagging_more=max(len(behind) - LAGGING_SHOWN, 0),
        overdue=[r for r in rows if r.overdue],
        completeness=completeness(rows),
        villages=village_laggards(
            area, year, month, rows, tree=tree, include_submitted=include_submitted
        ),
        key_rows=[r for r in rows if r.indicator.is_key],
        categories=categories,
        empty_categories=[g.name for g in categories if g.completion is None],
        time_progress=rows[0].time_progress_pct if rows else None,
        tasks=task_tally(year=year, as_of=month_end(year, month), area=area, tree=tree)
        if tasks
        else None,
        provisional=sum(r.provisional for r in rows),
        awaiting=0 if include_submitted else unapproved_count(area, year, month, tree=tree),
    )


def cached_overview(
    area: Area,
    year: int,
    month: int,
    *,
    tree: AreaTree,
    include_submitted: bool = False,
    tasks: bool = True,
) -> Overview:
    """`overview`, its summary part cached under the data version (per area, period and
    `include_submitted`); the task block is read afresh, from its own narrow query, because
    task writes do not bump the version."""
    view = versions.cached(
        "overview",
        (area.pk, year, month, include_submitted),
        lambda: overview(
            area, year, month, tree=tree, include_submitted=include_submitted, tasks=False
        ),
        tree=tree,
    )
    if not tasks:
        return view
    tally = task_tally(year=year, as_of=month_end(year, month), area=area, tree=tree)
    return replace(view, tasks=tally)
