"""Reading one typed cell (DOMAIN §2, §8): text, numbers, whole numbers, periods and choices.

The entry grid, the workbook import, the 表样 and the ledger's sheets read what a person typed
through these functions, so "16,800", full-width digits, "2025年", "1—10月", a percent-formatted
cell and a formula left in a cell are judged alike everywhere. Text is kept exactly as typed
(full-width punctuation stays full-width): only the spaces around it go. Codes, numbers and the
fixed words of a sheet (累计, 是 …) are matched after NFKC, so "ＪＪ０１" and "１６８００" read too.
Messages speak the active language and say what to do.
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from django.utils.translation import gettext

from .models import FIGURE_DIGITS, FIGURE_PLACES

MAX_ABS = Decimal(10) ** (FIGURE_DIGITS - FIGURE_PLACES)
SIGNIFICANT_DIGITS = 15
QUANTUM = Decimal(1).scaleb(-FIGURE_PLACES)
# Excel keeps 15 significant digits; the 16th and 17th of a saved double are binary noise.
EXCEL_PRECISION = Context(prec=SIGNIFICANT_DIGITS, rounding=ROUND_HALF_UP)

# What staff write for "no figure this period" (DOMAIN §8): never read as 0.
NO_FIGURE = frozenset({"—", "——", "-", "--", "–", "―", "/", "无", "－", "／"})


class CellError(ValueError):
    """A cell that cannot be read exactly; the message says why and what to do."""


class Percent:
    """A number from a cell formatted as a percentage: Excel keeps 99.1% as the fraction 0.991.

    `fraction` is the stored number (a Decimal, exactly as written in the file), `shown` the
    text the cell displays. Only a percent column or a % indicator takes it (× 100); anywhere
    else it is refused rather than guessed.
    """

    __slots__ = ("fraction",)

    def __init__(self, fraction: Decimal):
        self.fraction = fraction

    @property
    def percent(self) -> Decimal:
        return self.fraction.scaleb(2)

    def __str__(self):
        return f"{self.percent.normalize():f}%"

    def __repr__(self):
        return f"Percent({self.fraction!r})"

    def __eq__(self, other):
        return isinstance(other, Percent) and other.fraction == self.fraction

    def __hash__(self):
        return hash(("%", self.fraction))


# Control characters (NUL above all, which PostgreSQL refuses in text) never belong in a cell.
CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n")


def text(value) -> str:
    """A cell as text, exactly as typed: no control characters, no surrounding spaces (U+3000
    included); full-width punctuation is kept."""
    if value is None:
        return ""
    if value.__class__ is str and value.isprintable():
        return value.strip()  # no control character (the common case), so nothing to remove
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, Decimal):
        value = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    return str(value).translate(CONTROL).strip()


def code(value) -> str:
    """A code or a fixed word of the sheet: text after NFKC, so full-width letters match."""
    if isinstance(value, str) and value.isascii():
        return value.translate(CONTROL).strip()
    return unicodedata.normalize("NFKC", text(value)).strip()


def is_no_figure(value) -> bool:
    """ "—", "-", "/", "／", "无": the sheet says there is no figure (DOMAIN §8)."""
    return isinstance(value, str) and code(value).replace(" ", "") in NO_FIGURE


def excel_number(raw: str) -> int | Decimal:
    """A number as a spreadsheet file writes it ("15560", "0.991", "1.4143257511568812"),
    exactly: integers stay int, others become Decimal rounded to Excel's 15 digits."""
    if raw.isdigit():
        return int(raw)
    value = Decimal(raw)
    if len(value.as_tuple().digits) > SIGNIFICANT_DIGITS:
        value = EXCEL_PRECISION.plus(value)
    return value


def _formula(raw: str):
    return CellError(
        gettext("「%(raw)s」是公式，不是数值：请在 Excel 中复制后「选择性粘贴 → 数值」再导入")
        % {"raw": raw}
    )


def number(value, *, percent: bool = False) -> Decimal:
    """A Decimal from a cell, exactly: full-width digits, thousands separators and 1.68E+04
    are accepted; more than 15 significant digits or 6 decimals are refused, never rounded.

    `percent`: the column holds percentages (a % indicator, 目标增速%): a percent-formatted
    cell (0.991 shown as 99.1%) and the text "99.1%" both read as 99.1. Elsewhere they are
    refused with what to write instead.
    """
    if isinstance(value, bool):
        raise CellError(gettext("应为数字"))
    if isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, Decimal):
        result = value
    elif isinstance(value, Percent):
        if not percent:
            raise CellError(
                gettext(
                    "该单元格设为百分比格式（显示为%(shown)s），但此处不是百分比：请把单元格格式改为"
                    "「常规」或「数值」后按指标单位填写"
                )
                % {"shown": str(value)}
            )
        result = value.percent
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        raw = text(value)
        if raw.startswith("="):
            raise _formula(raw)
        cleaned = unicodedata.normalize("NFKC", raw)
        cleaned = cleaned.replace(",", "").replace(" ", "").replace("\u3000", "")
        if cleaned.endswith("%"):
            if not percent:
                raise CellError(
                    gettext("「%(raw)s」带百分号，但此处不是百分比：请按指标单位填写数字")
                    % {"raw": raw}
                )
            cleaned = cleaned[:-1]
        try:
            result = Decimal(cleaned)
        except InvalidOperation:
            if percent:
                raise CellError(
                    gettext("「%(raw)s」不是数字：百分比请只填数字，如 99.1 表示99.1%%")
                    % {"raw": raw}
                ) from None
            raise CellError(
                gettext("「%(raw)s」不是数字：请只填写数字，单位写在指标的「单位」中")
                % {"raw": raw}
            ) from None
    return checked(result)


def checked(result: Decimal) -> Decimal:
    """A number that a figure field keeps exactly, or CellError saying why it cannot."""
    if not result.is_finite():
        raise CellError(gettext("应为有限的数字"))
    if abs(result) >= MAX_ABS:
        raise CellError(
            gettext("数值过大（不能超过%(max)s），请检查单位是否填错") % {"max": f"{MAX_ABS:,}"}
        )
    exponent = result.as_tuple().exponent
    if exponent < -FIGURE_PLACES and result != result.quantize(QUANTUM, rounding=ROUND_HALF_UP):
        raise CellError(
            gettext("「%(value)s」的小数超过%(n)s位，无法准确保存：请四舍五入后再填写")
            % {"value": f"{result.normalize():f}", "n": FIGURE_PLACES}
        )
    result = result.quantize(QUANTUM) if exponent < -FIGURE_PLACES else result
    # SQLite keeps a number in a double: beyond 15 significant digits it would come back altered.
    if len(result.normalize().as_tuple().digits) > SIGNIFICANT_DIGITS:
        raise CellError(
            gettext("「%(value)s」的有效数字超过%(n)s位，无法准确保存：请四舍五入后再填写")
            % {"value": f"{result.normalize():f}", "n": SIGNIFICANT_DIGITS}
        )
    return result


def integer(value, low: int, high: int, what: str) -> int:
    try:
        result = number(value)
    except CellError:
        result = None
    if result is None or result != result.to_integral_value() or not low <= result <= high:
        raise CellError(f"{what}应为{low}至{high}之间的整数，实际为「{text(value)}」")
    return int(result)


YEAR_WORD = re.compile(r"^(\d{4})\s*年?(度)?$")
# "10", "10月", "1—10月", "1-10月", "1～10月", "1至10月": the month a YTD figure is for.
MONTH_WORD = re.compile(r"^(?:1\s*(?:[—–\-~～至到]+)\s*)?(\d{1,2})\s*月?(?:份)?$")


def year(value, low: int, high: int, what: str = "年度") -> int:
    """A year: 2025, "2025", "2025年" or "2025年度"."""
    if isinstance(value, str):
        m = YEAR_WORD.match(code(value))
        if m:
            value = int(m.group(1))
    return integer(value, low, high, what)


def month(value, what: str = "月份") -> int:
    """A month: 10, "10月", "1—10月" or "1-10月" (a YTD figure is for its last month)."""
    if isinstance(value, str):
        m = MONTH_WORD.match(code(value))
        if m:
            value = int(m.group(1))
    return integer(value, 1, 12, what)


def choice(value, mapping: dict, what: str):
    raw = code(value)
    if raw in mapping:
        return mapping[raw]
    if raw in mapping.values():  # the stored identifier is accepted too
        return raw
    allowed = "、".join(mapping)
    raise CellError(f"{what}「{text(value)}」无效，应为：{allowed}")


# ---------------------------------------------------------------------------- units

# Money converts exactly between its three units; every other unit must match as written.
MONEY = {"元": 0, "万元": 4, "亿元": 8}


def unit_word(unit: str) -> str:
    return unicodedata.normalize("NFKC", unit or "").replace(" ", "").strip()


def convert(value: Decimal, source: str, target: str) -> Decimal:
    """`value` written in `source` (a header's 「数值（亿元）」) in the indicator's `target` unit,
    exactly; CellError naming both units when no exact conversion exists."""
    source, target = unit_word(source), unit_word(target)
    if source == target:
        return value
    if source in MONEY and target in MONEY:
        return checked(value.scaleb(MONEY[source] - MONEY[target]))
    raise CellError(
        gettext("表头的单位是「%(source)s」，而该指标的单位是「%(target)s」，无法换算：")
        % {"source": source, "target": target}
        + gettext("请按「%(target)s」填写，或把表头改为「数值（%(target)s）」") % {"target": target}
    )
