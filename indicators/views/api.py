"""JSON for big-screen displays and the district's systems (`/api/v1/…`).

A caller is authenticated by its browser session or by a per-user token sent as
`Authorization: Token <key>`; bad parameters answer 400 with a JSON error, never 500.
"""

import hashlib
import secrets
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..access import can_read_area
from ..models import ApiToken
from ..selectors import AreaTree, summary_payload, summary_rows


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user, name: str = "") -> str:
    """Make a token for `user` and return the key; only its digest is kept."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, digest=token_digest(key), prefix=key[:8])
    return key


def api_user(request):
    """The session user, else the active user whose token the request carries, else None."""
    if request.user.is_authenticated:
        return request.user
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() not in ("token", "bearer") or not key.strip():
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(key.strip()), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def json_response(payload, status: int = 200) -> JsonResponse:
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


def json_error(message: str, status: int = 400) -> JsonResponse:
    return json_response({"error": message}, status=status)


def api_view(view):
    """GET only; session or token; the user is passed as `request.api_user`."""

    @login_not_required
    @require_GET
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = api_user(request)
        if user is None:
            return json_error(
                "未登录或令牌无效：请登录，或在请求头中提供 Authorization: Token <令牌>。", 401
            )
        request.api_user = user
        return view(request, *args, **kwargs)

    return wrapper


@api_view
def summary(request):
    """GET /api/v1/summary?area=CODE&year=Y&month=N — DOMAIN §8, the same rows as the page.

    Approved figures only; `&include_submitted=1` adds submitted ones (rows marked provisional).
    """
    params = request.GET
    missing = [name for name in ("area", "year", "month") if not params.get(name)]
    if missing:
        return json_error(f"缺少参数：{'、'.join(missing)}（例如 ?area=T01&year=2025&month=10）。")
    tree = AreaTree()
    area = tree.by_code.get(params["area"])
    if area is None:
        return json_error(f"区域「{params['area']}」不存在。")
    try:
        year, month = int(params["year"]), int(params["month"])
    except ValueError:
        return json_error("year 和 month 应为整数。")
    if not 2000 <= year <= 2100:
        return json_error("year 应在2000至2100之间。")
    if not 1 <= month <= 12:
        return json_error("month 应为1至12。")
    if not can_read_area(request.api_user, area, tree):
        return json_error(f"无权查看区域「{area.code}」。", 403)
    submitted = params.get("include_submitted") == "1"
    rows = summary_rows(area, year, month, tree=tree, include_submitted=submitted)
    return json_response(summary_payload(area, year, month, rows))
