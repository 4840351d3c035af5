"""Numbers and words as the bulletins write them (DOMAIN §7). Rounding happens only here.

One module for every word and number a reader sees: pages, tables, chart labels, API text,
Excel and the briefs. The bulletin words and sentences are Chinese whatever the page's
language: they are what the township publishes. `month_label` (a label on the page) follows
the active language. Nothing here reads the database; the deployment's word for 时序进度 is a
setting (`PACE_WORD`).

Forms it never writes (tests hold it to this): "增长-", "%个百分点", a sign before 个百分点 in
text, "较目标增速", "1—1月", a zero-padded or ISO date, "None", "NaN", an unrounded Decimal.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import dateformat
from django.utils.translation import gettext

from . import metrics

DASH = "—"
FLAT_BELOW = Decimal("0.05")  # |growth| below this reads 同比持平
PACE_WORDS = ("时序进度", "序时进度", "时间进度", "均衡进度")
QUARTERS = {3: "一季度", 6: "上半年", 9: "前三季度", 12: "全年"}
QUARTER_OF = {3: "一季度", 6: "二季度", 9: "三季度", 12: "四季度"}
NO_VERB = "无"
HUNDRED = Decimal(100)


def pace_word() -> str:
    """The deployment's word for 时序进度 (时序进度 / 序时进度 / 时间进度 / 均衡进度)."""
    word = getattr(settings, "PACE_WORD", PACE_WORDS[0])
    return word if word in PACE_WORDS else PACE_WORDS[0]


def page_pace_word() -> str:
    """The word on a page: the deployment's in Chinese, the catalogue's in another language."""
    word = gettext("时序进度")
    return pace_word() if word == "时序进度" else word


# ---------------------------------------------------------------------------- numbers


def rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number(value: Decimal | None, places: int = 2, *, grouping: bool = False) -> str:
    """ "28.10"; a dash when undefined. Arabic digits, never 3亿4500万."""
    if value is None:
        return DASH
    value = rounded(value, places)
    text = f"{value:,f}" if grouping else f"{value:f}"
    return text[1:] if text.startswith("-") and value == 0 else text


def percent(value: Decimal | None) -> str:
    """Rates with one decimal: "86.0%"."""
    return DASH if value is None else f"{number(value, 1)}%"


def with_sign(value: Decimal, places: int = 1) -> str:
    """ "+2.7" for a positive difference, "-4.0" or "0.0" otherwise (tables only)."""
    text = number(value, places)
    return "+" + text if rounded(value, places) > 0 else text


def points(value: Decimal | None, *, signed: bool = True) -> str:
    """Differences of rates in 个百分点 for a table cell: "+2.7个百分点"."""
    if value is None:
        return DASH
    return f"{with_sign(value) if signed else number(abs(value), 1)}个百分点"


def figure(value: Decimal | None, places: int) -> str:
    """A figure as pages and bulletins show it: thousands grouped ("3,300", "28.10")."""
    return number(value, places, grouping=value is not None and abs(value) >= 1000)


def amount(value: Decimal | None, ind) -> str:
    """A figure with its unit as a bulletin prints it: "28.10亿元", "15,520万元", "98.9%"."""
    if value is None:
        return DASH
    places = 1 if ind.unit == "%" else ind.decimals  # rates with one decimal (DOMAIN §7)
    return f"{figure(value, places)}{ind.unit}"


# ---------------------------------------------------------------------------- periods and dates


def period(month: int, cadence: str = metrics.Cadence.MONTHLY) -> str:
    """The year-to-date period of a figure: "1—10月", "1月"; 一季度/上半年/前三季度/全年 for a
    quarterly indicator, 全年 for an annual one."""
    if cadence == metrics.Cadence.QUARTERLY and month in QUARTERS:
        return QUARTERS[month]
    if cadence == metrics.Cadence.ANNUAL:
        return "全年"
    return "1月" if month == 1 else f"1—{month}月"


def single_period(month: int, cadence: str = metrics.Cadence.MONTHLY) -> str:
    """The one period of an increment: "10月" (当月) or "三季度" (当季)."""
    if cadence == metrics.Cadence.QUARTERLY and month in QUARTER_OF:
        return QUARTER_OF[month]
    return f"{month}月"


def increment_word(cadence: str = metrics.Cadence.MONTHLY) -> str:
    """当月, or 当季 for a quarterly indicator."""
    return "当季" if cadence == metrics.Cadence.QUARTERLY else "当月"


def remaining(month: int) -> str:
    """The months left in the year after `month`: "11—12月", "12月"."""
    return "12月" if month == 11 else f"{month + 1}—12月"


def date_words(day: datetime.date, *, with_year: bool = True) -> str:
    """ "2025年10月31日" or "10月31日": never zero-padded, never ISO."""
    text = f"{day.month}月{day.day}日"
    return f"{day.year}年{text}" if with_year else text


def date_label(day: datetime.date, *, with_year: bool = True) -> str:
    """A date on the page: "2025年10月31日" in Chinese, "Oct. 31, 2025" in English."""
    # Translators: Django date formats (Y: year, n: month, j: day, without zero padding).
    return dateformat.format(day, gettext("Y年n月j日") if with_year else gettext("n月j日"))


def month_label(month: int, year: int | None = None) -> str:
    """ "10月" or "2025年10月" on the page; "Oct" or "Oct 2025" in English."""
    day = datetime.date(year or 2000, month, 1)
    # Translators: Django date formats (n: month number; M: "Oct"; Y: year).
    return dateformat.format(day, gettext("Y年n月") if year else gettext("n月"))


# ---------------------------------------------------------------------------- changes


def growth(value: Decimal | None) -> str:
    """ "同比增长9.8%" / "同比下降3.1%" / "同比持平" / "同比增长1.4倍"; empty without a base.

    A doubling or more reads as a multiple (增长1.4倍 is +140%); a fall never does.
    """
    if value is None:
        return ""
    if abs(value) < FLAT_BELOW:
        return "同比持平"
    if value >= HUNDRED:
        return f"同比增长{number(value / HUNDRED, 1)}倍"
    word = "增长" if value > 0 else "下降"
    return f"同比{word}{number(abs(value), 1)}%"


def rate_change(change: Decimal | None, *, against: str = "上年同期", fall: str = "降低") -> str:
    """A rate's change in 个百分点: "比上年同期提高0.8个百分点"; empty when unknown. A growth
    rate that falls 回落 (`fall="回落"`), as the bureaus write it."""
    if change is None:
        return ""
    if rounded(change, 1) == 0:
        return f"与{against}持平"
    word = "提高" if change > 0 else fall
    return f"比{against}{word}{number(abs(change), 1)}个百分点"


def amount_change(change: Decimal | None, ind) -> str:
    """同比增量 in the unit: "增加2.50亿元", "减少1起"; 增收/减收 for revenue."""
    if change is None:
        return ""
    if rounded(change, ind.decimals) == 0:
        return "与上年同期持平"
    revenue = ind.kind == metrics.Kind.FLOW and ("收入" in ind.name or "税收" in ind.name)
    if change > 0:
        word = "增收" if revenue else "增加"
    else:
        word = "减收" if revenue else "减少"
    return f"{word}{amount(abs(change), ind)}"


def pace(gap: Decimal | None, *, planned: Decimal | None = None) -> str:
    """ "超过时序进度2.7个百分点" / "低于时序进度4.0个百分点" / "与时序进度持平". Under a
    序时计划 other than n/12 the planned share is stated, so the reader can subtract:
    "低于时序进度（100.0%）12.0个百分点"."""
    if gap is None:
        return ""
    word_pace = pace_word() + (f"（{percent(planned)}）" if planned is not None else "")
    if rounded(gap, 1) == 0:
        return f"与{word_pace}持平"
    word = "超过" if gap > 0 else "低于"
    return f"{word}{word_pace}{number(abs(gap), 1)}个百分点"


def growth_gap(gap: Decimal | None) -> str:
    """ "高于目标增速1.8个百分点" / "低于目标增速3.0个百分点" / "达到目标增速"."""
    if gap is None:
        return ""
    if rounded(gap, 1) == 0:
        return "与目标增速持平"
    word = "高于" if gap > 0 else "低于"
    return f"{word}目标增速{number(abs(gap), 1)}个百分点"


def target_growth(pct: Decimal | None) -> str:
    """ "目标增长8.0%" / "目标下降10.0%"."""
    if pct is None:
        return ""
    if rounded(pct, 1) == 0:
        return "目标与上年持平"
    word = "增长" if pct > 0 else "下降"
    return f"目标{word}{number(abs(pct), 1)}%"


def light_word(light: str | None) -> str:
    """The Chinese word of a light, as the tallies print it."""
    return {
        metrics.Light.BLUE: "已完成",
        metrics.Light.GREEN: "达进度",
        metrics.Light.YELLOW: "欠进度",
        metrics.Light.RED: "严重滞后",
        metrics.Light.GREY: "未报",
    }.get(light, DASH)


def tally(parts: list[tuple[str, int]], *, joiner: str = "，") -> str:
    """ "已完成3项，达进度14项": counts in order, zero counts left out."""
    return joiner.join(f"{word}{n}项" for word, n in parts if n)


# ---------------------------------------------------------------------------- sentences


def area_word(area) -> str:
    """How a sentence names the area: 全镇, 全区, or the village by name."""
    if area.is_town:
        return "全镇"
    if area.is_district:
        return "全区"
    return area.name


def verb(ind) -> str:
    """The sentence's verb (DOMAIN §7): 完成 for amounts, none for counts, 发生 for the events
    of a reverse indicator, 达到 for levels, 为 for rates; the indicator's 动词 wins."""
    if ind.verb:
        return "" if ind.verb == NO_VERB else ind.verb
    if ind.is_reverse and ind.is_cumulative:
        return "发生"
    if ind.kind == metrics.Kind.COUNT:
        return ""
    if ind.kind == metrics.Kind.FLOW:
        return "完成"
    if ind.kind == metrics.Kind.STOCK and not ind.is_reverse:
        return "达到"
    return "为"  # rates, averages, and a level that should fall (危房户数为25户)


def subject(ind, area_name: str) -> str:
    """What the sentence is about: "全镇工业总产值"; a village's 村集体经济收入 reads
    "蒋桥村集体经济收入", not "蒋桥村村集体经济收入"."""
    name = ind.name
    if ind.is_reverse and ind.is_cumulative and name.endswith(f"{ind.unit}数"):
        name = name[: -len(ind.unit) - 1]  # "火灾事故起数" counts 起: "发生火灾事故4起"
    if area_name.endswith("村") and name.startswith("村"):
        name = name[1:]
    return f"{area_name}{name}"


def _statement(row, area_name: str) -> str:
    """ "全镇完成工业总产值28.10亿元", "全镇花生种植面积达到7800亩", "全镇发生火灾事故4起"."""
    ind = row.indicator
    if ind.is_growth_rate:
        base = ind.name.removesuffix("增速")
        return f"{area_name}{base}{growth(row.actual)}"
    word = verb(ind)
    value = amount(row.actual, ind)
    if word == "发生" and row.actual == 0:
        return f"{area_name}未发生{subject(ind, '')}"  # 未发生生产安全事故, not 发生…0起
    if ind.is_cumulative and word:
        # Amounts and events put the verb first: 完成工业总产值28.10亿元, 发生火灾事故4起.
        return f"{area_name}{word}{subject(ind, '')}{value}"
    return f"{subject(ind, area_name)}{word}{value}"


def when(row) -> str:
    """The sentence's period: "1—10月", "一季度", or a level's "10月末"."""
    ind = row.indicator
    if ind.is_cumulative or ind.is_growth_rate:
        return period(row.period_month, ind.cadence)
    return f"{row.period_month}月末"


# A month that added nothing, as a bulletin says it: "其中10月无新增", not "新增0个".
NONE_WORDS = {"发生": "未发生", "受理": "未受理", "新增": "无新增"}


def month_clause(row) -> str:
    """当月 or 当季 inside a YTD sentence: "其中10月完成3.10亿元", "其中三季度新增1个"."""
    ind = row.indicator
    n = row.period_month
    if not ind.is_cumulative or row.month_value is None or n is None or n <= ind.step:
        return ""
    word = verb(ind) or "新增"
    when_ = single_period(n, ind.cadence)
    if row.month_value == 0 and word in NONE_WORDS:
        return f"其中{when_}{NONE_WORDS[word]}"
    return f"其中{when_}{word}{amount(row.month_value, ind)}"


def sentence(row, area_name: str, *, with_month: bool = False) -> str:
    """One bulletin sentence for a summary row, e.g.

    "1—10月，全镇完成工业总产值28.10亿元，同比增长9.8%，完成年度目标的86.0%，超过时序进度
    2.7个百分点。" Every clause states a number the row computed, and the judgement it states
    is the one the light came from: the value test, the growth test, or both (DOMAIN §3).
    """
    ind = row.indicator
    if row.period_month is None:
        return f"{ind.name}：{row.year}年{row.month}月尚无应报数据（{cadence_note(ind)}）。"
    if row.actual is None:
        state = "逾期未报" if row.overdue else "尚未报送"
        return f"{ind.name}：{row.year}年{period(row.period_month, ind.cadence)}数据{state}。"
    parts = [f"{when(row)}，{_statement(row, area_name)}"]
    if with_month:
        parts.append(month_clause(row))
    parts += [*_changes(row), *_judgement(row)]
    return "，".join(p for p in parts if p) + "。"


def review_clause(row) -> str:
    """A year's figure in the review of a work report, the seed report's way: an amount by its
    name ("工业总产值30.24亿元，增长9.8%"), a count, a level or an event as its statement
    ("新增工业列统企业11家", "花生种植面积达到6,000亩", "发生生产安全事故2起")."""
    ind = row.indicator
    if ind.kind == metrics.Kind.FLOW and not ind.is_reverse:
        words = [f"{subject(ind, '')}{amount(row.actual, ind)}"]
    else:
        words = [_statement(row, "")]
    if ind.is_growth_rate:
        return words[0]
    if ind.is_rate:
        words.append(rate_change(row.yoy_change, against="上年"))
    elif row.yoy_pct is not None:
        words.append(growth(row.yoy_pct).removeprefix("同比"))
    return "，".join(w for w in words if w)


def attention(row) -> str:
    """Why a row needs attention, without its statement: the test its light came from, in
    words ("完成年度目标的77.6%，低于时序进度5.7个百分点"; "同比下降11.0%，低于目标增速17.0个
    百分点"; "发生火灾事故4起，已超过全年上限3起")."""
    ind = row.indicator
    if row.actual is None:
        state = "逾期未报" if row.overdue else "尚未报送"
        return f"{period(row.period_month, ind.cadence)}数据{state}"
    if ind.is_growth_rate:
        parts = [f"累计{growth(row.actual).removeprefix('同比')}", growth_gap(row.gap_pp)]
    elif ind.is_reverse and ind.is_cumulative:
        parts = [_statement(row, ""), *_cap(row)]
    elif row.growth_target_pct is not None:
        parts = [growth(row.yoy_pct), growth_gap(row.growth_gap_pp), *_judgement(row)]
    else:
        parts = _judgement(row)
        if row.growth_light is not None and row.growth_light != row.value_light:
            parts += [growth(row.yoy_pct), growth_gap(row.growth_gap_pp)]
    return "，".join(p for p in parts if p)


def cadence_note(ind) -> str:
    if ind.cadence == metrics.Cadence.QUARTERLY:
        return "季报指标，季末月份填报"
    if ind.cadence == metrics.Cadence.ANNUAL:
        return "年报指标，12月填报"
    return "月报指标"


def _changes(row) -> list[str]:
    """同比, in the words its kind takes: a rate's change in 个百分点, a count's in units, an
    amount's in % with its 增量, a level's in % with its 比年初净增; then a growth target."""
    ind = row.indicator
    if ind.is_growth_rate:
        change = rate_change(row.yoy_change, fall="回落")
        return [f"增速{change}" if change.startswith("比") else change]
    if ind.is_rate:
        return [rate_change(row.yoy_change)]
    if ind.kind == metrics.Kind.COUNT:
        change = amount_change(row.yoy_change, ind)
        words = ["同比" + change if change.startswith(("增", "减")) else change]
    else:
        words = [growth(row.yoy_pct)]
        if ind.kind == metrics.Kind.STOCK:
            words.append(_net(row) if row.net_change is not None else "")
        elif row.yoy_pct is not None and abs(row.yoy_pct) >= FLAT_BELOW:
            words.append(amount_change(row.yoy_change, ind))
    if row.growth_gap_pp is not None and row.yoy_pct is not None:
        if ind.is_reverse:
            # 信访件数「下降10%」: state the target; "低于目标增速" would read as bad news.
            words.append(f"（{target_growth(row.target_growth_pct)}）")
        else:
            words.append(growth_gap(row.growth_gap_pp))
    return words


def _net(row) -> str:
    ind = row.indicator
    if rounded(row.net_change, ind.decimals) == 0:
        return "与上年末持平"
    word = "净增" if row.net_change > 0 else "净减"
    return f"比上年末{word}{amount(abs(row.net_change), ind)}"


def _judgement(row) -> list[str]:
    """Against the target, in the words of the test(s) the light came from."""
    ind = row.indicator
    if row.target is None:
        return []
    if ind.is_growth_rate:
        return [growth_gap(row.gap_pp)]
    if ind.is_reverse and ind.is_cumulative:
        return _cap(row)
    if ind.is_rate:
        return [_rate_target(row)]
    growth_only = row.growth_target_pct is not None
    done = row.progress_pct
    if done is None:
        return []
    if not ind.is_cumulative and row.baseline is not None:
        aim = "压减" if row.target < row.baseline else "净增"
        share = f"完成{aim}目标的{percent(done)}"
    else:
        share = f"完成年度目标的{percent(done)}"
    if growth_only:
        return [share]  # judged by growth, stated above: no pace to contradict it
    if done >= HUNDRED:
        if rounded(done, 1) == HUNDRED:
            return ["已完成全年目标"]
        return [f"已超额完成全年目标（完成{percent(done)}）"]
    return [share, pace(row.gap_pp, planned=row.time_progress_pct if row.schedule else None)]


def _rate_target(row) -> str:
    ind = row.indicator
    reached = row.actual <= row.target if ind.is_reverse else row.actual >= row.target
    if reached:
        return f"已达到年度目标（{amount(row.target, ind)}）"
    distance = abs(row.target - row.actual)
    return f"距年度目标（{amount(row.target, ind)}）还差{number(distance, 1)}个百分点"


def _cap(row) -> list[str]:
    """A reverse indicator's target is a cap: within it, past its pace, or broken."""
    ind = row.indicator
    cap = amount(row.target, ind)
    if row.completion_pct is not None and row.completion_pct > HUNDRED:
        return [f"已超过全年上限{cap}"]
    words = [f"控制在全年上限{cap}以内"]
    if row.gap_pp is not None and rounded(row.gap_pp, 1) < 0:
        used = percent(row.progress_pct)
        words.append(f"已用上限的{used}，超出{pace_word()}{number(-row.gap_pp, 1)}个百分点")
    return words


def projection(row) -> str:
    """ "按目前进度，预计全年完成32.90亿元，完成年度目标的100.7%" (flow/count, positive)."""
    ind = row.indicator
    if row.projected_full_year is None or ind.is_reverse or row.period_month == 12:
        return ""
    text = f"按目前进度，预计全年{verb(ind) or '达到'}{amount(row.projected_full_year, ind)}"
    if row.projected_pct is not None:
        text += f"，完成年度目标的{percent(row.projected_pct)}"
    return text


REST_OF_YEAR = {3: "后三个季度", 6: "下半年", 9: "四季度"}


def needed(row) -> str:
    """ "完成全年目标，11—12月需月均完成1.64亿元"; empty once the target is met. Counts and
    quarterly figures state what is left in all ("四季度需完成0.75亿元", "还需新增1家")."""
    ind = row.indicator
    n = row.period_month
    if row.needed_monthly is None or n is None:
        return ""
    word = verb(ind) or "新增"
    left = row.needed_monthly * (12 - n)
    if ind.cadence == metrics.Cadence.QUARTERLY and n in REST_OF_YEAR:
        return f"完成全年目标，{REST_OF_YEAR[n]}需{word}{amount(left, ind)}"
    if ind.kind == metrics.Kind.COUNT or n == 11:
        return f"完成全年目标，{remaining(n)}还需{word}{amount(left, ind)}"
    return f"完成全年目标，{remaining(n)}需月均{word}{amount(row.needed_monthly, ind)}"
