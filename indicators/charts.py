"""Chart.js JSON endpoints (django-chartjs views): numbers as floats, labels in the page's
language, units on the axes, colours that still read when printed in grey."""

from decimal import Decimal

from chartjs.views.lines import BaseLineOptionsChartView
from django.http import Http404
from django.utils.translation import gettext as _

from . import metrics
from .formatting import month_label
from .selectors import village_breakdown

INK = "#1f2933"
THIS_YEAR = "#9f1d20"
LAST_YEAR = "#7d8794"
PACE = "#1d63c7"
VILLAGE = "#c98a00"


def num(value):
    return None if value is None else round(float(value), 6)


def axis(label, *, percent=False):
    ticks = {"beginAtZero": True}
    return {"scaleLabel": {"display": True, "labelString": label}, "ticks": ticks} | (
        {"ticks": {**ticks, "suggestedMax": 100}} if percent else {}
    )


class ChartView(BaseLineOptionsChartView):
    """Loads the indicator page's context once (via `self.context_loader`) and draws from it."""

    chart_type = "line"
    context_loader = None  # set by the URL conf: request -> dict or raises Http404/BadParameter

    def get(self, request, *args, **kwargs):
        self.page = type(self).context_loader(request, **kwargs)
        if self.page is None:
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.pop("view", None)
        context["type"] = self.chart_type
        return context

    def get_datasets(self):
        # Each chart builds its datasets whole, with its own print-safe colours.
        return self.datasets()

    def get_options(self):
        return {
            "animation": {"duration": 0},
            "responsive": True,
            "maintainAspectRatio": False,
            "legend": {"position": "bottom"},
            "scales": {"xAxes": [{"gridLines": {"display": False}}], "yAxes": [self.y_axis()]},
        }


def line(label, data, color, *, dashed=False, fill=False, kind="line"):
    dataset = {
        "type": kind,
        "label": label,
        "data": data,
        "borderColor": color,
        "backgroundColor": color if kind == "bar" else "transparent",
        "pointRadius": 2,
        "borderWidth": 2,
        "fill": fill,
        "lineTension": 0,
        "spanGaps": False,
    }
    if dashed:
        dataset["borderDash"] = [6, 4]
    return dataset


def months():
    return [month_label(m) for m in range(1, 13)]


def year_label(year: int) -> str:
    return _("%(year)s年") % {"year": year}


class CumulativeChart(ChartView):
    """This year's 累计 (or level) against last year's and against the target pace line."""

    def get_labels(self):
        return months()

    def y_axis(self):
        return axis(self.page["indicator"].unit)

    def datasets(self):
        row, ind = self.page["row"], self.page["indicator"]
        this_year = [num(v) if m <= row.month else None for m, v in enumerate(row.series, 1)]
        sets = [
            line(year_label(row.year), this_year, THIS_YEAR),
            line(
                year_label(row.year - 1), [num(v) for v in row.series_last], LAST_YEAR, dashed=True
            ),
        ]
        if row.target is not None:
            pace = [num(v) for v in pace_line(ind, row)]
            sets.append(line(_("目标进度"), pace, PACE, dashed=True))
        return sets


def pace_line(ind, row) -> list[Decimal]:
    """Where the figure should stand each month to meet the target on time (DOMAIN §4)."""
    months = range(1, 13)
    if ind.is_cumulative:
        return [row.target * m / 12 for m in months]
    start = row.baseline if row.baseline is not None else Decimal(0)
    return [start + (row.target - start) * m / 12 for m in months]


def month_values_label(year: int) -> str:
    return _("%(year)s年当月") % {"year": year}


class MonthChart(ChartView):
    """当月值: this year's and last year's month values side by side."""

    chart_type = "bar"

    def get_labels(self):
        return months()

    def y_axis(self):
        return axis(self.page["indicator"].unit)

    def datasets(self):
        row = self.page["row"]

        def values(series, upto):
            result, previous = [], None
            for m, value in enumerate(series, 1):
                if value is None or m > upto:
                    result.append(None)
                else:
                    month = metrics.month_value(value, previous, 1 if previous is None else m)
                    result.append(num(month))
                previous = value if value is not None else previous
            return result

        return [
            line(
                month_values_label(row.year), values(row.series, row.month), THIS_YEAR, kind="bar"
            ),
            line(
                month_values_label(row.year - 1),
                values(row.series_last, 12),
                LAST_YEAR,
                kind="bar",
            ),
        ]


class VillageChart(ChartView):
    """Each village's figure, with the threshold (e.g. 100万元) as a line."""

    chart_type = "bar"

    def get_labels(self):
        return [v.area.name for v in self.villages()]

    def villages(self):
        if not hasattr(self, "_villages"):
            page = self.page
            self._villages = village_breakdown(
                page["indicator"],
                page["area"],
                page["row"].year,
                page["row"].month,
                include_submitted=page["include_submitted"],
            )
        return self._villages

    def y_axis(self):
        ind = self.page["indicator"]
        return axis((ind.source or ind).unit)

    def datasets(self):
        ind = self.page["indicator"]
        rows = self.villages()
        sets = [line(_("各村"), [num(v.value) for v in rows], VILLAGE, kind="bar")]
        if ind.threshold is not None:
            label = _("达标线 %(value)s") % {"value": f"{num(ind.threshold):g}"}
            sets.append(line(label, [num(ind.threshold)] * len(rows), INK, dashed=True))
        return sets


class CategoryChart(ChartView):
    """Average completion per category against 时序进度."""

    chart_type = "bar"

    def get_labels(self):
        return [name for name, _ in self.page["categories"]]

    def y_axis(self):
        return axis(_("完成率（%）"), percent=True)

    def datasets(self):
        categories = self.page["categories"]
        time_pct = num(self.page["time_progress"])
        return [
            line(_("平均完成率"), [num(v) for _, v in categories], THIS_YEAR, kind="bar"),
            line(_("时序进度"), [time_pct] * len(categories), PACE, dashed=True),
        ]


def category_completion(rows) -> list[tuple[str, Decimal | None]]:
    """Average completion of each category's positive, targeted indicators, in page order."""
    groups: dict[str, list[Decimal]] = {}
    for row in rows:
        values = groups.setdefault(row.indicator.category.name, [])
        if row.completion_pct is not None and row.indicator.direction == "positive":
            values.append(row.completion_pct)
    return [(name, sum(v) / len(v) if v else None) for name, v in groups.items()]
