"""The township workbook (DOMAIN §8): read, check, apply and write.

Reading turns an .xlsx (all sheets) or one sheet as CSV into plain rows. `check` validates every
row against the database and the rest of the workbook without writing; `apply` writes a checked
plan in one transaction, so an import is all or nothing. The Chinese words in the sheets are the
file format, not UI text, so they are fixed here and never translated.
"""

import csv
import io
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import (
    FIGURE_DIGITS,
    FIGURE_PLACES,
    Area,
    Category,
    Department,
    Figure,
    Indicator,
    Target,
)

AREAS, INDICATORS, TARGETS, FIGURES = "区域", "指标", "目标", "数据"
TASKS, MILESTONES = "任务", "节点"  # the task ledger's sheets, checked by tasks/workbook.py
SHEETS = (AREAS, INDICATORS, TARGETS, FIGURES, TASKS, MILESTONES)

COLUMNS = {
    AREAS: ["编码", "名称", "上级编码", "层级", "示例数据"],
    INDICATORS: [
        "编码",
        "名称",
        "类别",
        "单位",
        "类型",
        "方向",
        "牵头部门",
        "小数位",
        "填报层级",
        "汇总",
        "来源指标",
        "达标阈值",
        "重点",
        "口径",
        "填报频度",
    ],
    TARGETS: ["指标编码", "区域编码", "年度", "目标值", "力争值", "目标增速%"],
    FIGURES: ["指标编码", "区域编码", "年度", "月份", "数值", "备注"],
    TASKS: [
        "编号",
        "板块",
        "任务名称",
        "具体内容",
        "牵头领导",
        "牵头单位",
        "配合单位",
        "完成时限",
        "关联指标编码",
        "量化目标",
        "状态",
        "指标目标值",
        "联系人",
        "优先级",
        "原完成时限",
        "申请销号日期",
        "销号日期",
        "取消原因",
        "区域编码",
        "示例数据",
    ],
    MILESTONES: ["任务编号", "节点内容", "完成时限", "完成日期"],
}
REQUIRED = {
    AREAS: ["编码", "名称"],
    INDICATORS: ["编码", "名称", "单位", "类型"],
    TARGETS: ["指标编码", "区域编码", "年度"],
    FIGURES: ["指标编码", "区域编码", "年度", "月份", "数值"],
    TASKS: ["编号", "板块", "任务名称", "牵头单位", "完成时限"],
    MILESTONES: ["任务编号", "节点内容", "完成时限"],
}

LEVELS = {"区": "district", "镇": "town", "村": "village"}
KINDS = {"累计": "flow", "计数": "count", "存量": "stock", "比率": "ratio"}
DIRECTIONS = {"正向": "positive", "逆向": "reverse"}
ENTRY_LEVELS = {"镇": "town", "村": "village"}
ROLLUPS = {"合计": "sum", "村均": "avg", "达标村数": "count_at_least"}
CADENCES = {"月": "monthly", "季": "quarterly", "年": "annual"}
YES_NO = {"是": True, "否": False}
CHILD_LEVEL = {"district": "town", "town": "village"}
UNIT_DECIMALS = {"亿元": 2, "万元": 2, "元": 0, "%": 1, "公里": 1, "千米": 1, "吨": 1}
DEFAULT_CATEGORY = "其他"
# A figure 1000 times (or 1/1000) its neighbour is the classic 元/万元/亿元 slip.
OUTLIER_RATIO = Decimal(1000)
MAX_ABS = Decimal(10) ** (FIGURE_DIGITS - FIGURE_PLACES)
SIGNIFICANT_DIGITS = 15
QUANTUM = Decimal(1).scaleb(-FIGURE_PLACES)


def default_decimals(unit: str) -> int:
    """Display decimals when the sheet gives none (DOMAIN §7): money 2, rates 1, counts 0."""
    return UNIT_DECIMALS.get(unit, 0)


def label(mapping: dict, value) -> str:
    return next(k for k, v in mapping.items() if v == value)


class WorkbookError(Exception):
    """The file as a whole cannot be read (wrong type, truncated, unknown encoding)."""


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


class CellError(ValueError):
    pass


# ---------------------------------------------------------------------------- reading files


def read_file(source, *, name: str = "", sheet: str | None = None) -> dict[str, list[dict]]:
    """Rows of every known sheet in an .xlsx or of one sheet in a CSV.

    `source` is a path or a binary file object; `name` gives the file name when `source` is a
    file object (an upload). Each row is a dict of column → cell value plus "_row", the line
    number a person sees in Excel. Unknown sheets are ignored; blank rows are skipped.
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
    return next((s for s in SHEETS if s in stem), None)


def _read_xlsx(data: bytes) -> dict[str, list[dict]]:
    from openpyxl import load_workbook

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
            if title not in COLUMNS:
                continue
            sheets[title] = _rows_from_grid(ws.iter_rows(values_only=True))
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
    rows = _rows_from_grid(grid)
    header = {c.strip() for c in (grid[0] if grid else []) if c}
    sheet = sheet or _sheet_from_header(header)
    if sheet is None:
        raise WorkbookError(
            "无法判断 CSV 属于哪张表：请把文件命名为 区域.csv、指标.csv、目标.csv 或 数据.csv。"
        )
    return {sheet: rows}


def _sheet_from_header(header: set[str]) -> str | None:
    if "任务名称" in header:
        return TASKS
    if "节点内容" in header:
        return MILESTONES
    if "数值" in header:
        return FIGURES
    if "目标值" in header or "目标增速%" in header:
        return TARGETS
    if "类型" in header:
        return INDICATORS
    if {"编码", "名称"} <= header:
        return AREAS
    return None


def _rows_from_grid(grid) -> list[dict]:
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
    for sheet, rows in sheets.items():
        header = list(COLUMNS[sheet])
        for row in rows:
            header += [c for c in row if c not in header]
        out[sheet] = [{"_header": header}] + [
            {**row, "_row": number} for number, row in enumerate(rows, start=2)
        ]
    return out


# ---------------------------------------------------------------------------- cell parsing


# Control characters (NUL above all, which PostgreSQL refuses in text) never belong in a cell.
CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n")


def text(value) -> str:
    """A cell as clean text: NFKC (full-width to half-width), no control characters, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).translate(CONTROL).strip()


def number(value) -> Decimal:
    """A Decimal from a cell: full-width digits and thousands separators are accepted."""
    if isinstance(value, bool):
        raise CellError(gettext("应为数字"))
    if isinstance(value, int | Decimal):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        raw = text(value)
        if raw.startswith("="):
            raise CellError(
                gettext(
                    "「%(raw)s」是公式，不是数值：请在 Excel 中复制后「选择性粘贴 → 数值」再导入"
                )
                % {"raw": raw}
            )
        cleaned = raw.replace(",", "").replace(" ", "").replace("\u3000", "")
        try:
            result = Decimal(cleaned)
        except InvalidOperation:
            raise CellError(
                gettext("「%(raw)s」不是数字：请只填写数字，单位写在指标的「单位」中")
                % {"raw": raw}
            ) from None
    if not result.is_finite():
        raise CellError(gettext("应为有限的数字"))
    if abs(result) >= MAX_ABS:
        raise CellError(
            gettext("数值过大（不能超过%(max)s），请检查单位是否填错") % {"max": f"{MAX_ABS:,}"}
        )
    result = result.quantize(QUANTUM, rounding=ROUND_HALF_UP)
    # SQLite keeps a number in a double: beyond 15 significant digits it would come back altered.
    if len(result.normalize().as_tuple().digits) > SIGNIFICANT_DIGITS:
        raise CellError(
            gettext("「%(value)s」的有效数字超过%(n)s位，无法准确保存：请四舍五入后再填写")
            % {"value": f"{result.normalize():f}", "n": SIGNIFICANT_DIGITS}
        )
    return result


def integer(value, low: int, high: int, what: str) -> int:
    result = number(value)
    if result != result.to_integral_value() or not low <= result <= high:
        raise CellError(f"{what}应为{low}至{high}之间的整数，实际为「{text(value)}」")
    return int(result)


def choice(value, mapping: dict, what: str):
    raw = text(value)
    if raw in mapping:
        return mapping[raw]
    if raw in mapping.values():  # the stored identifier is accepted too
        return raw
    allowed = "、".join(mapping)
    raise CellError(f"{what}「{raw}」无效，应为：{allowed}")


# ---------------------------------------------------------------------------- checking


@dataclass
class Plan:
    """What an import would write, or why it cannot."""

    areas: dict = field(default_factory=dict)  # code -> {name, parent, level}
    indicators: dict = field(default_factory=dict)  # code -> field dict (codes for FKs)
    targets: dict = field(default_factory=dict)  # (ind, area, year) -> {value, stretch, growth}
    figures: dict = field(default_factory=dict)  # (ind, area, year, month) -> (value, note)
    new_categories: list = field(default_factory=list)
    new_departments: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # filled by apply: sheet -> {created, updated, …}
    tasks: dict = field(default_factory=dict)  # 任务 编号 -> field dict (tasks/workbook.py)
    milestones: dict = field(default_factory=dict)  # (任务编号, 节点内容) -> {due, done_on}
    as_of: object = None  # the date task lights are recorded on; None is today

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary_lines(self) -> list[str]:
        lines = [
            f"{sheet}：{len(rows)}行"
            for sheet, rows in (
                (AREAS, self.areas),
                (INDICATORS, self.indicators),
                (TARGETS, self.targets),
                (FIGURES, self.figures),
                (TASKS, self.tasks),
                (MILESTONES, self.milestones),
            )
            if rows
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


class _Checker:
    def __init__(self, sheets: dict[str, list[dict]], accept_outliers: bool):
        self.sheets = sheets
        self.accept_outliers = accept_outliers
        self.plan = Plan()

    def error(self, sheet, row, column, message):
        self.plan.errors.append(RowError(sheet, row, column, message))

    def rows(self, sheet):
        rows = self.sheets.get(sheet) or []
        if not rows:
            return []
        header, body = rows[0]["_header"], rows[1:]
        missing = [c for c in REQUIRED[sheet] if c not in header]
        if sheet == TARGETS and not {"目标值", "目标增速%"} & set(header):
            missing.append("目标值 或 目标增速%")
        for column in missing:
            self.error(sheet, 0, column, "缺少必填列，请在第一行加上该列名")
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

    def run(self) -> Plan:
        self.check_areas()
        self.check_indicators()
        self.check_targets()
        self.check_figures()
        from tasks import workbook as tasks_workbook

        tasks_workbook.check(self)
        return self.plan

    # -- 区域
    def check_areas(self):
        db = {a.code: a for a in Area.objects.all()}
        self.db_areas = db
        rows = self.rows(AREAS)
        seen = {}
        for row in rows:
            code = self.cell(AREAS, row, "编码", text, required=True)
            name = self.cell(AREAS, row, "名称", text, required=True)
            if not code:
                continue
            if code in seen:
                self.error(AREAS, row["_row"], "编码", f"编码「{code}」与第{seen[code]}行重复")
                continue
            seen[code] = row["_row"]
            parent = self.cell(AREAS, row, "上级编码", text, default="")
            level = self.cell(AREAS, row, "层级", choice, LEVELS, "层级")
            demo = self.cell(AREAS, row, "示例数据", choice, YES_NO, "示例数据", default=False)
            self.plan.areas[code] = {
                "name": name,
                "parent": parent,
                "level": level,
                "is_demo": demo,
                "_row": row,
            }
        # Levels default from the parent, so resolve them once every row is known.
        for code, area in self.plan.areas.items():
            row = area.pop("_row")["_row"]
            parent = area["parent"]
            if parent and parent == code:
                self.error(AREAS, row, "上级编码", "上级不能是自己")
                continue
            if parent and parent not in self.plan.areas and parent not in db:
                self.error(AREAS, row, "上级编码", f"上级区域「{parent}」不存在：请先添加该区域")
                continue
            if area["level"] is None:
                area["level"] = self._level_from_parent(code, row)

    def _level_from_parent(self, code, row, depth=0):
        parent = self.plan.areas[code]["parent"] if code in self.plan.areas else None
        if not parent:
            return "town"
        if depth > 5:
            self.error(AREAS, row, "上级编码", "区域的上级关系形成了循环")
            return None
        if parent in self.plan.areas:
            parent_level = self.plan.areas[parent]["level"] or self._level_from_parent(
                parent, row, depth + 1
            )
        else:
            parent_level = self.db_areas[parent].level
        child = CHILD_LEVEL.get(parent_level)
        if child is None:
            self.error(AREAS, row, "层级", "村下面不能再设下级区域")
        return child

    def area_level(self, code):
        if code in self.plan.areas:
            return self.plan.areas[code]["level"]
        area = self.db_areas.get(code)
        return area.level if area else None

    # -- 指标
    def check_indicators(self):
        db = {
            i.code: i for i in Indicator.objects.select_related("category", "department", "source")
        }
        self.db_indicators = db
        categories = set(Category.objects.values_list("name", flat=True))
        departments = set(Department.objects.values_list("name", flat=True))
        seen = {}
        for row in self.rows(INDICATORS):
            n = row["_row"]
            code = self.cell(INDICATORS, row, "编码", text, required=True)
            if not code:
                continue
            if code in seen:
                self.error(INDICATORS, n, "编码", f"编码「{code}」与第{seen[code]}行重复")
                continue
            seen[code] = n
            unit = self.cell(INDICATORS, row, "单位", text, required=True) or ""
            item = {
                "name": self.cell(INDICATORS, row, "名称", text, required=True),
                "category": self.cell(INDICATORS, row, "类别", text, default=DEFAULT_CATEGORY),
                "unit": unit,
                "kind": self.cell(INDICATORS, row, "类型", choice, KINDS, "类型", required=True),
                "direction": self.cell(
                    INDICATORS, row, "方向", choice, DIRECTIONS, "方向", default="positive"
                ),
                "department": self.cell(INDICATORS, row, "牵头部门", text, default=""),
                "decimals": self.cell(
                    INDICATORS,
                    row,
                    "小数位",
                    integer,
                    0,
                    6,
                    "小数位",
                    default=default_decimals(unit),
                ),
                "entry_level": self.cell(
                    INDICATORS, row, "填报层级", choice, ENTRY_LEVELS, "填报层级", default="town"
                ),
                "rollup": self.cell(
                    INDICATORS, row, "汇总", choice, ROLLUPS, "汇总", default="sum"
                ),
                "source": self.cell(INDICATORS, row, "来源指标", text, default=""),
                "threshold": self.cell(INDICATORS, row, "达标阈值", number),
                "is_key": self.cell(INDICATORS, row, "重点", choice, YES_NO, "重点", default=False),
                "definition": self.cell(INDICATORS, row, "口径", text, default=""),
                "cadence": self.cell(
                    INDICATORS, row, "填报频度", choice, CADENCES, "填报频度", default="monthly"
                ),
                "order": n,
                "_row": n,
            }
            self.plan.indicators[code] = item
            if item["category"] and item["category"] not in categories:
                categories.add(item["category"])
                self.plan.new_categories.append(item["category"])
            if item["department"] and item["department"] not in departments:
                departments.add(item["department"])
                self.plan.new_departments.append(item["department"])
        for code, item in self.plan.indicators.items():
            self._check_indicator_rules(code, item)

    def _check_indicator_rules(self, code, item):
        n = item.pop("_row")
        source = item["source"]
        if source:
            if source == code:
                self.error(INDICATORS, n, "来源指标", "来源指标不能是自己")
            elif self.indicator(source) is None:
                self.error(INDICATORS, n, "来源指标", f"来源指标「{source}」不存在")
            elif self.indicator(source).get("source"):
                self.error(INDICATORS, n, "来源指标", f"来源指标「{source}」本身也是派生指标")
            if item["rollup"] == "sum":
                self.error(INDICATORS, n, "汇总", "派生指标的汇总方式应为「村均」或「达标村数」")
        if item["rollup"] == "count_at_least" and item["threshold"] is None:
            self.error(INDICATORS, n, "达标阈值", "汇总为「达标村数」时必须填写达标阈值")
        if (
            item["kind"] == "ratio"
            and item["entry_level"] == "village"
            and item["rollup"] == "sum"
            and not source
        ):
            self.error(INDICATORS, n, "汇总", "比率型指标不能按村合计：请改为「村均」")

    def indicator(self, code) -> dict | None:
        """Indicator attributes from the workbook, else from the database."""
        if code in self.plan.indicators:
            return self.plan.indicators[code]
        ind = self.db_indicators.get(code)
        if ind is None:
            return None
        return {
            "kind": ind.kind,
            "entry_level": ind.entry_level,
            "source": ind.source.code if ind.source else "",
            "name": ind.name,
        }

    # -- 目标
    def check_targets(self):
        for row in self.rows(TARGETS):
            n = row["_row"]
            ind = self.cell(TARGETS, row, "指标编码", text, required=True)
            area = self.cell(TARGETS, row, "区域编码", text, required=True)
            year = self.cell(TARGETS, row, "年度", integer, 2000, 2100, "年度", required=True)
            value = self.cell(TARGETS, row, "目标值", number)
            stretch = self.cell(TARGETS, row, "力争值", number)
            growth = self.cell(TARGETS, row, "目标增速%", number)
            if ind and self.indicator(ind) is None:
                self.error(TARGETS, n, "指标编码", f"指标「{ind}」不存在：请先在指标表中添加")
                continue
            if area and self.area_level(area) is None:
                self.error(TARGETS, n, "区域编码", f"区域「{area}」不存在：请先在区域表中添加")
                continue
            if not (ind and area and year):
                continue
            if (
                value is None
                and growth is None
                and not any(e.sheet == TARGETS and e.row == n for e in self.plan.errors)
            ):
                self.error(TARGETS, n, "目标值", "目标值和目标增速%至少填写一项")
                continue
            key = (ind, area, year)
            if key in self.plan.targets:
                self.error(TARGETS, n, "指标编码", f"{ind} {area} {year}年的目标重复出现")
                continue
            self.plan.targets[key] = {
                "value": value,
                "stretch_value": stretch,
                "growth_pct": growth,
            }

    # -- 数据
    def check_figures(self):
        rows = self.rows(FIGURES)
        parsed = {}
        for row in rows:
            n = row["_row"]
            errors_before = len(self.plan.errors)
            ind = self.cell(FIGURES, row, "指标编码", text, required=True)
            area = self.cell(FIGURES, row, "区域编码", text, required=True)
            year = self.cell(FIGURES, row, "年度", integer, 2000, 2100, "年度", required=True)
            month = self.cell(FIGURES, row, "月份", integer, 1, 12, "月份", required=True)
            value = self.cell(FIGURES, row, "数值", number, required=True)
            note = self.cell(FIGURES, row, "备注", text, default="")[:255]
            info = self.indicator(ind) if ind else None
            if ind and info is None:
                self.error(FIGURES, n, "指标编码", f"指标「{ind}」不存在：请先在指标表中添加")
            level = self.area_level(area) if area else None
            if area and level is None:
                self.error(FIGURES, n, "区域编码", f"区域「{area}」不存在：请先在区域表中添加")
            if len(self.plan.errors) > errors_before:
                continue
            if info["source"]:
                self.error(
                    FIGURES,
                    n,
                    "指标编码",
                    f"「{info['name']}」是派生指标，由来源指标自动计算，不能填报",
                )
                continue
            if level != info["entry_level"]:
                where = "各村" if info["entry_level"] == "village" else "镇"
                self.error(
                    FIGURES,
                    n,
                    "区域编码",
                    f"「{info['name']}」由{where}填报，区域「{area}」不能填报该指标"
                    + ("（镇的数值由各村汇总得出）" if info["entry_level"] == "village" else ""),
                )
                continue
            if problem := negative_problem(info["kind"], value):
                self.error(FIGURES, n, "数值", problem)
                continue
            key = (ind, area, year, month)
            if key in parsed:
                self.error(
                    FIGURES, n, "月份", f"{ind} {area} {year}年{month}月与第{parsed[key][2]}行重复"
                )
                continue
            parsed[key] = (value, note, n)
        self._check_series(parsed)
        self.plan.figures = {k: (v, note) for k, (v, note, _) in parsed.items()}

    def _check_series(self, parsed):
        """Cumulative figures may not fall without a reason; unit slips are stopped."""
        if not parsed:
            return
        codes = {k[0] for k in parsed}
        area_codes = {k[1] for k in parsed}
        series = defaultdict(dict)  # (ind, area) -> {(year, month): value}
        existing = Figure.objects.filter(
            indicator__code__in=codes, area__code__in=area_codes
        ).values_list("indicator__code", "area__code", "year", "month", "value")
        for ind, area, year, month, value in existing:
            series[ind, area][year, month] = value
        for (ind, area, year, month), (value, _, _) in parsed.items():
            series[ind, area][year, month] = value
        for (ind, area, year, month), (value, note, n) in parsed.items():
            points = series[ind, area]
            cumulative = self.indicator(ind)["kind"] in ("flow", "count")
            if cumulative and not note:
                # A next month given in the same file is checked on its own row.
                after = None if (ind, area, year, month + 1) in parsed else "next"
                if problem := cumulative_problem(points, year, month, value, after=after):
                    self.error(FIGURES, n, "数值", f"{problem}，{REASON_HINT}")
                    continue
            if not self.accept_outliers and (
                problem := unit_slip_problem(points, year, month, value)
            ):
                self.error(
                    FIGURES,
                    n,
                    "数值",
                    f"{problem}：请按指标单位填写；确认无误时请选择「接受异常值」"
                    "（命令行 --accept-outliers）",
                )


# DOMAIN §2 checks of one value against its series, shared with the monthly entry grid
# (indicators/entry.py). Each returns the problem, or None; callers add what to do. Like
# `number`, they speak the active language: Chinese in imports, the page's language in the grid.
REASON_HINT = gettext_lazy("如属口径调整请在「备注」中写明原因")


def negative_problem(kind: str, value: Decimal) -> str | None:
    if value < 0 and kind in ("count", "stock"):
        return gettext("计数、存量型指标不能为负数")
    return None


def cumulative_problem(points: dict, year: int, month: int, value: Decimal, *, after="next"):
    """A YTD figure below last month's, or above an existing next month's, cumulative.

    `points` maps (year, month) to the stored values of the same indicator and area; pass
    `after=None` to skip the comparison with the next month.
    """
    before = points.get((year, month - 1))
    if before is not None and value < before:
        return gettext("累计值%(value)s低于上月累计%(before)s：累计数应逐月不减") % {
            "value": f"{value.normalize():f}",
            "before": f"{before.normalize():f}",
        }
    later = points.get((year, month + 1)) if after else None
    if later is not None and value > later:
        return gettext("累计值%(value)s高于已有的下月累计%(later)s：请核对") % {
            "value": f"{value.normalize():f}",
            "later": f"{later.normalize():f}",
        }
    return None


def _nearest_nonzero(points: dict, year: int, month: int):
    """The latest earlier (year, month) with a non-zero value, else the earliest later one."""
    # The neighbour is almost always last month: look back two years by key before scanning.
    y, m = year, month
    for _ in range(24):
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        if points.get((y, m)):
            return (y, m)
    earlier = [p for p in points if p < (year, month) and points[p] != 0]
    if earlier:
        return max(earlier)
    later = [p for p in points if p > (year, month) and points[p] != 0]
    return min(later) if later else None


def unit_slip_problem(points: dict, year: int, month: int, value: Decimal) -> str | None:
    """A value about 1000 times (or 1/1000 of) its nearest non-zero neighbour in the series."""
    if value == 0:
        return None
    neighbour = _nearest_nonzero(points, year, month)
    if neighbour is None:
        return None
    reference = points[neighbour]
    ratio = abs(value / reference)
    if OUTLIER_RATIO > ratio > 1 / OUTLIER_RATIO:
        return None
    times = ratio if ratio >= 1 else 1 / ratio
    return gettext(
        "数值%(value)s与%(year)s年%(month)s月的%(reference)s相差约%(times)s倍，"
        "疑似单位填错（元/万元/亿元）"
    ) % {
        "value": f"{value.normalize():f}",
        "year": neighbour[0],
        "month": neighbour[1],
        "reference": f"{reference.normalize():f}",
        "times": f"{times:,.0f}",
    }


def check(sheets: dict[str, list[dict]], *, accept_outliers: bool = False) -> Plan:
    """Validate every row of every sheet; writes nothing."""
    return _Checker(sheets, accept_outliers).run()


# ---------------------------------------------------------------------------- applying


@transaction.atomic
def apply(plan: Plan, *, user=None) -> Plan:
    """Write a checked plan (all of it, in one transaction); fills `plan.counts`."""
    if not plan.ok:
        raise ValueError("cannot apply a plan with errors")
    # New categories and departments keep the order in which the workbook first names them.
    for order, name in enumerate(plan.new_categories, start=Category.objects.count()):
        Category.objects.get_or_create(name=name, defaults={"order": order})
    for order, name in enumerate(plan.new_departments, start=Department.objects.count()):
        Department.objects.get_or_create(name=name, defaults={"order": order})
    _apply_areas(plan)
    _apply_indicators(plan)
    _apply_targets(plan)
    _apply_figures(plan, user)
    from tasks import workbook as tasks_workbook

    tasks_workbook.apply(plan, user=user)
    return plan


def _counter():
    return {"created": 0, "updated": 0, "unchanged": 0}


def _apply_areas(plan):
    counts = plan.counts.setdefault(AREAS, _counter()) if plan.areas else _counter()
    existing = {a.code: a for a in Area.objects.all()}

    def depth(code, seen=0):
        parent = plan.areas.get(code, {}).get("parent")
        return depth(parent, seen + 1) if parent and parent in plan.areas and seen < 5 else seen

    for code in sorted(plan.areas, key=depth):
        data = plan.areas[code]
        parent = existing.get(data["parent"]) if data["parent"] else None
        area = existing.get(code)
        fields = {k: data[k] for k in ("name", "level", "is_demo")}
        if area is None:
            existing[code] = Area.objects.create(code=code, parent=parent, **fields)
            counts["created"] += 1
        elif area.parent_id != (parent.pk if parent else None) or any(
            getattr(area, k) != v for k, v in fields.items()
        ):
            area.parent = parent
            for k, v in fields.items():
                setattr(area, k, v)
            area.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1


FIELDS = [
    "name",
    "unit",
    "kind",
    "direction",
    "decimals",
    "entry_level",
    "rollup",
    "threshold",
    "is_key",
    "definition",
    "cadence",
    "order",
]


def _apply_indicators(plan):
    if not plan.indicators:
        return
    counts = plan.counts.setdefault(INDICATORS, _counter())
    categories = {c.name: c for c in Category.objects.all()}
    departments = {d.name: d for d in Department.objects.all()}
    existing = {i.code: i for i in Indicator.objects.all()}
    for code, data in plan.indicators.items():
        values = {f: data[f] for f in FIELDS}
        values["category"] = categories[data["category"]]
        values["department"] = departments.get(data["department"])
        ind = existing.get(code)
        if ind is None:
            existing[code] = Indicator.objects.create(code=code, **values)
            counts["created"] += 1
            continue
        changed = [f for f, v in values.items() if getattr(ind, f) != v]
        if changed:
            for f in changed:
                setattr(ind, f, values[f])
            ind.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    # Sources point at indicators that may have been created above, so set them last.
    for code, data in plan.indicators.items():
        ind = existing[code]
        source = existing.get(data["source"]) if data["source"] else None
        if ind.source_id != (source.pk if source else None):
            ind.source = source
            ind.save(update_fields=["source"])


def _apply_targets(plan):
    if not plan.targets:
        return
    counts = plan.counts.setdefault(TARGETS, _counter())
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    areas = dict(Area.objects.values_list("code", "pk"))
    years = {k[2] for k in plan.targets}
    existing = {
        (t.indicator_id, t.area_id, t.year): t for t in Target.objects.filter(year__in=years)
    }
    new, changed = [], []
    for (ind, area, year), data in plan.targets.items():
        key = (indicators[ind], areas[area], year)
        target = existing.get(key)
        if target is None:
            new.append(Target(indicator_id=key[0], area_id=key[1], year=year, **data))
        elif any(getattr(target, f) != v for f, v in data.items()):
            for f, v in data.items():
                setattr(target, f, v)
            changed.append(target)
    Target.objects.bulk_create(new, batch_size=2000)
    Target.objects.bulk_update(changed, ["value", "stretch_value", "growth_pct"], batch_size=2000)
    counts.update(
        created=len(new),
        updated=len(changed),
        unchanged=len(plan.targets) - len(new) - len(changed),
    )


IMPORT_REASON = "工作簿导入"
IMPORTED_FIELDS = [
    "value",
    "note",
    "updated_by",
    "updated_at",
    "status",
    "approved_by",
    "approved_at",
    "version",
]


def _apply_figures(plan, user):
    if not plan.figures:
        return
    counts = plan.counts.setdefault(FIGURES, _counter())
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    areas = dict(Area.objects.values_list("code", "pk"))
    ind_ids = {indicators[k[0]] for k in plan.figures}
    area_ids = {areas[k[1]] for k in plan.figures}
    existing = {
        (f.indicator_id, f.area_id, f.year, f.month): f
        for f in Figure.objects.filter(indicator_id__in=ind_ids, area_id__in=area_ids)
    }
    # An administrator's import is the official figure: it counts as approved, and every row it
    # creates or changes is recorded in the figure history with the reason below.
    now, approved = timezone.now(), Figure.Status.APPROVED
    new, changed = [], []
    for (ind, area, year, month), (value, note) in plan.figures.items():
        key = (indicators[ind], areas[area], year, month)
        figure = existing.get(key)
        if figure is None:
            new.append(
                Figure(
                    indicator_id=key[0],
                    area_id=key[1],
                    year=year,
                    month=month,
                    value=value,
                    note=note,
                    created_by=user,
                    updated_by=user,
                    status=approved,
                    approved_by=user,
                    approved_at=now,
                )
            )
        elif figure.value != value or figure.note != note or figure.status != approved:
            figure.value, figure.note, figure.updated_by = value, note, user
            figure.status, figure.approved_by, figure.approved_at = approved, user, now
            figure.version += 1
            figure.updated_at = now  # bulk_update skips auto_now
            changed.append(figure)
    bulk_create_with_history(
        new, Figure, batch_size=2000, default_user=user, default_change_reason=IMPORT_REASON
    )
    bulk_update_with_history(
        changed,
        Figure,
        IMPORTED_FIELDS,
        batch_size=2000,
        default_user=user,
        default_change_reason=IMPORT_REASON,
    )
    counts.update(
        created=len(new),
        updated=len(changed),
        unchanged=len(plan.figures) - len(new) - len(changed),
    )


def workbook_import(sheets, *, dry_run: bool = False, accept_outliers: bool = False, user=None):
    """Check then (unless dry run or refused) apply: the one import path for files and the demo."""
    plan = check(sheets, accept_outliers=accept_outliers)
    if plan.ok and not dry_run:
        apply(plan, user=user)
    return plan


# ---------------------------------------------------------------------------- writing


def _cell(value):
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
    """Every area, indicator, target and figure as rows of the workbook format."""
    areas = Area.objects.select_related("parent").order_by("code")
    indicators = Indicator.objects.select_related("category", "department", "source")
    sheets = {
        AREAS: [
            [
                a.code,
                a.name,
                a.parent.code if a.parent else None,
                label(LEVELS, a.level),
                "是" if a.is_demo else "否",
            ]
            for a in _parents_first(list(areas))
        ],
        INDICATORS: [
            [
                i.code,
                i.name,
                i.category.name,
                i.unit,
                label(KINDS, i.kind),
                label(DIRECTIONS, i.direction),
                i.department.name if i.department else None,
                i.decimals,
                label(ENTRY_LEVELS, i.entry_level),
                label(ROLLUPS, i.rollup),
                i.source.code if i.source else None,
                i.threshold,
                "是" if i.is_key else "否",
                i.definition,
                label(CADENCES, i.cadence),
            ]
            for i in indicators.order_by("order", "code")
        ],
        TARGETS: [
            list(row)
            for row in Target.objects.order_by("indicator__code", "area__code", "year").values_list(
                "indicator__code", "area__code", "year", "value", "stretch_value", "growth_pct"
            )
        ],
        FIGURES: [
            list(row)
            for row in Figure.objects.order_by(
                "indicator__code", "area__code", "year", "month"
            ).values_list("indicator__code", "area__code", "year", "month", "value", "note")
        ],
    }
    from tasks import workbook as tasks_workbook

    sheets.update(tasks_workbook.export_rows())
    return sheets


def _parents_first(areas):
    by_parent = defaultdict(list)
    for a in areas:
        by_parent[a.parent_id].append(a)
    ordered, queue = [], by_parent[None]
    while queue:
        ordered += queue
        queue = [child for a in queue for child in by_parent[a.pk]]
    return ordered


def xlsx_response(book, filename: str):
    """An openpyxl workbook as a download; the Chinese file name survives every browser."""
    from urllib.parse import quote

    from django.http import HttpResponse

    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def export_workbook(destination) -> None:
    """Write the whole database as a township workbook (.xlsx) to a path or file object."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for sheet, rows in export_rows().items():
        ws = book.create_sheet(sheet)
        ws.append(COLUMNS[sheet])
        for row in rows:
            ws.append([_cell(v) for v in row])
    book.save(destination)
