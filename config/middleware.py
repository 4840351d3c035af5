"""Site-wide middleware: requests with NUL refused, private responses, sessions kept alive
while used, database outages."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext

from .views import DATABASE_ERRORS, bad_request_page, database_unavailable

log = logging.getLogger(__name__)


class NullCharactersMiddleware:
    """A request whose path, parameters or file names hold a NUL character answers 400.

    No person types one; PostgreSQL refuses it in any text it is asked to compare or store
    (psycopg raises ValueError, which would be a 500), and forms already refuse it in their
    fields. Refusing it here covers the paths and query strings that reach a lookup directly.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _holds_nul(request):
            message = gettext("请求中含有空字符（NUL），无法处理：请检查网址或填写的内容。")
            return bad_request_page(request, message)
        return self.get_response(request)


def _holds_nul(request) -> bool:
    parts = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        parts.append(request.POST)
        names = [f.name for files in request.FILES.lists() for f in files[1]]
        if any("\x00" in name for name in names):
            return True
    return any(
        "\x00" in key or any("\x00" in v for v in values)
        for part in parts
        for key, values in part.lists()
    )


class PrivateResponsesMiddleware:
    """`Cache-Control: private, no-store` on everything a signed-in caller or a download gets.

    Pages, JSON and Excel files carry a township's unpublished figures: no proxy or shared
    browser cache may keep them. "Signed in" is read from the request (a session cookie or an
    Authorization header) rather than from the user, so deciding it needs no database query and
    holds while the database is down. Static files are public and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        personal = (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or settings.SESSION_COOKIE_NAME in response.cookies
            or "Authorization" in request.headers
            or response.get("Content-Disposition", "").startswith("attachment")
        )
        if personal:
            patch_cache_control(response, private=True, no_store=True)
        return response


class SessionRefreshMiddleware:
    """Keep a signed-in session alive while it is used; it ends SESSION_COOKIE_AGE after the
    last request.

    Django moves a session's deadline only when it saves the session. SESSION_SAVE_EVERY_REQUEST
    would save it on every request, each chart's JSON included: a write per request, and on
    SQLite every write waits for the one writer. Saving once the last save is REFRESH_AFTER old
    keeps the same rule, give or take those minutes, with one write in that interval.
    """

    REFRESH_AFTER = datetime.timedelta(minutes=5)
    STAMP = "refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The same read of the session that LoginRequiredMiddleware makes next (none without a
        # session cookie); if it fails, handler500 answers 503 before any view runs.
        session = request.session
        if SESSION_KEY in session:
            stamp = session.get(self.STAMP)
            if stamp is not None:
                last = datetime.datetime.fromtimestamp(stamp, datetime.UTC)
            else:
                # Saved by a login that did not pass through here (the test client's, or one
                # from before this middleware). The user is the one LoginRequiredMiddleware reads.
                last = request.user.last_login
            if last is None or timezone.now() - last >= self.REFRESH_AFTER:
                session.modified = True  # SessionMiddleware saves it with a new deadline
        response = self.get_response(request)
        # Whatever saves a signed-in session (this refresh, the login itself) notes when.
        if session.modified and SESSION_KEY in session:
            session[self.STAMP] = timezone.now().timestamp()
        return response


class DatabaseUnavailableMiddleware:
    """A view that finds the database unreachable or locked answers 503 with Retry-After.

    Outages first met outside a view (loading the session, say) reach handler500, which
    answers the same way (config.views.server_error).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        log.warning("数据库不可用：%s %s: %s", request.method, request.path, exception)
        return database_unavailable(request)
