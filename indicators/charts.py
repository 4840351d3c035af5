"""Chart.js JSON endpoints (django-chartjs views): numbers as floats, labels in the page's
language, units on the axes, colours that still read when printed in grey.

A chart formats what its page's selector computed (the summary row's series, 当月 and pace
line; the villages' breakdown); it computes no number of its own, so a chart and the table
beside it always agree.
"""

from chartjs.views.lines import BaseLineOptionsChartView
from django.http import Http404
from django.utils.translation import gettext as _

from .formatting import month_label
from .http import BadParameter, NotFound, json_error
from .models import Light
from .villages import village_breakdown

INK = "#1f2933"
THIS_YEAR = "#9f1d20"
LAST_YEAR = "#7d8794"
PACE = "#1d63c7"
VILLAGE = "#8a5a00"
# The lights' colours of static/css/app.css, for bars that are coloured by their light.
LIGHT_COLOURS = {
    Light.BLUE: "#1d63c7",
    Light.GREEN: "#17763f",
    Light.YELLOW: "#d99a00",
    Light.RED: "#c62828",
    Light.GREY: "#636d7b",
}
NO_LIGHT = "#9aa3af"


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
        row = self.page["row"]
        this_year = [num(v) if m <= row.month else None for m, v in enumerate(row.series, 1)]
        sets = [
            line(year_label(row.year), this_year, THIS_YEAR),
            line(
                year_label(row.year - 1), [num(v) for v in row.series_last], LAST_YEAR, dashed=True
            ),
        ]
        if row.pace is not None:
            pace = line(_("目标进度"), [num(v) for v in row.pace], PACE, dashed=True)
            pace["endLabel"] = _("目标进度")  # drawn at the line's end (static/js/charts.js)
            sets.append(pace)
        return sets


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
        if row.month_values is None:
            # Levels and rates have no 当月值; the page draws no such chart, a URL may ask.
            raise NotFound(
                _("「%(name)s」没有当月值：只有累计型、计数型指标按月分解。")
                % {"name": self.page["indicator"].name}
            )
        this_year = [num(v) if m <= row.month else None for m, v in enumerate(row.month_values, 1)]
        return [
            line(month_values_label(row.year), this_year, THIS_YEAR, kind="bar"),
            line(
                month_values_label(row.year - 1),
                [num(v) for v in row.month_values_last],
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


def chart_view(chart_class, loader):
    """A django-chartjs view bound to a context loader; bad parameters answer 400 in JSON, an
    area or indicator that does not exist or may not be read 404 in JSON."""
    view = type(chart_class.__name__, (chart_class,), {"context_loader": staticmethod(loader)})
    inner = view.as_view()

    def wrapped(request, *args, **kwargs):
        try:
            return inner(request, *args, **kwargs)
        except BadParameter as exc:
            return json_error(str(exc))
        except Http404 as exc:
            message = str(exc) if isinstance(exc, NotFound) else _("没有找到该图表的数据。")
            return json_error(message, 404)

    return wrapped
