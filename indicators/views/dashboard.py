from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from .. import formatting as fmt
from ..models import Area, Figure
from ..selectors import AreaTree, summary_rows
from ..tables import SummaryTable


class BadParameter(ValueError):
    pass


def home_area(user, tree: AreaTree) -> Area | None:
    """The user's own area, else the first town: what a leader expects to see first."""
    membership = getattr(user, "membership", None)
    if membership is not None:
        return tree.by_id.get(membership.area_id)
    towns = [a for a in tree.by_code.values() if a.level == Area.Level.TOWN]
    return min(towns, key=lambda a: a.code) if towns else None


def latest_period(area: Area) -> tuple[int, int] | None:
    """The latest (year, month) that has any figure, the dashboard's default."""
    latest = Figure.objects.order_by("-year", "-month").values_list("year", "month").first()
    return tuple(latest) if latest else None


def parse_period(request, tree: AreaTree, user):
    """(area, year, month) from the query string, or BadParameter with a Chinese message."""
    code = request.GET.get("area")
    if code:
        area = tree.by_code.get(code)
        if area is None:
            raise BadParameter(_("区域「%(code)s」不存在，请从列表中选择区域。") % {"code": code})
    else:
        area = home_area(user, tree)
    if area is None:
        return None, None, None
    default = latest_period(area) or (None, None)
    try:
        year = int(request.GET.get("year") or default[0] or 0)
        month = int(request.GET.get("month") or default[1] or 0)
    except ValueError:
        raise BadParameter(_("年度和月份应为数字，例如 year=2025&month=10。")) from None
    if year and not 2000 <= year <= 2100:
        raise BadParameter(_("年度应在2000至2100之间。"))
    if month and not 1 <= month <= 12:
        raise BadParameter(_("月份应为1至12。"))
    return area, year, month


def home(request):
    tree = AreaTree()
    try:
        area, year, month = parse_period(request, tree, request.user)
    except BadParameter as exc:
        return HttpResponseBadRequest(
            render(request, "indicators/bad_request.html", {"message": str(exc)}).content
        )
    context = {"area": area, "year": year, "month": month, "areas": tree.by_code.values()}
    if area and year and month:
        rows = summary_rows(area, year, month, tree=tree)
        table = SummaryTable(rows)
        RequestConfig(request, paginate=False).configure(table)
        context.update(
            table=table,
            rows=rows,
            time_progress=fmt.percent(rows[0].time_progress_pct) if rows else None,
            months=range(1, 13),
        )
    return render(request, "indicators/home.html", context)
