from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Indicator, LightScheme
from indicators.selectors import summary_rows
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


@pytest.mark.parametrize(("indicators", "villages"), [(2, 2), (30, 12)])
def test_summary_runs_at_most_six_queries_whatever_the_size(indicators, villages):
    town = make_town_scale(indicators, villages)
    with CaptureQueriesContext(connection) as queries:
        rows = summary_rows(town, 2025, 3)
    assert len(rows) == indicators + indicators // 2
    assert len(queries) <= 6
