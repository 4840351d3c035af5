"""What every face shares over HTTP: reading area/year/month from a query string, bad-request
and forbidden pages, JSON and .xlsx responses, and the API's session-or-token authentication.

It lives in the core and imports no view, so the ledger and the reports use it without
reaching into another app's views.
"""

import hashlib
import io
from dataclasses import dataclass
from functools import wraps
from urllib.parse import quote

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .access import can_read_area, home_area
from .formatting import date_words
from .models import ApiToken, Area
from .periods import YEAR_MAX, YEAR_MIN, year_in_range
from .selectors import open_period


class BadParameter(ValueError):
    """A query-string value a person (or a script) typed wrong; answered with 400 and this
    message, which says what to write instead."""


class NotFound(Http404):
    """A 404 whose message is written for the person who asked (the 404 page and the API show
    it); Django's own 404s say which URL patterns were tried and are not shown."""


def area_not_found(code: str) -> NotFound:
    # One answer for an area that does not exist and one the user may not read, so that
    # asking never tells whether another town's code exists.
    return NotFound(
        _("区域「%(code)s」不存在或您无权查看：请检查区域编码，或从列表中选择区域") % {"code": code}
    )


def readable_area(code: str, *, user, tree) -> Area:
    """The area of `code` if `user` may read it (`user` None: a command, which reads all);
    NotFound otherwise, the same for both reasons."""
    area = tree.by_code.get(code)
    if area is None or (user is not None and not can_read_area(user, area, tree)):
        raise area_not_found(code)
    return area


# How the messages name the parameters: words on the pages, the parameter names in the API.
PAGE_NAMES = {"area": "区域", "year": "年度", "month": "月份"}
API_NAMES = {"area": "area", "year": "year", "month": "month"}


def _name(names: dict, key: str) -> str:
    # A Latin parameter name is set off from the Chinese around it by a space.
    word = names[key]
    return f"{word} " if word.isascii() else word


@dataclass(frozen=True)
class PeriodQuery:
    """The area, year and month a request asks for; None where the query string is silent."""

    area: Area | None
    year: int | None
    month: int | None
    include_submitted: bool = False


def period_query(params, *, user, tree, required=(), names=PAGE_NAMES) -> PeriodQuery:
    """`?area=CODE&year=Y&month=N[&include_submitted=1]`, checked, for every page, the API,
    the charts and the commands.

    Raises BadParameter for a missing `required` parameter, a year outside the range or a
    month outside 1–12, and NotFound (404) for an area that does not exist or that the user
    may not read (`user` None: a command, which reads everything).
    """
    missing = [key for key in required if not params.get(key)]
    if missing:
        raise BadParameter(
            _("缺少参数：%(names)s（例如 ?area=T01&year=2025&month=10）")
            % {"names": "、".join(names[key] for key in missing)}
        )
    area = None
    if code := params.get("area"):
        area = readable_area(code, user=user, tree=tree)
    year = _integer(params.get("year"), _name(names, "year"))
    if year is not None and not year_in_range(year):
        raise BadParameter(
            _("%(year)s应在%(low)s至%(high)s之间")
            % {"year": _name(names, "year"), "low": YEAR_MIN, "high": YEAR_MAX}
        )
    month = _integer(params.get("month"), _name(names, "month"))
    if month is not None and not 1 <= month <= 12:
        raise BadParameter(_("%(month)s应为1至12") % {"month": _name(names, "month")})
    return PeriodQuery(area, year, month, params.get("include_submitted") == "1")


def page_period(request, tree) -> PeriodQuery:
    """The period a page shows: the query string's, else the user's own area and the month
    the overview opens on (`selectors.open_period`, within the given year). BadParameter /
    NotFound as `period_query`."""
    query = period_query(request.GET, user=request.user, tree=tree)
    area = query.area or home_area(request.user, tree)
    year, month = query.year, query.month
    if area is not None and (year is None or month is None):
        latest = open_period(area, tree, query.include_submitted, year)
        if year is None:
            year = latest[0] if latest else timezone.localdate().year
        if month is None and latest and latest[0] == year:
            month = latest[1]
    return PeriodQuery(area, year, month, query.include_submitted)


def _integer(raw, name: str) -> int | None:
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadParameter(_("%(name)s应为整数，例如 2025、10") % {"name": name}) from None


def id_of(raw) -> int | None:
    """A record id typed in a query or a form ("12", full-width "１２"), or None for anything
    else: "²" and "1e3" are not ids, and neither is a number no database column holds."""
    raw = (raw or "").strip()
    if not raw.isdecimal() or len(raw) > 18:
        return None
    return int(raw)


def bad_request(request, message: str):
    """The site's 400 page: what was wrong, and what to do."""
    return render(request, "indicators/bad_request.html", {"message": message}, status=400)


def forbidden(request, message: str, link: tuple[str, str] | None = None):
    """The site's 403 page for a page the user may not use, saying who may; `link` is the
    (url, words) of the page the user should use instead."""
    context = {"message": message, "link": link}
    return render(request, "indicators/entry/forbidden.html", context, status=403)


def json_response(payload, status: int = 200) -> JsonResponse:
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


def json_error(message: str, status: int = 400) -> JsonResponse:
    return json_response({"error": message}, status=status)


def xlsx_response(book, filename: str) -> HttpResponse:
    """An openpyxl workbook (or the bytes of one) as a download; the Chinese file name
    survives every browser."""
    if isinstance(book, bytes):
        data = book
    else:
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    response = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# ---------------------------------------------------------------------------- the API's callers


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


NO_CREDENTIALS = "未登录或令牌无效：请登录，或在请求头中提供 Authorization: Token <令牌>。"
# What a caller with a dead token should do: its script needs a new key from an administrator.
RENEW = "请联系管理员用 python manage.py api_token 用户名 生成新令牌，并在调用方更换。"


def api_caller(request):
    """(user, "") for the session user or the holder of a live token; (None, why) otherwise.

    A token answers while its user is active, until it expires or is revoked; `why` then says
    which, and when, in the Chinese the county's scripts log.
    """
    if request.user.is_authenticated:
        return request.user, ""
    scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() not in ("token", "bearer") or not key.strip():
        return None, NO_CREDENTIALS
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(key.strip()), user__is_active=True)
        .first()
    )
    if token is None:
        return None, NO_CREDENTIALS
    now = timezone.now()
    state = token.state(now)
    if state == ApiToken.State.REVOKED:
        return None, f"令牌已于{_day(token.revoked_at)}被吊销：{RENEW}"
    if state == ApiToken.State.EXPIRED:
        return None, f"令牌已于{_day(token.expires_at)}过期：{RENEW}"
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, ""


def _day(moment) -> str:
    return date_words(timezone.localtime(moment).date())


def api_view(view):
    """GET only; session or token; the user is passed as `request.api_user`. Systems read the
    API without a browser, so an unknown caller gets JSON 401, not the login page."""

    @login_not_required
    @require_GET
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user, refusal = api_caller(request)
        if user is None:
            return json_error(refusal, 401)
        request.api_user = user
        return view(request, *args, **kwargs)

    return wrapper
