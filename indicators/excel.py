"""Cells the app writes into the spreadsheets it hands out: text stays text (OWASP CSV/formula
injection).

A note, a task title or a user's name that begins with `=`, `+`, `-`, `@`, a tab or a carriage
return could be taken for a formula: openpyxl itself stores a string that begins with `=` as
one, and Excel or WPS re-reads the others as formulas once the cell is edited. Every sheet the
app writes (the entry sheet, the history export, the ledger, `export_workbook`) appends its rows
through `append_row`, which writes such text as an explicit string cell with Excel's "quote
prefix" style. Nothing is prepended to the text, so a file read back (the import reads values)
gives exactly the text that was stored. Numbers, dates and empty cells are written as they are.
"""

from django.utils.functional import Promise
from openpyxl.cell.cell import Cell

# The characters OWASP lists: a spreadsheet may start a formula with any of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def text_cell(ws, value) -> Cell:
    """A cell for `ws` (ordinary or write-only) holding `value`, text kept as text."""
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    cell = Cell(ws, row=1, column=1, value=value)  # its place is given by ws.append
    if looks_like_formula(value):
        cell.data_type = "s"  # the text itself, never a formula (openpyxl guesses "f" for "=")
        cell.quotePrefix = True  # and Excel keeps it text when someone edits the cell
    return cell


def append_row(ws, values) -> None:
    """`ws.append(values)`, with every text cell written as text (see the module docstring)."""
    ws.append([text_cell(ws, value) for value in values])
