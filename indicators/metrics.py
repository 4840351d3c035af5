"""The numbers leaders read (DOMAIN.md §4), as pure functions over ``Decimal``.

Units:

- Indicator values (actual, target, baseline, month value) are in the indicator's own unit, as
  stored (an indicator in 亿元 holds 28.10).
- Percentages are percent: a completion of 73.25% is ``Decimal("73.25")``, never 0.7325. This holds
  for completion, time progress, YoY and growth rates (目标增速 8% is ``Decimal(8)``).
- Gaps are differences of percentages, in 个百分点 (percentage points). A positive gap always reads
  "on or ahead of pace", whatever the indicator's direction.

Nothing here rounds: results keep the full precision of the decimal context, and rounding is for
display only. A value that is undefined (no figure, no target, a zero base) comes back as ``None``;
no function raises on a zero or missing base. Bad *arguments* (an unknown kind, month 13) do raise
``ValueError``, since they are programming errors rather than missing data.

No Django, no ORM, no I/O: models, selectors and commands call these functions.
"""

import calendar
import datetime
import itertools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


class Kind:
    FLOW = "flow"  # 累计型: YTD cumulative
    COUNT = "count"  # 累计计数: YTD cumulative count
    STOCK = "stock"  # 存量: level at the end of the period
    RATIO = "ratio"  # 比率/均值: level, recomputed from parts
    GROWTH = "growth"  # 增速: the YTD growth rate in %, as the statistics bureau publishes it


CUMULATIVE_KINDS = (Kind.FLOW, Kind.COUNT)
LEVEL_KINDS = (Kind.STOCK, Kind.RATIO)


class Direction:
    POSITIVE = "positive"  # 正向: higher is better
    REVERSE = "reverse"  # 逆向: lower is better; the target is a cap


class Light:
    BLUE = "blue"  # 已完成
    GREEN = "green"  # 达进度
    YELLOW = "yellow"  # 欠进度
    RED = "red"  # 严重滞后
    GREY = "grey"  # 未报


class Rollup:
    SUM = "sum"  # 合计
    AVG = "avg"  # 村均
    COUNT_AT_LEAST = "count_at_least"  # 达标村数


class EntryLevel:
    TOWN = "town"  # entered for the town as a whole
    VILLAGE = "village"  # entered per village, rolled up to the town


class Cadence:
    MONTHLY = "monthly"  # 月报
    QUARTERLY = "quarterly"  # 季报: due at the end of March, June, September, December
    ANNUAL = "annual"  # 年报: due for December only


CADENCE_STEPS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.ANNUAL: 12}


def cadence_step(cadence: str) -> int:
    """Months between two figures of a cadence."""
    return CADENCE_STEPS[cadence]


def period_month(cadence: str, month: int) -> int | None:
    """The latest month ≤ ``month`` at which a figure of ``cadence`` is due; None before the
    first one (a quarterly indicator in February, an annual one before December)."""
    every = cadence_step(cadence)
    return month - month % every or None if every > 1 else month


@dataclass(frozen=True)
class Thresholds:
    """Light thresholds; defaults are DOMAIN §4's table, administrators may change them."""

    blue_min_completion: Decimal = Decimal(100)  # completion >= this -> blue (positive only)
    green_min_gap: Decimal = Decimal(0)  # gap >= this -> green
    yellow_min_gap: Decimal = Decimal(-10)  # yellow_min_gap <= gap < green_min_gap -> yellow
    growth_red_below: Decimal = Decimal(0)  # growth target: yoy < this -> red


DEFAULT_THRESHOLDS = Thresholds()
# 银川 2025: yellow when 10–30 points behind, red when more than 30 behind.
YINCHUAN_THRESHOLDS = Thresholds(green_min_gap=Decimal(-10), yellow_min_gap=Decimal(-30))


def time_progress_pct(month: int, *, year: int | None = None, basis: str = "month") -> Decimal:
    """时序进度 at the end of ``month``, in percent.

    ``basis="month"``: month / 12 × 100 (3 → 25, 10 → 83.33…). ``basis="day"``: the day of the year
    of the month's last day ÷ the days in ``year`` × 100, so it needs ``year`` (leap years count).
    """
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1–12, got {month}")
    if basis == "month":
        return Decimal(month) * HUNDRED / 12
    if basis == "day":
        if year is None:
            raise ValueError("the day basis needs a year")
        last_day = datetime.date(year, month, calendar.monthrange(year, month)[1])
        days_in_year = 366 if calendar.isleap(year) else 365
        return Decimal(last_day.timetuple().tm_yday) * HUNDRED / days_in_year
    raise ValueError(f"unknown time basis {basis!r}")


def time_position(month: int, *, year: int | None = None, basis: str = "month") -> Decimal:
    """How far through the year the end of ``month`` is, in months (10 → 10; by day, the
    fraction of the year's days elapsed × 12)."""
    return time_progress_pct(month, year=year, basis=basis) * 12 / HUNDRED


def schedule_share(anchors: dict[int, Decimal], position: Decimal) -> Decimal:
    """序时计划: the cumulative share of the annual target planned at ``position`` months.

    ``anchors`` maps months to planned shares in percent ({6: 60, 12: 120}); between anchors,
    and from 0% at the start of the year, the share is linear (DOMAIN §3). Without anchors the
    plan is even: position ÷ 12 × 100, which is n/12.
    """
    points = [
        (Decimal(0), Decimal(0)),
        *sorted((Decimal(m), Decimal(p)) for m, p in anchors.items()),
    ]
    if len(points) == 1:
        return position * HUNDRED / 12
    for (m0, p0), (m1, p1) in itertools.pairwise(points):
        if position <= m1:
            return p0 + (p1 - p0) * (position - m0) / (m1 - m0)
    return points[-1][1]


def completion_pct(actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    """完成率 = actual ÷ target × 100, in percent; for a reverse indicator, the share of the cap used.

    None when either is missing or the target is 0.
    """
    if actual is None or target is None or target == 0:
        return None
    return actual / target * HUNDRED


def linear_progress_pct(
    actual: Decimal | None,
    baseline: Decimal | None,
    target: Decimal | None,
    *,
    direction: str = Direction.POSITIVE,
) -> Decimal | None:
    """Progress of a stock/ratio level from the baseline toward the target, in percent.

    (actual − baseline) ÷ (target − baseline) × 100. Works for falling targets (target < baseline)
    too. A missing baseline counts as 0. When target == baseline there is no distance to cover: 100
    if the level holds at the target or beyond it (above for positive, below for reverse), else 0.
    None when actual or target is missing.
    """
    if actual is None or target is None:
        return None
    baseline = baseline or Decimal(0)
    if target == baseline:
        held = actual <= target if direction == Direction.REVERSE else actual >= target
        return HUNDRED if held else Decimal(0)
    return (actual - baseline) / (target - baseline) * HUNDRED


def gap_pp(
    *,
    kind: str,
    direction: str,
    actual: Decimal | None,
    target: Decimal | None,
    baseline: Decimal | None,
    time_pct: Decimal | None,
) -> Decimal | None:
    """进度差 in 个百分点; positive means on or ahead of pace for every indicator.

    Positive flow/count: completion − time progress. Reverse flow/count (target is a cap): time
    progress − share of the cap used. Stock/ratio, either direction: linear progress from the
    baseline to the target − time progress. None when any needed input is undefined.
    """
    if time_pct is None:
        return None
    if kind in CUMULATIVE_KINDS:
        completion = completion_pct(actual, target)
        if completion is None:
            return None
        if direction == Direction.REVERSE:
            return time_pct - completion
        return completion - time_pct
    if kind in LEVEL_KINDS:
        progress = linear_progress_pct(actual, baseline, target, direction=direction)
        return None if progress is None else progress - time_pct
    raise ValueError(f"unknown kind {kind!r}")


def yoy_pct(current: Decimal | None, last_year: Decimal | None) -> Decimal | None:
    """同比 = (current − last year) ÷ |last year| × 100, in percent.

    The absolute value keeps the sign meaningful when last year was negative (a loss shrinking from
    −10 to −5 is +50%). None when either is missing or last year is 0 (shown as "—").
    """
    if current is None or last_year is None or last_year == 0:
        return None
    return (current - last_year) / abs(last_year) * HUNDRED


def month_value(
    cumulative: Decimal | None, previous_cumulative: Decimal | None, month: int
) -> Decimal | None:
    """当月值 = 累计(n) − 累计(n−1); January's month value is its cumulative.

    None when this month's cumulative is missing, or (after January) last month's is.
    """
    if cumulative is None:
        return None
    if month == 1:
        return cumulative
    if previous_cumulative is None:
        return None
    return cumulative - previous_cumulative


def month_values(series, *, step: int = 1) -> tuple:
    """当月 (当季) of each month of a year's twelve cumulative values (None where missing).

    Only months at which a figure of the cadence is due have a value; a missing period leaves
    the next one undefined too, so a chart never bridges a gap ("—" everywhere).
    """
    values = []
    for m in range(1, 13):
        if m % step:
            values.append(None)
            continue
        previous = series[m - 1 - step] if m > step else None
        values.append(month_value(series[m - 1], previous, 1 if m <= step else m))
    return tuple(values)


def planned_level(
    *, kind: str, target: Decimal | None, baseline: Decimal | None, time_pct: Decimal
) -> Decimal | None:
    """Where a figure should stand at ``time_pct`` (时序进度) to meet its target on time.

    Cumulative kinds: that share of the target. Levels: the share of the way from last
    December's level (0 when unknown) to the target. None without a target.
    """
    if target is None:
        return None
    if kind in CUMULATIVE_KINDS:
        return target * time_pct / HUNDRED
    start = baseline if baseline is not None else Decimal(0)
    return start + (target - start) * time_pct / HUNDRED


def growth_target_value(base: Decimal | None, growth_pct: Decimal | None) -> Decimal | None:
    """目标值 from a growth target: base × (1 + growth ÷ 100), in the indicator's unit.

    Written as base + |base| × growth ÷ 100, which is the same for a base >= 0 and, like
    ``yoy_pct``, keeps "growth" meaning "better" on a negative base. None if either is missing.
    """
    if base is None or growth_pct is None:
        return None
    return base + abs(base) * growth_pct / HUNDRED


def growth_gap_pp(yoy: Decimal | None, target_growth_pct: Decimal | None) -> Decimal | None:
    """增速 − 目标增速, in 个百分点. None if either is missing."""
    if yoy is None or target_growth_pct is None:
        return None
    return yoy - target_growth_pct


def village_rollup(
    method: str, *, total: Decimal | None, reached: int | None, village_count: int
) -> Decimal | None:
    """A town figure derived from its villages' figures.

    ``"sum"`` (合计): ``total``. ``"avg"`` (村均): ``total`` ÷ the number of ALL villages under the
    town, not of those that reported (a silent village counts as 0, as the bulletins do). ``"count_at_
    least"`` (达标村数): ``reached``, counted by the caller. None when no village reported
    (``total`` is None) or there are no villages to average over.
    """
    if method not in (Rollup.SUM, Rollup.AVG, Rollup.COUNT_AT_LEAST):
        raise ValueError(f"unknown rollup method {method!r}")
    if total is None:
        return None
    if method == Rollup.SUM:
        return total
    if method == Rollup.AVG:
        return total / village_count if village_count else None
    return None if reached is None else Decimal(reached)


def light(
    *,
    has_figure: bool,
    kind: str,
    direction: str,
    actual: Decimal | None,
    target: Decimal | None,
    completion: Decimal | None,
    gap: Decimal | None,
    yoy: Decimal | None = None,
    growth_target_pct: Decimal | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> str | None:
    """亮灯 (DOMAIN §4): one of ``Light``'s values, or None when there is nothing to judge against.

    Grey when month n has no figure. A growth target is judged by YoY against the target growth
    (no blue). A reverse indicator is never blue; a reverse flow/count is red once its cap is
    broken. Otherwise blue at full completion (positive only), then green/yellow/red by the gap.
    """
    if not has_figure:
        return Light.GREY
    if growth_target_pct is not None and yoy is not None:
        # For a reverse indicator "better" is lower growth (信访件数 下降10% is a target of −10).
        sign = -1 if direction == Direction.REVERSE else 1
        if sign * yoy >= sign * growth_target_pct:
            return Light.GREEN
        if sign * yoy >= thresholds.growth_red_below:
            return Light.YELLOW
        return Light.RED
    if target is None:
        return None
    if direction == Direction.REVERSE:
        # Only a cumulative total can break its cap mid-year; a stock/ratio target is the level to
        # reach by December, so being above it on a falling path is judged by the gap instead.
        if kind in CUMULATIVE_KINDS:
            if target == 0:
                return Light.RED if actual is not None and actual > 0 else Light.GREEN
            if completion is not None and completion > HUNDRED:
                return Light.RED
    elif completion is not None and completion >= thresholds.blue_min_completion:
        return Light.BLUE
    if gap is None:
        return None
    if gap >= thresholds.green_min_gap:
        return Light.GREEN
    # DOMAIN §4: a positive indicator is red *more than* 10 points behind, a reverse one at
    # "10+ points above pace", so exactly 10 above pace is already red.
    if gap > thresholds.yellow_min_gap or (
        gap == thresholds.yellow_min_gap and direction != Direction.REVERSE
    ):
        return Light.YELLOW
    return Light.RED


# From best to worst: when two tests judge one target, the worse light wins (DOMAIN §3).
LIGHT_RANK = {Light.BLUE: 0, Light.GREEN: 1, Light.YELLOW: 2, Light.RED: 3, Light.GREY: 4}


def worse_light(*lights: str | None) -> str | None:
    """The worse of the given lights (None, nothing to judge, is ignored)."""
    judged = [lt for lt in lights if lt is not None]
    return max(judged, key=LIGHT_RANK.__getitem__) if judged else None


def growth_light(
    rate: Decimal | None,
    target_rate: Decimal | None,
    *,
    direction: str = Direction.POSITIVE,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> str | None:
    """A growth rate against a target rate (DOMAIN §4): green at or above it, yellow below it
    but not negative, red when falling. For a reverse indicator lower is better. None when
    either rate is missing."""
    if rate is None or target_rate is None:
        return None
    sign = -1 if direction == Direction.REVERSE else 1
    if sign * rate >= sign * target_rate:
        return Light.GREEN
    if sign * rate >= thresholds.growth_red_below:
        return Light.YELLOW
    return Light.RED


def projected_full_year(
    actual: Decimal | None,
    *,
    month: int,
    last_year_actual: Decimal | None,
    last_year_full: Decimal | None,
) -> Decimal | None:
    """预计全年 of a cumulative figure (DOMAIN §4): this year's YTD carried by last year's
    shape (YTD × last year's full year ÷ last year's same-period YTD) when last year's series
    exists, else at the pace so far (YTD × 12 ÷ n)."""
    if actual is None:
        return None
    if last_year_actual and last_year_full is not None:
        return actual * last_year_full / last_year_actual
    return actual * 12 / month


def needed_monthly(actual: Decimal | None, target: Decimal | None, month: int) -> Decimal | None:
    """后N个月需月均: what each remaining month must add to meet the target; None when the
    target is met, unknown, or the year is over."""
    if actual is None or target is None or month >= 12 or actual >= target:
        return None
    return (target - actual) / (12 - month)


@dataclass(frozen=True)
class Evaluation:
    """Everything the dashboard shows for one indicator, area and month."""

    target: Decimal | None  # explicit, from the baseline and a growth %, or a 增速's target rate
    actual: Decimal | None
    month_value: Decimal | None  # flow/count only (当月, or 当季 for a quarterly indicator)
    yoy_pct: Decimal | None  # amounts and counts only; None for rates
    completion_pct: Decimal | None  # actual ÷ target; None for a 增速 indicator
    progress_pct: Decimal | None  # what the gap is computed from: completion, 净增 progress,
    #                               the share of a cap used, or a 增速 indicator's rate
    time_progress_pct: Decimal
    gap_pp: Decimal | None
    growth_gap_pp: Decimal | None  # growth − the target growth, when a growth % is set
    light: str | None
    yoy_change: Decimal | None = None  # actual − last year's, in the unit (个百分点 for rates)
    net_change: Decimal | None = None  # a level's 比年初净增: actual − last December
    projected: Decimal | None = None  # 预计全年 (flow/count)
    projected_pct: Decimal | None = None  # 预计完成年度目标 (projection ÷ target)
    needed_monthly: Decimal | None = None  # 后N个月需月均 (positive flow/count)
    value_light: str | None = None  # the light of the value test alone (dual test)
    growth_light: str | None = None  # the light of the growth test alone (dual test)


def evaluate(
    *,
    kind: str,
    direction: str,
    month: int,
    actual: Decimal | None,
    previous_actual: Decimal | None,
    last_year_actual: Decimal | None,
    baseline: Decimal | None,
    target: Decimal | None,
    growth_pct: Decimal | None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    time_pct: Decimal | None = None,
    rate: bool = False,
    first: bool | None = None,
    decimals: int | None = None,
) -> Evaluation:
    """All of §4 for one indicator, area, year and month n.

    ``actual``: YTD (flow/count), level (stock/ratio) or rate (增速) at month n;
    ``previous_actual``: the same at the cadence's previous period (ignored for its first);
    ``last_year_actual``: the same month last year; ``baseline``: last year's December actual
    (for a flow, last year's full year); ``target``: the explicit 目标值 or None; ``growth_pct``:
    目标增速% or None. ``time_pct`` is the planned share at n (n/12 by default, else the target's
    序时计划). ``rate``: the indicator is a percentage, so its change is in 个百分点 and it has
    no 同比 in %. ``first``: n is the cadence's first period of the year (default n == 1).
    ``decimals``: the indicator's precision; 预计全年 is stated at it, and its share of the
    target is taken from the number stated ("预计全年达到7个" beside 7 ÷ 7, never 95.2%).

    Target forms (DOMAIN §3): 目标值 alone is judged by the gap; 目标增速% alone is a growth
    target (its value is the baseline grown by that %, judged by growth); both at once are
    both tests, the worse light winning. A 增速 indicator's target is its target rate alone.
    """
    if time_pct is None:
        time_pct = time_progress_pct(month)
    first = month == 1 if first is None else first
    change = None if actual is None or last_year_actual is None else actual - last_year_actual
    if kind == Kind.GROWTH:
        return _evaluate_rate(
            direction, actual, change, growth_pct, time_pct, thresholds=thresholds
        )
    cumulative = kind in CUMULATIVE_KINDS
    by_growth = target is None and growth_pct is not None
    if by_growth:
        target = growth_target_value(baseline, growth_pct)
    yoy = None if rate else yoy_pct(actual, last_year_actual)
    completion = completion_pct(actual, target)
    gap = gap_pp(
        kind=kind,
        direction=direction,
        actual=actual,
        target=target,
        baseline=baseline,
        time_pct=time_pct,
    )
    value = light(
        has_figure=actual is not None,
        kind=kind,
        direction=direction,
        actual=actual,
        target=target,
        completion=completion,
        gap=gap,
        thresholds=thresholds,
    )
    growth = None
    if growth_pct is not None and actual is not None:
        growth = growth_light(yoy, growth_pct, direction=direction, thresholds=thresholds)
    if by_growth:
        judged = growth if growth is not None else value  # no base last year: by the gap
    else:
        judged = worse_light(value, growth)
    projected = None
    if cumulative:
        projected = projected_full_year(
            actual, month=month, last_year_actual=last_year_actual, last_year_full=baseline
        )
        if projected is not None and decimals is not None:
            projected = projected.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return Evaluation(
        target=target,
        actual=actual,
        month_value=month_value(actual, None if first else previous_actual, 1 if first else month)
        if cumulative
        else None,
        yoy_pct=yoy,
        completion_pct=completion,
        progress_pct=completion
        if cumulative
        else linear_progress_pct(actual, baseline, target, direction=direction),
        time_progress_pct=time_pct,
        gap_pp=gap,
        growth_gap_pp=growth_gap_pp(yoy, growth_pct),
        light=judged,
        yoy_change=change,
        net_change=None if cumulative or actual is None or baseline is None else actual - baseline,
        projected=projected,
        projected_pct=completion_pct(projected, target),
        needed_monthly=needed_monthly(actual, target, month)
        if cumulative and direction == Direction.POSITIVE
        else None,
        value_light=value,
        growth_light=growth,
    )


def _evaluate_rate(direction, rate, change, target_rate, time_pct, *, thresholds) -> Evaluation:
    """A 增速 indicator: the bureau's growth rate against the target rate, in 个百分点."""
    gap = None if rate is None or target_rate is None else rate - target_rate
    if direction == Direction.REVERSE and gap is not None:
        gap = -gap  # a positive gap always reads "on or ahead of the target"
    judged = (
        Light.GREY
        if rate is None
        else growth_light(rate, target_rate, direction=direction, thresholds=thresholds)
    )
    return Evaluation(
        target=target_rate,
        actual=rate,
        month_value=None,
        yoy_pct=None,
        completion_pct=None,
        progress_pct=rate,
        time_progress_pct=time_pct,
        gap_pp=gap,
        growth_gap_pp=gap,
        light=judged,
        yoy_change=change,
        growth_light=judged,
    )
