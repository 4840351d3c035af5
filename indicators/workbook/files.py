"""Reading workbook files into plain rows: an .xlsx (every registered sheet) or one sheet as CSV.

Each row is a dict of column → cell value plus "_row", the line number a person sees in Excel;
the first item of a sheet's list is {"_header": [...]} with the column names as found. Unknown
sheets are ignored and blank rows skipped. Nothing here knows what a sheet means.
"""

import csv
import io
import unicodedata
from pathlib import Path

from openpyxl import load_workbook

from . import registry


class WorkbookError(Exception):
    """The file as a whole cannot be read (wrong type, truncated, unknown encoding)."""


def read_file(source, *, name: str = "", sheet: str | None = None) -> dict[str, list[dict]]:
    """Rows of every registered sheet in an .xlsx, or of one sheet in a CSV.

    `source` is a path or a binary file object; `name` gives the file name when `source` is a
    file object (an upload). `sheet` names the CSV's sheet; by default it is read from the file
    name, then from the header.
    """
    name = name or str(source)
    suffix = Path(name).suffix.lower()
    data = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
    if suffix == ".csv":
        return _read_csv(data, sheet or _sheet_from_name(name))
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(data)
    raise WorkbookError(f"不支持的文件类型「{suffix or name}」：请上传 .xlsx 工作簿或 .csv 文件。")


def _sheet_from_name(name: str) -> str | None:
    stem = Path(name).stem
    return next((s.name for s in registry.sheets() if s.name in stem), None)


def _read_xlsx(data: bytes) -> dict[str, list[dict]]:
    known = {s.name for s in registry.sheets()}
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise WorkbookError(
            "无法读取该 Excel 文件（文件可能已损坏或不是 .xlsx 格式）：请在 Excel 中另存为 .xlsx 后重试。"
        ) from exc
    sheets = {}
    try:
        for ws in book.worksheets:
            title = ws.title.strip()
            if title in known:
                sheets[title] = rows_from_grid(ws.iter_rows(values_only=True))
    except Exception as exc:
        raise WorkbookError("Excel 文件内容不完整或已损坏：请重新导出后再上传。") from exc
    finally:
        book.close()
    return sheets


def _read_csv(data: bytes, sheet: str | None) -> dict[str, list[dict]]:
    # Chinese Excel saves CSV as GBK; GB18030 is its superset and decodes all of it.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise WorkbookError("无法识别 CSV 文件的编码：请另存为 UTF-8 或 GBK 编码的 CSV。")
    try:
        grid = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:  # e.g. a NUL byte: not a text file at all
        raise WorkbookError(
            "CSV 文件格式有误：请在 Excel 中另存为「CSV（逗号分隔）」后重试。"
        ) from exc
    rows = rows_from_grid(grid)
    header = {c.strip() for c in (grid[0] if grid else []) if c}
    sheet = sheet or _sheet_from_header(header)
    if sheet is None:
        names = "、".join(f"{s.name}.csv" for s in registry.sheets())
        raise WorkbookError(f"无法判断 CSV 属于哪张表：请把文件命名为 {names}。")
    return {sheet: rows}


def _sheet_from_header(header: set[str]) -> str | None:
    # The later sheets have the more specific markers (任务名称 before 编码 + 名称).
    for candidate in reversed(registry.sheets()):
        if any(marker <= header for marker in candidate.markers):
            return candidate.name
    return None


def rows_from_grid(grid) -> list[dict]:
    rows, header = [], None
    for number, values in enumerate(grid, start=1):
        if header is None:
            header = [_header_name(v) for v in values]
            continue
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        row = {h: v for h, v in zip(header, values, strict=False) if h}
        row["_row"] = number
        rows.append(row)
    if header is None:
        return []
    return [{"_header": [h for h in header if h]}, *rows]


def _header_name(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""


def sheets_from_dicts(sheets: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Rows built in code (the demo) in the same shape `read_file` gives."""
    out = {}
    for name, rows in sheets.items():
        header = list(registry.sheet(name).columns)
        for row in rows:
            header += [c for c in row if c not in header]
        out[name] = [{"_header": header}] + [
            {**row, "_row": number} for number, row in enumerate(rows, start=2)
        ]
    return out
