"""Filling a county's blank form (表样) from the stored figures (DOMAIN §8, 一表通).

The form as it was uploaded is opened with openpyxl (not read-only), so its title, merged
headers, fonts, borders, column widths and print settings stay as they are; only the period in
the title and in the headers ("1—9月累计" → "1—10月累计"), the area placeholder ("XX镇") and the
mapped cells change. Numbers come from the one summary selector, so the form, the dashboard
and the API never disagree.
"""

import io
import re
from decimal import ROUND_HALF_UP, Decimal

from ..cells import code
from ..excel import append_row
from ..models import Area, Indicator, Layout
from .layouts import ENTERED, ENTRY_COLUMNS, Measure
from .limits import WorkbookError

PERIOD = re.compile(
    r"(\d{4})(\s*年\s*)(?:(?:1|一)\s*[—\-–~～至到]+\s*\d{1,2}\s*月|\d{1,2}\s*月(?!份))?"
)
RANGE = re.compile(r"1\s*[—\-–~～至到]+\s*(?:\d{1,2}|n|N)\s*月")
PLACEHOLDER = re.compile(r"(?:XX|××|xx|ＸＸ)(?=镇|乡|街道)")
PERCENT_PLACES = Decimal("0.1")


def period_words(year: int, month: int) -> str:
    """2025, 10 → "2025年1—10月"; January is "2025年1月"."""
    return f"{year}年1月" if month == 1 else f"{year}年1—{month}月"


def _months(month: int) -> str:
    return "1月" if month == 1 else f"1—{month}月"


def fill_form(layout: Layout, area: Area, year: int, month: int) -> bytes:
    """The layout's blank form filled for `area` at `year`-`month`, as .xlsx bytes."""
    from openpyxl import load_workbook

    from ..selectors import summary_rows

    if not layout.form:
        raise WorkbookError(
            f"表样「{layout.name}」没有保存空白表：请重新上传县里的空白表识别表样。"
        )
    book = load_workbook(io.BytesIO(bytes(layout.form)))
    ws = book[layout.sheet] if layout.sheet in book.sheetnames else book.worksheets[0]
    if layout.title_cell:
        cell = ws[layout.title_cell]
        if isinstance(cell.value, str):
            title = PERIOD.sub(period_words(year, month), cell.value, count=1)
            cell.value = PLACEHOLDER.sub(area.name.removesuffix("镇").removesuffix("乡"), title)
    for number in layout.header_rows:
        for cell in ws[number]:
            if isinstance(cell.value, str) and RANGE.search(cell.value):
                cell.value = RANGE.sub(_months(month), cell.value)
    columns = [(c["col"], c["measure"]) for c in layout.columns]
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=_codes(layout))}
    if layout.kind == Layout.Kind.WIDE_MONTHS:
        by_month = {m: _rows(summary_rows, area, year, m) for m in range(1, month + 1)}
    else:
        now = _rows(summary_rows, area, year, month)
    for mapping in layout.mapped_rows:
        ind = indicators.get(mapping["code"])
        if ind is None:
            continue
        for col, measure in columns:
            if layout.kind == Layout.Kind.WIDE_MONTHS:
                m = int(measure[1:]) if measure[1:].isdigit() else None
                row = by_month.get(m, {}).get(ind.code) if m else None
                value = row.actual if row is not None else None
            else:
                value = _value(now.get(ind.code), measure)
            if value is None:
                continue
            _write(ws[f"{col}{mapping['row']}"], value, ind, measure)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _codes(layout):
    return [code(r["code"]) for r in layout.mapped_rows]


def _rows(summary_rows, area, year, month):
    return {r.indicator.code: r for r in summary_rows(area, year, month)}


def _value(row, measure):
    if row is None:
        return None
    return {
        Measure.MONTH_VALUE: row.month_value,
        Measure.YTD: row.actual,
        Measure.LAST_YEAR: row.last_year_actual,
        Measure.YOY_PCT: row.yoy_pct,
        Measure.TARGET: row.target,
        Measure.COMPLETION_PCT: row.completion_pct,
    }.get(measure)


def _write(cell, value: Decimal, ind, measure):
    """A number into a form cell: rates rounded to 1 decimal as bureaus publish them, amounts
    as stored; a percent-formatted cell takes the fraction, as Excel keeps it."""
    percent = measure in (Measure.YOY_PCT, Measure.COMPLETION_PCT)
    if percent:
        value = value.quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)
    places = 1 if percent else ind.decimals
    if "%" in (cell.number_format or ""):
        value = value / 100
    else:
        # The indicator's own decimals (DOMAIN §7): 15520 万元, 28.10 亿元, 6 个, 98.9%.
        cell.number_format = "0" if places == 0 else "0." + "0" * places
    value = value.normalize()
    cell.value = int(value) if value == value.to_integral_value() else float(value)


ENTERED_FILL = "FFF7E0"  # the cells a clerk fills in, as the entry page shows them


def fill_entry(layout: Layout, rows, year: int, month: int) -> bytes:
    """The department's month entry sheet (`layouts.entry_layout` of the grid's `rows`) filled
    from the grid: what is stored so far (drafts too: it is the clerk's own sheet), with the
    previous period, last year and the target beside it to check against. Its header is the
    layout's column words, which the upload reads back."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    def cells(row):
        figure = row.figure
        return {
            Measure.CODE: row.indicator.code,
            Measure.AREA: row.area.code,
            Measure.YEAR: year,
            Measure.MONTH: month,
            Measure.VALUE: figure.value if figure else None,
            Measure.NOTE: figure.note if figure else None,
            Measure.NAME: row.indicator.name,
            Measure.AREA_NAME: row.area.name,
            Measure.UNIT: row.indicator.unit,
            Measure.PREVIOUS: row.previous,
            Measure.LAST_YEAR: row.last_year,
            Measure.TARGET: row.target,
            Measure.STATUS: figure.get_status_display() if figure else "未填报",
        }

    book = Workbook()
    ws = book.active
    ws.title = layout.sheet
    measures = [c["measure"] for c in layout.columns]
    append_row(ws, [c["label"] for c in layout.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    fill = PatternFill("solid", fgColor=ENTERED_FILL)
    entered = [c["col"] for c in layout.columns if c["measure"] in ENTERED]
    by_key = {(r.indicator.code, r.area.code): r for r in rows}
    for mapping in layout.rows:
        values = cells(by_key[mapping["code"], mapping["area"]])
        append_row(ws, [values[m] for m in measures])
        for col in entered:
            ws[f"{col}{mapping['row']}"].fill = fill
    widths = {measure: width for _label, measure, width in ENTRY_COLUMNS}
    for column in layout.columns:
        ws.column_dimensions[column["col"]].width = widths.get(column["measure"], 10)
    ws.freeze_panes = f"{entered[0] if entered else 'A'}2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
