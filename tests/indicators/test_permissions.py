"""The permission matrix (issue 4): every role × every entry URL × GET and POST.

Each case states the status every role gets, in the order of ROLES, and which roles' requests
may change stored figures. After every request the figures and their history are compared with
a snapshot: a role that may not write leaves both exactly as they were.
"""

import io

import pytest
from openpyxl import Workbook

from indicators.models import Figure
from tests.factories import make_area, make_department, make_figure, make_indicator, make_user

pytestmark = pytest.mark.django_db

ROLES = [
    "clerk",  # 经发办填报员 of the town: owns GDP
    "clerk_other",  # 农业农村办填报员 of the same town
    "reviewer",  # 经发办审核员
    "leader",  # 镇长: reads the town, writes nothing
    "district",  # a district user: reads every town, writes nothing
    "admin",  # the town's administrator: configures, approves, reopens
    "outsider",  # 经发办填报员 of another town
    "anonymous",
]


@pytest.fixture
def world(db):
    district = make_area(code="D01", name="区", level="district")
    town = make_area(code="T01", name="示例镇", level="town", parent=district)
    other_town = make_area(code="T99", name="外镇", level="town", parent=district)
    make_area(code="T01V01", name="甲村", level="village", parent=town)
    econ, farm = make_department("经发办"), make_department("农业农村办")
    gdp = make_indicator(code="GDP", unit="亿元", department=econ)
    make_indicator(code="INC", entry_level="village", department=farm)
    users = {
        "clerk": make_user("clerk", role="clerk", area=town, department=econ),
        "clerk_other": make_user("clerk_ny", role="clerk", area=town, department=farm),
        "reviewer": make_user("reviewer", role="reviewer", area=town, department=econ),
        "leader": make_user("leader", role="leader", area=town),
        "district": make_user("district", role="leader", area=district),
        "admin": make_user("admin", role="admin", area=town),
        "outsider": make_user("outsider", role="clerk", area=other_town, department=econ),
        "anonymous": None,
    }
    clerk = users["clerk"]
    figures = {
        "draft": make_figure(gdp, town, 2025, 3, 10, status="draft", created_by=clerk),
        "submitted": make_figure(gdp, town, 2025, 4, 20, status="submitted", submitted_by=clerk),
        "approved": make_figure(gdp, town, 2025, 5, 30),
    }
    return {"users": users, "econ": econ, "gdp": gdp, "town": town, "figures": figures}


def entry_post(w, action="submit"):
    f = w["figures"]["draft"]
    name = f"{w['gdp'].pk}-{w['town'].pk}"
    return {
        "department": w["econ"].pk,
        "year": 2025,
        "month": 3,
        f"v-{name}": "11",
        f"ver-{name}": f.version,
        "action": action,
    }


def review_post(w, action):
    figure = w["figures"]["approved" if action == "reopen" else "submitted"]
    period = {"department": w["econ"].pk, "year": 2025, "month": figure.month}
    if action == "approve":
        return {**period, "action": "approve", "approve": figure.pk}
    return {**period, "action": action, "figure": figure.pk, "comment": "请核对"}


def upload_post(w):
    book = Workbook()
    ws = book.active
    ws.title = "数据"
    ws.append(["指标编码", "区域编码", "年度", "月份", "数值", "备注"])
    ws.append(["GDP", "T01", 2025, 3, 12, None])
    out = io.BytesIO()
    book.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "填报表.xlsx"
    return {"department": w["econ"].pk, "year": 2025, "month": 3, "file": upload}


E, R = {"clerk", "reviewer"}, {"reviewer", "admin"}  # who may enter GDP; who may review it

# (method, literal URL, POST data builder, statuses in ROLES order, roles whose request writes)
CASES = [
    ("GET", "/entry/?year=2025&month=3", None, "200 200 200 403 403 403 200 302", ()),
    ("POST", "/entry/", entry_post, "302 400 302 403 403 403 302 302", E),
    ("GET", "/entry/review/?year=2025&month=4", None, "403 403 200 403 403 200 403 302", ()),
    (
        "POST",
        "/entry/review/",
        lambda w: review_post(w, "approve"),
        "403 403 302 403 403 302 403 302",
        R,
    ),
    (
        "POST",
        "/entry/review/",
        lambda w: review_post(w, "return"),
        "403 403 302 403 403 302 403 302",
        R,
    ),
    (
        "POST",
        "/entry/review/",
        lambda w: review_post(w, "reopen"),
        "403 403 302 403 403 302 403 302",
        R,
    ),
    (
        "GET",
        "/entry/progress/?area=T01&year=2025&month=4",
        None,
        "200 200 200 200 200 200 404 302",
        (),
    ),
    ("POST", "/entry/progress/", lambda w: {}, "405 405 405 405 405 405 405 302", ()),
    ("GET", "/entry/sheet/?year=2025&month=3", None, "200 200 200 403 403 403 200 302", ()),
    ("POST", "/entry/sheet/", lambda w: {}, "405 405 405 405 405 405 405 302", ()),
    ("GET", "/entry/upload/?year=2025&month=3", None, "200 200 200 403 403 403 200 302", ()),
    ("POST", "/entry/upload/", upload_post, "200 400 200 403 403 403 400 302", ()),
    (
        "POST",
        "/entry/upload/",
        lambda w: {**entry_post(w), "action": "confirm"},
        "302 400 302 403 403 403 302 302",
        (),
    ),
    ("GET", "/entry/history/GDP/?area=T01", None, "200 200 200 200 200 200 404 302", ()),
    (
        "GET",
        "/entry/history/GDP/?area=T01&format=xlsx",
        None,
        "200 200 200 200 200 200 404 302",
        (),
    ),
    ("POST", "/entry/history/GDP/", lambda w: {}, "405 405 405 405 405 405 405 302", ()),
    ("GET", "/entry/history/NOPE/?area=T01", None, "404 404 404 404 404 404 404 302", ()),
]
# The dashboard and the API only read: no role may change a figure through them.
READ_ONLY = [
    ("GET", "/?area=T01&year=2025&month=5"),
    ("POST", "/"),
    ("GET", "/api/v1/summary?area=T01&year=2025&month=5"),
    ("POST", "/api/v1/summary?area=T01&year=2025&month=5"),
]


def snapshot():
    figures = list(
        Figure.objects.order_by("pk").values_list("pk", "value", "status", "version", "note")
    )
    return figures, Figure.history.count()


def request(client, world, role, method, url, data):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    if method == "GET":
        return client.get(url)
    return client.post(url, data(world) if data else {})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "data", "statuses", "writers"),
    CASES,
    ids=[f"{c[0]} {c[1]} {i}" for i, c in enumerate(CASES)],
)
def test_entry_permission_matrix(client, world, role, method, url, data, statuses, writers):
    before = snapshot()
    response = request(client, world, role, method, url, data)
    expected = dict(zip(ROLES, statuses.split(), strict=True))[role]
    assert response.status_code == int(expected), response.content.decode()[:500]
    if response.status_code == 302 and role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    if role in writers:
        assert snapshot() != before, f"{role} should have written through {method} {url}"
    else:
        assert snapshot() == before, f"{role} changed a figure through {method} {url}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url"), READ_ONLY)
def test_dashboard_and_api_never_write(client, world, role, method, url):
    before = snapshot()
    response = request(client, world, role, method, url, None)
    assert response.status_code < 500
    if method == "POST" and url.startswith("/api/"):
        assert response.status_code == 405
    assert snapshot() == before


def test_matrix_covers_every_entry_url():
    from indicators.urls import urlpatterns

    entry_routes = {str(p.pattern) for p in urlpatterns if str(p.pattern).startswith("entry/")}
    covered = {url.split("?")[0].lstrip("/") for _, url, *_ in CASES}
    covered = {
        u.replace("/GDP/", "/<str:code>/").replace("/NOPE/", "/<str:code>/") for u in covered
    }
    assert entry_routes <= covered
    for route in entry_routes:
        methods = {m for m, url, *_ in CASES if url.lstrip("/").startswith(route.split("<")[0])}
        assert methods == {"GET", "POST"}, route
