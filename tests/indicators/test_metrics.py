"""The §4 formulas, checked against numbers worked out by hand."""

from decimal import Decimal as D

import pytest

from indicators.metrics import (
    YINCHUAN_THRESHOLDS,
    Direction,
    Kind,
    Light,
    completion_pct,
    evaluate,
    gap_pp,
    growth_gap_pp,
    growth_target_value,
    light,
    linear_progress_pct,
    month_value,
    time_progress_pct,
    village_rollup,
    yoy_pct,
)

FLOW, STOCK, RATIO = Kind.FLOW, Kind.STOCK, Kind.RATIO
POS, REV = Direction.POSITIVE, Direction.REVERSE


def flow_light(completion, gap, **overrides):
    """light() for a positive flow with a target, varying only what a test cares about."""
    args = dict(
        has_figure=True,
        kind=FLOW,
        direction=POS,
        actual=D(1),
        target=D(100),
        completion=completion,
        gap=gap,
    )
    return light(**(args | overrides))


# --- time progress -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "expected"),
    [(3, "25"), (6, "50"), (10, "83.3333"), (11, "91.6667"), (12, "100")],
)
def test_month_based_time_progress(month, expected):
    assert round(time_progress_pct(month), 4) == D(expected)


def test_time_progress_is_not_rounded():
    # 10/12 = 0.8333…: a rounded 83.33 would lose the digits the gap is computed from.
    assert time_progress_pct(10) > D("83.3333333333")


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2025, 2, "16.1644"),  # 31 + 28 = 59 days; 59 / 365
        (2024, 2, "16.3934"),  # leap year: 31 + 29 = 60 days; 60 / 366
        (2025, 6, "49.5890"),  # 181 / 365
        (2024, 12, "100"),  # 366 / 366
    ],
)
def test_day_based_time_progress_counts_to_the_months_last_day(year, month, expected):
    assert round(time_progress_pct(month, year=year, basis="day"), 4) == D(expected)


@pytest.mark.parametrize("kwargs", [{"month": 13}, {"month": 0}, {"month": 3, "basis": "day"}])
def test_time_progress_refuses_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        time_progress_pct(**kwargs)


# --- completion and linear progress -------------------------------------------------------------


def test_completion_is_actual_over_target_in_percent():
    assert completion_pct(D(50), D(200)) == 25


@pytest.mark.parametrize(("actual", "target"), [(D(5), D(0)), (None, D(10)), (D(5), None)])
def test_completion_is_undefined_without_actual_or_nonzero_target(actual, target):
    assert completion_pct(actual, target) is None


def test_stock_progress_moves_linearly_from_baseline_to_target():
    # 花生 2500 -> 6000 亩: 4250 is half of the 3500 to add.
    assert linear_progress_pct(D(4250), D(2500), D(6000)) == 50


@pytest.mark.parametrize(
    ("actual", "expected"), [(D(25), "50"), (D(5), "116.67"), (D(45), "-16.67")]
)
def test_stock_progress_works_for_a_falling_target(actual, expected):
    # 40 -> 10: 25 is half way; 5 overshoots (-35 / -30); 45 went the wrong way (5 / -30).
    assert round(linear_progress_pct(actual, D(40), D(10)), 2) == D(expected)


def test_stock_progress_treats_a_missing_baseline_as_zero():
    assert linear_progress_pct(D(30), None, D(120)) == 25


@pytest.mark.parametrize(
    ("direction", "actual", "expected"),
    [(POS, D(80), 100), (POS, D(79), 0), (REV, D(79), 100), (REV, D(81), 0)],
)
def test_stock_progress_when_target_equals_baseline_is_all_or_nothing(direction, actual, expected):
    assert linear_progress_pct(actual, D(80), D(80), direction=direction) == expected


def test_stock_progress_is_undefined_without_actual_or_target():
    assert linear_progress_pct(None, D(1), D(2)) is None
    assert linear_progress_pct(D(1), D(1), None) is None


# --- gap ----------------------------------------------------------------------------------------


def test_positive_flow_gap_is_completion_minus_time():
    # completion 40 / 100 = 40%, June 50% -> -10
    gap = gap_pp(
        kind=FLOW, direction=POS, actual=D(40), target=D(100), baseline=None, time_pct=D(50)
    )
    assert gap == -10


def test_reverse_flow_gap_is_time_minus_share_of_cap_used():
    # 3 accidents of a 12 cap = 25% used by June (50%) -> 25 points of headroom
    gap = gap_pp(kind=FLOW, direction=REV, actual=D(3), target=D(12), baseline=None, time_pct=D(50))
    assert gap == 25


def test_stock_gap_uses_linear_progress():
    gap = gap_pp(
        kind=STOCK, direction=POS, actual=D(4250), target=D(6000), baseline=D(2500), time_pct=D(50)
    )
    assert gap == 0


def test_reverse_ratio_gap_on_a_falling_target_is_ahead_when_reduction_is_ahead():
    # 0.50 -> 0.45: 0.47 is 60% of the reduction done, June 50% -> +10
    gap = gap_pp(
        kind=RATIO,
        direction=REV,
        actual=D("0.47"),
        target=D("0.45"),
        baseline=D("0.50"),
        time_pct=D(50),
    )
    assert gap == 10


@pytest.mark.parametrize(
    ("actual", "target", "time_pct"),
    [(None, D(10), D(50)), (D(5), None, D(50)), (D(5), D(10), None)],
)
def test_gap_is_undefined_when_an_input_is(actual, target, time_pct):
    gap = gap_pp(
        kind=FLOW, direction=POS, actual=actual, target=target, baseline=None, time_pct=time_pct
    )
    assert gap is None


def test_gap_refuses_an_unknown_kind():
    with pytest.raises(ValueError):
        gap_pp(kind="sum", direction=POS, actual=D(1), target=D(2), baseline=None, time_pct=D(50))


# --- year on year, month value, growth targets -------------------------------------------------


def test_yoy_of_the_worked_example():
    # (28.10 - 25.60) / 25.60 = 2.5 / 25.6 = 0.09765625 exactly
    assert yoy_pct(D("28.10"), D("25.60")) == D("9.765625")


def test_yoy_can_be_a_decline():
    assert yoy_pct(D(90), D(100)) == -10


@pytest.mark.parametrize(("current", "last_year"), [(D(5), D(0)), (D(5), None), (None, D(5))])
def test_yoy_without_a_base_is_undefined_not_infinite(current, last_year):
    assert yoy_pct(current, last_year) is None


def test_yoy_on_a_negative_base_reads_improvement_as_growth():
    # a loss shrinking from -10 to -5: (-5 - -10) / |-10| = +50%
    assert yoy_pct(D(-5), D(-10)) == 50


def test_january_month_value_is_its_cumulative_and_ignores_any_previous():
    assert month_value(D("3.2"), D("99"), 1) == D("3.2")


@pytest.mark.parametrize(
    ("month", "cumulative", "previous"), [(5, "50", "42.5"), (12, "120", "110")]
)
def test_month_value_is_the_difference_of_cumulatives(month, cumulative, previous):
    # May: 50 - 42.5 = 7.5; December: 120 - 110 = 10
    expected = D(cumulative) - D(previous)
    assert month_value(D(cumulative), D(previous), month) == expected


@pytest.mark.parametrize(("cumulative", "previous"), [(None, D(4)), (D(5), None)])
def test_month_value_is_undefined_when_either_cumulative_is_missing(cumulative, previous):
    assert month_value(cumulative, previous, 4) is None


@pytest.mark.parametrize(
    ("base", "growth", "expected"),
    [
        (D("30.24"), D(8), D("32.6592")),  # 30.24 × 1.08
        (D(100), D(-5), D(95)),
        (D(-10), D(8), D("-9.2")),  # a smaller loss: -10 + 10 × 0.08
    ],
)
def test_growth_target_value(base, growth, expected):
    assert growth_target_value(base, growth) == expected


def test_growth_target_value_is_undefined_without_base_or_growth():
    assert growth_target_value(None, D(8)) is None
    assert growth_target_value(D(10), None) is None


def test_growth_gap_is_yoy_minus_target_growth():
    assert growth_gap_pp(D("9.765625"), D(8)) == D("1.765625")
    assert growth_gap_pp(None, D(8)) is None


# --- village roll-up ----------------------------------------------------------------------------


def test_rollup_sum_is_the_total():
    assert village_rollup("sum", total=D(2204), reached=5, village_count=29) == 2204


def test_rollup_average_divides_by_all_villages_not_those_that_reported():
    # 2204 万元 may come from 20 reporting villages; 村均 is still over the town's 29: 76 万元
    assert village_rollup("avg", total=D(2204), reached=0, village_count=29) == 76


def test_rollup_count_at_least_is_the_count_of_villages_reached():
    assert village_rollup("count_at_least", total=D(2204), reached=5, village_count=29) == D(5)


@pytest.mark.parametrize(
    ("method", "total", "village_count"),
    [("avg", D(100), 0), ("avg", None, 29), ("sum", None, 29), ("count_at_least", None, 29)],
)
def test_rollup_is_undefined_with_no_villages_or_no_reports(method, total, village_count):
    assert village_rollup(method, total=total, reached=0, village_count=village_count) is None


def test_rollup_refuses_an_unknown_method():
    with pytest.raises(ValueError):
        village_rollup("median", total=D(1), reached=0, village_count=1)


# --- lights -------------------------------------------------------------------------------------


@pytest.mark.parametrize("direction", [POS, REV])
def test_no_figure_is_grey_even_without_a_target(direction):
    got = light(
        has_figure=False,
        kind=FLOW,
        direction=direction,
        actual=None,
        target=None,
        completion=None,
        gap=None,
    )
    assert got == Light.GREY


def test_no_target_is_not_judged():
    assert flow_light(None, None, target=None) is None


@pytest.mark.parametrize(
    ("completion", "gap", "expected"),
    [
        (D(100), D(-50), Light.BLUE),  # reached the year's target, whatever the month
        (D("99.99"), D(5), Light.GREEN),
        (D(50), D(0), Light.GREEN),
        (D(50), D("-0.01"), Light.YELLOW),
        (D(40), D(-10), Light.YELLOW),
        (D(40), D("-10.01"), Light.RED),
        (D(40), None, None),
    ],
)
def test_positive_lights_by_completion_then_gap(completion, gap, expected):
    assert flow_light(completion, gap) == expected


def test_gap_of_exactly_minus_ten_is_yellow():
    assert flow_light(D(40), D(-10)) == Light.YELLOW


def test_gap_just_below_minus_ten_is_red():
    assert flow_light(D(40), D("-10.0001")) == Light.RED


@pytest.mark.parametrize(
    ("gap", "default", "yinchuan"),
    [
        (D(-5), Light.YELLOW, Light.GREEN),
        (D(-15), Light.RED, Light.YELLOW),
        (D(-30), Light.RED, Light.YELLOW),
        (D(-31), Light.RED, Light.RED),
    ],
)
def test_yinchuan_preset_moves_the_boundaries(gap, default, yinchuan):
    assert flow_light(D(40), gap) == default
    assert flow_light(D(40), gap, thresholds=YINCHUAN_THRESHOLDS) == yinchuan


@pytest.mark.parametrize(
    ("actual", "completion", "gap", "expected"),
    [
        (D(13), D("108.33"), D("-16.67"), Light.RED),  # 13 of a 12 cap: broken even in December
        (D(4), D("33.33"), D("16.67"), Light.GREEN),  # below pace in June
        (D(12), D(100), D(0), Light.GREEN),  # cap used up exactly in December: never blue
        (D("6.6"), D(55), D(-5), Light.YELLOW),  # 5 points above pace, cap not broken
        (D("7.2"), D(60), D(-10), Light.RED),  # exactly 10 above pace: "10+ points" is red
        (D("7.19"), D("59.9"), D("-9.9"), Light.YELLOW),  # just under 10 above pace
        (D("7.44"), D(62), D(-12), Light.RED),  # 12 points above pace
    ],
)
def test_reverse_cap_lights(actual, completion, gap, expected):
    got = light(
        has_figure=True,
        kind=FLOW,
        direction=REV,
        actual=actual,
        target=D(12),
        completion=completion,
        gap=gap,
    )
    assert got == expected


@pytest.mark.parametrize(("actual", "expected"), [(D(0), Light.GREEN), (D(1), Light.RED)])
def test_reverse_cap_of_zero_tolerates_nothing(actual, expected):
    got = light(
        has_figure=True,
        kind=FLOW,
        direction=REV,
        actual=actual,
        target=D(0),
        completion=None,
        gap=None,
    )
    assert got == expected


@pytest.mark.parametrize(
    ("yoy", "expected"),
    [
        (D("9.77"), Light.GREEN),
        (D(8), Light.GREEN),
        (D("7.99"), Light.YELLOW),
        (D(0), Light.YELLOW),
        (D("-0.5"), Light.RED),
    ],
)
def test_growth_target_lights_by_yoy_and_never_blue(yoy, expected):
    # completion 120 and gap +30 would be blue for a value target; a growth target ignores them
    assert flow_light(D(120), D(30), yoy=yoy, growth_target_pct=D(8)) == expected


def test_growth_target_without_yoy_falls_back_to_the_gap():
    assert flow_light(D(40), D(-5), yoy=None, growth_target_pct=D(8)) == Light.YELLOW


@pytest.mark.parametrize(
    ("yoy", "expected"), [(D(-15), Light.GREEN), (D(-3), Light.YELLOW), (D(2), Light.RED)]
)
def test_reverse_growth_target_reads_a_fall_as_good(yoy, expected):
    # 信访件数 下降10%: target growth -10
    got = flow_light(D(50), D(0), direction=REV, yoy=yoy, growth_target_pct=D(-10))
    assert got == expected


# --- evaluate -----------------------------------------------------------------------------------


def test_worked_example_from_domain_end_to_end():
    # 工业总产值: 增长8% on 30.24亿元; 1–10月 28.10 vs 25.60 last year; 1–9月 25.00 (hypothetical).
    result = evaluate(
        kind=FLOW,
        direction=POS,
        month=10,
        actual=D("28.10"),
        previous_actual=D("25.00"),
        last_year_actual=D("25.60"),
        baseline=D("30.24"),
        target=None,
        growth_pct=D(8),
    )
    assert result.target == D("32.6592")  # 30.24 × 1.08
    assert result.month_value == D("3.10")
    assert round(result.completion_pct, 2) == D("86.04")  # 28.10 / 32.6592
    assert round(result.time_progress_pct, 2) == D("83.33")
    assert round(result.gap_pp, 2) == D("2.71")  # 86.0401 - 83.3333
    assert round(result.yoy_pct, 2) == D("9.77")  # 9.765625
    assert round(result.growth_gap_pp, 2) == D("1.77")  # 9.765625 - 8
    assert result.light == Light.GREEN


def test_evaluate_keeps_full_precision():
    result = evaluate(
        kind=FLOW,
        direction=POS,
        month=10,
        actual=D("28.10"),
        previous_actual=None,
        last_year_actual=None,
        baseline=D("30.24"),
        target=None,
        growth_pct=D(8),
    )
    assert result.completion_pct != round(result.completion_pct, 10)


def test_evaluate_stock_on_linear_pace_is_green_without_a_month_value():
    # 花生 2500 -> 6000 亩, June 4250: progress 50, gap 0; completion 4250 / 6000 = 70.83
    result = evaluate(
        kind=STOCK,
        direction=POS,
        month=6,
        actual=D(4250),
        previous_actual=D(4000),
        last_year_actual=D(2400),
        baseline=D(2500),
        target=D(6000),
        growth_pct=None,
    )
    assert result.gap_pp == 0
    assert round(result.completion_pct, 2) == D("70.83")
    assert result.month_value is None
    assert result.light == Light.GREEN


def test_evaluate_reverse_stock_above_a_falling_target_on_pace_is_not_red():
    # 危房 40 -> 10: June 25 is half the reduction (gap 0) though 25 > 10 (completion 250%)
    result = evaluate(
        kind=STOCK,
        direction=REV,
        month=6,
        actual=D(25),
        previous_actual=None,
        last_year_actual=None,
        baseline=D(40),
        target=D(10),
        growth_pct=None,
    )
    assert result.completion_pct == 250
    assert result.gap_pp == 0
    assert result.light == Light.GREEN


def test_evaluate_december_flow_past_target_is_blue():
    result = evaluate(
        kind=FLOW,
        direction=POS,
        month=12,
        actual=D(120),
        previous_actual=D(110),
        last_year_actual=D(100),
        baseline=D(100),
        target=D(100),
        growth_pct=None,
    )
    assert result.month_value == 10
    assert result.time_progress_pct == 100
    assert result.completion_pct == 120
    assert result.light == Light.BLUE


def test_evaluate_without_a_figure_is_grey_and_derives_nothing():
    result = evaluate(
        kind=FLOW,
        direction=POS,
        month=4,
        actual=None,
        previous_actual=D(3),
        last_year_actual=D(4),
        baseline=D(12),
        target=D(13),
        growth_pct=None,
    )
    assert result.light == Light.GREY
    assert round(result.time_progress_pct, 3) == D("33.333")
    assert result.month_value is None
    assert result.yoy_pct is None
    assert result.completion_pct is None
    assert result.gap_pp is None


def test_evaluate_with_a_value_and_a_growth_target_the_worse_light_wins():
    """DOMAIN §3 (宣城 practice): behind when 完成占比 is below 序时 *or* growth is below the
    target growth. 51 of 100 in June is on pace (+1), but 2% growth is below 8%: yellow."""
    result = evaluate(
        kind=FLOW,
        direction=POS,
        month=6,
        actual=D(51),
        previous_actual=D(40),
        last_year_actual=D(50),
        baseline=D(100),
        target=D(100),
        growth_pct=D(8),
    )
    assert result.target == 100
    assert result.gap_pp == 1
    assert result.growth_gap_pp == -6
    assert (result.value_light, result.growth_light) == (Light.GREEN, Light.YELLOW)
    assert result.light == Light.YELLOW


def test_evaluate_growth_target_without_baseline_is_still_judged_by_growth():
    # last December unknown, so no target value, but 1–6月 grew 10% on last year's 1–6月
    result = evaluate(
        kind=FLOW,
        direction=POS,
        month=6,
        actual=D(55),
        previous_actual=D(45),
        last_year_actual=D(50),
        baseline=None,
        target=None,
        growth_pct=D(8),
    )
    assert result.target is None
    assert result.growth_gap_pp == 2
    assert result.light == Light.GREEN


def test_evaluate_uses_a_given_day_based_time_progress():
    # 60 of 100 by Feb 2024: day basis 16.39 -> gap 43.61 (month basis would give 43.33)
    day_pct = time_progress_pct(2, year=2024, basis="day")
    result = evaluate(
        kind=FLOW,
        direction=POS,
        month=2,
        actual=D(60),
        previous_actual=D(30),
        last_year_actual=None,
        baseline=None,
        target=D(100),
        growth_pct=None,
        time_pct=day_pct,
    )
    assert round(result.gap_pp, 2) == D("43.61")


def test_evaluate_passes_thresholds_through():
    # June, 45 of 100: gap 45 - 50 = -5 -> yellow by default, green for 银川
    common = dict(
        kind=FLOW,
        direction=POS,
        month=6,
        actual=D(45),
        previous_actual=None,
        last_year_actual=None,
        baseline=None,
        target=D(100),
        growth_pct=None,
    )
    assert evaluate(**common).light == Light.YELLOW
    assert evaluate(**common, thresholds=YINCHUAN_THRESHOLDS).light == Light.GREEN
