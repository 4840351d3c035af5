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

from ..models import ApiToken


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
