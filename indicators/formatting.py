"""Numbers and words as the bulletins write them (DOMAIN §7). Rounding happens only here.

The bulletin words and sentences are Chinese whatever the page's language: they are what the
township publishes. Only `month_label`, a label on the page, follows the active language.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import dateformat
from django.utils.translation import gettext

DASH = "—"
FLAT_BELOW = Decimal("0.05")  # |growth| below this reads 同比持平


def rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number(value: Decimal | None, places: int = 2, *, grouping: bool = False) -> str:
    """ "28.10"; a dash when undefined. Arabic digits, never 3亿4500万."""
    if value is None:
        return DASH
    text = f"{rounded(value, places):,f}" if grouping else f"{rounded(value, places):f}"
    return "0" + text[2:] if text.startswith("-0") and rounded(value, places) == 0 else text


def percent(value: Decimal | None) -> str:
    """Rates with one decimal: "86.0%"."""
    return DASH if value is None else f"{number(value, 1)}%"


def with_sign(value: Decimal, places: int = 1) -> str:
    """ "+2.7" for a positive difference, "-4.0" or "0.0" otherwise."""
    text = number(value, places)
    return "+" + text if rounded(value, places) > 0 else text


def points(value: Decimal | None, *, signed: bool = True) -> str:
    """Differences of rates in 个百分点, never "%": "+2.7个百分点"."""
    if value is None:
        return DASH
    return f"{with_sign(value) if signed else number(value, 1)}个百分点"


def growth(value: Decimal | None) -> str:
    """ "同比增长9.8%" / "同比下降3.1%" / "同比持平"; empty when there is no base."""
    if value is None:
        return ""
    if abs(value) < FLAT_BELOW:
        return "同比持平"
    word = "增长" if value > 0 else "下降"
    return f"同比{word}{number(abs(value), 1)}%"


def pace(gap: Decimal | None) -> str:
    """ "超过时序进度2.7个百分点" / "低于时序进度4.0个百分点" / "与时序进度持平"."""
    if gap is None:
        return ""
    if rounded(gap, 1) == 0:
        return "与时序进度持平"
    word = "超过" if gap > 0 else "低于"
    return f"{word}时序进度{number(abs(gap), 1)}个百分点"


def period(month: int) -> str:
    """ "1—10月" for a YTD figure; "1月" in January."""
    return "1月" if month == 1 else f"1—{month}月"


def month_label(month: int, year: int | None = None) -> str:
    """ "10月" or "2025年10月" on the page; "Oct" or "Oct 2025" in English."""
    day = datetime.date(year or 2000, month, 1)
    # Translators: Django date formats (n: month number; M: "Oct"; Y: year).
    return dateformat.format(day, gettext("Y年n月") if year else gettext("n月"))


def sentence(row, area_name: str) -> str:
    """One bulletin sentence for a summary row, e.g.

    "1—10月，全镇完成工业总产值28.10亿元，同比增长9.8%，完成年度目标的86.0%，超过时序进度2.7个百分点。"
    """
    ind = row.indicator
    if row.actual is None:
        return f"{ind.name}：{row.year}年{row.month}月尚未报送。"
    when = period(row.period_month) if ind.is_cumulative else f"{row.period_month}月末"
    verb = "完成" if ind.is_cumulative else "达到"
    parts = [f"{when}，{area_name}{ind.name}{verb}{number(row.actual, ind.decimals)}{ind.unit}"]
    if g := growth(row.yoy_pct):
        parts.append(g)
    if row.completion_pct is not None:
        word = "占年度上限的" if ind.is_reverse else "完成年度目标的"
        parts.append(f"{word}{percent(row.completion_pct)}")
    if not ind.is_reverse and (p := pace(row.gap_pp)):
        parts.append(p)
    return "，".join(parts) + "。"
