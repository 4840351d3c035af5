"""The overview's chart (django-chartjs): each category's average completion against 时序进度,
each bar in its light's colour (not the brand's red, which would read as "everything bad")."""

from django.utils.translation import gettext as _

from indicators.charts import LIGHT_COLOURS, NO_LIGHT, PACE, ChartView, axis, line, num
from indicators.formatting import page_pace_word, percent


class CategoryChart(ChartView):
    """Average completion per category against 时序进度 (both from `selectors.by_category`)."""

    chart_type = "bar"

    def get_labels(self):
        return [name for name, _value, _light in self.page["categories"]]

    def y_axis(self):
        return axis(_("完成率（%）"), percent=True)

    def get_options(self):
        # The bars' colours are the lights, explained beside the chart; no legend box.
        return super().get_options() | {"legend": {"display": False}}

    def datasets(self):
        categories = self.page["categories"]
        time_pct = num(self.page["time_progress"])
        bars = line(
            _("平均完成率"), [num(v) for _name, v, _light in categories], NO_LIGHT, kind="bar"
        )
        colours = [LIGHT_COLOURS.get(light, NO_LIGHT) for _name, _v, light in categories]
        bars.update(backgroundColor=colours, borderColor=colours, emptyText=_("暂无完成率"))
        pace_label = f"{page_pace_word()} {percent(self.page['time_progress'])}"
        pace = line(pace_label, [time_pct] * len(categories), PACE, dashed=True)
        pace["endLabel"] = pace_label
        return [bars, pace]
