from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.areas import AreaTree
from indicators.models import Area, Figure, Indicator, LightScheme
from indicators.selectors import summary_rows
from indicators.villages import village_breakdown, village_laggards
from tests.factories import (
    make_figure,
    make_indicator,
    make_target,
    make_town_scale,
    make_town_with_villages,
)

pytestmark = pytest.mark.django_db


def by_code(rows):
    return {r.indicator.code: r for r in rows}


def test_worked_example_of_domain_section_4():
    town, _ = make_town_with_villages(0)
    gdp = make_indicator(code="GDP", unit="亿元")
    make_target(gdp, town, growth_pct=Decimal(8))
    for year, month, value in [
        (2024, 10, "25.60"),
        (2024, 12, "30.24"),
        (2025, 9, "25.3"),
        (2025, 10, "28.10"),
    ]:
        make_figure(gdp, town, year, month, value)
    row = by_code(summary_rows(town, 2025, 10))["GDP"]
    assert row.target == Decimal("32.6592")
    assert round(row.completion_pct, 1) == Decimal("86.0")
    assert round(row.gap_pp, 1) == Decimal("2.7")
    assert round(row.yoy_pct, 1) == Decimal("9.8")
    assert round(row.growth_gap_pp, 1) == Decimal("1.8")
    assert row.month_value == Decimal("2.8")
    assert row.light == "green"


def test_village_figures_roll_up_by_sum_average_and_count_at_threshold():
    town, villages = make_town_with_villages(4)
    income = make_indicator(code="INC", entry_level="village")
    average = make_indicator(code="AVG", rollup="avg", source=income)
    make_indicator(
        code="HUN", kind="count", rollup="count_at_least", source=income, threshold=Decimal(100)
    )
    for village, value in zip(villages[:3], [360, 100, 40], strict=True):  # the fourth is silent
        make_figure(income, village, 2025, 6, value)
    make_target(average, town, value=150)
    rows = by_code(summary_rows(town, 2025, 6))
    assert rows["INC"].actual == 500
    assert rows["INC"].reported == 3
    assert rows["AVG"].actual == 125  # ÷ all 4 villages, not the 3 that reported
    assert rows["HUN"].actual == 2  # 360 and exactly 100
    assert rows["AVG"].completion_pct == Decimal(125) / 150 * 100


def test_a_village_sees_only_village_indicators():
    _, villages = make_town_with_villages(2)
    make_indicator(code="TOWN")
    income = make_indicator(code="INC", entry_level="village")
    make_indicator(code="AVG", rollup="avg", source=income)
    make_figure(income, villages[0], 2025, 1, 7)
    rows = summary_rows(villages[0], 2025, 1)
    assert [r.indicator.code for r in rows] == ["INC"]
    assert rows[0].actual == 7


def test_no_figure_for_the_month_is_grey_and_no_target_is_not_judged():
    town, _ = make_town_with_villages(0)
    silent = make_indicator(code="S")
    make_target(silent, town, value=10)
    untargeted = make_indicator(code="U")
    make_figure(untargeted, town, 2025, 3, 5)
    rows = by_code(summary_rows(town, 2025, 3))
    assert rows["S"].light == "grey" and rows["S"].actual is None
    assert rows["U"].light is None and rows["U"].actual == 5


def test_quarterly_indicator_is_read_at_the_last_quarter_end():
    town, _ = make_town_with_villages(0)
    services = make_indicator(code="Q", cadence=Indicator.Cadence.QUARTERLY)
    make_target(services, town, value=100)
    make_figure(services, town, 2025, 6, 40)
    make_figure(services, town, 2025, 9, 75)
    row = summary_rows(town, 2025, 11)[0]
    assert row.period_month == 9
    assert row.actual == 75 and row.month_value == 35
    assert row.time_progress_pct == 75 and row.gap_pp == 0


def test_active_light_scheme_changes_the_light():
    town, _ = make_town_with_villages(0)
    ind = make_indicator(code="X")
    make_target(ind, town, value=100)
    make_figure(ind, town, 2025, 6, 35)  # 35% against 50%: 15 points behind
    assert summary_rows(town, 2025, 6)[0].light == "red"
    LightScheme.objects.create(name="银川", is_active=True, green_min_gap=-10, yellow_min_gap=-30)
    assert summary_rows(town, 2025, 6)[0].light == "yellow"


def test_district_sums_its_towns_and_villages():
    town, villages = make_town_with_villages(2, code="T")
    district = town.parent = make_town_with_villages(0, code="D")[0]
    district.level = "district"
    district.save()
    town.save()
    other, other_villages = make_town_with_villages(1, code="U")
    other.parent = district
    other.save()
    gdp = make_indicator(code="GDP")
    income = make_indicator(code="INC", entry_level="village")
    average = make_indicator(code="AVG", rollup="avg", source=income)
    make_figure(gdp, town, 2025, 1, 10)
    make_figure(gdp, other, 2025, 1, 5)
    for v in [*villages, *other_villages]:
        make_figure(income, v, 2025, 1, 30)
    rows = by_code(summary_rows(district, 2025, 1))
    assert rows["GDP"].actual == 15
    assert rows["INC"].actual == 90
    assert rows["AVG"].actual == 30
    assert average.pk


def test_a_growth_rate_is_never_added_up_above_where_it_is_entered():
    # DOMAIN §2: a 增速 is the bureau's figure for the area it is published for; 6.5% and 7.0%
    # in two towns do not make 13.5% for the district, nor any other number we could compute.
    town, _ = make_town_with_villages(0, code="T")
    other, _ = make_town_with_villages(0, code="U")
    district = make_town_with_villages(0, code="D")[0]
    district.level = "district"
    district.save()
    for t in (town, other):
        t.parent = district
        t.save()
    rate = make_indicator(code="ZS", unit="%", kind="growth", decimals=1)
    make_figure(rate, town, 2025, 1, "6.5")
    make_figure(rate, other, 2025, 1, "7.0")
    assert by_code(summary_rows(town, 2025, 1))["ZS"].actual == Decimal("6.5")
    assert by_code(summary_rows(district, 2025, 1))["ZS"].actual is None


@pytest.mark.parametrize(("indicators", "villages"), [(2, 2), (30, 12)])
def test_summary_runs_at_most_six_queries_whatever_the_size(indicators, villages):
    town = make_town_scale(indicators, villages)
    with CaptureQueriesContext(connection) as queries:
        rows = summary_rows(town, 2025, 3)
    assert len(rows) == indicators + indicators // 2
    assert len(queries) <= 6


def village_setup(*, with_targets=True, direction="positive"):
    """A town of four villages on one village-entered indicator, at October 2025."""
    town, (v1, v2, v3, v4) = make_town_with_villages(4)
    ind = make_indicator(entry_level="village", direction=direction)
    make_target(ind, town, value=400)
    values = {v1: (90, 80), v2: (50, 60), v3: (70, 90), v4: (None, 40)}  # 2025, 2024
    for village, (now, before) in values.items():
        if with_targets:
            make_target(ind, village, value=100)
        if now is not None:
            make_figure(ind, village, 2025, 10, now)
        make_figure(ind, village, 2024, 10, before)
    return town, ind, (v1, v2, v3, v4)


def test_village_laggards_names_the_villages_behind_pace_worst_first():
    town, _, (_, v2, v3, _) = village_setup()
    rows = summary_rows(town, 2025, 10)
    [town_row] = rows
    assert town_row.light == "red"  # 210 / 400 = 52.5%, 30.8 points behind 83.3%
    [lag] = village_laggards(town, 2025, 10, rows, tree=AreaTree())
    assert lag.by_gap and lag.behind == 2  # 50% and 70%; 90% is ahead, v4 has not reported
    assert [v for v, _ in lag.villages] == [v2, v3]
    assert lag.villages[0][1].gap_pp.quantize(Decimal("0.1")) == Decimal("-33.3")


def test_without_village_targets_villages_below_last_year_pull_down():
    town, _, (_, v2, v3, _) = village_setup(with_targets=False)
    rows = summary_rows(town, 2025, 10)
    [lag] = village_laggards(town, 2025, 10, rows, tree=AreaTree())
    assert not lag.by_gap
    assert [v for v, _ in lag.villages] == [v3, v2]  # -22.2%, then -16.7%; v1 grew


def test_village_laggards_skip_indicators_on_pace_and_non_towns():
    town, _, villages = village_setup()
    Figure.objects.filter(area__in=villages, year=2025).update(value=Decimal(150))
    rows = summary_rows(town, 2025, 10)  # 450 of 400
    assert rows[0].light == "blue"
    assert village_laggards(town, 2025, 10, rows, tree=AreaTree()) == []
    village_rows = summary_rows(villages[0], 2025, 10)
    assert village_laggards(villages[0], 2025, 10, village_rows, tree=AreaTree()) == []


@pytest.mark.parametrize("more_villages", [0, 20])
def test_village_laggards_run_three_queries_whatever_the_number_of_villages(more_villages):
    town, ind, _ = village_setup()
    for i in range(more_villages):
        village = Area.objects.create(code=f"X{i}", name=f"加{i}村", level="village", parent=town)
        make_target(ind, village, value=100)
        make_figure(ind, village, 2025, 10, 10 + i)
    ind.targets.filter(area=town).update(value=Decimal(10000))
    rows = summary_rows(town, 2025, 10)
    tree = AreaTree()
    with CaptureQueriesContext(connection) as ctx:
        [lag] = village_laggards(town, 2025, 10, rows, tree=tree)
    assert len(ctx.captured_queries) == 3
    assert lag.behind == 2 + more_villages and len(lag.villages) == min(5, lag.behind)


def test_village_breakdown_counts_approved_figures_unless_asked():
    town, (v1, v2) = make_town_with_villages(2)
    ind = make_indicator(entry_level="village")
    make_figure(ind, v1, 2025, 10, 40)
    make_figure(ind, v2, 2025, 10, 90, status=Figure.Status.DRAFT)
    make_figure(ind, v2, 2025, 9, 80, status=Figure.Status.SUBMITTED)
    values = {r.area: r.value for r in village_breakdown(ind, town, 2025, 10)}
    assert values == {v1: Decimal(40), v2: None}
    values = {
        r.area: r.value for r in village_breakdown(ind, town, 2025, 9, include_submitted=True)
    }
    assert values == {v1: None, v2: Decimal(80)}
