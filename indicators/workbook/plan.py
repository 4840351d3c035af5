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
from . import names, registry
from .limits import collector_paused


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
    skipped: dict = field(default_factory=dict)  # sheet -> [(row, 标题/单位/脚注, text)]
    no_figure: dict = field(default_factory=dict)  # sheet -> rows whose value is "—", "无" …
    warnings: list = field(default_factory=list)  # RowErrors that do not stop the import
    samples: dict = field(default_factory=dict)  # sheet -> {created/updated/unchanged: [keys]}
    # sheet -> what its check read of the stored rows, so the preview counts without reading
    # them again; `apply` always reads afresh inside its transaction.
    stored: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def sample(self, sheet: str, what: str, *cells) -> None:
        """Keep one of the first rows `sheet` would have `what` done to (created, updated,
        unchanged) as the cells the preview shows: its key and value, "旧→新" for a change."""
        kept = self.samples.setdefault(sheet, counter([], [], []))[what]
        if len(kept) < SAMPLES:
            kept.append(tuple(text(c) for c in cells if c is not None and text(c) != ""))

    def summary_lines(self) -> list[str]:
        lines = [
            f"{s.name}：{len(self.rows[s.name])}行"
            for s in registry.sheets()
            if self.rows.get(s.name)
        ]
        for sheet, rows in self.skipped.items():
            above = [n for n, kind, _ in rows if kind != "脚注"]
            below = [n for n, kind, _ in rows if kind == "脚注"]
            if above:
                kinds = "、".join(dict.fromkeys(k for _, k, _ in rows if k != "脚注"))
                lines.append(f"{sheet}表：跳过表头上方的{span(above)}（{kinds}）")
            if below:
                lines.append(f"{sheet}表：跳过表尾的{span(below)}（注、填表人等说明）")
        for sheet, rows in self.no_figure.items():
            if rows:
                lines.append(
                    f"{sheet}表：{span(rows)}的数值为「—」「/」「无」等，表示无数据，"
                    f"已跳过{len(rows)}行（未保存为0）"
                )
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

    def __init__(self, sheets: dict[str, list[dict]], accept_outliers: bool, scope=None):
        self.sheets = sheets
        self.accept_outliers = accept_outliers
        self.scope = scope  # area codes the importing user may write; None: all
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

    def out_of_scope(self, sheet, row, column, area) -> bool:
        """Record an error when the user may not import for `area`; True when so."""
        if self.scope is None or area in self.scope:
            return False
        self.error(sheet, row, column, f"您无权导入区域「{area}」的数据：请由该区域的管理员导入")
        return True

    def rows(self, name):
        """The data rows of a sheet, or none when its header lacks a required column."""
        rows = self.sheets.get(name) or []
        if not rows:
            return []
        info, body = rows[0], rows[1:]
        header = info["_header"]
        if info.get("_skipped"):
            self.plan.skipped[name] = info["_skipped"]
        missing = [c for c in registry.sheet(name).required if c not in header]
        for column in missing:
            self.error(name, 0, column, missing_message(info, column))
        return [] if missing else body

    def unit(self, name, column) -> str:
        """The unit a sheet's header gives a column ("数值（万元）"), or ""."""
        rows = self.sheets.get(name) or []
        return rows[0].get("_units", {}).get(column, "") if rows else ""

    def no_figure(self, name, row) -> None:
        self.plan.no_figure.setdefault(name, []).append(row)

    def cell(self, sheet, row, column, parse, *args, required=False, default=None, **kwargs):
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
            return parse(value, *args, **kwargs)
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
            "unit": ind.unit,
        }

    def resolver(self, kind: str):
        """A function raw cell → code for areas ("区域") or indicators ("指标"): the code as
        written, else the unique name; CellError listing candidates otherwise. Cached."""
        if kind == "区域":
            known = {c: a.name for c, a in self.db_areas.items()}
            parents = {c: a.parent_id for c, a in self.db_areas.items()}
            by_id = {a.pk: a.name for a in self.db_areas.values()}
            labels = {c: by_id.get(p, "") for c, p in parents.items()}
            for c, a in self.plan.rows.get("区域", {}).items():
                known[c] = a["name"]
                parent = a["parent"]
                labels[c] = self.plan.rows["区域"].get(parent, {}).get("name") or (
                    self.db_areas[parent].name if parent in self.db_areas else ""
                )
        else:
            known = {c: i.name for c, i in self.db_indicators.items()}
            known.update({c: i["name"] for c, i in self.plan.rows.get("指标", {}).items()})
            labels = {}
        return names.Resolver(kind, known, labels)


@collector_paused
def check(sheets: dict[str, list[dict]], *, accept_outliers: bool = False, scope=None) -> Plan:
    """Validate every row of every sheet; writes nothing. `scope`: the area codes the user
    may import for (an administrator's own town and its villages); None for a command."""
    checker = Checker(sheets, accept_outliers, scope)
    for sheet in registry.sheets():
        sheet.check(checker)
    return checker.plan


@transaction.atomic
@versions.changing()
def apply(plan: Plan, *, user=None, counting: bool = False) -> Plan:
    """Write a checked plan (all of it, in one transaction); fills `plan.counts`.

    `counting` (the preview, rolled back by the caller) lets sheets with a `count` count."""
    if not plan.ok:
        raise ValueError("cannot apply a plan with errors")
    # New categories and departments keep the order in which the workbook first names them.
    for order, name in enumerate(plan.new_categories, start=Category.objects.count()):
        Category.objects.get_or_create(name=name, defaults={"order": order})
    for order, name in enumerate(plan.new_departments, start=Department.objects.count()):
        Department.objects.get_or_create(name=name, defaults={"order": order})
    for sheet in registry.sheets():
        if plan.rows.get(sheet.name):
            if counting and sheet.count is not None:
                plan.counts[sheet.name] = sheet.count(plan)
            else:
                plan.counts[sheet.name] = sheet.apply(plan, user=user)
    return plan


@collector_paused
def preview(plan: Plan) -> Plan:
    """Fill `plan.counts` (and samples) with what applying would do, writing nothing: sheets
    that can count without writing do; the others are applied and rolled back."""
    if not plan.ok:
        return plan
    with transaction.atomic():
        apply(plan, counting=True)
        transaction.set_rollback(True)
    return plan


def workbook_import(
    sheets, *, dry_run: bool = False, accept_outliers: bool = False, user=None, scope=None
):
    """Check then (unless dry run or refused) apply: the one import path for files, the pages,
    the 表样 and the demo."""
    plan = check(sheets, accept_outliers=accept_outliers, scope=scope)
    if plan.ok and not dry_run:
        apply(plan, user=user)
    return plan


def missing_message(info: dict, column: str) -> str:
    where = info.get("_header_row", 1)
    above = "（表头上方的标题、单位行已跳过）" if info.get("_skipped") else ""
    return f"缺少必填列：表头（第{where}行）中没有「{column}」{above}，请在表头加上该列名"


def span(rows: list[int]) -> str:
    """第3行, 第3–7行, or 第3、5、9行: the rows a summary line names."""
    rows = sorted(rows)
    if len(rows) == 1:
        return f"第{rows[0]}行"
    if rows == list(range(rows[0], rows[-1] + 1)):
        return f"第{rows[0]}–{rows[-1]}行"
    shown = "、".join(map(str, rows[:10])) + ("等" if len(rows) > 10 else "")
    return f"第{shown}行"


SAMPLES = 20  # rows of each outcome the preview keeps, per sheet


def changed(old, new) -> str:
    """ "15520→15560": a changed value as the preview shows it."""
    return f"{text(old) or '空'}→{text(new) or '空'}"


def counter(created=0, updated=0, unchanged=0) -> dict:
    return {"created": created, "updated": updated, "unchanged": unchanged}
