"""One indicator's page and its charts: 口径, targets, the bulletin sentence, this and last year
month by month, villages, history.

Every number comes from the indicator's summary row (`selectors.summary_rows` with the twelve
months) and the villages' breakdown; the page and its charts read the same row.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from .. import charts, versions
from .. import formatting as fmt
from ..history import figure_history
from ..http import BadParameter, bad_request, page_period
from ..models import Area, Indicator
from ..selectors import summary_rows
from ..tables import VillageTable
from ..villages import village_breakdown


def indicator_context(request, code):
    """What the indicator page and its charts show; raises BadParameter/PermissionDenied/404."""
    indicator = get_object_or_404(
        Indicator.objects.select_related("category", "department", "source"), code=code
    )
    tree = versions.area_tree()
    query = page_period(request, tree)
    area, year, month = query.area, query.year, query.month
    if area is None or month is None:
        raise Http404(_("还没有数据。"))
    if area.level == Area.Level.VILLAGE and not indicator.is_village_entered:
        raise BadParameter(_("「%(name)s」不按村统计，请选择镇或区。") % {"name": indicator.name})
    [row] = summary_rows(
        area,
        year,
        month,
        tree=tree,
        series=True,
        indicator=indicator,
        include_submitted=query.include_submitted,
    )
    return {"indicator": indicator, "area": area, "row": row, "tree": tree,
            "include_submitted": query.include_submitted}  # fmt: skip


@require_GET
def indicator_detail(request, code):
    try:
        context = indicator_context(request, code)
    except BadParameter as exc:
        return bad_request(request, str(exc))
    row, area, indicator = context["row"], context["area"], context["indicator"]
    villages = village_breakdown(
        indicator, area, row.year, row.month, include_submitted=context["include_submitted"]
    )
    months = [
        {
            "month": m,
            "this": row.series[m - 1] if m <= row.month else None,
            "this_month": row.month_values[m - 1] if row.month_values and m <= row.month else None,
            "last": row.series_last[m - 1],
        }
        for m in range(1, 13)
    ]
    village_table = VillageTable(villages, indicator=indicator) if villages else None
    if village_table is not None:
        RequestConfig(request, paginate=False).configure(village_table)
    context.update(
        year=row.year,
        month=row.month,
        months=months,
        village_table=village_table,
        sentence=fmt.sentence(row, fmt.area_word(area)),
        projection=fmt.projection(row),
        needed=fmt.needed(row),
        targets=indicator.targets.filter(area=area).order_by("-year"),
        history=figure_history(
            indicator.source or indicator, areas=[area, *context["tree"].descendants(area)]
        )[:50],
        query=request.GET.urlencode(),
    )
    return render(request, "indicators/indicator_detail.html", context)


cumulative_chart = charts.chart_view(charts.CumulativeChart, indicator_context)
month_chart = charts.chart_view(charts.MonthChart, indicator_context)
village_chart = charts.chart_view(charts.VillageChart, indicator_context)
