"""Site-wide middleware: sessions kept alive while they are used."""

import datetime

from django.contrib.auth import SESSION_KEY
from django.utils import timezone


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
        # session cookie).
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
