"""表样 (DOMAIN §8): wide sheets, indicators as rows and measures as columns.

`detect` finds a sheet's mapping from its header words and indicator names (a filled table or a
county's blank form); the user confirms or corrects it once and it is saved as a `Layout`.
`layout_import` then reads a filled sheet through it into the 数据 rows of the workbook import,
so the same all-or-nothing checks apply, and compares the sheet's own 同比 and 完成率 with what
the app computes (differences over 0.1 are warnings: they reveal wrong last-year figures).
Filling a blank form from stored figures is `fill.py`'s.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from ..cells import NO_FIGURE, Percent, code, text
from ..models import Area, Indicator, Layout
from . import registry
from .columns import FIGURES
from .files import FOOTNOTE, UNIT_ROW, first_text, read_grids, table
from .limits import WorkbookError
from .plan import RowError, apply, check
from .xlsx import Grid, column_index, column_letter

Measure = Layout.Measure
TOLERANCE = Decimal("0.1")  # DOMAIN §8: the sheet's 同比/完成率 may differ by rounding only

_RANGE = r"1\s*[—\-–~～至到]+\s*(?:\d{1,2}|n|N)\s*月"
MEASURE_WORDS = [
    (Measure.MONTH_VALUE, r"^(本月|当月)(完成|数|值|实绩)?$"),
    (Measure.YTD, rf"^(({_RANGE}|本年|今年|年初至今)?累计(完成|数|值)?|{_RANGE}(完成)?)$"),
    (Measure.LAST_YEAR, r"^(上年|去年)(同期|同期累计|同期完成|同期数)$"),
    (Measure.YOY_PCT, r"^(同比(增长|增减|增幅)?|比上年同期增长|增幅|增速)(\(?%\)?)?$"),
    (Measure.TARGET, r"^(全年|年度)(目标|任务|目标任务|计划)(值|数)?$|^目标值$"),
    (Measure.COMPLETION_PCT, r"^(完成率|完成进度|完成年度目标|占年度目标|占全年目标)(\(?%\)?)?$"),
    (Measure.UNIT, r"^(计量)?单位$"),
    (Measure.NAME, r"^(指标|指标名称|项目|项目名称|名称|主要指标)$"),
    (Measure.CODE, r"^(指标)?(编码|代码)$"),
    (Measure.IGNORE, r"^(备注|说明|序号)$"),
]
MEASURES = [(m, re.compile(p)) for m, p in MEASURE_WORDS]
MONTH = re.compile(r"^(\d{1,2})月(份)?$")
TITLE_PERIOD = re.compile(
    r"(\d{4})\s*年\s*(?:(?:1|一)\s*[—\-–~～至到]+\s*(\d{1,2})\s*月|(\d{1,2})\s*月(?!份?累))?"
)
NAME_UNIT = re.compile(r"^(.+?)\((.+)\)$")
HEADER_SCAN = 12


def words(value) -> str:
    return unicodedata.normalize("NFKC", text(value)).replace(" ", "")


def measure_of(label: str) -> str | None:
    """The measure a header word names: "1—10月累计" → ytd, "3月" → m3, "备注" → ignore."""
    label = words(label)
    if m := MONTH.match(label):
        if 1 <= int(m.group(1)) <= 12:
            return f"m{int(m.group(1))}"
    for measure, pattern in MEASURES:
        if pattern.match(label):
            return measure
    return None


def title_period(title: str) -> tuple[int | None, int | None]:
    """ "示例镇2025年1—10月…" → (2025, 10); "…2025年主要指标…" → (2025, None)."""
    m = TITLE_PERIOD.search(unicodedata.normalize("NFKC", title or ""))
    if not m:
        return None, None
    month = m.group(2) or m.group(3)
    return int(m.group(1)), int(month) if month and 1 <= int(month) <= 12 else None


@dataclass
class Detected:
    """What `detect` found in a sheet; `as_layout` makes the model from it."""

    sheet: str
    title: str = ""
    title_cell: str = ""
    year: int | None = None
    month: int | None = None
    area: str = ""  # the area code the title names, if any
    header_rows: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # [{"row", "label", "code"}]
    columns: list = field(default_factory=list)  # [{"col", "label", "measure"}]

    @property
    def kind(self) -> str:
        monthly = any(
            c["measure"].startswith("m") and c["measure"][1:].isdigit() for c in self.columns
        )
        return Layout.Kind.WIDE_MONTHS if monthly else Layout.Kind.WIDE_YTD

    @property
    def unmapped(self) -> list[str]:
        return [r["label"] for r in self.rows if not r["code"]]

    @property
    def ignored(self) -> dict:
        return {c["col"]: c["label"] for c in self.columns if c["measure"] == Measure.IGNORE}

    def as_layout(self, name: str, *, user=None, form: bytes = b"", form_name: str = ""):
        return Layout(
            name=name,
            sheet=self.sheet,
            kind=self.kind,
            title_cell=self.title_cell,
            header_rows=self.header_rows,
            rows=self.rows,
            columns=self.columns,
            form=form,
            form_name=form_name,
            created_by=user,
        )

    def lines(self) -> list[str]:
        """The mapping as a person checks it."""
        out = [f"工作表：{self.sheet}；标题：{self.title or '（无）'}"]
        if self.year:
            period = f"{self.year}年" + (
                f"1—{self.month}月" if self.month and self.month > 1 else ""
            )
            period += "1月" if self.month == 1 else ""
            out.append(f"标题中的时期：{period}" + (f"；区域：{self.area}" if self.area else ""))
        out.append("表头行：" + "、".join(f"第{n}行" for n in self.header_rows))
        labels = dict(Measure.choices)
        for c in self.columns:
            measure = c["measure"]
            shown = (
                f"{measure[1:]}月累计" if measure[1:].isdigit() else labels.get(measure, measure)
            )
            out.append(f"{c['col']}列「{c['label']}」→ {shown}")
        mapped = [r for r in self.rows if r["code"]]
        out.append(f"找到{len(mapped)}个指标行：")
        out += [f"  第{r['row']}行「{r['label']}」→ {r['code']}" for r in mapped]
        if self.unmapped:
            out.append(
                f"{len(self.unmapped)}行没有对应的指标（不读取、不填写）："
                + "、".join(self.unmapped)
            )
        return out


def _indicator_index():
    by_code, by_name = {}, {}
    for ind in Indicator.objects.filter(source__isnull=True).only("code", "name", "unit"):
        by_code[ind.code] = ind
        by_name.setdefault(words(ind.name), []).append(ind)
    return by_code, by_name


def _find_indicator(label, by_code, by_name):
    raw = words(label)
    if code(label) in by_code:
        return by_code[code(label)]
    for candidate in (raw, NAME_UNIT.sub(r"\1", raw)):
        found = by_name.get(candidate, [])
        if len(found) == 1:
            return found[0]
    return None


def detect(grid: Grid) -> Detected:
    """The mapping of a wide sheet: header rows, measure columns, indicator rows, title."""
    found = Detected(grid.title)
    rows = grid.rows
    header_at = None
    for i, (_, values) in enumerate(rows[:HEADER_SCAN]):
        measures = [measure_of(v) for v in values if v is not None]
        if Measure.NAME in measures or Measure.CODE in measures:
            header_at = i
            break
    if header_at is None:
        raise WorkbookError(
            f"工作表「{grid.title}」中没有找到表头：表头应有「指标名称」（或「指标编码」）一列，"
            "以及「本月」「1—n月累计」「全年目标」或「1月」…「12月」等列。"
        )
    for number, values in rows[:header_at]:
        first = first_text(values)
        if first and not found.title and not UNIT_ROW.match(first):
            found.title = first
            col = next(i for i, v in enumerate(values) if v is not None and text(v))
            found.title_cell = f"{column_letter(col)}{number}"
    found.year, found.month = title_period(found.title)
    found.area = _area_in(found.title)
    header = [rows[header_at]]
    # Rows right below that still hold measure words (a two-row merged header) are header too.
    for number, values in rows[header_at + 1 : header_at + 4]:
        if any(measure_of(v) not in (None, Measure.NAME, Measure.CODE) for v in values if v):
            header.append((number, values))
        else:
            break
    found.header_rows = [n for n, _ in header]
    width = max(len(v) for _, v in header)
    name_col = None
    for col in range(width):
        labels = [text(v[col]) for _, v in header if col < len(v) and v[col] is not None]
        label = next(
            (lb for lb in reversed(labels) if measure_of(lb)), labels[-1] if labels else ""
        )
        measure = measure_of(label) if label else None
        if measure is None:
            continue
        if measure in (Measure.NAME, Measure.CODE):
            name_col = col if name_col is None or measure == Measure.CODE else name_col
        found.columns.append({"col": column_letter(col), "label": label, "measure": measure})
    by_code, by_name = _indicator_index()
    last_header = header[-1][0]
    for number, values in rows:
        if number <= last_header or name_col is None or name_col >= len(values):
            continue
        if FOOTNOTE.match(first_text(values)):
            break
        label = text(values[name_col])
        if not label:
            continue
        ind = _find_indicator(label, by_code, by_name)
        found.rows.append({"row": number, "label": label, "code": ind.code if ind else ""})
    return found


def _area_in(title: str) -> str:
    """The area a title names ("示例镇2025年…" → T01); "" when none or several do."""
    if not title:
        return ""
    names = {}
    for c, n in Area.objects.values_list("code", "name"):
        names.setdefault(n, []).append(c)
    hits = [(len(n), cs) for n, cs in names.items() if n and n in title and len(cs) == 1]
    return max(hits)[1][0] if hits else ""


def grid_of(source, *, name: str, sheet: str = "", missing: str = "") -> Grid:
    """The sheet to read: the named one, else the first of the file. `missing`: the message
    when the file has no such sheet."""
    grids = read_grids(source, name=name, wanted=(lambda t: t.strip() == sheet) if sheet else None)
    if not grids:
        raise WorkbookError(
            missing or f"文件中没有工作表「{sheet}」：请检查表名，或用 --sheet 指定。"
        )
    return grids[0]


# ---------------------------------------------------------------------------- the entry sheet

# The department's month entry sheet (填报表), column by column: header word, measure, width.
# Its upload reads the columns by these words (as the workbook's 数据 sheet is read), so a clerk
# who sorts the rows or moves a column loses nothing.
ENTRY_COLUMNS = [
    ("指标编码", Measure.CODE, 10),
    ("区域编码", Measure.AREA, 10),
    ("年度", Measure.YEAR, 7),
    ("月份", Measure.MONTH, 6),
    ("数值", Measure.VALUE, 14),
    ("备注", Measure.NOTE, 24),
    ("指标名称", Measure.NAME, 24),
    ("区域名称", Measure.AREA_NAME, 10),
    ("单位", Measure.UNIT, 7),
    ("上期累计", Measure.PREVIOUS, 12),
    ("上年同期", Measure.LAST_YEAR, 12),
    ("年度目标", Measure.TARGET, 12),
    ("状态", Measure.STATUS, 8),
]
ENTERED = (Measure.VALUE, Measure.NOTE)  # the cells a clerk fills in


def entry_layout(rows=()) -> Layout:
    """The department's month entry sheet as a 表样 (Kind.ENTRY): a row per (indicator, area)
    of the entry grid's `rows`, each naming both in its own cells; the columns of
    ENTRY_COLUMNS. Built for the month, never saved: download (`fill.fill_entry`) and upload
    (`layout_rows`) go through it as through any saved 表样."""
    return Layout(
        name="填报表",
        sheet=FIGURES,
        kind=Layout.Kind.ENTRY,
        header_rows=[1],
        rows=[
            {"row": n, "label": r.indicator.name, "code": r.indicator.code, "area": r.area.code}
            for n, r in enumerate(rows, start=2)
        ],
        columns=[
            {"col": column_letter(i), "label": label, "measure": measure}
            for i, (label, measure, _width) in enumerate(ENTRY_COLUMNS)
        ],
    )


# ---------------------------------------------------------------------------- reading through


@dataclass
class LayoutImport:
    plan: object
    area: Area | None
    year: int | None
    month: int | None
    warnings: list = field(default_factory=list)
    compared: list = field(default_factory=list)  # [(row, code, measure, sheet value)]


def layout_rows(layout: Layout, grid: Grid, *, area: str, year: int, month: int | None):
    """The 数据 rows the sheet holds through `layout`, and its own 同比/完成率 to compare.

    An entry sheet's rows name their indicator and area in their own cells: they are read by
    its header words, as the workbook's 数据 sheet is (titles, units in headers, footnotes)."""
    if layout.kind == Layout.Kind.ENTRY:
        return {FIGURES: table(grid, registry.sheet(FIGURES))}, []
    values = {n: v for n, v in grid.rows}
    columns = {c["measure"]: column_index(c["col"]) for c in layout.columns}
    unit_col = columns.get(Measure.UNIT)
    out = [{"_header": ["指标编码", "区域编码", "年度", "月份", "数值"], "_units": {}}]
    compared = []
    info = out[0]
    info["_header_row"], info["_skipped"] = (layout.header_rows or [1])[-1], []

    def cell(row_values, col):
        return row_values[col] if col is not None and col < len(row_values) else None

    # A town's figure of a village-entered or derived indicator is a roll-up: compared, not
    # imported (it is never typed, DOMAIN §8).
    place = Area.objects.filter(code=area).first()
    rolled_up = {
        c
        for c, level, source in Indicator.objects.values_list("code", "entry_level", "source")
        if source is not None or (place is not None and level != place.level)
    }
    for mapping in layout.mapped_rows:
        n = mapping["row"]
        row_values = values.get(n, [])
        if mapping["code"] in rolled_up and layout.kind == Layout.Kind.WIDE_YTD:
            raw = cell(row_values, columns.get(Measure.YTD))
            if raw is not None and text(raw) and code(raw) not in NO_FIGURE:
                compared.append((n, mapping["code"], "actual", raw))
            continue
        unit = text(cell(row_values, unit_col)) if unit_col is not None else ""
        base = {"指标编码": mapping["code"], "区域编码": area, "年度": year, "_row": n}
        if unit:
            base["_unit"] = unit
        if layout.kind == Layout.Kind.WIDE_MONTHS:
            for m in range(1, 13):
                raw = cell(row_values, columns.get(f"m{m}"))
                if raw is not None and text(raw):
                    out.append({**base, "月份": m, "数值": raw, "_column": f"{m}月"})
            continue
        raw = cell(row_values, columns.get(Measure.YTD))
        if raw is not None and text(raw):
            out.append({**base, "月份": month, "数值": raw})
        for measure in (Measure.YOY_PCT, Measure.COMPLETION_PCT):
            raw = cell(row_values, columns.get(measure))
            if raw is not None and text(raw) and code(raw) not in NO_FIGURE:
                compared.append((n, mapping["code"], measure, raw))
    return {FIGURES: out}, compared


def _as_percent(raw) -> Decimal | None:
    if isinstance(raw, Percent):
        return raw.percent
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    try:
        return Decimal(unicodedata.normalize("NFKC", text(raw)).rstrip("%").replace(",", ""))
    except ArithmeticError:
        return None


def _warnings(compared, area, year, month, sheet) -> list[RowError]:
    from ..selectors import summary_rows

    if not compared:
        return []
    computed = {r.indicator.code: r for r in summary_rows(area, year, month)}
    labels = {**dict(Measure.choices), "actual": Measure.YTD.label}
    found = []
    for n, ind, measure, raw in compared:
        row = computed.get(ind)
        given = _as_percent(raw)
        app = getattr(row, measure, None) if row else None
        if given is None or app is None or abs(given - app) <= TOLERANCE:
            continue
        found.append(
            RowError(
                sheet,
                n,
                str(labels[measure]),
                f"{ind} {row.indicator.name}：表中为{given.normalize():f}，按已存数据计算为"
                f"{app.quantize(Decimal('0.1'))}（相差{abs(given - app).quantize(Decimal('0.1'))}）："
                "请核对上年同期数和全年目标",
            )
        )
    return found


def layout_import(
    layout: Layout,
    grid: Grid,
    *,
    area: Area | None = None,
    year: int | None = None,
    month: int | None = None,
    dry_run: bool = False,
    user=None,
) -> LayoutImport:
    """Read a filled sheet through `layout` for an area and period (else the title's), check
    every figure as the workbook import does, write all or nothing, and list the warnings."""
    title = ""
    if layout.title_cell:
        from .xlsx import parse_ref

        r, c = parse_ref(layout.title_cell)
        row = dict(grid.rows).get(r, [])
        title = text(row[c]) if c < len(row) and row[c] is not None else ""
    title_year, title_month = title_period(title)
    year = year or title_year
    month = month or title_month
    if area is None and (code_ := _area_in(title)):
        area = Area.objects.get(code=code_)
    missing = [what for what, value in (("区域", area), ("年度", year)) if value is None]
    if layout.kind == Layout.Kind.WIDE_YTD and month is None:
        missing.append("月份")
    if missing:
        raise WorkbookError(
            f"无法从表格标题「{title or '（无）'}」读出{'、'.join(missing)}："
            "请选择区域和时期（命令行 --area T01 --year 2025 --month 10）。"
        )
    sheets, compared = layout_rows(layout, grid, area=area.code, year=year, month=month)
    plan = check(sheets)
    result = LayoutImport(plan, area, year, month, compared=compared)
    if not plan.ok:
        return result
    with transaction.atomic():
        apply(plan, user=user)
        result.warnings = _warnings(compared, area, year, month or 12, grid.title)
        if dry_run:
            transaction.set_rollback(True)
    return result
