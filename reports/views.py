"""The overview (驾驶舱) at `/`: choose the area and period, check who may read them, show what
`selectors.overview` computed. The district view adds the towns' ranking on one indicator."""

from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from indicators import versions
from indicators.access import area_choices
from indicators.charts import chart_view
from indicators.http import BadParameter, bad_request, page_period, xlsx_response
from indicators.models import Area, Light
from indicators.ranking import RANK_MEASURES, town_ranking
from indicators.selectors import active_scheme
from indicators.tables import SummaryTable

from . import briefs, charts, documents, selectors
from .todo import todo_for_request

# The lights a category's bar can take, for the chart's legend.
CHART_LIGHTS = (Light.BLUE, Light.GREEN, Light.YELLOW, Light.RED)


@require_GET
def overview(request):
    tree = versions.area_tree()
    try:
        query = page_period(request, tree)
    except BadParameter as exc:
        return bad_request(request, str(exc))
    area, year, month = query.area, query.year, query.month
    context = {"area": area, "year": year, "month": month, "todo": todo_for_request(request, tree),
               "areas": area_choices(request.user, tree, area),
               "months": range(1, 13), "today": timezone.localdate(),
               "include_submitted": query.include_submitted}  # fmt: skip
    if area is None or month is None:
        return render(request, "reports/overview.html", context)
    view = selectors.cached_overview(
        area, year, month, tree=tree, include_submitted=query.include_submitted
    )

    def tables():
        # Built only when the template's cached fragment has to be rendered again.
        built = []
        for index, group in enumerate(view.categories):
            table = SummaryTable(
                group.rows,
                prefix=f"c{index}-",
                area=area,
                include_submitted=query.include_submitted,
            )
            RequestConfig(request, paginate=False).configure(table)
            built.append((group.name, table, group.tally.text))
        return built

    shown = (tree.version, get_language(), context["today"], area.pk, year, month,
             query.include_submitted)  # fmt: skip
    context.update(
        view=view,
        rows=view.rows,
        tables=tables,
        ranking=ranking_context(request, view, tree),
        query=request.GET.urlencode(),
        chart_lights=CHART_LIGHTS,
        # What the template's kept fragments vary on: what they are built from (the data
        # version, the area and period shown, whatever else the query asks: sorting, the
        # ranking) and the language and day; never the address alone, since `/` opens each
        # reader's own area. Who may read the area was checked above, for each request.
        fragment_key=":".join(map(str, (*shown, request.GET.urlencode()))),
        # The area selector lists what this reader may read.
        areas_key=",".join(str(a.pk) for a in context["areas"]),
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
    rows = versions.cached(
        "ranking",
        (area.pk, view.year, view.month, indicator.pk, measure),
        lambda: town_ranking(area, view.year, view.month, indicator, measure, tree=tree),
        tree=tree,
    )
    return {
        "rows": rows,
        "indicator": indicator,
        "measure": measure,
        "choices": choices,
        "measures": [("gap", _("进度差")), ("completion", _("完成率")), ("growth", _("同比"))],
    }


def category_page(request):
    """What the category chart draws: each category's average completion, its light and
    时序进度, from the same cached summary as the overview it sits on (not a second summary)."""
    tree = versions.area_tree()
    query = page_period(request, tree)
    if query.area is None or query.month is None:
        return None
    view = selectors.cached_overview(
        query.area,
        query.year,
        query.month,
        tree=tree,
        include_submitted=query.include_submitted,
        tasks=False,
    )
    pace = view.time_progress
    thresholds = active_scheme().thresholds()
    return {
        "categories": [
            (g.name, g.completion, selectors.category_light(g.completion, pace, thresholds))
            for g in view.categories
        ],
        "time_progress": pace,
    }


category_chart = chart_view(charts.CategoryChart, category_page)


# ---------------------------------------------------------------------------- briefs

KINDS = ("monthly", "district", "review")


def brief_context(request):
    """The brief a request asks for (`?kind=monthly|district|review`), or an error page."""
    tree = versions.area_tree()
    try:
        query = page_period(request, tree)
    except BadParameter as exc:
        return None, bad_request(request, str(exc))
    area, year, month = query.area, query.year, query.month
    kind = request.GET.get("kind") or ("district" if area and area.is_district else "monthly")
    if kind not in KINDS:
        return None, bad_request(request, _("简报种类应为 monthly、district 或 review。"))
    if area is None or (month is None and kind != "review"):
        return None, bad_request(request, _("该区域在所选月份还没有任何数据，无法生成简报。"))
    if kind == "district" and not area.is_district:
        return None, bad_request(request, _("各镇通报只能按区生成：请选择区。"))
    if kind == "review":
        text = briefs.year_review(area, year, tree=tree)
        brief = briefs.Brief(
            title=_("%(year)s年工作回顾") % {"year": year},
            is_demo=area.is_demo,
            filename=f"{area.name}{year}年工作回顾",
        )
        brief.p(text)
    elif kind == "district":
        brief = briefs.district_notice(area, year, month, tree=tree)
    else:
        brief = briefs.monthly_brief(area, year, month, tree=tree)
    context = {"brief": brief, "area": area, "year": year, "month": month, "kind": kind,
               "tree": tree, "query": request.GET.urlencode()}  # fmt: skip
    return context, None


@require_GET
def brief(request):
    """The brief's text with a copy button and its downloads; the writer edits from here."""
    context, error = brief_context(request)
    if error:
        return error
    return render(request, "reports/brief.html", context)


@require_GET
def brief_docx(request):
    context, error = brief_context(request)
    if error:
        return error
    brief = context["brief"]
    response = HttpResponse(
        documents.brief_docx(brief),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(brief.filename)}.docx"
    return response


@require_GET
def brief_xlsx(request):
    context, error = brief_context(request)
    if error:
        return error
    area, year, month = context["area"], context["year"], context["month"] or 12
    view = selectors.overview(area, year, month, tree=context["tree"])
    book = documents.brief_xlsx(view, context["brief"].title)
    return xlsx_response(book, f"{context['brief'].filename}.xlsx")
