"""Login throttling glue for django-axes: the lockout page and the client's address."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, saying why and for how long, with 429 Too Many Requests.

    Axes calls this instead of its bare English text whenever it refuses a login.
    """
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {
        "form": form,
        "locked_out": True,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=429)


def client_ip_behind_proxy(request) -> str:
    """The address nginx saw (X-Real-IP): gunicorn itself only ever sees 127.0.0.1.

    Used only with HTTPS=1, which says the app runs behind deploy/nginx.conf; that nginx sets
    the header itself, replacing whatever the client sent.
    """
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR", "")
