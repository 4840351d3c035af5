"""Site-wide views: the error pages, the database-outage answer and /healthz."""

import logging
import sqlite3
import sys

import psycopg
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseNotFound, JsonResponse
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import csrf, defaults
from django.views.decorators.http import require_safe

from indicators.http import NotFound

log = logging.getLogger(__name__)

# Django wraps the drivers' errors in its own classes; code that talks to a driver directly
# (or fails before the wrapper is in place) raises the driver's.
DATABASE_ERRORS = (
    OperationalError,
    InterfaceError,
    sqlite3.OperationalError,
    sqlite3.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
RETRY_AFTER_SECONDS = 30


def database_unavailable(request):
    """503 with Retry-After: JSON `{"error": …}` under /api/, /healthz's own JSON there, else
    the Chinese page.

    The page is rendered without the request: its context processors would ask the database
    for the user.
    """
    message = _("数据库暂时无法访问，请稍后再试。")
    if request.path == reverse("healthz"):
        return health_answer(database_ok=False)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": message}, status=503, json_dumps_params={"ensure_ascii": False}
        )
    else:
        body = loader.get_template("errors/503.html").render({"message": message})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request, exception):
    return defaults.bad_request(request, exception, template_name="errors/400.html")


def bad_request_page(request, message: str, status: int = 400) -> HttpResponse:
    """What was wrong, for a request refused before any view (middleware): JSON `{"error": …}`
    under /api/, else the 400 page in the site's frame."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    body = loader.get_template("errors/400.html").render({"message": message}, request)
    return HttpResponse(body, status=status)


def permission_denied(request, exception):
    return defaults.permission_denied(request, exception, template_name="errors/403.html")


def page_not_found(request, exception):
    # A message written for people (an area that does not exist or may not be read) is shown;
    # Django's own 404s name the URL patterns tried, which is for developers.
    message = str(exception) if isinstance(exception, NotFound) else ""
    body = loader.get_template("errors/404.html").render({"message": message}, request)
    return HttpResponseNotFound(body)


def server_error(request):
    # An outage met before any view ran (the session is read in middleware) arrives here.
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable(request)
    return defaults.server_error(request, template_name="errors/500.html")


def csrf_failure(request, reason=""):
    return csrf.csrf_failure(request, reason, template_name="errors/403_csrf.html")


def health_answer(*, database_ok: bool) -> JsonResponse:
    if database_ok:
        response = JsonResponse({"status": "ok", "database": "ok"})
    else:
        response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


@login_not_required
@require_safe
def healthz(request):
    """GET (or HEAD) /healthz: 200 `{"status": "ok", "database": "ok"}`, or 503 when the database does
    not answer. No login, no data needed: for the monitor and the load balancer.

    A caller that sends a session cookie has its session read before this view runs; if that
    fails, database_unavailable gives the same 503 answer.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DATABASE_ERRORS as exc:
        log.warning("健康检查：数据库不可用：%s", exc)
        return health_answer(database_ok=False)
    return health_answer(database_ok=True)
