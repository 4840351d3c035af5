"""Site-wide views: the error pages and the database-outage answer."""

import logging
import sqlite3
import sys

import psycopg
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import csrf, defaults

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
    """503 with Retry-After: JSON `{"error": …}` under /api/, else the Chinese page.

    The page is rendered without the request: its context processors would ask the database
    for the user.
    """
    message = _("数据库暂时无法访问，请稍后再试。")
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


def permission_denied(request, exception):
    return defaults.permission_denied(request, exception, template_name="errors/403.html")


def page_not_found(request, exception):
    return defaults.page_not_found(request, exception, template_name="errors/404.html")


def server_error(request):
    # An outage met before any view ran (the session is read in middleware) arrives here.
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable(request)
    return defaults.server_error(request, template_name="errors/500.html")


def csrf_failure(request, reason=""):
    return csrf.csrf_failure(request, reason, template_name="errors/403_csrf.html")
