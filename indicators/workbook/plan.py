"""Checking and applying a workbook: all or nothing (DOMAIN §8).

`check` validates every row of every registered sheet against the database and the rest of the
workbook, writing nothing; `apply` writes a checked plan in one transaction. The sheets' own
rules live with the sheets (`sheets.py` for the core's, `tasks/workbook.py` for the ledger's);
this module only walks them in order and keeps what they found.
"""

from dataclasses import dataclass, field

from django.db import transaction

from .. import versions
from ..cells import CellError, text
from ..models import Area, Category, Department, Indicator, Schedule
from . import registry


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self):
        where = f"第{self.row}行" if self.row else "表头"
        column = f"「{self.column}」列" if self.column else ""
        return f"{self.sheet}表 {where} {column}：{self.message}"


@dataclass
class Plan:
    """What an import would write, or why it cannot.

    `rows` holds, per sheet, what its check found (each sheet decides the shape: for 数据,
    (indicator, area, year, month) → (value, note)); `counts` is filled by `apply`.
    """

    rows: dict = field(default_factory=dict)
    new_categories: list = field(default_factory=list)
    new_departments: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # sheet -> {created, updated, unchanged}
    touched: dict = field(default_factory=dict)  # sheet -> keys it created or changed
    as_of: object = None  # the date the import counts as made on; None is today

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary_lines(self) -> list[str]:
        lines = [
            f"{s.name}：{len(self.rows[s.name])}行"
            for s in registry.sheets()
            if self.rows.get(s.name)
        ]
        if self.new_categories:
            lines.append("新建类别：" + "、".join(self.new_categories))
        if self.new_departments:
            lines.append("新建部门：" + "、".join(self.new_departments))
        for sheet, c in self.counts.items():
            lines.append(
                f"{sheet}：新增{c['created']}行，更新{c['updated']}行，未变{c['unchanged']}行"
            )
        return lines


class Checker:
    """The rows of a workbook being checked, the errors found so far, and the areas and
    indicators known from the database or from the workbook itself."""

    def __init__(self, sheets: dict[str, list[dict]], accept_outliers: bool):
        self.sheets = sheets
        self.accept_outliers = accept_outliers
        self.plan = Plan()
        self.db_areas = {a.code: a for a in Area.objects.all()}
        self.db_indicators = {
            i.code: i for i in Indicator.objects.select_related("category", "department", "source")
        }
        self.categories = set(Category.objects.values_list("name", flat=True))
        self.db_schedules = set(Schedule.objects.values_list("name", flat=True))
        self.departments = set(Department.objects.values_list("name", flat=True))

    def error(self, sheet, row, column, message):
        self.plan.errors.append(RowError(sheet, row, column, message))

    def rows(self, name):
        """The data rows of a sheet, or none when its header lacks a required column."""
        rows = self.sheets.get(name) or []
        if not rows:
            return []
        header, body = rows[0]["_header"], rows[1:]
        missing = [c for c in registry.sheet(name).required if c not in header]
        for column in missing:
            self.error(name, 0, column, "缺少必填列，请在第一行加上该列名")
        return [] if missing else body

    def cell(self, sheet, row, column, parse, *args, required=False, default=None):
        """Parse one cell; record a row error and return None when it is wrong."""
        value = row.get(column)
        if value is None or text(value) == "":
            if required:
                # An .xlsx formula nobody recalculated reads as empty too.
                self.error(
                    sheet, row["_row"], column, "不能为空（如为公式，请在 Excel 中粘贴为数值）"
                )
            return default
        try:
            return parse(value, *args) if args else parse(value)
        except CellError as exc:
            self.error(sheet, row["_row"], column, str(exc))
            return None

    def department(self, name: str) -> str:
        """A department named by a row; one that does not exist yet will be created."""
        if name and name not in self.departments:
            self.departments.add(name)
            self.plan.new_departments.append(name)
        return name

    # -- areas and indicators, from this workbook first, else from the database

    def area_level(self, code) -> str | None:
        planned = self.plan.rows.get("区域", {})
        if code in planned:
            return planned[code]["level"]
        area = self.db_areas.get(code)
        return area.level if area else None

    def area_codes(self, level: str | None = None) -> set[str]:
        planned = self.plan.rows.get("区域", {})
        codes = set(self.db_areas) | set(planned)
        if level is None:
            return codes
        return {c for c in codes if self.area_level(c) == level}

    def schedule_exists(self, name) -> bool:
        return name in self.plan.rows.get("序时计划", {}) or name in self.db_schedules

    def indicator(self, code) -> dict | None:
        """Indicator attributes from the workbook, else from the database."""
        planned = self.plan.rows.get("指标", {})
        if code in planned:
            return planned[code]
        ind = self.db_indicators.get(code)
        if ind is None:
            return None
        return {
            "kind": ind.kind,
            "entry_level": ind.entry_level,
            "source": ind.source.code if ind.source else "",
            "name": ind.name,
            "cadence": ind.cadence,
        }


def check(sheets: dict[str, list[dict]], *, accept_outliers: bool = False) -> Plan:
    """Validate every row of every sheet; writes nothing."""
    checker = Checker(sheets, accept_outliers)
    for sheet in registry.sheets():
        sheet.check(checker)
    return checker.plan


@transaction.atomic
@versions.changing()
def apply(plan: Plan, *, user=None) -> Plan:
    """Write a checked plan (all of it, in one transaction); fills `plan.counts`."""
    if not plan.ok:
        raise ValueError("cannot apply a plan with errors")
    # New categories and departments keep the order in which the workbook first names them.
    for order, name in enumerate(plan.new_categories, start=Category.objects.count()):
        Category.objects.get_or_create(name=name, defaults={"order": order})
    for order, name in enumerate(plan.new_departments, start=Department.objects.count()):
        Department.objects.get_or_create(name=name, defaults={"order": order})
    for sheet in registry.sheets():
        if plan.rows.get(sheet.name):
            plan.counts[sheet.name] = sheet.apply(plan, user=user)
    return plan


def workbook_import(sheets, *, dry_run: bool = False, accept_outliers: bool = False, user=None):
    """Check then (unless dry run or refused) apply: the one import path for files and the demo."""
    plan = check(sheets, accept_outliers=accept_outliers)
    if plan.ok and not dry_run:
        apply(plan, user=user)
    return plan


def counter(created: int = 0, updated: int = 0, unchanged: int = 0) -> dict:
    return {"created": created, "updated": updated, "unchanged": unchanged}
