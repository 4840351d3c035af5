"""Reading workbook files into plain rows: an .xlsx or .xls (every registered sheet) or one
sheet as CSV, as staff save them (DOMAIN §8, "Reading real files").

`read_grids` gives each sheet as a `Grid` (values, merges carried); `read_file` turns the
registered sheets into rows. The header is the first row that holds the sheet's required
columns: title rows ("2025年1—10月主要指标完成情况表") and unit rows ("单位：万元") above it and
footnote rows below the data ("注：…", "填表人：…") are skipped and listed in `_skipped`, so the
summary can say so. A header may carry a unit in brackets ("数值（万元）"): the column is 数值
and its unit goes to `_units` for the checks. Each sheet's list starts with a dict holding
`_header` (the column names), `_units`, `_header_row` and `_skipped`; every other item is a row,
column → value, plus "_row", the line number a person sees in Excel. Nothing here knows what a
sheet means.
"""

import csv
import io
import os
import re
import unicodedata
from pathlib import Path

from ..cells import text
from . import registry
from .limits import LIMITS, WorkbookError, collector_paused, too_large, too_many_rows
from .xlsx import Grid, read_xlsx

__all__ = ["WorkbookError", "read_file", "read_grids", "rows_from_grid", "sheets_from_dicts"]

ZIP, OLE2 = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAVE_AS = "请另存为 .xlsx"
REFUSED_TYPES = {
    ".et": f"WPS 表格文件（.et）不能直接读取：{SAVE_AS}（WPS「文件 → 另存为 → Excel 工作簿」）后重新上传。",
    ".ett": f"WPS 表格模板（.ett）不能直接读取：{SAVE_AS}后重新上传。",
    ".ods": f"OpenDocument 表格（.ods）不能直接读取：{SAVE_AS}（LibreOffice 或 WPS「另存为」）后重新上传。",
    ".numbers": f"Numbers 表格不能直接读取：{SAVE_AS}（Numbers「导出为 → Excel」）后重新上传。",
}
HEADER_SCAN = 20  # rows looked at for the header: titles and units sit above it
FOOTNOTE = re.compile(
    r"^(注|说明|备注|填表人|填报人|制表人|制表|审核人|复核人|审核|负责人|单位负责人|统计负责人|"
    r"分管领导|联系人|联系电话|电话|制表日期|填报日期|填表日期|报送日期|日期)\s*[:：\d１-９]"
)
UNIT_ROW = re.compile(r"^(计量)?单位\s*[:：]")
UNIT_IN_HEADER = re.compile(r"^(.+?)\((.+)\)$")


@collector_paused
def read_file(source, *, name: str = "", sheet: str | None = None) -> dict[str, list[dict]]:
    """Rows of every registered sheet in an .xlsx/.xls, or of one sheet in a CSV.

    `source` is a path or a binary file object; `name` gives the file name when `source` is a
    file object (an upload). `sheet` names the CSV's sheet; by default it is read from the file
    name, then from the header.
    """
    name = name or str(source)
    if Path(name).suffix.lower() == ".csv":
        grid = _read_csv(_bytes(source))
        sheet = sheet or _sheet_from_name(name) or _sheet_from_grid(grid)
        if sheet is None:
            names = "、".join(f"{s.name}.csv" for s in registry.sheets())
            raise WorkbookError(f"无法判断 CSV 属于哪张表：请把文件命名为 {names}。")
        return {sheet: table(grid, registry.sheet(sheet))}
    known = {s.name: s for s in registry.sheets()}
    grids = read_grids(source, name=name, wanted=lambda title: title.strip() in known)
    return {g.title.strip(): table(g, known[g.title.strip()]) for g in grids}


@collector_paused
def read_grids(source, *, name: str = "", wanted=None) -> list[Grid]:
    """Every sheet (that `wanted(title)` accepts) of an .xlsx, .xls or CSV as a Grid."""
    name = name or str(source)
    suffix = Path(name).suffix.lower()
    if suffix in REFUSED_TYPES:
        raise WorkbookError(REFUSED_TYPES[suffix])
    if suffix not in (".xlsx", ".xlsm", ".xls", ".csv"):
        raise WorkbookError(
            f"不支持的文件类型「{suffix or name}」：请上传 .xlsx 工作簿（或 .xls、.csv 文件）。"
        )
    data = _bytes(source)
    if suffix == ".csv":
        grid = _read_csv(data)
        grid.title = Path(name).stem
        return [grid]
    if data.startswith(ZIP):
        return read_xlsx(data, wanted)
    if data.startswith(OLE2):
        if suffix == ".xls":
            from .xls import read_xls

            return read_xls(data, wanted)
        raise WorkbookError(
            "该文件实际是旧版 .xls 文件或已设置密码：请取消密码，并在 Excel 或 WPS 中另存为 .xlsx 后重试。"
        )
    raise WorkbookError(
        "无法读取该 Excel 文件（文件可能已损坏或不是 .xlsx 格式）：请在 Excel 中另存为 .xlsx 后重试。"
    )


def _bytes(source) -> bytes:
    """The file's bytes, refused before reading when larger than the limit."""
    if isinstance(source, str | Path):
        size = os.stat(source).st_size
        if size > LIMITS.file_bytes:
            raise too_large(size)
        return Path(source).read_bytes()
    size = getattr(source, "size", None)
    if size is not None and size > LIMITS.file_bytes:
        raise too_large(size)
    data = source.read(LIMITS.file_bytes + 1)
    if len(data) > LIMITS.file_bytes:
        raise too_large(len(data))
    return data


def _sheet_from_name(name: str) -> str | None:
    stem = Path(name).stem
    return next((s.name for s in registry.sheets() if s.name in stem), None)


def _read_csv(data: bytes) -> Grid:
    # Chinese Excel saves CSV as GBK; GB18030 is its superset and decodes all of it.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise WorkbookError("无法识别 CSV 文件的编码：请另存为 UTF-8 或 GBK 编码的 CSV。")
    rows = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(content, newline="")), start=1):
            if len(rows) > LIMITS.rows + 1:
                raise too_many_rows("CSV", number)
            if len(values) > LIMITS.columns:
                raise WorkbookError(f"CSV 第{number}行超出了{LIMITS.columns}列：请删除多余的列。")
            if any(len(v) > LIMITS.text_chars for v in values):
                raise WorkbookError(
                    f"CSV 第{number}行有超过{LIMITS.text_chars:,}个字符的单元格：请删减后重新上传。"
                )
            cells = [v if v != "" else None for v in values]
            if any(v is not None for v in cells):
                rows.append((number, cells))
    except csv.Error as exc:  # e.g. a NUL byte: not a text file at all
        raise WorkbookError(
            "CSV 文件格式有误：请在 Excel 中另存为「CSV（逗号分隔）」后重试。"
        ) from exc
    return Grid("CSV", rows)


def _sheet_from_grid(grid: Grid) -> str | None:
    # The later sheets have the more specific markers (任务名称 before 编码 + 名称).
    for _, values in grid.rows[:HEADER_SCAN]:
        header = {header_name(v)[0] for v in values if v is not None}
        for candidate in reversed(registry.sheets()):
            if any(marker <= header for marker in candidate.markers):
                return candidate.name
    return None


# ---------------------------------------------------------------------------- the header


def header_name(value, known=()) -> tuple[str, str]:
    """A header cell as (column name, unit): " 数值（万元） " → ("数值", "万元")."""
    raw = unicodedata.normalize("NFKC", text(value)).replace(" ", "")
    if raw in known:
        return raw, ""
    m = UNIT_IN_HEADER.match(raw)
    if m:
        base, unit = m.groups()
        if base + unit in known:  # 目标增速(%) is the column 目标增速%
            return base + unit, ""
        return base, unit
    return raw, ""


def first_text(values) -> str:
    """The row's first non-blank cell as text ("" for a blank row)."""
    for v in values:
        if v is None:
            continue
        if v.__class__ is str:
            v = v.strip()
            if v:
                return v
            continue
        return text(v)
    return ""


FOOTNOTE_STARTS = frozenset("注说备填制审复负单统分联电日")


def is_footnote(values) -> bool:
    """注：…, 填表人：…, 制表日期：… : a line below a table, not a row of it."""
    first = first_text(values)
    return first[:1] in FOOTNOTE_STARTS and bool(FOOTNOTE.match(first))


def table(grid: Grid, spec) -> list[dict]:
    """The rows of a registered sheet: header found, titles, units and footnotes skipped."""
    required, known = set(spec.required), set(spec.columns) if spec else set()
    rows = [
        (n, v)
        for n, v in grid.rows
        if (v and v[0].__class__ is str and v[0].strip()) or first_text(v)
    ]
    at, best = None, -1
    for i, (_, values) in enumerate(rows[:HEADER_SCAN]):
        names = {header_name(v, known)[0] for v in values if v is not None}
        if required <= names:
            at = i
            break
        if len(names & (known | required)) > best:
            at, best = i, len(names & (known | required))
    if at is None:
        return []
    skipped = [
        (n, "单位" if UNIT_ROW.match(first_text(v)) else "标题", first_text(v))
        for n, v in rows[:at]
    ]
    header_number, header_values = rows[at]
    header, units = [], {}
    for value in header_values:
        column, unit = header_name(value, known) if value is not None else ("", "")
        if column in header:
            column = ""  # the first of two same-named columns is read
        header.append(column)
        if unit:
            units[column] = unit
    body = []
    for number, values in rows[at + 1 :]:
        first = values[0]
        if (first is None or first.__class__ is not str or first[:1] in FOOTNOTE_STARTS) and (
            is_footnote(values)
        ):
            skipped.append((number, "脚注", first_text(values)))
            continue
        # Columns without a name ("") are kept under "", which no check reads.
        row = dict(zip(header, values, strict=False))
        row["_row"] = number
        body.append(row)
    if len(body) > LIMITS.rows:
        raise too_many_rows(grid.title, len(body))
    info = {
        "_header": [h for h in header if h],
        "_units": units,
        "_header_row": header_number,
        "_skipped": skipped,
    }
    return [info, *body]


def rows_from_grid(values_rows, spec=None) -> list[dict]:
    """Rows from plain lists of values (row 1 first), as `read_file` gives them."""
    grid = Grid("", [(n, list(v)) for n, v in enumerate(values_rows, start=1)])
    return table(grid, spec or registry.Sheet("", (), (), 0, None, None, None))


def sheets_from_dicts(sheets: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Rows built in code (the demo) in the same shape `read_file` gives."""
    out = {}
    for name, rows in sheets.items():
        header = list(registry.sheet(name).columns)
        for row in rows:
            header += [c for c in row if c not in header]
        out[name] = [{"_header": header, "_units": {}, "_header_row": 1, "_skipped": []}] + [
            {**row, "_row": number} for number, row in enumerate(rows, start=2)
        ]
    return out
