"""Published bulletins recomputed through the app: their figures go in through the township
workbook, and the app must state what each bulletin states, to the 0.1 they print.

Numbers are compared as the app prints them: thousands grouped (DOMAIN §7: "3,300万元"), where
many bulletins print 99552万元.

Where a bulletin prints no annual target, the target is the one its own completion implies
(YTD ÷ printed completion), so only the other numbers (时序进度, the gap, 同比, the growth gap)
are independent checks; the docstrings say which.
"""

from decimal import Decimal

import pytest

from indicators import formatting as fmt
from indicators.areas import AreaTree
from indicators.models import Area, Indicator
from indicators.selectors import summary_rows
from indicators.workbook import sheets_from_dicts, workbook_import

pytestmark = pytest.mark.django_db


def load(*, unit, cadence="月", targets, figures, schedules=()):
    """One town "示例市" and one indicator "X1", through the workbook import path."""
    sheets = {
        "区域": [{"编码": "C1", "名称": "示例市", "层级": "镇"}],
        "指标": [{"编码": "X1", "名称": "指标", "单位": unit, "类型": "累计", "填报频度": cadence}],
        "序时计划": list(schedules),
        "目标": [{"指标编码": "X1", "区域编码": "C1", **t} for t in targets],
        "数据": [
            {"指标编码": "X1", "区域编码": "C1", "年度": y, "月份": m, "数值": Decimal(v)}
            for (y, m), v in figures.items()
        ],
    }
    plan = workbook_import(sheets_from_dicts({k: v for k, v in sheets.items() if v}))
    assert plan.ok, [str(e) for e in plan.errors]


def row_at(year, month, *, name, decimals=2):
    Indicator.objects.filter(code="X1").update(name=name, decimals=decimals)
    area = Area.objects.get(code="C1")
    [row] = summary_rows(area, year, month, tree=AreaTree())
    return row, fmt.sentence(row, "全市")


def test_quanzhou_2023_q1_budget_revenue_judged_on_pace_and_on_growth():
    """泉州市财政收入实现一季度“开门红” (泉州晚报社·泉州通客户端, 2023-04-25),
    http://m.hangkong.rexun.cn/gz/2023/0425/11705.html:
    一季度 一般公共预算总收入312.74亿元，增收34.96亿元、增长12.6%，高于年度目标增幅5.6个百分点，
    完成年度预算的31.7%、超序时进度6.7个百分点.

    Both tests of DOMAIN §3: the budget (not printed; 312.74 ÷ 31.7% = 986.6亿元) and the
    target growth (12.6 − 5.6 = 7.0%). Independent checks: 序时 25.0%, the gap +6.7, 同比 12.6%
    from last year's 277.78 (312.74 − 34.96), the growth gap +5.6.
    """
    load(
        unit="亿元",
        cadence="季",
        targets=[{"年度": 2023, "目标值": Decimal("986.6"), "目标增速%": Decimal(7)}],
        figures={(2022, 3): "277.78", (2023, 3): "312.74"},
    )
    row, text = row_at(2023, 3, name="一般公共预算总收入")
    assert fmt.percent(row.time_progress_pct) == "25.0%"
    assert fmt.percent(row.completion_pct) == "31.7%"
    assert fmt.rounded(row.gap_pp, 1) == Decimal("6.7")
    assert fmt.rounded(row.yoy_pct, 1) == Decimal("12.6")
    assert fmt.rounded(row.growth_gap_pp, 1) == Decimal("5.6")
    assert row.light == "green"
    assert text == (
        "一季度，全市完成一般公共预算总收入312.74亿元，同比增长12.6%，增收34.96亿元，"
        "高于目标增速5.6个百分点，完成年度目标的31.7%，超过时序进度6.7个百分点。"
    )


def test_xiping_2017_q1_township_revenue():
    """关于2017年第一季度乡镇财政收入完成情况的通报 (西平县),
    http://xiping.gov.cn/portal/zwgk/zfwj/xzb/xzbq/webinfo/2017/09/1537049388171690.htm:
    乡级一般公共预算收入完成10823万元，为全年目标任务的29.7%，高于时序进度4.7个百分点，
    同比增长90.2%，增收5132万元.

    The target is not printed (10823 ÷ 29.7% = 36441万元); independent: the gap +4.7, 同比 90.2%.
    """
    load(
        unit="万元",
        targets=[{"年度": 2017, "目标值": 36441}],
        figures={(2016, 3): 5691, (2017, 3): 10823},
    )
    row, text = row_at(2017, 3, name="乡级一般公共预算收入", decimals=0)
    assert fmt.rounded(row.gap_pp, 1) == Decimal("4.7")
    assert fmt.rounded(row.yoy_pct, 1) == Decimal("90.2")
    assert "完成乡级一般公共预算收入10,823万元，同比增长90.2%，增收5,132万元" in text
    assert "完成年度目标的29.7%，超过时序进度4.7个百分点" in text


def test_zhaotong_2018_first_half_revenue():
    """昭通 上半年 一般公共财政预算收入 (云南网, 2018-08-27),
    https://zhaotong.yunnan.cn/system/2018/08/27/030054108.shtml: 上半年，全市一般公共财政预算收入
    完成38.3亿元，同比增收6.5亿元，增长20.4%，完成年初预算的53.5%，超序时进度3.5个百分点.

    Budget implied (38.3 ÷ 53.5% = 71.6亿元); independent: 序时 50%, the gap +3.5, 同比 20.4%.
    """
    load(
        unit="亿元",
        targets=[{"年度": 2018, "目标值": Decimal("71.6")}],
        figures={(2017, 6): "31.8", (2018, 6): "38.3"},
    )
    row, text = row_at(2018, 6, name="一般公共财政预算收入", decimals=1)
    assert fmt.rounded(row.gap_pp, 1) == Decimal("3.5")
    assert "同比增长20.4%，增收6.5亿元，完成年度目标的53.5%，超过时序进度3.5个百分点" in text


def test_huidong_2022_key_projects_under_the_60_120_schedule():
    """惠东县2022年重点建设项目进展情况 (县政府网站“重点项目”栏目), 1至5月
    http://yhser.com/hdxwz/zwgk/zdxm/content/post_4669527.html and 1至8月
    http://yhser.com/hdxwz/zwgk/wgk/jggk/lsqkgk/content/post_4767147.html: 省、市重点项目
    完成投资69.9亿元，完成率54.4%，高于序时进度4.4个百分点 (1至5月); 105.66亿元，82.2%，高于
    序时进度2.2个百分点 (1至8月), under the province's rule 上半年60%、全年120%.

    The plan is not printed (≈128.5亿元); independent: 序时 50% at 5月 and 80% at 8月 (n/12 would
    be 41.7% and 66.7%), and both gaps.
    """
    load(
        unit="亿元",
        schedules=[{"名称": "上半年60%全年120%", "6月": 60, "12月": 120}],
        targets=[{"年度": 2022, "目标值": Decimal("128.5"), "序时计划": "上半年60%全年120%"}],
        figures={(2022, 5): "69.9", (2022, 8): "105.66"},
    )
    may, text = row_at(2022, 5, name="省市重点项目完成投资")
    assert fmt.percent(may.time_progress_pct) == "50.0%"
    assert fmt.percent(may.completion_pct) == "54.4%"
    assert fmt.rounded(may.gap_pp, 1) == Decimal("4.4")
    assert "完成年度目标的54.4%，超过时序进度（50.0%）4.4个百分点" in text
    august, text = row_at(2022, 8, name="省市重点项目完成投资")
    assert fmt.percent(august.time_progress_pct) == "80.0%"
    assert fmt.rounded(august.gap_pp, 1) == Decimal("2.2")
    assert "完成年度目标的82.2%，超过时序进度（80.0%）2.2个百分点" in text


def test_jiangmen_gap_is_computed_once_from_unrounded_values():
    """江门市重点建设项目1-10月 (江门市发展和改革局),
    https://rajayuj.com/bmpd/jmsfzhggj/zdlyxxgk/zdjsxmxxgk/zdxmjz/content/post_1860276.html:
    累计完成投资629.0亿元，占年度投资计划的97.2%，超过时间进度13.8个百分点 (计划647.4亿元).

    Everything is printed: 629.0 ÷ 647.4 = 97.16%, and 97.16 − 83.33 = 13.8 (the rounded 97.2
    minus 83.3 would give 13.9: DOMAIN §7 computes the gap once, from unrounded values).
    """
    load(
        unit="亿元",
        targets=[{"年度": 2020, "目标值": Decimal("647.4")}],
        figures={(2020, 10): "629.0"},
    )
    _row, text = row_at(2020, 10, name="重点项目完成投资", decimals=1)
    assert "完成年度目标的97.2%，超过时序进度13.8个百分点" in text


def test_tunxi_november_revenue_as_domain_quotes_it():
    """屯溪区1-11月份一般公共预算收入完成情况 (屯溪区), https://www.ahtxq.gov.cn/sjfb/sjjd/9038147.html:
    累计完成99552万元，占年初预算数109466万元的90.9%，同比增长9.1%，增收8300万元 — the source of
    DOMAIN §7's example sentence. All printed; no 序时 in the bulletin (ours: 91.7%, −0.7)."""
    load(
        unit="万元",
        targets=[{"年度": 2021, "目标值": 109466}],
        figures={(2020, 11): 91252, (2021, 11): 99552},
    )
    _row, text = row_at(2021, 11, name="一般公共预算收入", decimals=0)
    assert text == (
        "1—11月，全市完成一般公共预算收入99,552万元，同比增长9.1%，增收8,300万元，"
        "完成年度目标的90.9%，低于时序进度0.7个百分点。"
    )


def test_dayao_april_revenue_falls():
    """大姚县2024年4月财政收支情况, http://dayao.gov.cn/info/egovinfo/1007/overt_centent/dyx009-/2024-0516001.htm:
    一般公共预算收入累计完成24627万元，完成年初预算数60999万元的40.4%，比上年减收1070万元，
    下降4.2%. All printed."""
    load(
        unit="万元",
        targets=[{"年度": 2024, "目标值": 60999}],
        figures={(2023, 4): 25697, (2024, 4): 24627},
    )
    row, text = row_at(2024, 4, name="一般公共预算收入", decimals=0)
    assert "同比下降4.2%，减收1,070万元，完成年度目标的40.4%，超过时序进度7.0个百分点" in text
    assert row.light == "green"
