"""Refused rows as a person fixes them: sheet, row, column, the value found, the reason and
what to do, on the page and as an .xlsx with the reasons beside the rows."""

import io

from ..cells import text
from ..excel import append_row

ERROR_FILL = "FCE4E4"


def _split(message: str) -> tuple[str, str]:
    """ "月份应为1至12：请…" → (reason, what to do); messages put the advice after "：请"."""
    at = message.rfind("：请")
    if at < 0:
        at = message.rfind("，请")
    if at < 0:
        return message, ""
    return message[:at], message[at + 1 :]


def error_rows(errors, sheets) -> list[dict]:
    """Every refused row as a dict for the page's table."""
    index = {}
    for name, rows in sheets.items():
        index[name] = {r.get("_row"): r for r in rows[1:]}
    out = []
    for e in errors:
        reason, todo = _split(e.message)
        row = index.get(e.sheet, {}).get(e.row)
        value = row.get(e.column) if row else None
        out.append(
            {
                "sheet": e.sheet,
                "row": e.row,
                "column": e.column,
                "value": text(value) if value is not None else "",
                "reason": reason,
                "todo": todo,
            }
        )
    return out


def errors_workbook(errors, sheets) -> bytes:
    """Each sheet that has refused rows, as read, with 错误列 and 原因 beside every row, and a
    first sheet listing every error."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    summary = book.active
    summary.title = "错误清单"
    append_row(summary, ["表", "行", "列", "单元格内容", "原因", "怎么改"])
    for cell in summary[1]:
        cell.font = Font(bold=True)
    for e in error_rows(errors, sheets):
        append_row(
            summary,
            [e["sheet"], e["row"] or "表头", e["column"], e["value"], e["reason"], e["todo"]],
        )
    for letter, width in zip("ABCDEF", (8, 6, 12, 18, 50, 40), strict=True):
        summary.column_dimensions[letter].width = width
    by_sheet = {}
    for e in errors:
        by_sheet.setdefault(e.sheet, {}).setdefault(e.row, []).append(e)
    bad = PatternFill("solid", fgColor=ERROR_FILL)
    for name, problems in by_sheet.items():
        rows = sheets.get(name)
        if not rows:
            continue
        ws = book.create_sheet(name)
        header = rows[0]["_header"]
        append_row(ws, ["行号", *header, "错误列", "原因"])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows[1:]:
            found = problems.get(row["_row"], [])
            append_row(
                ws,
                [
                    row["_row"],
                    *(text(row.get(h)) if row.get(h) is not None else None for h in header),
                    "、".join(dict.fromkeys(p.column for p in found)) or None,
                    "；".join(p.message for p in found) or None,
                ],
            )
            if found:
                for cell in ws[ws.max_row]:
                    cell.fill = bad
        ws.column_dimensions["A"].width = 6
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
