"""The core's four sheets of the township workbook (DOMAIN §8): names, columns and words.

The Chinese words in the sheets are the file format, not UI text: the 类型, 方向, 层级 … words
are the Chinese labels of the models' TextChoices, read untranslated, so the file, the admin
and the pages say the same word for the same value.
"""

from functools import cache

from django.utils import translation

from ..models import Area, Figure, Indicator

AREAS, INDICATORS, SCHEDULES, TARGETS, FIGURES = "区域", "指标", "序时计划", "目标", "数据"
MONTH_COLUMNS = tuple(f"{m}月" for m in range(1, 13))
NO_VERB = "无"  # 动词 "无": the sentence takes no verb ("新开工亿元以上项目6个")

YES_NO = {"是": True, "否": False}
UNIT_DECIMALS = {"亿元": 2, "万元": 2, "元": 0, "%": 1, "公里": 1, "千米": 1, "吨": 1}
DEFAULT_CATEGORY = "其他"

COLUMNS = {
    AREAS: ("编码", "名称", "上级编码", "层级", "示例数据"),
    INDICATORS: (
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
        "动词",
    ),
    SCHEDULES: ("名称", *MONTH_COLUMNS),
    TARGETS: ("指标编码", "区域编码", "年度", "目标值", "力争值", "目标增速%", "序时计划"),
    FIGURES: ("指标编码", "区域编码", "年度", "月份", "数值", "备注"),
}


@cache
def words(choices) -> dict[str, str]:
    """The file's word for each value of a TextChoices class: its untranslated label."""
    with translation.override(None):
        return {str(label): value for value, label in choices.choices}


def word(choices, value) -> str:
    """The file's word for a stored value (the export)."""
    return next(w for w, v in words(choices).items() if v == value)


def default_decimals(unit: str) -> int:
    """Display decimals when the sheet gives none (DOMAIN §7): money 2, rates 1, counts 0."""
    return UNIT_DECIMALS.get(unit, 0)


# Words of the core's vocabularies, as the sheets write them.
def levels():
    return words(Area.Level)


def kinds():
    return words(Indicator.Kind)


def directions():
    return words(Indicator.Direction)


def entry_levels():
    return words(Indicator.EntryLevel)


def rollups():
    return words(Indicator.Rollup)


def cadences():
    return words(Indicator.Cadence)


def statuses():
    return words(Figure.Status)
