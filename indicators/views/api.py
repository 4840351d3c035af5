"""JSON for big-screen displays and the district's systems (`/api/v1/summary`).

A caller is authenticated by its browser session or by a per-user token (`http.api_view`); bad
parameters answer 400 with a JSON error, an area that does not exist or may not be read 404,
never 500. The API speaks Chinese whatever the caller's language: its text is read by the
county's systems, not shown in our pages.
"""

from django.conf import settings
from django.utils import translation

from .. import versions
from ..http import (
    API_NAMES,
    BadParameter,
    NotFound,
    api_view,
    json_error,
    json_response,
    period_query,
)
from ..selectors import summary_payload, summary_rows


@api_view
def summary(request):
    """GET /api/v1/summary?area=CODE&year=Y&month=N — DOMAIN §8, the same rows as the page.

    Approved figures only; `&include_submitted=1` adds submitted ones (rows marked provisional).
    """
    tree = versions.area_tree()
    # Messages stay Chinese even for an English browser session: scripts match on them.
    with translation.override(settings.LANGUAGE_CODE):
        try:
            query = period_query(
                request.GET,
                user=request.api_user,
                tree=tree,
                required=("area", "year", "month"),
                names=API_NAMES,
            )
        except BadParameter as exc:
            return json_error(f"{exc}。")
        except NotFound as exc:
            # JSON, not the HTML 404 page: the caller is a program that reads the error.
            return json_error(f"{exc}。", 404)
    area, year, month = query.area, query.year, query.month

    def payload():
        rows = summary_rows(area, year, month, tree=tree, include_submitted=query.include_submitted)
        return summary_payload(area, year, month, rows)

    # Cached under the data version, as the overview is: the same rows until a write.
    key = (area.pk, year, month, query.include_submitted)
    return json_response(versions.cached("api-summary", key, payload, tree=tree))
