"""Old Excel 97–2003 .xls files, read through xlrd into the same `Grid` as an .xlsx.

xlrd gives numbers as floats (2025.0) and merges as (row_lo, row_hi, col_lo, col_hi); both are
turned into what the .xlsx reader gives: whole numbers as int, others exactly (Decimal from the
float's shortest repr, to Excel's 15 digits), percent-formatted numbers as `Percent`, dates as
datetimes, and merged cells carrying their value.
"""

from decimal import Decimal

from ..cells import Percent, excel_number
from .limits import LIMITS, WorkbookError, too_many_rows
from .xlsx import Grid, _apply_merges
from .xlsxparts import _format_kind


def read_xls(data: bytes, wanted=None) -> list[Grid]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises many types for a damaged or foreign file
        raise WorkbookError(
            "无法读取该 .xls 文件（文件可能已损坏或已加密）：请在 Excel 或 WPS 中另存为 .xlsx 后重试。"
        ) from exc
    try:
        if book.nsheets > LIMITS.sheets:
            raise WorkbookError(
                f"工作簿有{book.nsheets}张工作表，超过{LIMITS.sheets}张的上限：请只保留需要导入的表。"
            )
        kinds = {}
        for key, fmt in book.format_map.items():
            kinds[key] = _format_kind(fmt.format_str)
        grids = []
        for index in range(book.nsheets):
            name = book.sheet_names()[index]
            if wanted is not None and not wanted(name):
                continue
            grids.append(_grid(book, book.sheet_by_index(index), kinds))
        return grids
    finally:
        book.release_resources()


def _grid(book, sheet, kinds) -> Grid:
    import xlrd

    if sheet.nrows > LIMITS.rows + 1:
        raise too_many_rows(sheet.name, sheet.nrows)
    if sheet.ncols > LIMITS.columns:
        raise WorkbookError(
            f"工作表「{sheet.name}」超出了{LIMITS.columns}列：请删除多余的列后重新上传。"
        )
    rows = []
    for r in range(sheet.nrows):
        values = []
        for c, cell in enumerate(sheet.row(r)):
            value = None
            if cell.ctype == xlrd.XL_CELL_TEXT:
                value = cell.value or None
                if value and len(value) > LIMITS.text_chars:
                    raise WorkbookError(
                        f"工作表「{sheet.name}」第{r + 1}行第{c + 1}列的内容超过"
                        f"{LIMITS.text_chars:,}个字符：请删减后重新上传。"
                    )
            elif cell.ctype == xlrd.XL_CELL_NUMBER:
                value = excel_number(repr(cell.value)) if cell.value % 1 else int(cell.value)
                xf = book.xf_list[cell.xf_index] if cell.xf_index is not None else None
                if xf is not None and kinds.get(xf.format_key) == "percent":
                    value = Percent(Decimal(value))
            elif cell.ctype == xlrd.XL_CELL_DATE:
                try:
                    value = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
                except (ValueError, OverflowError):
                    value = cell.value
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                value = bool(cell.value)
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                value = xlrd.error_text_from_code.get(cell.value, "#ERROR")
            if value is not None:
                values.extend([None] * (c - len(values)))
                values.append(value)
        if values:
            rows.append((r + 1, values))
    merges = [(r1 + 1, c1, r2, c2 - 1) for r1, r2, c1, c2 in sheet.merged_cells]
    return Grid(sheet.name, _apply_merges(rows, merges), merges)
