"""The leaders' dashboard (驾驶舱): the overview, the indicator page and their charts.

Every number comes from `selectors.summary_rows`; these views only choose the area and period,
check who may read them, and arrange the rows.
"""

import calendar
import datetime
from collections import Counter

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from .. import charts
from .. import formatting as fmt
from ..access import can_read_area, readable_area_ids
from ..models import Area, Figure, Indicator
from ..selectors import (
    RANK_MEASURES,
    AreaTree,
    figure_history,
    summary_rows,
    town_ranking,
    unapproved_count,
    village_breakdown,
    village_laggards,
)
from ..tables import SummaryTable, VillageTable

LIGHT_ORDER = ["blue", "green", "yellow", "red", "grey"]
LAGGING_SHOWN = 10  # the overview's list; the rest are in the category tables below it


class BadParameter(ValueError):
    """A query-string value a person typed wrong; answered with 400 and this message."""


def home_area(user, tree: AreaTree) -> Area | None:
    """The user's own area, else the first town: what a leader expects to see first."""
    membership = getattr(user, "membership", None)
    if membership is not None:
        return tree.by_id.get(membership.area_id)
    towns = sorted((a for a in tree.by_id.values() if a.level == Area.Level.TOWN), key=str)
    return towns[0] if towns else None


def include_submitted(request) -> bool:
    """The switch that adds submitted, not yet approved figures (初步数) to every number."""
    return request.GET.get("include_submitted") == "1"


def latest_period(
    area: Area, tree: AreaTree, submitted: bool = False, year: int | None = None
) -> tuple[int, int] | None:
    """The latest (year, month) with a counted figure in `area` or below (within `year` when
    given): the default period. Two MAX lookups, which the (area, year, month) index answers."""
    ids = [area.pk, *(a.pk for a in tree.descendants(area))]
    statuses = (
        [Figure.Status.APPROVED, Figure.Status.SUBMITTED] if submitted else [Figure.Status.APPROVED]
    )
    figures = Figure.objects.filter(area_id__in=ids, status__in=statuses)
    if year is None:
        year = figures.aggregate(latest=Max("year"))["latest"]
        if year is None:
            return None
    month = figures.filter(year=year).aggregate(latest=Max("month"))["latest"]
    return (year, month) if month else None


def parse_period(request, tree: AreaTree) -> tuple[Area | None, int | None, int | None]:
    """(area, year, month) from the query string; BadParameter or PermissionDenied if wrong.

    A missing year or month defaults to the latest one with figures (in the given year)."""
    code = request.GET.get("area")
    if code:
        area = tree.by_code.get(code)
        if area is None:
            raise BadParameter(_("区域「%(code)s」不存在，请从列表中选择区域。") % {"code": code})
        if not can_read_area(request.user, area, tree):
            raise PermissionDenied(_("您没有查看「%(name)s」的权限。") % {"name": area.name})
    else:
        area = home_area(request.user, tree)
    if area is None:
        return None, None, None
    try:
        year = int(request.GET["year"]) if request.GET.get("year") else None
        month = int(request.GET["month"]) if request.GET.get("month") else None
    except ValueError:
        raise BadParameter(_("年度和月份应为数字，例如 year=2025&month=10。")) from None
    if year is not None and not 2000 <= year <= 2100:
        raise BadParameter(_("年度应在2000至2100之间。"))
    if month is not None and not 1 <= month <= 12:
        raise BadParameter(_("月份应为1至12。"))
    if year is None or month is None:
        latest = latest_period(area, tree, include_submitted(request), year)
        if year is None:
            year = latest[0] if latest else timezone.localdate().year
        if month is None and latest and latest[0] == year:
            month = latest[1]
    return area, year, month


def bad_request(request, message: str):
    return render(request, "indicators/bad_request.html", {"message": message}, status=400)


def tally(rows) -> dict:
    """Counts per light and the DOMAIN §7 tally line."""
    counts = Counter(r.light for r in rows)
    words = [
        _("%(light)s%(n)s项") % {"light": _(fmt.LIGHT_LABELS[light]), "n": counts[light]}
        for light in LIGHT_ORDER
    ]
    lead = _("共%(n)s项指标：") % {"n": len(rows)}
    return {"counts": counts, "text": lead + _("，").join(words)}


def lagging(rows):
    """Red then yellow, the furthest behind first: the list a meeting goes through."""
    behind = [r for r in rows if r.light in ("red", "yellow")]
    return sorted(
        behind,
        key=lambda r: (r.light != "red", r.gap_pp if r.gap_pp is not None else 0),
    )


def yoy_tally(rows, limit: int = 3) -> dict:
    """与上年同期比: how many indicators moved the right way, and the worst moves (a reverse
    indicator, such as accidents, does better when it falls)."""
    better, worse, flat = 0, [], 0
    for r in rows:
        if r.yoy_pct is None:
            continue
        if abs(r.yoy_pct) < fmt.FLAT_BELOW:
            flat += 1
        elif (r.yoy_pct > 0) == (r.indicator.direction != Indicator.Direction.REVERSE):
            better += 1
        else:
            worse.append(r)
    worse.sort(key=lambda r: -abs(r.yoy_pct))
    return {"better": better, "worse": len(worse), "flat": flat, "worst": worse[:limit]}


def task_block(area, year, month, tree):
    """The task ledger's tally for the dashboard, once the tasks app is installed."""
    if not apps.is_installed("tasks"):
        return None
    from tasks.selectors import task_tally

    return task_tally(year=year, as_of=month_end(year, month), area=area, tree=tree)


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def area_choices(user, tree: AreaTree, area: Area | None) -> list[Area]:
    """The area selector: every readable district and town, and the villages of the town in
    view only (a district of 20 towns would otherwise list 600 villages)."""
    town = area
    while town is not None and town.level == Area.Level.VILLAGE:
        town = tree.by_id.get(town.parent_id)
    choices = [
        a
        for a in map(tree.by_id.get, readable_area_ids(user, tree))
        if a.level != Area.Level.VILLAGE or (town is not None and a.parent_id == town.pk)
    ]
    return sorted(choices, key=lambda a: a.code)


@require_GET
def home(request):
    tree = AreaTree()
    try:
        area, year, month = parse_period(request, tree)
    except BadParameter as exc:
        return bad_request(request, str(exc))
    context = {"area": area, "year": year, "month": month,
               "areas": area_choices(request.user, tree, area),
               "months": range(1, 13), "today": timezone.localdate()}  # fmt: skip
    if area is None or month is None:
        return render(request, "indicators/home.html", context)
    submitted = include_submitted(request)
    rows = summary_rows(area, year, month, tree=tree, series="key", include_submitted=submitted)
    by_category = {}
    for row in rows:
        by_category.setdefault(row.indicator.category.name, []).append(row)
    tables = []
    for index, (name, group) in enumerate(by_category.items()):
        table = SummaryTable(group, prefix=f"c{index}-", area=area, include_submitted=submitted)
        RequestConfig(request, paginate=False).configure(table)
        tables.append((name, table, tally(group)["text"]))
    behind = lagging(rows)
    context.update(
        rows=rows,
        tally=tally(rows),
        yoy=yoy_tally(rows),
        lagging=behind[:LAGGING_SHOWN],
        lagging_more=len(behind) - LAGGING_SHOWN,
        villages=village_laggards(area, year, month, rows, tree=tree, include_submitted=submitted),
        key_rows=[r for r in rows if r.indicator.is_key],
        tables=tables,
        time_progress=rows[0].time_progress_pct if rows else None,
        ranking=ranking_context(request, area, year, month, tree, rows),
        tasks=task_block(area, year, month, tree),
        include_submitted=submitted,
        provisional=sum(r.provisional for r in rows),
        awaiting=0 if submitted else unapproved_count(area, year, month, tree=tree),
        query=request.GET.urlencode(),
    )
    return render(request, "indicators/home.html", context)


def ranking_context(request, area, year, month, tree, rows):
    """The district view: towns ranked on one indicator, with the change since last month."""
    towns = [a for a in tree.descendants(area) if a.level == Area.Level.TOWN]
    if area.level != Area.Level.DISTRICT or len(towns) < 2 or not rows:
        return None
    measure = request.GET.get("measure", "gap")
    if measure not in RANK_MEASURES:
        measure = "gap"
    code = request.GET.get("rank")
    choices = [r.indicator for r in rows]
    indicator = next((i for i in choices if i.code == code), None) or next(
        (i for i in choices if i.is_key), choices[0]
    )
    return {
        "rows": town_ranking(area, year, month, indicator, measure, tree=tree),
        "indicator": indicator,
        "measure": measure,
        "choices": choices,
        "measures": [("gap", _("进度差")), ("completion", _("完成率")), ("growth", _("同比"))],
    }


def indicator_context(request, code):
    """What the indicator page and its charts show; raises BadParameter/PermissionDenied/404."""
    indicator = get_object_or_404(
        Indicator.objects.select_related("category", "department", "source"), code=code
    )
    tree = AreaTree()
    area, year, month = parse_period(request, tree)
    if area is None or month is None:
        raise Http404(_("还没有数据。"))
    if area.level == Area.Level.VILLAGE and indicator.entry_level != Indicator.EntryLevel.VILLAGE:
        raise BadParameter(_("「%(name)s」不按村统计，请选择镇或区。") % {"name": indicator.name})
    [row] = summary_rows(
        area,
        year,
        month,
        tree=tree,
        series=True,
        indicator=indicator,
        include_submitted=include_submitted(request),
    )
    return {"indicator": indicator, "area": area, "row": row, "tree": tree,
            "include_submitted": include_submitted(request)}  # fmt: skip


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
    months = []
    for m in range(1, 13):
        months.append(
            {
                "month": m,
                "this": row.series[m - 1] if m <= row.month else None,
                "last": row.series_last[m - 1],
            }
        )
    village_table = VillageTable(villages, indicator=indicator) if villages else None
    if village_table is not None:
        RequestConfig(request, paginate=False).configure(village_table)
    context.update(
        year=row.year,
        month=row.month,
        months=months,
        village_table=village_table,
        sentence=fmt.sentence(row, "全镇" if area.level == Area.Level.TOWN else area.name),
        targets=indicator.targets.filter(area=area).order_by("-year"),
        history=figure_history(
            indicator.source or indicator, areas=[area, *context["tree"].descendants(area)]
        )[:50],
        query=request.GET.urlencode(),
    )
    return render(request, "indicators/indicator_detail.html", context)


# --------------------------------------------------------------------------- chart endpoints


def overview_page(request):
    tree = AreaTree()
    area, year, month = parse_period(request, tree)
    if area is None or month is None:
        return None
    rows = summary_rows(area, year, month, tree=tree, include_submitted=include_submitted(request))
    return {
        "categories": charts.category_completion(rows),
        "time_progress": rows[0].time_progress_pct if rows else None,
    }


def chart_view(chart_class, loader):
    """A django-chartjs view bound to a context loader; bad parameters answer 400 in JSON."""
    view = type(chart_class.__name__, (chart_class,), {"context_loader": staticmethod(loader)})
    inner = view.as_view()

    def wrapped(request, *args, **kwargs):
        try:
            return inner(request, *args, **kwargs)
        except BadParameter as exc:
            return JsonResponse(
                {"error": str(exc)}, status=400, json_dumps_params={"ensure_ascii": False}
            )

    return wrapped


cumulative_chart = chart_view(charts.CumulativeChart, indicator_context)
month_chart = chart_view(charts.MonthChart, indicator_context)
village_chart = chart_view(charts.VillageChart, indicator_context)
category_chart = chart_view(charts.CategoryChart, overview_page)
