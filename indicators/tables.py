import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from . import formatting as fmt


class NumberColumn(tables.Column):
    """A figure in the indicator's display decimals; sorts by the raw Decimal."""

    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def render(self, value, record):
        return fmt.number(value, record.indicator.decimals)


class PercentColumn(tables.Column):
    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def render(self, value):
        return fmt.percent(value)


class PointsColumn(tables.Column):
    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def render(self, value):
        return fmt.number(value, 1) if value is None or value <= 0 else f"+{fmt.number(value, 1)}"


class LightColumn(tables.TemplateColumn):
    def __init__(self, **kwargs):
        super().__init__(
            template_code='{% include "includes/light.html" with light=value only %}', **kwargs
        )


class SummaryTable(tables.Table):
    """The summary rows of one area and month (the same rows the API returns)."""

    code = tables.Column(_("编码"), accessor="indicator__code")
    name = tables.Column(_("指标"), accessor="indicator__name")
    unit = tables.Column(_("单位"), accessor="indicator__unit", orderable=False)
    target = NumberColumn(_("目标"), empty_values=())
    actual = NumberColumn(_("累计/期末"), empty_values=())
    month_value = NumberColumn(_("当月"), empty_values=())
    completion_pct = PercentColumn(_("完成率"), empty_values=())
    gap_pp = PointsColumn(_("进度差(个百分点)"), empty_values=())
    yoy_pct = PercentColumn(_("同比"), empty_values=())
    light = LightColumn(verbose_name=_("亮灯"), empty_values=())

    class Meta:
        orderable = True
        attrs = {"class": "data"}
        order_by_field = "sort"
