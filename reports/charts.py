"""The overview's chart (django-chartjs): each category's average completion against 时序进度."""

from django.utils.translation import gettext as _

from indicators.charts import PACE, THIS_YEAR, ChartView, axis, line, num
from indicators.formatting import page_pace_word


class CategoryChart(ChartView):
    """Average completion per category against 时序进度 (both from `selectors.by_category`)."""

    chart_type = "bar"

    def get_labels(self):
        return [name for name, _value in self.page["categories"]]

    def y_axis(self):
        return axis(_("完成率（%）"), percent=True)

    def datasets(self):
        categories = self.page["categories"]
        time_pct = num(self.page["time_progress"])
        return [
            line(_("平均完成率"), [num(v) for _name, v in categories], THIS_YEAR, kind="bar"),
            line(page_pace_word(), [time_pct] * len(categories), PACE, dashed=True),
        ]
