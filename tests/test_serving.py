"""Serving: /healthz for the monitor, and the hashed static files production serves."""

import json
import re

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

pytestmark = pytest.mark.django_db


def database_down(monkeypatch):
    def execute(self, sql, params=None):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", execute)


# ---------------------------------------------------------------------------- /healthz


def test_healthz_answers_without_login_or_data(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert response.cookies == {}  # no session, no CSRF cookie: nothing written


def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    database_down(monkeypatch)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert response["Retry-After"] == "30"


def test_healthz_answers_503_even_for_a_signed_in_browser(leader, monkeypatch):
    # With a session cookie the session is read before the view, and that fails first.
    client = Client(raise_request_exception=False)
    client.force_login(leader)
    database_down(monkeypatch)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert response["Retry-After"] == "30"


def test_healthz_answers_get_and_head_only(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


# ---------------------------------------------------------------------------- static files


@pytest.fixture
def collected(settings, tmp_path):
    """Production's storage: collectstatic into a fresh STATIC_ROOT, served by whitenoise from
    there (not from static/ as the other tests are)."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    return json.loads((tmp_path / "staticfiles.json").read_text())["paths"]


def test_collectstatic_hashes_every_file_our_pages_load(collected):
    for name in ("css/app.css", "js/site.js", "js/charts.js", "js/entry.js", "js/Chart.min.js"):
        stem, extension = name.rsplit(".", 1)
        assert re.fullmatch(rf"{re.escape(stem)}\.[0-9a-f]{{12}}\.{extension}", collected[name])


def test_pages_link_the_hashed_files_and_whitenoise_serves_them_for_a_year(client, collected):
    html = client.get("/accounts/login/").content.decode()
    for name in ("css/app.css", "js/site.js"):
        url = "/static/" + collected[name]
        assert url in html
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "immutable" in response["Cache-Control"]
        assert "no-store" not in response["Cache-Control"]
