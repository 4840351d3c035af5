import django_tables2 as tables
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from . import formatting as fmt


class NumberColumn(tables.Column):
    """A figure in the indicator's display decimals."""

    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value, record):
        return fmt.number(value, record.indicator.decimals)


class PercentColumn(NumberColumn):
    def render(self, value):
        return fmt.percent(value)


class PointsColumn(NumberColumn):
    def render(self, value):
        return fmt.number(value, 1) if value is None or value <= 0 else f"+{fmt.number(value, 1)}"


class CompletionColumn(NumberColumn):
    """完成率 as a bar with the 时序进度 mark, so lagging rows are seen before they are read."""

    def render(self, value, record):
        # Built here rather than with a template: it runs once per row of every table.
        return format_html(
            '<span class="bar" title="{}"><span class="fill fill-{}" style="width: {}%"></span>'
            '<i class="mark" style="left: {}%"></i></span> <span class="bar-text">{}</span>',
            _("时序进度 %(pct)s") % {"pct": fmt.percent(record.time_progress_pct)},
            record.light or "none",
            f"{min(float(value), 100):.1f}" if value is not None else "0",
            f"{float(record.time_progress_pct):.1f}",
            fmt.percent(value),
        )


class LightColumn(tables.Column):
    """The same badge as includes/light.html."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value):
        if value not in fmt.LIGHT_LABELS:
            return format_html('<span class="light light-none">—</span>')
        return format_html(
            '<span class="light light-{}">{}</span>', value, _(fmt.LIGHT_LABELS[value])
        )


class SummaryTable(tables.Table):
    """The summary rows of one area and month (the same rows the API returns)."""

    name = tables.Column(_("指标"), accessor="indicator__name", order_by=("indicator__code",))
    unit = tables.Column(_("单位"), accessor="indicator__unit", orderable=False)
    target = NumberColumn(_("目标"))
    actual = NumberColumn(_("累计/期末"))
    month_value = NumberColumn(_("当月"))
    completion_pct = CompletionColumn(_("完成率"))
    gap_pp = PointsColumn(_("进度差(个百分点)"))
    yoy_pct = PercentColumn(_("同比"))
    department = tables.Column(_("牵头部门"), accessor="indicator__department__name")
    light = LightColumn(_("亮灯"))

    class Meta:
        orderable = True
        attrs = {"class": "data"}

    def __init__(self, *args, area=None, include_submitted=False, **kwargs):
        self.area = area
        self.include_submitted = include_submitted
        super().__init__(*args, **kwargs)

    def render_name(self, value, record):
        params = {"area": self.area.code, "year": record.year, "month": record.month}
        if self.include_submitted:
            params["include_submitted"] = 1
        query = urlencode(params)
        target = record.target
        hint = (
            ""
            if record.growth_target_pct is None
            else f"（目标增长{fmt.number(record.growth_target_pct, 1)}%）"
        )
        return format_html(
            '<a href="/indicators/{}/?{}" title="{}">{}</a>{}{}',
            record.indicator.code,
            query,
            fmt.number(target, record.indicator.decimals) if target is not None else "",
            value,
            hint,
            format_html(' <span class="provisional">{}</span>', _("初步数"))
            if record.provisional
            else "",
        )


class VillageTable(tables.Table):
    name = tables.Column(_("村"), accessor="area__name")
    value = tables.Column(_("数值"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    target = tables.Column(_("目标"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    completion_pct = tables.Column(
        _("完成率"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}, empty_values=()
    )

    class Meta:
        orderable = False
        attrs = {"class": "data"}

    def __init__(self, *args, indicator, **kwargs):
        self.places = (indicator.source or indicator).decimals
        super().__init__(*args, **kwargs)

    def render_value(self, value):
        return fmt.number(value, self.places)

    def render_target(self, value):
        return fmt.number(value, self.places)

    def render_completion_pct(self, value):
        return fmt.percent(value)
