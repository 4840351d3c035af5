"""The township workbook (DOMAIN §8): read a file, check every row, apply all or nothing, export.

`registry` holds the sheets the apps register; `files` reads .xlsx and CSV into rows; `plan`
checks and applies; `checks` and `writes` are the core's own sheets; `export` writes them all.
"""

from .export import export_rows, export_workbook
from .files import read_file, read_grids, sheets_from_dicts
from .limits import LIMITS, WorkbookError
from .plan import Checker, Plan, RowError, apply, check, workbook_import

__all__ = [
    "LIMITS",
    "Checker",
    "Plan",
    "RowError",
    "WorkbookError",
    "apply",
    "check",
    "export_rows",
    "export_workbook",
    "read_file",
    "read_grids",
    "sheets_from_dicts",
    "workbook_import",
]
