"""Registers the core's four sheets of the township workbook (DOMAIN §8): 区域, 指标, 目标, 数据."""

from . import checks, registry, writes
from .columns import AREAS, COLUMNS, FIGURES, INDICATORS, SCHEDULES, TARGETS

CORE_SHEETS = [
    # name, required columns, check, apply, export, the header words that identify its CSV;
    # in checking order: a target names its indicator, area and schedule.
    (AREAS, ("编码", "名称"), checks.check_areas, writes.apply_areas, writes.export_areas,
     [{"编码", "名称"}]),
    (INDICATORS, ("编码", "名称", "单位", "类型"), checks.check_indicators,
     writes.apply_indicators, writes.export_indicators, [{"类型"}]),
    (SCHEDULES, ("名称", "12月"), checks.check_schedules, writes.apply_schedules,
     writes.export_schedules, [{"名称", "12月"}]),
    (TARGETS, ("指标编码", "区域编码", "年度"), checks.check_targets, writes.apply_targets,
     writes.export_targets, [{"目标值"}, {"目标增速%"}]),
    (FIGURES, ("指标编码", "区域编码", "年度", "月份", "数值"), checks.check_figures,
     writes.apply_figures, writes.export_figures, [{"数值"}]),
]  # fmt: skip


def register() -> None:
    """Register the core's sheets (from `IndicatorsConfig.ready()`), in checking order."""
    for order, (name, required, check, apply, export, markers) in enumerate(CORE_SHEETS, 1):
        registry.register(
            registry.Sheet(
                name=name,
                columns=COLUMNS[name],
                required=required,
                order=order * 10,
                check=check,
                apply=apply,
                export=export,
                markers=tuple(frozenset(m) for m in markers),
                count=writes.count_figures if name == FIGURES else None,
            )
        )
