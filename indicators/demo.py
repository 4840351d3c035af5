"""The demo township (示例镇) as the rows of the township workbook (DOMAIN §8).

The 2024 actuals are the township's own, from its 2024 government work report (DOMAIN §5). What the
report does not give (monthly series, the other villages, 2025 targets and figures) is 示例数据:
generated with a fixed seed, so `load_demo` is repeatable, consistent with the report's totals, and
chosen so that the dashboard at October 2025 shows every light.

Pure Python, no Django and no I/O: the importer loads these rows through the same checks as a
user's Excel file, so the demo can never hold data a user could not import.
"""

import random
from decimal import ROUND_HALF_UP, Decimal

DEMO_NOTE = "示例数据"

SEED = 20241231
LAST_MONTH = {2024: 12, 2025: 10}  # figures for all of 2024 and for January–October 2025
TARGET_YEAR = 2025

DISTRICT, TOWN = "D01", "T01"
VILLAGE_NAMES = (
    "蒋桥村 振兴村 王庄村 李集村 张圩村 陈楼村 刘湾村 周庄村 吴集村 孙圩村 朱桥村 马庄村 胡集村 "
    "高湾村 新河村 双河村 红星村 东风村 前进村 团结村 杨庄村 徐圩村 沈桥村 黄墩村 韩庄村 许集村 "
    "丁湾村 花园村 大兴村"
).split()
VILLAGES = {f"{TOWN}V{i:02d}": name for i, name in enumerate(VILLAGE_NAMES, start=1)}

经发办, 财政所, 统计站, 农业农村办 = "经发办", "财政所", "统计站", "农业农村办"
城建办, 社会事务办, 应急办, 信访办 = "城建办", "社会事务办", "应急管理办(安监)", "信访办"

CATEGORIES = {
    "JJ": "经济发展",
    "XM": "项目建设",
    "CY": "产业集群",
    "NY": "农业农村",
    "ZC": "镇村建设",
    "MS": "民生保障",
    "AQ": "安全稳定",
}

# The catalogue. 重点 marks the eight figures the leaders' brief leads with.
# fmt: off
INDICATORS = [
    # 编码, 名称, 单位, 类型, 牵头部门, 重点, 口径
    ("JJ01", "一般公共预算收入", "万元", "累计", 财政所, True,
     "镇级一般公共预算收入，含税收收入和非税收入，以区财政局月报为准。"),
    ("JJ02", "实体税收", "万元", "累计", 财政所, False,
     "辖区实体企业缴纳的税收，不含房地产业和土地相关税收，以税务部门月报为准。"),
    ("JJ03", "规上工业开票销售收入", "亿元", "累计", 经发办, True,
     "规模以上工业企业增值税发票开票销售额（含税），以税务开票数据为准。"),
    ("JJ04", "工业总产值", "亿元", "累计", 统计站, True,
     "辖区工业企业当年生产的工业产品总量（现价），以统计联网直报为准。"),
    ("JJ05", "服务业企业营业收入", "亿元", "累计", 统计站, False,
     "规模以上服务业企业营业收入，按季度联网直报。"),
    ("JJ06", "贸易业企业营业收入", "亿元", "累计", 统计站, False,
     "限额以上批发、零售、住宿、餐饮业企业营业收入。"),
    ("JJ07", "新增工业列统企业", "家", "计数", 统计站, False,
     "当年新纳入规模以上工业统计（年主营业务收入2000万元及以上）的企业户数。"),
    ("JJ08", "规上工业企业总数", "家", "存量", 统计站, False,
     "期末纳入规模以上工业统计的企业户数，含当年新增，扣除退规企业。"),
    ("JJ09", "规上工业增加值增速", "%", "增速", 统计站, False,
     "规模以上工业增加值按可比价格计算的累计增速，以区统计局公布数为准，不由产值推算。"),
    ("XM01", "规上固定资产投资", "亿元", "累计", 经发办, True,
     "计划总投资500万元及以上项目完成的固定资产投资额，以统计入库数为准。"),
    ("XM02", "新招引亿元以上项目", "个", "计数", 经发办, False,
     "当年签约、计划总投资1亿元及以上的产业项目个数。"),
    ("XM03", "新开工亿元以上项目", "个", "计数", 经发办, True,
     "当年主体工程开工建设、计划总投资1亿元及以上的项目个数。"),
    ("XM04", "新竣工亿元以上项目", "个", "计数", 经发办, False,
     "当年竣工投产、计划总投资1亿元及以上的项目个数。"),
    ("CY01", "装备制造产业集群产值", "亿元", "累计", 经发办, False,
     "装备制造类列统企业工业总产值合计。"),
    ("CY02", "鞋服纺织产业集群产值", "亿元", "累计", 经发办, False,
     "鞋服纺织类列统企业工业总产值合计。"),
    ("CY03", "品牌食品产业集群产值", "亿元", "累计", 经发办, False,
     "品牌食品类列统企业工业总产值合计。"),
    ("CY04", "三大产业集群列统企业数", "家", "存量", 经发办, False,
     "装备制造、鞋服纺织、品牌食品三大集群期末列统企业户数。"),
    ("NY01", "村集体经济收入", "万元", "累计", 农业农村办, True,
     "村级集体经济组织当年经营、发包、投资收益等收入合计，以农村集体资产管理平台为准。"),
    ("NY02", "村均集体经济收入", "万元", "累计", 农业农村办, False,
     "全镇村集体经济总收入除以行政村个数，由各村数据自动计算。"),
    ("NY03", "集体经济收入超百万元村数", "个", "计数", 农业农村办, False,
     "当年累计集体经济收入达到100万元及以上的行政村个数，由各村数据自动计算。"),
    ("NY04", "花生种植面积", "亩", "存量", 农业农村办, False,
     "期末全镇花生实际种植面积，以农业农村办实地核实面积为准。"),
    ("NY05", "高标准农田建设面积", "亩", "计数", 农业农村办, False,
     "当年建成并通过验收的高标准农田面积。"),
    ("ZC01", "农村户厕改造", "座", "计数", 农业农村办, True,
     "当年完成改造并验收合格的农村无害化卫生户厕数量。"),
    ("ZC02", "污水管网建设", "公里", "计数", 城建办, False,
     "当年新建或改造并投入使用的镇村污水管网长度。"),
    ("ZC03", "道路提升改造", "公里", "计数", 城建办, False,
     "当年完成提升改造的集镇及农村道路里程。"),
    ("ZC04", "黑臭水体整治", "个", "计数", 城建办, False,
     "当年完成整治并通过验收的农村黑臭水体个数。"),
    ("MS01", "城乡居民医保参保率", "%", "比率", 社会事务办, False,
     "期末参加城乡居民基本医疗保险人数占应参保人数的比例。"),
    ("MS02", "城镇新增就业", "人", "计数", 社会事务办, False,
     "当年在城镇新增就业的人数，以人社就业信息系统为准。"),
    ("MS03", "农村劳动力转移就业", "人", "计数", 社会事务办, False,
     "当年新增转移到非农产业就业的农村劳动力人数。"),
    ("AQ01", "生产安全事故起数", "起", "计数", 应急办, True,
     "辖区发生的生产安全责任事故起数，不含道路交通事故。"),
    ("AQ02", "信访件数", "件", "计数", 信访办, False,
     "群众到镇及赴区以上的来信来访登记件数，重复信访只计一次。"),
    ("AQ03", "火灾事故起数", "起", "计数", 应急办, False,
     "辖区发生并经消防救援部门认定的火灾事故起数。"),
]
# fmt: on

# Columns that differ from the defaults (方向 正向, 填报层级 镇, 汇总 合计, 填报频度 月).
OVERRIDES = {
    "JJ01": {"小数位": 0},  # tens of thousands of 万元: whole 万元 read better
    "JJ02": {"小数位": 0},
    "JJ05": {"填报频度": "季"},  # services turnover is published quarterly
    "NY01": {"填报层级": "村"},
    # Derived from the villages' NY01 figures, never entered (DOMAIN §8).
    "NY02": {"汇总": "村均", "来源指标": "NY01"},
    "NY03": {"汇总": "达标村数", "来源指标": "NY01", "达标阈值": Decimal(100)},
    "ZC01": {"填报层级": "村"},
    "AQ01": {"方向": "逆向"},  # fewer is better: the target is a cap
    "AQ02": {"方向": "逆向", "动词": "受理"},  # 受理信访52件, not 发生
    "AQ03": {"方向": "逆向"},
}
UNIT_DECIMALS = {"亿元": 2, "万元": 2, "%": 1, "公里": 1}

# Seasonal profiles: the relative size of each month's increment, January to December.
INDUSTRY = (7, 5, 9, 8, 8, 9, 8, 8, 9, 9, 9, 11)  # Spring Festival dip, year-end push
FISCAL = (12, 6, 9, 8, 9, 8, 8, 7, 8, 9, 7, 9)  # annual taxes settle early in the year
INVESTMENT = (4, 5, 8, 9, 9, 10, 9, 9, 10, 10, 9, 8)  # the building season
SERVICES = (8, 6, 8, 8, 8, 8, 8, 8, 8, 9, 9, 12)
STEADY = (1,) * 12
OUTDOOR = (0, 0, 1, 2, 2, 1, 1, 1, 2, 2, 1, 0)  # no pipe-laying or roadworks in deep winter
FARMLAND = (1, 2, 2, 1, 0, 0, 0, 0, 0, 1, 2, 2)  # land works in the slack season around winter
# Villages: contracting fees come in early in the year, dividends and rents at year-end.
VILLAGE_INCOME = (8, 5, 9, 7, 7, 9, 7, 7, 9, 10, 9, 13)

# Town-entered cumulative series: YTD anchors each series passes through exactly. The 2024
# December anchors are the report's figures where it gives them (DOMAIN §5) and demo figures where
# it is redacted; the 2025 anchors set where each indicator stands at October (see TARGETS).
# fmt: off
TOWN_SERIES = {
    # 编码: (profile, 2024 anchors, 2025 anchors)
    "JJ01": (FISCAL, {12: "18650"}, {10: "15520"}),
    "JJ02": (FISCAL, {10: "11550", 12: "14260"}, {10: "10280"}),
    "JJ03": (INDUSTRY, {10: "17.52", 12: "21.36"}, {10: "18.75"}),  # report: 破20亿元
    "JJ04": (INDUSTRY, {10: "25.60", 12: "30.24"}, {10: "28.10"}),  # DOMAIN §4 worked example
    "JJ05": (SERVICES, {9: "2.12", 12: "2.90"}, {9: "2.45"}),  # quarterly: 3, 6, 9, 12 only
    "JJ06": (SERVICES, {12: "1.90"}, {9: "1.58"}),  # October not yet reported: the grey light
    "JJ07": (STEADY, {12: "11"}, {10: "11"}),
    "XM01": (INVESTMENT, {12: "10.45"}, {10: "10.12"}),
    "XM02": (STEADY, {12: "12"}, {10: "6"}),  # 2024 count redacted in the report
    "XM03": (STEADY, {12: "5"}, {10: "6"}),
    "XM04": (STEADY, {12: "5"}, {10: "6"}),
    "CY01": (INDUSTRY, {10: "5.76", 12: "6.80"}, {10: "6.45"}),
    "CY02": (INDUSTRY, {10: "6.27", 12: "7.40"}, {10: "6.20"}),
    "CY03": (INDUSTRY, {10: "7.70", 12: "9.10"}, {10: "8.62"}),
    "NY05": (FARMLAND, {12: "5500"}, {10: "3000"}),
    "ZC02": (OUTDOOR, {12: "6.5"}, {10: "4.5"}),
    "ZC03": (OUTDOOR, {12: "9.6"}, {10: "10.5"}),
    "ZC04": (OUTDOOR, {12: "5"}, {10: "7"}),
    "MS02": (STEADY, {12: "620"}, {10: "560"}),
    "MS03": (STEADY, {12: "410"}, {10: "310"}),
    "AQ01": (STEADY, {12: "2"}, {10: "1"}),
    "AQ02": (STEADY, {12: "64"}, {10: "52"}),
    "AQ03": (STEADY, {12: "3"}, {10: "4"}),
}

# 规上工业增加值增速 (JJ09): the bureau's year-to-date growth at comparable prices, in %, as it
# publishes it each month; it cannot be recomputed from the nominal 工业总产值.
# fmt: off
GROWTH_RATES = {
    "JJ09": {2024: ("7.2", "7.6", "8.1", "8.0", "8.3", "8.5", "8.4", "8.2", "8.6", "8.8", "8.7", "8.9"),
             2025: ("9.1", "7.4", "7.8", "7.5", "7.1", "6.8", "6.9", "6.6", "6.4", "6.5")},
}
# fmt: on

# Targets judged against a 序时计划 other than n/12 (DOMAIN §3): the province's rule for key
# investment, 上半年完成60%、全年完成120% (so October's plan is 100% of the annual target).
SCHEDULED = {"XM01": "上半年60%全年120%"}
SCHEDULE_ROWS = [{"名称": "上半年60%全年120%", "6月": 60, "12月": 120}]

# Town-entered levels: {year: (January level, {month: new level from that month on})}.
TOWN_LEVELS = {
    # Report: 花生种植规模从2500亩扩至6000亩; peanuts go in during April and May.
    "NY04": {
        2024: ("2500", {4: "3800", 5: "5200", 6: "6000"}),
        2025: ("6000", {4: "7100", 5: "7800"}),
    },
    # Report: 7 + 9 + 6 = 22 cluster enterprises at the end of 2024.
    "CY04": {2024: ("19", {5: "20", 8: "21", 11: "22"}), 2025: ("22", {3: "23", 6: "24", 9: "25"})},
    "MS01": {
        2024: ("97.6", {3: "97.8", 6: "98.0", 9: "98.1", 12: "98.2"}),
        2025: ("98.3", {4: "98.5", 7: "98.7", 9: "98.9"}),
    },
}

# 2025 targets at the town: (目标值, 力争值, 目标增速%). The comment is the light each shows at
# October 2025 (time progress 83.3%); NY01 and NY02 are added from the village targets.
TARGETS = {
    "JJ01": ("20000", "21000", None),  # yellow: 15520 ÷ 20000 = 77.6%
    "JJ02": (None, None, "6"),  # red: 同比 −11.0%
    "JJ03": (None, None, "10"),  # yellow: 同比 +7.0%, short of the 10% target growth
    "JJ04": (None, None, "8"),  # green: 同比 +9.8%, 完成率 86.0% (DOMAIN §4)
    "JJ05": ("3.20", None, None),  # green: 2.45 ÷ 3.20 = 76.6% at September (time 75.0%)
    "JJ06": ("2.10", None, None),  # grey: no October figure
    "JJ07": ("12", None, None),  # green: 91.7%
    "JJ08": ("68", None, None),  # green: 58 → 67 of 68 is 90% of the way
    "JJ09": (None, None, "8"),  # yellow: 6.5%, below the 8% target rate but growing
    "XM01": ("11.50", "12.00", None),  # red: 88.0% against the schedule's 100% in October
    "XM02": ("12", None, None),  # red: 50.0%
    "XM03": ("5", "7", None),  # blue: 6 of 5
    "XM04": ("7", None, None),  # green: 85.7%
    "CY01": ("7.50", None, None),  # green: 86.0%
    "CY02": ("8.00", None, None),  # yellow: 77.5%
    "CY03": ("10.00", "11.00", None),  # green: 86.2%
    "CY04": ("26", None, None),  # yellow: 22 → 25 of 26 is 75% of the way
    "NY03": ("7", None, None),  # red: 3 or 4 villages past 100万元 by October
    "NY04": ("8000", "8500", None),  # green: 6000 → 7800 of 8000 is 90% of the way
    "NY05": ("3000", None, None),  # blue: all 3000亩 accepted by October
    "ZC01": ("600", None, None),  # blue: 620 toilets
    "ZC02": ("8.0", None, None),  # red: 56.3%
    "ZC03": ("12.0", None, None),  # green: 87.5%
    "ZC04": ("8", None, None),  # green: 87.5%
    "MS01": ("99.0", None, None),  # green: 98.2 → 98.9 of 99.0 is 87.5% of the way
    "MS02": ("650", "700", None),  # green: 86.2%
    "MS03": ("400", None, None),  # yellow: 77.5%
    "AQ01": ("3", None, None),  # green: 1 accident, within pace (3 × 10/12 = 2.5)
    "AQ02": ("60", None, None),  # yellow: 52 of 60 is above pace, cap not broken
    "AQ03": ("3", None, None),  # red: 4 fires break the cap of 3
}
# fmt: on

# 规上工业企业总数 (JJ08) follows from the new listings (JJ07) less the firms that dropped out.
LISTED_AT_START_2024 = 48
DELISTED = {2024: {7: 1}, 2025: {4: 1, 8: 1}}  # month -> firms leaving the 规上 list

# 村集体经济收入 (NY01), December 2024. Report: 总收入突破2200万元, 村均76万元, 5个村超百万,
# xx村达360万元. The five above 100万元 are fixed here; the other 24 villages share the rest.
INCOME_TOTAL_2024 = Decimal(2204)  # 29 villages × 76万元
INCOME_LEADERS = {
    "振兴村": "360",
    "蒋桥村": "168",
    "新河村": "132",
    "红星村": "118",
    "双河村": "105",
}
INCOME_GROWTH_TARGET = Decimal("1.1")  # each village's 2025 target: its 2024 actual × 1.1
INCOME_OCTOBER_PCT = 86  # October 2025 YTD as % of 2024's total: 78% of the target, yellow

# 户厕改造 (ZC01): report 995座 in 2024. (total, number of villages with a programme that year)
TOILETS = {2024: (995, 17), 2025: (620, 11)}

NOTES = {
    ("XM02", 2024, 12): "含10亿元项目1个",
    ("JJ06", 2025, 9): "10月数据待统计站核实后补报",
}


def _user(username, role, department, name):
    return {
        "username": username,
        "password": "demo1234",
        "role": role,
        "department": department,
        "area": TOWN,
        "name": name,
    }


DEMO_USERS = [
    _user("admin", "admin", None, "党政办管理员"),
    _user("clerk", "clerk", 经发办, "经发办填报员"),
    _user("clerk_ny", "clerk", 农业农村办, "农业农村办填报员"),
    _user("reviewer", "reviewer", 经发办, "经发办审核员"),
    _user("reviewer_ny", "reviewer", 农业农村办, "农业农村办审核员"),
    _user("leader", "leader", None, "李镇长"),
    _user("shuji", "leader", None, "王书记"),
]


def demo_sheets() -> dict[str, list[dict[str, object]]]:
    """Sheet name -> rows; each row a dict keyed by the Chinese column names of DOMAIN §8."""
    rng = random.Random(SEED)  # a fresh generator per call: every call returns the same rows
    decimals = {row[0]: _decimals(row[0], row[2]) for row in INDICATORS}
    figures = {}  # (指标编码, 区域编码, 年度, 月份) -> 数值
    targets = {(code, TOWN): tuple(map(_dec, target)) for code, target in TARGETS.items()}

    for code, (profile, *anchors) in TOWN_SERIES.items():
        quarterly = OVERRIDES.get(code, {}).get("填报频度") == "季"
        for year, year_anchors in zip(LAST_MONTH, anchors, strict=True):
            for month, value in ytd_series(profile, year_anchors, decimals[code], rng).items():
                if not quarterly or month % 3 == 0:
                    figures[code, TOWN, year, month] = value
    for code, years in TOWN_LEVELS.items():
        for year, (start, changes) in years.items():
            for month, value in level_series(start, changes, LAST_MONTH[year]).items():
                figures[code, TOWN, year, month] = value
    for code, years in GROWTH_RATES.items():
        for year, rates in years.items():
            for month, rate in enumerate(rates, start=1):
                figures[code, TOWN, year, month] = Decimal(rate)
    start = Decimal(LISTED_AT_START_2024)
    for year, last in LAST_MONTH.items():
        delisted = 0
        for month in range(1, last + 1):
            delisted += DELISTED[year].get(month, 0)
            new = figures["JJ07", TOWN, year, month]
            figures["JJ08", TOWN, year, month] = start + new - delisted
        start = figures["JJ08", TOWN, year, last]  # next January starts from this December

    village_targets = _village_income(rng, figures)
    targets.update(village_targets)
    # The town's income target is the villages' targets added up; 村均 follows from it.
    town_income = sum(value for value, _, _ in village_targets.values())
    targets["NY01", TOWN] = (town_income, None, None)
    targets["NY02", TOWN] = (_q(town_income / len(VILLAGES), 2), None, None)
    _village_toilets(rng, figures)

    return {
        "区域": _area_rows(),
        "指标": [_indicator_row(row, decimals) for row in INDICATORS],
        "序时计划": [dict(row) for row in SCHEDULE_ROWS],
        "目标": [
            {
                "指标编码": code,
                "区域编码": area,
                "年度": TARGET_YEAR,
                "目标值": value,
                "力争值": stretch,
                "目标增速%": growth,
                "序时计划": SCHEDULED.get(code) if area == TOWN else None,
            }
            for (code, area), (value, stretch, growth) in sorted(targets.items())
        ],
        "数据": [
            {
                "指标编码": code,
                "区域编码": area,
                "年度": year,
                "月份": month,
                "数值": value,
                "备注": NOTES.get((code, year, month)) if area == TOWN else None,
            }
            for (code, area, year, month), value in sorted(figures.items())
        ],
    }


# ---------------------------------------------------------------------------- series helpers


def ytd_series(profile, anchors: dict, places: int, rng: random.Random) -> dict[int, Decimal]:
    """Year-to-date figures for months 1..last anchor, passing exactly through every anchor.

    Each month adds its profile weight, jittered by ±20%, of the stretch up to the next anchor. No
    increment is negative, so the series never falls (and rounding a rising series keeps it so).
    """
    series, start_month, start_value = {}, 0, Decimal(0)
    for end_month, end_value in sorted((m, Decimal(v)) for m, v in anchors.items()):
        months = range(start_month + 1, end_month + 1)
        weights = [profile[m - 1] * rng.randint(80, 120) for m in months]
        if not any(weights):
            weights[-1] = 1
        total, running = sum(weights), 0
        for month, weight in zip(months, weights, strict=True):
            running += weight
            series[month] = _q(start_value + (end_value - start_value) * running / total, places)
        start_month, start_value = end_month, end_value
    return series


def level_series(start, changes: dict, last_month: int) -> dict[int, Decimal]:
    """End-of-month levels: `start` in January, each change holding until the next one."""
    level, series = Decimal(start), {}
    for month in range(1, last_month + 1):
        level = Decimal(changes.get(month, level))
        series[month] = level
    return series


def split(total: int, parts: int, rng: random.Random, low: int, high: int) -> list[int]:
    """`total` as `parts` whole numbers of random relative size low..high (largest remainder)."""
    weights = [rng.randint(low, high) for _ in range(parts)]
    exact = [Decimal(total * w) / sum(weights) for w in weights]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(parts), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _village_income(rng, figures) -> dict:
    """NY01 for every village and both years; returns each village's 2025 target."""
    leaders = {
        code: Decimal(INCOME_LEADERS[n]) for code, n in VILLAGES.items() if n in INCOME_LEADERS
    }
    others = [code for code in VILLAGES if code not in leaders]
    rest = INCOME_TOTAL_2024 - sum(leaders.values())
    # The other 24 villages share the rest by random weight: about 30–85万元 each, all below 100.
    raw = [rng.randint(3000, 9000) for _ in others]
    december = {code: _q(rest * r / sum(raw), 2) for code, r in zip(others, raw, strict=True)}
    december[others[-1]] += rest - sum(december.values())  # the rounding remainder, a few fen
    december |= leaders

    targets = {}
    for code in VILLAGES:
        base = december[code]
        october = _q(base * INCOME_OCTOBER_PCT * rng.randint(95, 105) / 10000, 2)
        for year, anchors in ((2024, {12: base}), (2025, {10: october})):
            for month, value in ytd_series(VILLAGE_INCOME, anchors, 2, rng).items():
                figures["NY01", code, year, month] = value
        targets["NY01", code] = (_q(base * INCOME_GROWTH_TARGET, 0), None, None)
    return targets


def _village_toilets(rng, figures) -> None:
    """ZC01 for every village; a village without a programme that year reports 0 each month."""
    for year, (total, count) in TOILETS.items():
        chosen = sorted(rng.sample(sorted(VILLAGES), count))
        amounts = dict(zip(chosen, split(total, count, rng, 6, 14), strict=True))
        for code in VILLAGES:
            anchors = {LAST_MONTH[year]: amounts.get(code, 0)}
            for month, value in ytd_series(OUTDOOR, anchors, 0, rng).items():
                figures["ZC01", code, year, month] = value


# ---------------------------------------------------------------------------- rows


def _area_rows() -> list[dict]:
    rows = [
        {"编码": DISTRICT, "名称": "示例区", "上级编码": None, "层级": "区"},
        {"编码": TOWN, "名称": "示例镇", "上级编码": DISTRICT, "层级": "镇"},
    ]
    rows += [{"编码": c, "名称": n, "上级编码": TOWN, "层级": "村"} for c, n in VILLAGES.items()]
    return rows


def _indicator_row(row, decimals) -> dict:
    code, name, unit, kind, department, key, definition = row
    extra = OVERRIDES.get(code, {})
    return {
        "编码": code,
        "名称": name,
        "类别": CATEGORIES[code[:2]],
        "单位": unit,
        "类型": kind,
        "方向": extra.get("方向", "正向"),
        "牵头部门": department,
        "小数位": decimals[code],
        "填报层级": extra.get("填报层级", "镇"),
        "汇总": extra.get("汇总", "合计"),
        "来源指标": extra.get("来源指标"),
        "达标阈值": extra.get("达标阈值"),
        "重点": "是" if key else "否",
        "口径": definition,
        "填报频度": extra.get("填报频度", "月"),
        "动词": extra.get("动词"),
    }


def _decimals(code: str, unit: str) -> int:
    return OVERRIDES.get(code, {}).get("小数位", UNIT_DECIMALS.get(unit, 0))


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _q(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
