"""The overview (驾驶舱) at `/`: choose the area and period, check who may read them, show what
`selectors.overview` computed. The district view adds the towns' ranking on one indicator."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from indicators.access import area_choices
from indicators.areas import AreaTree
from indicators.charts import chart_view
from indicators.http import BadParameter, bad_request, page_period
from indicators.models import Area, Light
from indicators.ranking import RANK_MEASURES, town_ranking
from indicators.selectors import active_scheme, summary_rows
from indicators.tables import SummaryTable

from . import charts, selectors
from .todo import todo_for_request

# The lights a category's bar can take, for the chart's legend.
CHART_LIGHTS = (Light.BLUE, Light.GREEN, Light.YELLOW, Light.RED)


@require_GET
def overview(request):
    tree = AreaTree()
    try:
        query = page_period(request, tree)
    except BadParameter as exc:
        return bad_request(request, str(exc))
    area, year, month = query.area, query.year, query.month
    context = {"area": area, "year": year, "month": month, "todo": todo_for_request(request),
               "areas": area_choices(request.user, tree, area),
               "months": range(1, 13), "today": timezone.localdate(),
               "include_submitted": query.include_submitted}  # fmt: skip
    if area is None or month is None:
        return render(request, "reports/overview.html", context)
    view = selectors.overview(
        area, year, month, tree=tree, include_submitted=query.include_submitted
    )
    tables = []
    for index, group in enumerate(view.categories):
        table = SummaryTable(
            group.rows, prefix=f"c{index}-", area=area, include_submitted=query.include_submitted
        )
        RequestConfig(request, paginate=False).configure(table)
        tables.append((group.name, table, group.tally.text))
    context.update(
        view=view,
        rows=view.rows,
        tables=tables,
        ranking=ranking_context(request, view, tree),
        query=request.GET.urlencode(),
        chart_lights=CHART_LIGHTS,
    )
    return render(request, "reports/overview.html", context)


@require_GET
def todo(request):
    """待办: what waits for the user, each item linking to where it is done."""
    return render(request, "reports/todo.html", {"todo": todo_for_request(request)})


def ranking_context(request, view, tree):
    """The district view: towns ranked on one indicator, with the change since last month."""
    area = view.area
    towns = [a for a in tree.descendants(area) if a.level == Area.Level.TOWN]
    if area.level != Area.Level.DISTRICT or len(towns) < 2 or not view.rows:
        return None
    measure = request.GET.get("measure", "gap")
    if measure not in RANK_MEASURES:
        measure = "gap"
    code = request.GET.get("rank")
    choices = [r.indicator for r in view.rows]
    indicator = next((i for i in choices if i.code == code), None) or next(
        (i for i in choices if i.is_key), choices[0]
    )
    return {
        "rows": town_ranking(area, view.year, view.month, indicator, measure, tree=tree),
        "indicator": indicator,
        "measure": measure,
        "choices": choices,
        "measures": [("gap", _("进度差")), ("completion", _("完成率")), ("growth", _("同比"))],
    }


def category_page(request):
    """What the category chart draws: each category's average completion, its light and
    时序进度."""
    tree = AreaTree()
    query = page_period(request, tree)
    if query.area is None or query.month is None:
        return None
    rows = summary_rows(
        query.area, query.year, query.month, tree=tree, include_submitted=query.include_submitted
    )
    pace = rows[0].time_progress_pct if rows else None
    thresholds = active_scheme().thresholds()
    return {
        "categories": [
            (g.name, g.completion, selectors.category_light(g.completion, pace, thresholds))
            for g in selectors.by_category(rows)
        ],
        "time_progress": pace,
    }


category_chart = chart_view(charts.CategoryChart, category_page)
