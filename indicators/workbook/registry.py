"""The sheets of the township workbook, registered by the apps that own them.

The core registers 区域, 指标, 目标 and 数据 (`indicators.apps`); the task ledger registers 任务 and
节点 in its own `AppConfig.ready()`, as `admin.site.register` does. Reading, checking, applying
and exporting then walk the registry in `order`, so the core names no other app's sheet.

The demo township is loaded through the same workbook: an app may also register a demo step,
run after the core's demo rows and users are in place (the ledger's tasks name those users).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook format (DOMAIN §8).

    `columns` are written by the export in this order and accepted in any order; `required`
    must be present in the header. `check(checker)` validates the rows (`checker.rows(name)`)
    and puts what it would write into `checker.plan.rows[name]`; `apply(plan, user)` writes it
    inside the import's transaction and returns the counts (created/updated/unchanged);
    `export()` returns every stored row as a list of cells in `columns` order. A CSV is taken
    for this sheet when its header holds all the columns of one of `markers`.
    """

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    order: int
    check: Callable
    apply: Callable
    export: Callable
    markers: tuple[frozenset, ...] = ()
    count: Callable | None = None  # counts without writing, for a preview of a large sheet


_sheets: dict[str, Sheet] = {}
_demo_steps: list[Callable] = []


def register(sheet: Sheet) -> None:
    """Add a sheet (or replace one of the same name, so `ready()` may run twice in tests)."""
    _sheets[sheet.name] = sheet


def sheets() -> list[Sheet]:
    """Every registered sheet, in checking and writing order."""
    return sorted(_sheets.values(), key=lambda s: s.order)


def sheet(name: str) -> Sheet | None:
    return _sheets.get(name)


def register_demo_step(step: Callable) -> None:
    """`step()` loads an app's part of the demo township and returns its import plan."""
    if step not in _demo_steps:
        _demo_steps.append(step)


def demo_steps() -> list[Callable]:
    return list(_demo_steps)
