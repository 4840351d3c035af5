"""The DOMAIN §2 rules of a value, shared by every way a figure is written.

The entry grid, the workbook import and the admin all ask these functions, so a figure typed,
uploaded or edited is judged alike. Each returns the problem, or None; callers add what to do.
Like `cells`, they speak the active language: Chinese in imports, the page's language in the
grid.
"""

from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy

from . import metrics

# A figure 1000 times (or 1/1000) its neighbour is the classic 元/万元/亿元 slip.
OUTLIER_RATIO = Decimal(1000)

REASON_HINT = gettext_lazy("如属口径调整请在「备注」中写明原因")


def negative_problem(kind: str, value: Decimal) -> str | None:
    if value < 0 and kind in (metrics.Kind.COUNT, metrics.Kind.STOCK):
        return gettext("计数、存量型指标不能为负数")
    return None


def cumulative_problem(points: dict, year: int, month: int, value: Decimal, *, after="next"):
    """A YTD figure below last month's, or above an existing next month's, cumulative.

    `points` maps (year, month) to the stored values of the same indicator and area; pass
    `after=None` to skip the comparison with the next month.
    """
    before = points.get((year, month - 1))
    if before is not None and value < before:
        return gettext("累计值%(value)s低于上月累计%(before)s：累计数应逐月不减") % {
            "value": f"{value.normalize():f}",
            "before": f"{before.normalize():f}",
        }
    later = points.get((year, month + 1)) if after else None
    if later is not None and value > later:
        return gettext("累计值%(value)s高于已有的下月累计%(later)s：请核对") % {
            "value": f"{value.normalize():f}",
            "later": f"{later.normalize():f}",
        }
    return None


def _nearest_nonzero(points: dict, year: int, month: int):
    """The latest earlier (year, month) with a non-zero value, else the earliest later one."""
    # The neighbour is almost always last month: look back two years by key before scanning.
    y, m = year, month
    for _ in range(24):
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        if points.get((y, m)):
            return (y, m)
    earlier = [p for p in points if p < (year, month) and points[p] != 0]
    if earlier:
        return max(earlier)
    later = [p for p in points if p > (year, month) and points[p] != 0]
    return min(later) if later else None


def unit_slip_problem(points: dict, year: int, month: int, value: Decimal) -> str | None:
    """A value about 1000 times (or 1/1000 of) its nearest non-zero neighbour in the series."""
    if value == 0:
        return None
    neighbour = _nearest_nonzero(points, year, month)
    if neighbour is None:
        return None
    reference = points[neighbour]
    ratio = abs(value / reference)
    if OUTLIER_RATIO > ratio > 1 / OUTLIER_RATIO:
        return None
    times = ratio if ratio >= 1 else 1 / ratio
    return gettext(
        "数值%(value)s与%(year)s年%(month)s月的%(reference)s相差约%(times)s倍，"
        "疑似单位填错（元/万元/亿元）"
    ) % {
        "value": f"{value.normalize():f}",
        "year": neighbour[0],
        "month": neighbour[1],
        "reference": f"{reference.normalize():f}",
        "times": f"{times:,.0f}",
    }


def cadence_problem(*, name: str, cadence: str, month: int) -> str | None:
    """Why no figure of this cadence is due for `month` (DOMAIN §2), saying when it is due."""
    if metrics.period_month(cadence, month) == month:
        return None
    if cadence == metrics.Cadence.QUARTERLY:
        return gettext(
            "「%(name)s」是季报指标，只在3月、6月、9月、12月填报（填当季末的累计数），"
            "%(month)s月不需要填报"
        ) % {"name": name, "month": month}
    return gettext("「%(name)s」是年报指标，只在12月填报全年数，%(month)s月不需要填报") % {
        "name": name,
        "month": month,
    }


def placement_problem(*, name: str, derived: bool, entry_level: str, area_level: str) -> str | None:
    """Why a figure of this indicator cannot be written at an area of `area_level`, or None.

    A derived indicator (村均, 达标村数) is computed from its source, never entered; a figure is
    entered at the indicator's own level only (a village-entered indicator's town total is the
    villages' roll-up, never typed).
    """
    if derived:
        return gettext("「%(name)s」是派生指标，由来源指标自动计算，不能填报") % {"name": name}
    if area_level == entry_level:
        return None
    if entry_level == metrics.EntryLevel.VILLAGE:
        return gettext("「%(name)s」由各村填报，镇的数值由各村汇总得出，不能直接填报") % {
            "name": name
        }
    return gettext("「%(name)s」由镇填报，不能按村填报") % {"name": name}


def indicator_problems(
    *,
    code: str,
    kind: str,
    entry_level: str,
    rollup: str,
    threshold,
    source: str = "",
    source_found: bool = True,
    source_derived: bool = False,
) -> list[tuple[str, str]]:
    """The catalogue rules of DOMAIN §8 for one indicator, as (field, problem) pairs.

    `source` is the 来源指标's code ("" when not derived), `source_found` whether it exists and
    `source_derived` whether it is itself derived. The admin and the workbook ask the same rules.
    """
    problems = []
    if source:
        if source == code:
            problems.append(("source", gettext("来源指标不能是自己")))
        elif not source_found:
            problems.append(("source", gettext("来源指标「%(code)s」不存在") % {"code": source}))
        elif source_derived:
            problems.append(
                ("source", gettext("来源指标「%(code)s」本身也是派生指标") % {"code": source})
            )
        if rollup == metrics.Rollup.SUM:
            problems.append(("rollup", gettext("派生指标的汇总方式应为「村均」或「达标村数」")))
    if rollup == metrics.Rollup.COUNT_AT_LEAST and threshold is None:
        problems.append(("threshold", gettext("汇总为「达标村数」时必须填写达标阈值")))
    if (
        kind == metrics.Kind.RATIO
        and entry_level == metrics.EntryLevel.VILLAGE
        and rollup == metrics.Rollup.SUM
        and not source
    ):
        problems.append(("rollup", gettext("比率型指标不能按村合计：请改为「村均」")))
    if kind == metrics.Kind.GROWTH and (source or entry_level == metrics.EntryLevel.VILLAGE):
        # A growth rate at comparable prices cannot be recomputed from villages' figures.
        problems.append(
            ("entry_level", gettext("增速型指标按统计部门公布的增速由镇填报，不能按村汇总或派生"))
        )
    return problems


def schedule_problems(anchors: dict) -> list[tuple[int | None, str]]:
    """A 序时计划's anchors {month: share %}: December is required, shares never fall."""
    problems = []
    if 12 not in anchors:
        problems.append((12, gettext("序时计划必须填写12月（全年计划占比，通常为100）")))
    previous = None
    for month in sorted(anchors):
        share = anchors[month]
        if share < 0:
            problems.append((month, gettext("计划占比不能为负数")))
        elif previous is not None and share < previous[1]:
            problems.append(
                (
                    month,
                    gettext(
                        "%(month)s月的计划占比%(share)s%%低于%(before)s月的%(prev)s%%：累计计划应逐月不减"
                    )
                    % {
                        "month": month,
                        "share": f"{share.normalize():f}",
                        "before": previous[0],
                        "prev": f"{previous[1].normalize():f}",
                    },
                )
            )
        previous = (month, share)
    return problems
