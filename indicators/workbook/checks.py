"""Checking the core's sheets row by row (DOMAIN §2, §8); nothing here writes.

Each `check_*` reads its sheet through the checker, records every problem as a row error and
puts what it would write into `checker.plan.rows[sheet]`. The rules of a figure and of an
indicator are `rules.py`'s, so the entry grid and the admin judge them alike.
"""

from collections import defaultdict
from decimal import Decimal

from .. import rules
from ..cells import CellError, choice, convert, integer, is_no_figure, number, text
from ..cells import code as code_cell
from ..cells import month as month_cell
from ..cells import year as year_cell
from ..models import Area, Indicator
from ..periods import YEAR_MAX, YEAR_MIN
from . import bulk
from .columns import (
    AREAS,
    DEFAULT_CATEGORY,
    FIGURES,
    INDICATORS,
    MONTH_COLUMNS,
    SCHEDULES,
    TARGETS,
    YES_NO,
    cadences,
    default_decimals,
    directions,
    entry_levels,
    kinds,
    levels,
    rollups,
)

Level, Kind, Rollup = Area.Level, Indicator.Kind, Indicator.Rollup
CHILD_LEVEL = {Level.DISTRICT: Level.TOWN, Level.TOWN: Level.VILLAGE}
# The model's fields named by the workbook's columns, for the catalogue rules' messages.
INDICATOR_COLUMNS = {
    "source": "来源指标",
    "rollup": "汇总",
    "threshold": "达标阈值",
    "entry_level": "填报层级",
}


# ---------------------------------------------------------------------------- 区域


def check_areas(checker) -> None:
    planned = checker.plan.rows.setdefault(AREAS, {})
    seen = {}
    for row in checker.rows(AREAS):
        key = checker.cell(AREAS, row, "编码", code_cell, required=True)
        name = checker.cell(AREAS, row, "名称", text, required=True)
        if not key:
            continue
        if key in seen:
            checker.error(AREAS, row["_row"], "编码", f"编码「{key}」与第{seen[key]}行重复")
            continue
        seen[key] = row["_row"]
        parent = checker.cell(AREAS, row, "上级编码", code_cell, default="")
        level = checker.cell(AREAS, row, "层级", choice, levels(), "层级")
        demo = checker.cell(AREAS, row, "示例数据", choice, YES_NO, "示例数据", default=False)
        if checker.scope is not None and key not in checker.scope:
            # A new village of the user's own town is theirs to add; anything else is not.
            if key in checker.db_areas or parent not in checker.scope:
                checker.out_of_scope(AREAS, row["_row"], "编码", key)
                continue
            checker.scope = checker.scope | {key}
        planned[key] = {"name": name, "parent": parent, "level": level, "is_demo": demo}
    # Levels default from the parent, so resolve them once every row is known.
    for code, area in planned.items():
        n, parent = seen[code], area["parent"]
        if parent and parent == code:
            checker.error(AREAS, n, "上级编码", "上级不能是自己")
            continue
        if parent and parent not in planned and parent not in checker.db_areas:
            checker.error(AREAS, n, "上级编码", f"上级区域「{parent}」不存在：请先添加该区域")
            continue
        if area["level"] is None:
            area["level"] = _level_from_parent(checker, code, n)


def _level_from_parent(checker, code, row, depth=0):
    planned = checker.plan.rows[AREAS]
    parent = planned[code]["parent"] if code in planned else None
    if not parent:
        return Level.TOWN
    if depth > 5:
        checker.error(AREAS, row, "上级编码", "区域的上级关系形成了循环")
        return None
    if parent in planned:
        parent_level = planned[parent]["level"] or _level_from_parent(
            checker, parent, row, depth + 1
        )
    else:
        parent_level = checker.db_areas[parent].level
    child = CHILD_LEVEL.get(parent_level)
    if child is None:
        checker.error(AREAS, row, "层级", "村下面不能再设下级区域")
    return child


# ---------------------------------------------------------------------------- 指标


def check_indicators(checker) -> None:
    planned = checker.plan.rows.setdefault(INDICATORS, {})
    seen = {}
    for row in checker.rows(INDICATORS):
        n = row["_row"]
        key = checker.cell(INDICATORS, row, "编码", code_cell, required=True)
        if not key:
            continue
        if key in seen:
            checker.error(INDICATORS, n, "编码", f"编码「{key}」与第{seen[key]}行重复")
            continue
        seen[key] = n

        def cell(column, *args, row=row, **kwargs):
            return checker.cell(INDICATORS, row, column, *args, **kwargs)

        unit = cell("单位", text, required=True) or ""
        percent = unit == "%"
        item = {
            "name": cell("名称", text, required=True),
            "category": cell("类别", text, default=DEFAULT_CATEGORY),
            "unit": unit,
            "kind": cell("类型", choice, kinds(), "类型", required=True),
            "direction": cell(
                "方向", choice, directions(), "方向", default=Indicator.Direction.POSITIVE
            ),
            "department": checker.department(cell("牵头部门", text, default="")),
            "decimals": cell("小数位", integer, 0, 6, "小数位", default=default_decimals(unit)),
            "entry_level": cell(
                "填报层级", choice, entry_levels(), "填报层级", default=Indicator.EntryLevel.TOWN
            ),
            "rollup": cell("汇总", choice, rollups(), "汇总", default=Rollup.SUM),
            "source": cell("来源指标", code_cell, default=""),
            "threshold": cell("达标阈值", number, percent=percent),
            "is_key": cell("重点", choice, YES_NO, "重点", default=False),
            "definition": cell("口径", text, default=""),
            "cadence": cell(
                "填报频度", choice, cadences(), "填报频度", default=Indicator.Cadence.MONTHLY
            ),
            "verb": cell("动词", text, default=""),
            "order": n,
        }
        if len(item["verb"] or "") > 8:
            checker.error(INDICATORS, n, "动词", "动词最多8个字：请改短（如「完成」「达到」）")
        planned[key] = item
        if item["category"] and item["category"] not in checker.categories:
            checker.categories.add(item["category"])
            checker.plan.new_categories.append(item["category"])
    # The sheet's row order is the catalogue's order when it lists the whole catalogue; a
    # partial sheet leaves the stored order alone and puts new indicators after the rest.
    if not set(checker.db_indicators) <= set(planned):
        last = max((i.order for i in checker.db_indicators.values()), default=0)
        for key, item in planned.items():
            stored = checker.db_indicators.get(key)
            item["order"] = stored.order if stored else last + item["order"]
    for code, item in planned.items():
        source = checker.indicator(item["source"]) if item["source"] else None
        for field, problem in rules.indicator_problems(
            code=code,
            kind=item["kind"],
            entry_level=item["entry_level"],
            rollup=item["rollup"],
            threshold=item["threshold"],
            source=item["source"],
            source_found=source is not None,
            source_derived=bool(source and source.get("source")),
        ):
            checker.error(INDICATORS, seen[code], INDICATOR_COLUMNS[field], problem)


# ---------------------------------------------------------------------------- 序时计划


def check_schedules(checker) -> None:
    """名称 and the anchors (cumulative planned share in percent) of each filled month."""
    planned = checker.plan.rows.setdefault(SCHEDULES, {})
    for row in checker.rows(SCHEDULES):
        n = row["_row"]
        name = checker.cell(SCHEDULES, row, "名称", text, required=True)
        errors = len(checker.plan.errors)
        anchors = {}
        for month, column in enumerate(MONTH_COLUMNS, start=1):
            share = checker.cell(SCHEDULES, row, column, number, percent=True)
            if share is not None:
                anchors[month] = share
        if not name or len(checker.plan.errors) > errors:
            continue
        if name in planned:
            checker.error(SCHEDULES, n, "名称", f"序时计划「{name}」重复出现")
            continue
        problems = rules.schedule_problems(anchors)
        for month, problem in problems:
            checker.error(SCHEDULES, n, f"{month}月", problem)
        if not problems:
            planned[name] = anchors


# ---------------------------------------------------------------------------- 目标


def check_targets(checker) -> None:
    planned = checker.plan.rows.setdefault(TARGETS, {})
    rows = checker.sheets.get(TARGETS) or []
    if rows and not {"目标值", "目标增速%"} & set(rows[0]["_header"]):
        checker.error(TARGETS, 0, "目标值 或 目标增速%", "缺少必填列，请在表头加上该列名")
        return
    indicator_code, area_code = checker.resolver("指标"), checker.resolver("区域")
    units = {c: checker.unit(TARGETS, c) for c in ("目标值", "力争值")}
    for row in checker.rows(TARGETS):
        n = row["_row"]
        errors = len(checker.plan.errors)
        ind = checker.cell(TARGETS, row, "指标编码", indicator_code, required=True)
        area = checker.cell(TARGETS, row, "区域编码", area_code, required=True)
        year_ = checker.cell(TARGETS, row, "年度", year_cell, YEAR_MIN, YEAR_MAX, required=True)
        info = checker.indicator(ind) if ind else None
        percent = bool(info and info.get("unit") == "%")
        value, stretch = (
            _value(checker, TARGETS, row, column, info, units[column], percent)
            for column in ("目标值", "力争值")
        )
        growth = None
        if not is_no_figure(row.get("目标增速%")):
            growth = checker.cell(TARGETS, row, "目标增速%", number, percent=True)
        schedule = checker.cell(TARGETS, row, "序时计划", text, default="")
        if schedule and not checker.schedule_exists(schedule):
            checker.error(
                TARGETS, n, "序时计划", f"序时计划「{schedule}」不存在：请在序时计划表中添加"
            )
            continue
        if area and checker.area_level(area) is None:
            checker.error(TARGETS, n, "区域编码", f"区域「{area}」不存在：请先在区域表中添加")
            continue
        if area and checker.out_of_scope(TARGETS, n, "区域编码", area):
            continue
        if not (ind and area and year_) or len(checker.plan.errors) > errors:
            continue
        if value is None and growth is None:
            checker.error(TARGETS, n, "目标值", "目标值和目标增速%至少填写一项")
            continue
        if info["kind"] == Kind.GROWTH and (value is not None or growth is None):
            checker.error(
                TARGETS,
                n,
                "目标增速%",
                "增速型指标的目标是目标增速：请只填「目标增速%」（如 8 表示增长8%），不填目标值",
            )
            continue
        key = (ind, area, year_)
        if key in planned:
            checker.error(TARGETS, n, "指标编码", f"{ind} {area} {year_}年的目标重复出现")
            continue
        planned[key] = {
            "value": value,
            "stretch_value": stretch,
            "growth_pct": growth,
            "schedule": schedule,
        }


def _value(checker, sheet, row, column, info, unit, percent):
    """A value in the indicator's own unit, converted from the header's unit when it has one."""
    raw = row.get(column)
    if is_no_figure(raw):
        return None
    value = checker.cell(sheet, row, column, number, percent=percent)
    if value is None or not unit or info is None:
        return value
    try:
        return convert(value, unit, info["unit"])
    except CellError as exc:
        checker.error(sheet, row["_row"], column, str(exc))
        return None


# ---------------------------------------------------------------------------- 数据

REQUIRED = "不能为空（如为公式，请在 Excel 中粘贴为数值）"
MAX_INT = 10**14


def _memo(parse):
    """`parse` cached per distinct cell: codes, years and months repeat on every row."""
    cache = {}

    def parsed(value):
        try:
            result = cache[value]
        except KeyError:
            try:
                result = parse(value)
            except CellError as exc:
                result = exc
            cache[value] = result
        except TypeError:  # an unhashable cell never comes from a file; parse it plainly
            try:
                result = parse(value)
            except CellError as exc:
                result = exc
        return result

    return parsed


def check_figures(checker) -> None:
    """Every 数据 row: indicator and area by code or name, 年度/月份 words, the value in the
    indicator's unit (the header's converted exactly; percent cells as percent), the rules."""
    parsed = {}
    rows = checker.rows(FIGURES)
    errors = checker.plan.errors
    error = checker.error
    header_unit = checker.unit(FIGURES, "数值")
    indicator_code = _memo(checker.resolver("指标"))
    area_code = _memo(checker.resolver("区域"))
    year_of = _memo(lambda v: year_cell(v, YEAR_MIN, YEAR_MAX))
    month_of = _memo(month_cell)
    info_of, level_of, placement, due = {}, {}, {}, {}
    scope = checker.scope
    columns = (
        ("指标编码", indicator_code),
        ("区域编码", area_code),
        ("年度", year_of),
        ("月份", month_of),
    )

    for row in rows:
        n = row["_row"]
        before = len(errors)
        raw_value = row.get("数值")
        if raw_value.__class__ is str and is_no_figure(raw_value):
            checker.no_figure(FIGURES, n)
            continue
        got = []
        for column, parse in columns:
            raw = row.get(column)
            if raw is None or (raw.__class__ is str and not raw.strip()):
                error(FIGURES, n, column, REQUIRED)
                got.append(None)
                continue
            result = parse(raw)
            if result.__class__ is CellError:
                error(FIGURES, n, column, str(result))
                got.append(None)
            else:
                got.append(result)
        ind, area, year_, month_ = got
        info = None
        if ind is not None:
            info = info_of.get(ind)
            if info is None:
                info = info_of[ind] = checker.indicator(ind)
        value = None
        if raw_value is None or (raw_value.__class__ is str and not raw_value.strip()):
            error(FIGURES, n, "数值", REQUIRED)
        elif info is not None:
            unit = row.get("_unit") or header_unit  # a 表样's 单位 column, else the header's
            value = _figure_value(checker, n, raw_value, info, unit)
        note = row.get("备注")
        if note is not None:
            note = text(note)
            if len(note) > 255:
                error(FIGURES, n, "备注", f"备注有{len(note)}个字，超过255字：请删减后重新导入")
        else:
            note = ""
        level = None
        if area is not None:
            if area in level_of:
                level = level_of[area]
            else:
                level = level_of[area] = checker.area_level(area)
            if level is None:
                error(FIGURES, n, "区域编码", f"区域「{area}」不存在：请先在区域表中添加")
            elif scope is not None and area not in scope:
                checker.out_of_scope(FIGURES, n, "区域编码", area)
        if len(errors) > before:
            continue
        key = (ind, level)
        if key not in placement:
            placement[key] = rules.placement_problem(
                name=info["name"],
                derived=bool(info["source"]),
                entry_level=info["entry_level"],
                area_level=level,
            )
        if problem := placement[key]:
            column = "指标编码" if info["source"] else "区域编码"
            error(FIGURES, n, column, f"{problem}（区域「{area}」）")
            continue
        key = (ind, month_)
        if key not in due:
            due[key] = rules.cadence_problem(
                name=info["name"],
                cadence=info.get("cadence", Indicator.Cadence.MONTHLY),
                month=month_,
            )
        if problem := due[key]:
            error(FIGURES, n, "月份", problem)
            continue
        if value < 0 and (problem := rules.negative_problem(info["kind"], value)):
            error(FIGURES, n, "数值", problem)
            continue
        key = (ind, area, year_, month_)
        if key in parsed:
            error(FIGURES, n, "月份", f"{ind} {area} {year_}年{month_}月与第{parsed[key][2]}行重复")
            continue
        parsed[key] = (value, note, n)
    _check_series(checker, parsed)
    checker.plan.rows[FIGURES] = {k: (v, note) for k, (v, note, _) in parsed.items()}


def _figure_value(checker, n, raw, info, header_unit):
    percent = info["unit"] == "%"
    if not header_unit:
        if raw.__class__ is int and -MAX_INT < raw < MAX_INT:
            return Decimal(raw)
        if raw.__class__ is Decimal:
            # A number as the file stores it: exact already; only its size is checked here.
            _, digits, exponent = raw.as_tuple()
            if exponent.__class__ is int and exponent >= -6 and 0 < len(digits) <= 15:
                if len(digits) + exponent <= 14:
                    return raw
    try:
        value = number(raw, percent=percent)
        return convert(value, header_unit, info["unit"]) if header_unit else value
    except CellError as exc:
        checker.error(FIGURES, n, "数值", str(exc))
        return None


def _check_series(checker, parsed) -> None:
    """Cumulative figures may not fall without a reason; unit slips are stopped."""
    if not parsed:
        return
    codes = {k[0] for k in parsed}
    area_codes = {k[1] for k in parsed}
    series = defaultdict(dict)  # (ind, area) -> {(year, month): value}
    ind_code = {checker.db_indicators[c].pk: c for c in codes if c in checker.db_indicators}
    area_code = {checker.db_areas[c].pk: c for c in area_codes if c in checker.db_areas}
    # Kept as `apply_figures` compares, so the preview's count reuses it.
    stored = checker.plan.stored[FIGURES] = bulk.stored_figures(ind_code, area_code)
    for (ind, area, year, month), (_, value, _, _) in stored.items():
        series[ind_code[ind], area_code[area]][year, month] = value
    for (ind, area, year, month), (value, _, _) in parsed.items():
        series[ind, area][year, month] = value
    cumulative_of = {c: checker.indicator(c)["kind"] in (Kind.FLOW, Kind.COUNT) for c in codes}
    low, high = 1 / rules.OUTLIER_RATIO, rules.OUTLIER_RATIO
    for (ind, area, year, month), (value, note, n) in parsed.items():
        points = series[ind, area]
        if cumulative_of[ind] and not note:
            # A next month given in the same file is checked on its own row.
            after = None if (ind, area, year, month + 1) in parsed else "next"
            if problem := rules.cumulative_problem(points, year, month, value, after=after):
                checker.error(FIGURES, n, "数值", f"{problem}，{rules.REASON_HINT}")
                continue
        if checker.accept_outliers or not value:
            continue
        # Last month is the neighbour the rule compares with, whenever it is not zero.
        before = points.get((year, month - 1) if month > 1 else (year - 1, 12))
        if before and high > abs(value / before) > low:
            continue
        if problem := rules.unit_slip_problem(points, year, month, value):
            checker.error(
                FIGURES,
                n,
                "数值",
                f"{problem}：请按指标单位填写；确认无误时请选择「接受异常值」"
                "（命令行 --accept-outliers）",
            )
