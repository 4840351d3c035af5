"""Reading one typed cell (DOMAIN §2, §8): text, numbers, whole numbers and choices.

The entry grid, the workbook import and the ledger's sheets read what a person typed through
these functions, so "16,800", full-width digits and a formula left in a cell are judged alike
everywhere. Messages speak the active language and say what to do.
"""

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext

from .models import FIGURE_DIGITS, FIGURE_PLACES

MAX_ABS = Decimal(10) ** (FIGURE_DIGITS - FIGURE_PLACES)
SIGNIFICANT_DIGITS = 15
QUANTUM = Decimal(1).scaleb(-FIGURE_PLACES)


class CellError(ValueError):
    """A cell that cannot be read exactly; the message says why and what to do."""


# Control characters (NUL above all, which PostgreSQL refuses in text) never belong in a cell.
CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n")


def text(value) -> str:
    """A cell as clean text: NFKC (full-width to half-width), no control characters, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).translate(CONTROL).strip()


def number(value) -> Decimal:
    """A Decimal from a cell: full-width digits and thousands separators are accepted."""
    if isinstance(value, bool):
        raise CellError(gettext("应为数字"))
    if isinstance(value, int | Decimal):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        raw = text(value)
        if raw.startswith("="):
            raise CellError(
                gettext(
                    "「%(raw)s」是公式，不是数值：请在 Excel 中复制后「选择性粘贴 → 数值」再导入"
                )
                % {"raw": raw}
            )
        cleaned = raw.replace(",", "").replace(" ", "").replace("\u3000", "")
        try:
            result = Decimal(cleaned)
        except InvalidOperation:
            raise CellError(
                gettext("「%(raw)s」不是数字：请只填写数字，单位写在指标的「单位」中")
                % {"raw": raw}
            ) from None
    if not result.is_finite():
        raise CellError(gettext("应为有限的数字"))
    if abs(result) >= MAX_ABS:
        raise CellError(
            gettext("数值过大（不能超过%(max)s），请检查单位是否填错") % {"max": f"{MAX_ABS:,}"}
        )
    result = result.quantize(QUANTUM, rounding=ROUND_HALF_UP)
    # SQLite keeps a number in a double: beyond 15 significant digits it would come back altered.
    if len(result.normalize().as_tuple().digits) > SIGNIFICANT_DIGITS:
        raise CellError(
            gettext("「%(value)s」的有效数字超过%(n)s位，无法准确保存：请四舍五入后再填写")
            % {"value": f"{result.normalize():f}", "n": SIGNIFICANT_DIGITS}
        )
    return result


def integer(value, low: int, high: int, what: str) -> int:
    result = number(value)
    if result != result.to_integral_value() or not low <= result <= high:
        raise CellError(f"{what}应为{low}至{high}之间的整数，实际为「{text(value)}」")
    return int(result)


def choice(value, mapping: dict, what: str):
    raw = text(value)
    if raw in mapping:
        return mapping[raw]
    if raw in mapping.values():  # the stored identifier is accepted too
        return raw
    allowed = "、".join(mapping)
    raise CellError(f"{what}「{raw}」无效，应为：{allowed}")
