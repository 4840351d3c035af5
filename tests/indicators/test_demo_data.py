"""The demo township's workbook rows (indicators/demo.py): the report's figures, sane series, and
every light at October 2025. Plain Python: the rows are checked as data, before any import."""

from collections import defaultdict
from decimal import Decimal
from itertools import pairwise

from indicators.demo import DEMO_NOTE, DEMO_USERS, demo_sheets

SHEETS = demo_sheets()
INDICATORS = {row["编码"]: row for row in SHEETS["指标"]}
AREAS = {row["编码"]: row for row in SHEETS["区域"]}
VILLAGES = [code for code, row in AREAS.items() if row["层级"] == "村"]
FIGURES = {(r["指标编码"], r["区域编码"], r["年度"], r["月份"]): r["数值"] for r in SHEETS["数据"]}
TARGETS = {(r["指标编码"], r["区域编码"], r["年度"]): r for r in SHEETS["目标"]}
TOWN = "T01"

# fmt: off
COLUMNS = {
    "区域": ["编码", "名称", "上级编码", "层级"],
    "指标": ["编码", "名称", "类别", "单位", "类型", "方向", "牵头部门", "小数位", "填报层级",
             "汇总", "来源指标", "达标阈值", "重点", "口径", "填报频度", "动词"],
    "序时计划": ["名称", "6月", "12月"],
    "目标": ["指标编码", "区域编码", "年度", "目标值", "力争值", "目标增速%", "序时计划"],
    "数据": ["指标编码", "区域编码", "年度", "月份", "数值", "备注"],
}
DEPARTMENTS = {"经发办", "财政所", "统计站", "农业农村办", "城建办", "社会事务办",
               "应急管理办(安监)", "信访办"}
# fmt: on


def code(name):
    """Indicators are looked up by the report's wording, not by their demo code."""
    return next(c for c, row in INDICATORS.items() if row["名称"] == name)


def village_sum(indicator, year, month):
    return sum(FIGURES[indicator, v, year, month] for v in VILLAGES)


def series():
    """(indicator, area) -> [(year, month, value)] in time order."""
    found = defaultdict(list)
    for (ind, area, year, month), value in sorted(FIGURES.items()):
        found[ind, area].append((year, month, value))
    return found


def is_derived(indicator):
    return INDICATORS[indicator]["来源指标"] is not None


# ---------------------------------------------------------------------------- shape


def test_demo_sheets_are_the_same_on_every_call():
    assert demo_sheets() == demo_sheets()
    assert DEMO_NOTE == "示例数据"


def test_every_row_has_exactly_the_workbook_columns():
    assert set(SHEETS) == set(COLUMNS)
    for sheet, rows in SHEETS.items():
        assert rows
        for row in rows:
            assert list(row) == COLUMNS[sheet], (sheet, row)


def test_numbers_are_decimals_with_at_most_four_places_and_years_months_are_ints():
    for sheet, rows in SHEETS.items():
        for row in rows:
            for column, value in row.items():
                assert not isinstance(value, float), (sheet, column, row)
                if isinstance(value, Decimal):
                    assert value.as_tuple().exponent >= -4, (sheet, column, row)
    for row in SHEETS["数据"]:
        assert isinstance(row["数值"], Decimal)
        assert type(row["年度"]) is int and type(row["月份"]) is int
        assert 1 <= row["月份"] <= 12
    for row in SHEETS["目标"]:
        assert type(row["年度"]) is int
        assert row["目标值"] is not None or row["目标增速%"] is not None


def test_areas_are_one_district_one_town_and_29_villages():
    assert AREAS["D01"] == {"编码": "D01", "名称": "示例区", "上级编码": None, "层级": "区"}
    assert AREAS[TOWN] == {"编码": TOWN, "名称": "示例镇", "上级编码": "D01", "层级": "镇"}
    assert VILLAGES == [f"T01V{i:02d}" for i in range(1, 30)]
    assert all(AREAS[v]["上级编码"] == TOWN for v in VILLAGES)
    names = [AREAS[v]["名称"] for v in VILLAGES]
    assert len(set(names)) == 29
    assert "蒋桥村" in names and "振兴村" in names


def test_indicator_catalogue_covers_every_kind_direction_and_department():
    codes = [row["编码"] for row in SHEETS["指标"]]
    assert len(codes) == len(set(codes))
    assert 25 <= len(codes) <= 35
    rows = SHEETS["指标"]
    assert {r["类型"] for r in rows} == {"累计", "计数", "存量", "比率", "增速"}
    assert sum(r["方向"] == "逆向" for r in rows) >= 2
    assert {r["方向"] for r in rows} == {"正向", "逆向"}
    assert {r["牵头部门"] for r in rows} == DEPARTMENTS
    assert {"万元", "亿元", "亩", "个", "家", "座", "公里", "人", "件", "起", "%"} <= {
        r["单位"] for r in rows
    }
    assert 6 <= sum(r["重点"] == "是" for r in rows) <= 10
    for r in rows:
        assert r["口径"], r["编码"]
        assert r["填报层级"] in ("镇", "村") and r["填报频度"] in ("月", "季", "年")
        assert r["汇总"] in ("合计", "村均", "达标村数")
        expected_decimals = {"亿元": 2, "%": 1, "公里": 1}.get(r["单位"])
        if expected_decimals is not None:
            assert r["小数位"] == expected_decimals, r["编码"]


def test_every_code_in_targets_and_figures_exists():
    for row in SHEETS["目标"] + SHEETS["数据"]:
        assert row["指标编码"] in INDICATORS, row
        assert row["区域编码"] in AREAS, row
    for row in SHEETS["指标"]:
        assert row["来源指标"] is None or row["来源指标"] in INDICATORS


def test_derived_indicators_have_no_figures_and_name_a_village_source():
    derived = {c for c in INDICATORS if is_derived(c)}
    assert derived == {code("村均集体经济收入"), code("集体经济收入超百万元村数")}
    assert not [key for key in FIGURES if key[0] in derived]
    for c in derived:
        assert INDICATORS[INDICATORS[c]["来源指标"]]["填报层级"] == "村"
    over_100 = INDICATORS[code("集体经济收入超百万元村数")]
    assert (over_100["汇总"], over_100["达标阈值"], over_100["类型"]) == ("达标村数", 100, "计数")


def test_figures_are_entered_at_each_indicators_level_every_month():
    periods = {2024: set(range(1, 13)), 2025: set(range(1, 11))}
    quarters = {2024: {3, 6, 9, 12}, 2025: {3, 6, 9}}
    late = []  # monthly town indicators without an October 2025 figure
    for c, ind in INDICATORS.items():
        if is_derived(c):
            continue
        areas = VILLAGES if ind["填报层级"] == "村" else [TOWN]
        assert {key[1] for key in FIGURES if key[0] == c} == set(areas), c
        for area in areas:
            for year in (2024, 2025):
                months = {key[3] for key in FIGURES if key[:3] == (c, area, year)}
                if ind["填报频度"] == "季":
                    assert months == quarters[year], c
                elif months == periods[year] - {10} and year == 2025:
                    late.append(c)
                else:
                    assert months == periods[year], (c, area, year)
    assert len(late) == 1  # the one grey light


def test_notes_are_rare_and_short():
    notes = [row["备注"] for row in SHEETS["数据"] if row["备注"] is not None]
    assert 0 < len(notes) <= 3
    assert all(len(n) <= 30 for n in notes)


# ---------------------------------------------------------------------------- the report's figures


def test_industrial_output_is_domains_worked_example():
    jj04 = code("工业总产值")
    assert jj04 == "JJ04"
    assert (INDICATORS[jj04]["单位"], INDICATORS[jj04]["类型"]) == ("亿元", "累计")
    assert FIGURES[jj04, TOWN, 2024, 12] == Decimal("30.24")
    assert FIGURES[jj04, TOWN, 2024, 10] == Decimal("25.60")
    assert FIGURES[jj04, TOWN, 2025, 10] == Decimal("28.10")
    target = TARGETS[jj04, TOWN, 2025]
    assert target["目标值"] is None and target["目标增速%"] == 8
    # DOMAIN §4: 32.66亿元 target, 完成率 86.0%, gap +2.7个百分点, 同比 +9.8%.
    goal = Decimal("30.24") * Decimal("1.08")
    assert round(goal, 2) == Decimal("32.66")
    assert round(Decimal("28.10") / goal * 100, 1) == Decimal("86.0")
    assert round(Decimal("28.10") / goal * 100 - Decimal(1000) / 12, 1) == Decimal("2.7")
    assert round((Decimal("28.10") / Decimal("25.60") - 1) * 100, 1) == Decimal("9.8")


def test_report_2024_actuals():
    def december(name):
        return FIGURES[code(name), TOWN, 2024, 12]

    assert code("规上工业开票销售收入") == "JJ03"
    assert december("规上工业开票销售收入") > 20
    assert december("规上固定资产投资") == Decimal("10.45")
    assert december("服务业企业营业收入") == Decimal("2.9")
    assert december("贸易业企业营业收入") == Decimal("1.9")
    assert december("新增工业列统企业") == 11
    assert december("新开工亿元以上项目") == 5
    assert december("新竣工亿元以上项目") == 5
    assert december("装备制造产业集群产值") == Decimal("6.8")
    assert december("鞋服纺织产业集群产值") == Decimal("7.4")
    assert december("品牌食品产业集群产值") == Decimal("9.1")
    assert december("高标准农田建设面积") == 5500
    assert village_sum(code("农村户厕改造"), 2024, 12) == 995
    assert 0 < sum(FIGURES[code("农村户厕改造"), v, 2024, 12] > 0 for v in VILLAGES) < 29


def test_services_turnover_is_quarterly():
    jj05 = code("服务业企业营业收入")
    assert INDICATORS[jj05]["填报频度"] == "季"
    assert {key[3] for key in FIGURES if key[0] == jj05} == {3, 6, 9, 12}


def test_peanut_area_grew_from_2500_to_6000_mu_with_8000_targeted():
    ny04 = code("花生种植面积")
    assert INDICATORS[ny04]["类型"] == "存量"
    assert FIGURES[ny04, TOWN, 2024, 1] == 2500
    assert FIGURES[ny04, TOWN, 2024, 12] == 6000
    assert TARGETS[ny04, TOWN, 2025]["目标值"] == 8000


def test_village_collective_income_matches_the_report():
    ny01 = code("村集体经济收入")
    assert ny01 == "NY01"
    assert INDICATORS[ny01]["填报层级"] == "村" and INDICATORS[ny01]["汇总"] == "合计"
    december = {v: FIGURES[ny01, v, 2024, 12] for v in VILLAGES}
    assert sum(december.values()) == 2204
    assert sum(december.values()) / len(VILLAGES) == 76
    assert sum(value >= 100 for value in december.values()) == 5
    at_360 = [v for v, value in december.items() if value == 360]
    assert len(at_360) == 1 and AREAS[at_360[0]]["名称"] != "蒋桥村"
    # Each village's 2025 target is about its 2024 actual × 1.1.
    for v in VILLAGES:
        target = TARGETS[ny01, v, 2025]["目标值"]
        assert abs(target - december[v] * Decimal("1.1")) <= 1, v


def test_demo_users_cover_every_role():
    by_name = {u["username"]: u for u in DEMO_USERS}
    assert set(by_name) == {
        "admin",
        "clerk",
        "clerk_ny",
        "reviewer",
        "reviewer_ny",
        "leader",
        "shuji",
    }
    assert {u["role"] for u in DEMO_USERS} == {"admin", "clerk", "reviewer", "leader"}
    assert (by_name["clerk"]["department"], by_name["clerk_ny"]["department"]) == (
        "经发办",
        "农业农村办",
    )
    assert by_name["reviewer"]["department"] == "经发办"
    assert by_name["reviewer_ny"]["department"] == "农业农村办"
    assert by_name["leader"]["department"] is None and by_name["shuji"]["name"] == "王书记"
    for user in DEMO_USERS:
        assert user["password"] == "demo1234" and user["area"] in AREAS and user["name"]
        assert user["department"] is None or user["department"] in DEPARTMENTS


# ---------------------------------------------------------------------------- plausible series


def test_cumulative_series_never_fall_within_a_year():
    for (ind, area), points in series().items():
        if INDICATORS[ind]["类型"] not in ("累计", "计数"):
            continue
        for (y1, _, v1), (y2, m2, v2) in pairwise(points):
            if y1 == y2:
                assert v2 >= v1, (ind, area, y2, m2)


def test_no_figure_looks_like_a_unit_slip():
    # The importer refuses a 1000× jump; the demo stays well inside 100× for any two nonzero months.
    for (ind, area), points in series().items():
        nonzero = [abs(v) for _, _, v in points if v != 0]
        if nonzero:
            assert max(nonzero) <= 100 * min(nonzero), (ind, area)


def test_counts_are_whole_and_levels_move_gently():
    for (ind, area), points in series().items():
        row = INDICATORS[ind]
        assert all(v >= 0 for _, _, v in points), ind
        if row["小数位"] == 0 and row["单位"] not in ("万元",):
            assert all(v == v.to_integral_value() for _, _, v in points), ind
        if row["类型"] in ("存量", "比率"):
            for (_, _, v1), (_, _, v2) in pairwise(points):
                assert v1 / 2 <= v2 <= v1 * 2, (ind, area)


# ---------------------------------------------------------------------------- lights at 2025-10

TIME_PROGRESS = Decimal(10) * 100 / 12  # 83.3%


def town_value(ind, year, month):
    """The town's figure: its own, the villages' sum, or derived as DOMAIN §8 says."""
    row = INDICATORS[ind]
    if row["来源指标"]:
        values = [FIGURES.get((row["来源指标"], v, year, month)) for v in VILLAGES]
        if row["汇总"] == "村均":
            return sum(values) / len(VILLAGES)
        return Decimal(sum(value >= row["达标阈值"] for value in values))
    if row["填报层级"] == "村":
        return village_sum(ind, year, month)
    return FIGURES.get((ind, TOWN, year, month))


def judge(ind):
    """(light, distances to the band edges) for the town at October 2025, by DOMAIN §4.

    A distance is (value − edge, the least distance the demo keeps from that edge).
    """
    row = INDICATORS[ind]
    month = 9 if row["填报频度"] == "季" else 10  # a quarterly figure is due at September
    time = Decimal(month) * 100 / 12
    actual = town_value(ind, 2025, month)
    if actual is None:
        return "grey", []
    target = TARGETS[ind, TOWN, 2025]
    if target["目标值"] is None:  # a growth target is judged by growth
        growth = (actual / town_value(ind, 2024, month) - 1) * 100
        wanted = target["目标增速%"]
        light = "green" if growth >= wanted else "yellow" if growth >= 0 else "red"
        return light, [(growth - wanted, 1), (growth, 1)]
    goal = target["目标值"]
    completion = actual / goal * 100
    if row["方向"] == "逆向":
        if actual > goal:
            return "red", [(actual - goal, 1)]
        gap = time - completion
    elif completion >= 100:
        return "blue", [(completion - 100, 0)]
    elif row["类型"] in ("存量", "比率"):
        baseline = town_value(ind, 2024, 12)
        gap = (actual - baseline) / (goal - baseline) * 100 - time
    else:
        gap = completion - time
    light = "green" if gap >= 0 else "yellow" if gap >= -10 else "red"
    # A rate near its target (参保率 98.9 of 99) may sit close to 100% completion, but must never
    # read "100.0%" on the page without being blue.
    return light, [(gap, 1), (gap + 10, 1), (completion - 100, Decimal("0.05"))]


def test_every_light_shows_at_october_2025():
    assert round(TIME_PROGRESS, 1) == Decimal("83.3")
    lights = {ind: judge(ind) for ind in INDICATORS}
    count = defaultdict(int)
    for light, _ in lights.values():
        count[light] += 1
    assert count["blue"] >= 2
    assert count["green"] >= 3
    assert count["yellow"] >= 3
    assert count["red"] >= 2
    assert count["grey"] == 1
    assert sum(count.values()) == len(INDICATORS)  # every indicator has a 2025 town target
    # Reverse indicators show both ways a cap is judged: within pace, and broken.
    reverse = [lights[c][0] for c, row in INDICATORS.items() if row["方向"] == "逆向"]
    assert "green" in reverse and "red" in reverse
    assert lights[code("工业总产值")][0] == "green"
    assert lights[code("村集体经济收入")][0] == "yellow"


def test_no_light_sits_on_the_edge_of_its_band():
    # A point or more from each light threshold, so rounding or a day-based time progress does
    # not flip a demo light; exactly on a threshold is fine (the bands are closed there).
    for ind in INDICATORS:
        _, distances = judge(ind)
        for distance, least in distances:
            assert distance == 0 or abs(distance) >= least, (ind, distance)
