"""Headers and errors: the Content-Security-Policy, private caching, the Chinese error pages, and
a database outage answered with 503 rather than a stack trace."""

import io
import re
import sqlite3
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.management import call_command
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.template import loader
from django.test import Client

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
STATIC_JS = Path(settings.BASE_DIR) / "static" / "js"


# ---------------------------------------------------------------------------- CSP


def test_every_response_carries_a_policy_without_inline_script(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    # Nothing loosens script or style beyond default-src.
    assert not {"script-src", "style-src", "script-src-attr", "style-src-attr"} & set(directives)


INLINE = {
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "<style> element": re.compile(r"<style", re.I),
}


@pytest.mark.parametrize("kind", INLINE)
def test_no_template_has_what_the_policy_blocks(kind):
    found = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if INLINE[kind].search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_our_scripts_neither_evaluate_strings_nor_inject_styles():
    for path in STATIC_JS.glob("*.js"):
        if path.name == "Chart.min.js":
            continue
        source = path.read_text(encoding="utf-8")
        for pattern in (
            r"\beval\(",
            r"new Function\(",
            r"createElement\(\s*['\"]style",
            r"\.innerHTML",
        ):
            assert not re.search(pattern, source), (path.name, pattern)


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def test_rendered_pages_carry_no_inline_script_and_no_style_attribute(client, demo):
    client.login(username="leader", password="demo1234")
    for url in (
        "/?area=T01&year=2025&month=10",
        "/indicators/NY01/?area=T01&year=2025&month=10",
        "/tasks/?year=2025&as_of=2025-10-31",
        "/tasks/print/?year=2025&as_of=2025-10-31",
    ):
        html = client.get(url).content.decode()
        assert not INLINE["event handler attribute"].search(html), url
        assert not INLINE["inline <script>"].search(html), url
        # The completion bars are inline SVG: no page carries a style="" attribute.
        assert re.findall(r"<[^>]*\sstyle=[^>]*>", html) == [], url
    assert "data-print" in client.get("/?area=T01&year=2025&month=10").content.decode()


# ---------------------------------------------------------------------------- Cache-Control


def cache_control(response):
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def test_pages_for_a_signed_in_user_are_private_and_never_stored(client, leader):
    client.force_login(leader)
    for url in ("/", "/tasks/?year=2025", "/api/v1/tasks?year=2025", "/no-such-page/"):
        assert {"private", "no-store"} <= cache_control(client.get(url)), url


def test_downloads_are_private_and_never_stored(client, leader):
    client.force_login(leader)
    response = client.get("/tasks/export.xlsx?year=2025")
    assert response["Content-Disposition"].startswith("attachment")
    assert {"private", "no-store"} <= cache_control(response)


def test_a_token_caller_gets_private_answers(client, leader):
    out = io.StringIO()
    call_command("api_token", "leader1", stdout=out)
    key = re.search(r"[\w-]{40,}", out.getvalue()).group(0)
    response = client.get("/api/v1/tasks?year=2025", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_control(response)


def test_static_files_stay_cacheable_for_signed_in_users(client, leader):
    client.force_login(leader)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in cache_control(response)


def test_the_login_redirect_for_a_stranger_is_not_marked_private(client):
    response = client.get("/tasks/")
    assert response.status_code == 302
    assert "private" not in cache_control(response)


# ---------------------------------------------------------------------------- error pages


def test_a_missing_page_answers_404_in_the_site_frame(client, leader):
    client.force_login(leader)
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and 'class="topbar"' in html and "驾驶舱" in html


def test_a_permission_failure_answers_403_with_the_reason(client, town, outsider):
    from tests.tasks.factories import make_task

    make_task(town, number="2025-03-01")
    client.force_login(outsider)
    response = client.get("/tasks/2025-03-01/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "没有权限" in html and "您没有查看该任务的权限。" in html and 'class="topbar"' in html


def test_an_area_one_may_not_read_answers_404_without_naming_it(client, town, outsider):
    client.force_login(outsider)
    response = client.get("/?area=T01&year=2025&month=10")
    html = response.content.decode()
    assert response.status_code == 404
    assert "区域「T01」不存在或您无权查看" in html and "示例镇" not in html
    assert 'class="topbar"' in html


def test_a_bad_host_answers_400_in_chinese(client):
    response = client.get("/accounts/login/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def test_a_form_without_its_csrf_token_answers_403_in_chinese(db):
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "x", "password": "y"}
    )
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_an_unexpected_error_answers_500_in_chinese_without_a_trace(monkeypatch, db):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(auth_views.LoginView, "get", broken)
    response = Client(raise_request_exception=False).get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出错" in html and "secret internals" not in html and "Traceback" not in html


def test_the_500_page_renders_without_a_request():
    html = loader.get_template("errors/500.html").render()
    assert "系统出错" in html and "</html>" in html
    assert "csrfmiddlewaretoken" not in html  # no language form that would post without one


# ---------------------------------------------------------------------------- database outage


OUTAGES = [
    OperationalError("connection refused"),
    InterfaceError("connection already closed"),
    sqlite3.OperationalError("database is locked"),
    psycopg.OperationalError("server closed the connection unexpectedly"),
]


def database_down(monkeypatch, error, *, spare_login=False):
    """Every query fails with `error`; with `spare_login`, all but the session's and the
    user's, so the failure starts inside the view."""
    real = CursorWrapper.execute

    def execute(self, sql, params=None):
        if spare_login and ("django_session" in sql or "auth_user" in sql):
            return real(self, sql, params)
        raise error

    monkeypatch.setattr(CursorWrapper, "execute", execute)


def assert_outage_page(response):
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "数据库暂时无法访问" in html and "Traceback" not in html and "</html>" in html


@pytest.mark.parametrize(
    "error", OUTAGES, ids=lambda e: type(e).__module__ + "." + type(e).__name__
)
def test_a_view_that_loses_the_database_answers_503(client, leader, monkeypatch, error):
    client.force_login(leader)
    database_down(monkeypatch, error, spare_login=True)
    assert_outage_page(client.get("/tasks/?year=2025"))


def test_an_api_call_that_loses_the_database_answers_503_json(client, leader, monkeypatch):
    client.force_login(leader)
    database_down(monkeypatch, OperationalError("connection refused"), spare_login=True)
    response = client.get("/api/v1/tasks?year=2025")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"error": "数据库暂时无法访问，请稍后再试。"}


def test_losing_the_database_before_the_view_still_answers_503(leader, monkeypatch):
    # The session is read in middleware, outside any view: handler500 answers there.
    client = Client(raise_request_exception=False)
    client.force_login(leader)
    database_down(monkeypatch, OperationalError("connection refused"))
    assert_outage_page(client.get("/tasks/?year=2025"))
    response = client.get("/api/v1/tasks?year=2025")
    assert response.status_code == 503 and "error" in response.json()


def test_other_errors_in_a_view_are_not_called_an_outage(client, leader, monkeypatch):
    client.force_login(leader)
    database_down(monkeypatch, ValueError("a bug"), spare_login=True)
    client.raise_request_exception = False
    assert client.get("/tasks/?year=2025").status_code == 500


# ---------------------------------------------------------------------------- NUL characters


def test_a_nul_in_the_query_string_answers_400_in_chinese_in_the_site_frame(client, leader):
    client.force_login(leader)
    response = client.get("/", {"area": "T0\x001", "year": "2025"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "请求中含有空字符（NUL）" in html and 'class="topbar"' in html


def test_a_nul_in_an_api_query_answers_json_400(client, leader):
    client.force_login(leader)
    response = client.get("/api/v1/tasks", {"year": "2025\x00"})
    assert response.status_code == 400
    assert "空字符" in response.json()["error"]


def test_a_nul_in_a_posted_form_stores_nothing(client, town, leader):
    from tasks.models import TaskEvent
    from tests.tasks.factories import make_task

    make_task(town, number="2025-03-01")
    client.force_login(leader)
    response = client.post("/tasks/2025-03-01/comment/", {"text": "已协调\x00"})
    assert response.status_code == 400 and "空字符" in response.content.decode()
    assert not TaskEvent.objects.exists()


# ---------------------------------------------------------------------------- upload size


def test_an_upload_past_the_limit_is_stopped_while_it_arrives(settings):
    """The multipart parser stops at the limit: the rest of the body is never read."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.handlers.wsgi import WSGIRequest
    from django.test import RequestFactory
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    from config.uploads import REFUSED

    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("大表.xlsx", b"0" * (8 * 1024 * 1024))
    body = encode_multipart(BOUNDARY, {"csrfmiddlewaretoken": "t", "file": big})

    class Counting(io.BytesIO):
        taken = 0

        def read(self, size=-1):
            chunk = super().read(size)
            Counting.taken += len(chunk)
            return chunk

    environ = RequestFactory()._base_environ(
        PATH_INFO="/imports/",
        REQUEST_METHOD="POST",
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": Counting(body)},
    )
    request = WSGIRequest(environ)
    assert "file" not in request.FILES and request.POST["csrfmiddlewaretoken"] == "t"
    assert getattr(request, REFUSED) > settings.UPLOAD_MAX_BYTES
    assert Counting.taken < 2 * 1024 * 1024 < len(body)  # about the limit, not the 8 MB


def test_an_upload_past_the_limit_answers_413_in_chinese_and_stores_nothing(client, settings):
    from django.contrib.auth import get_user_model

    from indicators.models import Area, Membership
    from tests.factories import make_user

    settings.UPLOAD_MAX_BYTES = 256 * 1024
    admin = make_user(
        "admin1",
        role=Membership.Role.ADMIN,
        area=Area.objects.create(code="T1", name="一镇", level="town"),
    )
    client.force_login(admin)
    big = io.BytesIO(b"PK\x03\x04" + b"0" * (512 * 1024))
    big.name = "大表.xlsx"
    response = client.post("/imports/", {"action": "preview", "file": big})
    assert response.status_code == 413
    page = response.content.decode()
    assert "上传的文件超过0.25MB的上限，已停止接收" in page and "分次上传" in page
    assert get_user_model().objects.count() == 1
    small = io.BytesIO(b"not a workbook")
    small.name = "小表.xlsx"
    assert client.post("/imports/", {"action": "preview", "file": small}).status_code == 400


def test_the_upload_limit_is_the_workbooks_and_nginxs(settings):
    from indicators.workbook import LIMITS

    assert settings.UPLOAD_MAX_BYTES == LIMITS.file_bytes
    nginx = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
    assert f"client_max_body_size {LIMITS.file_bytes // 1024 // 1024}m;" in nginx
