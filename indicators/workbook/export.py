"""The whole database as a township workbook: every registered sheet, in the import's format."""

from decimal import Decimal

from openpyxl import Workbook

from ..excel import append_row
from . import registry


def cell_value(value):
    """Decimals go to Excel as numbers when a float holds them exactly, else as text."""
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral_value():
            return int(value)
        if Decimal(repr(float(value))) == value:
            return float(value)
        return f"{value:f}"
    return value


def export_rows() -> dict[str, list[list]]:
    """Every stored row of every registered sheet, in the sheets' columns."""
    return {sheet.name: sheet.export() for sheet in registry.sheets()}


def export_workbook(destination) -> None:
    """Write the whole database as a township workbook (.xlsx) to a path or file object."""
    book = Workbook(write_only=True)
    for sheet in registry.sheets():
        ws = book.create_sheet(sheet.name)
        append_row(ws, sheet.columns)
        for row in sheet.export():
            append_row(ws, [cell_value(v) for v in row])
    book.save(destination)
