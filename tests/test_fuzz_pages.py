"""Every page, every query parameter and every form, fed generated junk by every persona: no
answer is ever a 500 (issue: fuzz).

The URL conf is walked, so a new page is fuzzed without being listed here (a test fails if a
route has no way to fill its path). Values include what people and scripts really send: ²,
full-width digits, very long strings, NUL, emoji, negative and huge numbers, impossible dates.

FUZZ_EXAMPLES is the total number of generated requests across the tests below: 300 by default,
so the suite stays fast; `make fuzz` runs the issue's 10,000. The `fuzz` marker lets a run leave
them out (`-m "not fuzz"`).
"""

import datetime
import os
import re
from urllib.parse import quote, urlencode

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.models import Figure
from tasks.models import ExtensionRequest
from tests.factories import (
    make_area,
    make_department,
    make_figure,
    make_indicator,
    make_target,
    make_user,
)
from tests.tasks.factories import make_milestone, make_section, make_task

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

TOTAL = int(os.environ.get("FUZZ_EXAMPLES", "300"))
# Shares of the total: query strings of every page, the forms, the path segments, the admin.
SHARES = {"get": 0.45, "post": 0.4, "path": 0.1, "admin": 0.05}


def budget(kind: str):
    return settings(
        max_examples=max(1, int(TOTAL * SHARES[kind])),
        deadline=None,
        database=None,  # nothing written beside the checkout; a failure prints its example
        suppress_health_check=list(HealthCheck),
    )


# ---------------------------------------------------------------------------- values

YEAR = datetime.date.today().year
SPECIAL = [
    "", " ", "²", "³", "¹²", "١٢", "１２", "２０２５", "１０", "－１", "10月", "2025年", "1—10月",
    "-1", "-0", "0", "1", "12", "13", "-2147483649", "2147483648", "9223372036854775808",
    "99999999999999999999999999", "-99999999999999999999999999", "1e400", "1E-400", "NaN",
    "inf", "-inf", "0x1F", "1_000", "1,234.5", "3.14159265358979323846", "\x00", "a\x00b",
    "\x00\x00", "\t", "\r\n", "😀", "👍🏽", "𠮷", "中文", "示例镇", "T01", "T02", "D01",
    "T01V01", "NOPE", "on", "true", "approve", "reject", "return", "reopen", "save", "submit",
    "confirm", "xlsx", "csv", "zh-hans", "en", "/", "//evil.example", "http://evil.example/",
    "../../etc/passwd", "%", "%00", "%ZZ", "'", '"', "<script>alert(1)</script>",
    "'; DROP TABLE indicators_figure; --", "=HYPERLINK(\"http://x\")", "${7*7}",
    "{{ 7*7 }}", "2025-10-31", "2025-02-30", "2025-13-01", "0000-00-00", "9999-12-31",
    "1900-01-01", "2100-12-31", "2025/10/31", "2025-10-31T00:00:00", "31.10.2025",
    str(YEAR), str(YEAR - 1), str(YEAR + 1), "9" * 5000, "中" * 3000, "a" * 70000,
]  # fmt: skip
# What broke pages before (NUL on PostgreSQL, "²" as an id, huge and long values), drawn often.
NASTY = ["\x00", "a\x00b", "²", "¹", "9" * 5000, "99999999999999999999", "-1", "😀", " "]
values = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(SPECIAL),
    st.text(max_size=8).map(lambda t: f"{t}\x00{t}"),
    st.text(max_size=24),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(str),
    st.text(alphabet="0123456789０１２３４５６７８９²³¹٠١٢.-－,", max_size=12),
)
PARAMS = [
    "area", "year", "month", "include_submitted", "department", "as_of", "section", "leader",
    "status", "light", "overdue", "format", "measure", "rank", "c0-sort", "c1-sort", "s0-sort",
    "sort", "page", "next", "language", "q", "o", "p", "e",
]  # fmt: skip
names = st.one_of(st.sampled_from(PARAMS), st.text(min_size=1, max_size=8))
queries = st.dictionaries(names, values, max_size=5)


# ---------------------------------------------------------------------------- the township


@pytest.fixture
def world(settings, tmp_path):
    """Two towns of a district with villages; indicators of every kind with targets and
    figures in each state; tasks with milestones, a report and a pending extension; and a
    signed-in client for each persona."""
    settings.MEDIA_ROOT = tmp_path
    district = make_area(code="D01", name="某区", level="district")
    town = make_area(code="T01", name="示例镇", level="town", parent=district)
    other = make_area(code="T02", name="外镇", level="town", parent=district)
    villages = [
        make_area(code=f"T01V0{i}", name=f"第{i}村", level="village", parent=town) for i in (1, 2)
    ]
    econ, farm = make_department("经发办"), make_department("农业农村办")
    gdp = make_indicator(code="GDP", unit="亿元", department=econ, is_key=True)
    rate = make_indicator(code="RATE", unit="%", kind="growth", department=econ)
    stock = make_indicator(code="STOCK", unit="家", kind="stock", department=econ)
    income = make_indicator(code="INC", entry_level="village", department=farm)
    make_indicator(code="AVG", rollup="avg", source=income, department=farm)
    for ind, area in ((gdp, town), (rate, town), (stock, town), (gdp, other)):
        make_target(ind, area, year=YEAR - 1, value=100, growth_pct=8)
    clerk = make_user("clerk", role="clerk", area=town, department=econ)
    for month, status in ((1, "approved"), (2, "approved"), (3, "submitted"), (4, "draft")):
        make_figure(gdp, town, YEAR - 1, month, month * 10, status=status, submitted_by=clerk)
        make_figure(stock, town, YEAR - 1, month, 50 + month, status=status)
        for v in villages:
            make_figure(income, v, YEAR - 1, month, month * 3, status=status)
    make_figure(gdp, other, YEAR - 1, 1, 5)
    leader = make_user("leader", role="leader", area=town, first_name="李镇长")
    heading = make_section(year=YEAR - 1, title="三、紧盯产镇融合发展", area=town)
    task = make_task(
        town, number=f"{YEAR - 1}-03-01", year=YEAR - 1, section=heading, lead_department=econ,
        lead_leader=leader, indicator=gdp, target_value=100, status="in_progress",
    )  # fmt: skip
    make_milestone(task, datetime.date(YEAR - 1, 6, 30), content="上半年完成一半")
    ExtensionRequest.objects.create(
        task=task, new_deadline=datetime.date(YEAR, 6, 30), reason="拆迁", requested_by=clerk,
        requested_on=datetime.date(YEAR - 1, 3, 1),
    )  # fmt: skip
    make_task(other, number=f"{YEAR - 1}-09-01", year=YEAR - 1, title="外镇的任务")
    users = {
        "clerk": clerk,
        "reviewer": make_user("reviewer", role="reviewer", area=town, department=econ),
        "farm_clerk": make_user("clerk_ny", role="clerk", area=town, department=farm),
        "leader": leader,
        "district": make_user("district", role="leader", area=district),
        "town_admin": make_user("town_admin", role="admin", area=town, is_staff=True),
        "outsider": make_user("outsider", role="clerk", area=other, department=econ),
        "superuser": make_user("root", is_staff=True, is_superuser=True),
    }
    clients = {"anonymous": Client(raise_request_exception=False)}
    for name, user in users.items():
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user)
    return {
        "clients": clients,
        "usernames": {name: user.username for name, user in users.items()},
        "codes": ["GDP", "RATE", "STOCK", "INC", "AVG"],
        "numbers": [task.number, f"{YEAR - 1}-09-01"],
        "task": task,
        "milestone": task.milestones.get().pk,
        "cells": [f"{gdp.pk}-{town.pk}", f"{stock.pk}-{town.pk}"]
        + [f"{income.pk}-{v.pk}" for v in villages],
        "figures": list(Figure.objects.values_list("pk", flat=True)),
        "departments": [econ.pk, farm.pk],
    }


personas = st.sampled_from(
    ["anonymous", "clerk", "reviewer", "farm_clerk", "leader", "district", "town_admin",
     "outsider", "superuser"]
)  # fmt: skip


def assert_no_500(response, what):
    assert response.status_code < 500, f"{what}: {response.status_code}"


# ---------------------------------------------------------------------------- the URL conf


def routes():
    """Every route of the URL conf outside the admin: (pattern, view name)."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if not str(p.pattern).startswith("admin/"):
                    yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    return list(walk(get_resolver().url_patterns))


ROUTES = routes()
SEGMENT = re.compile(r"<(?:(\w+):)?(\w+)>")


def fill(route: str, world, junk: str | None = None, number: int = 0) -> str:
    """A real URL of `route`: its path segments from the township, or `junk` (text segments)
    and `number` (whole-number segments) for each."""

    def segment(match):
        converter, name = match.group(1) or "str", match.group(2)
        if junk is not None:
            return str(number) if converter == "int" else quote(junk, safe="")
        if name == "code":
            return world["codes"][0]
        if name == "number":
            return world["task"].number
        if name == "pk" and "milestones" in route:
            return str(world["milestone"])
        if name == "pk":
            return "1"
        if name == "token":  # an upload kept for its preview; the fuzz knows none
            return "0" * 32
        raise AssertionError(f"no value for <{converter}:{name}> in {route}")

    return "/" + SEGMENT.sub(segment, route)


def test_every_route_that_takes_a_post_is_fuzzed_as_a_form(world):
    # Walked from the URL conf: a new route that answers POST must be listed in FORMS (with
    # its fields), and every route's path can be filled.
    assert len(ROUTES) >= 30
    superuser = get_user_model().objects.get(username="root")
    answers = {}
    for route in ROUTES:
        client = Client(raise_request_exception=False)  # logging out must not end the others
        client.force_login(superuser)
        answers[route] = client.post(fill(route, world), {}).status_code
    assert {r for r, status in answers.items() if status != 405} == set(FORMS), answers


@budget("get")
@given(data=st.data(), persona=personas, query=queries)
def test_every_page_answers_any_query_string(world, data, persona, query):
    route = data.draw(st.sampled_from(ROUTES))
    code = data.draw(st.sampled_from([None, *world["codes"]]))
    url = fill(route, world)
    if code and "<str:code>" in route:
        url = fill(route, world).replace(world["codes"][0], code, 1)
    response = world["clients"][persona].get(url, query)
    assert_no_500(response, f"{persona} GET {url}?{urlencode(query)[:200]}")


@budget("path")
@given(
    data=st.data(),
    persona=personas,
    junk=values.map(lambda v: v.replace("/", "") or "x"),
    number=st.integers(min_value=0, max_value=10**30),
)
def test_every_path_segment_answers_anything(world, data, persona, junk, number):
    route = data.draw(st.sampled_from([r for r in ROUTES if "<" in r]))
    url = fill(route, world, junk=junk, number=number)
    client = world["clients"][persona]
    response = client.post(url, {}) if route in FORMS else client.get(url)
    assert_no_500(response, f"{persona} {url[:200]}")


# ---------------------------------------------------------------------------- the forms


ACTIONS = ["save", "submit", "confirm", "approve", "return", "reopen", ""]


def entry_fields(world, draw):
    cell = draw(st.sampled_from([*world["cells"], "1-1", "x"]))
    return {
        "department": draw(st.one_of(st.sampled_from(world["departments"]).map(str), values)),
        "year": draw(st.one_of(st.just(str(YEAR - 1)), values)),
        "month": draw(st.one_of(st.sampled_from(["1", "3", "4", "5"]), values)),
        "action": draw(
            st.sampled_from(["save", "submit", "confirm", "approve", "return", "reopen", ""])
        ),
        f"v-{cell}": draw(values),
        f"n-{cell}": draw(values),
        f"c-{cell}": draw(st.sampled_from(["1", "", "on"])),
        f"ver-{cell}": draw(st.one_of(st.sampled_from(["0", "1", "2"]), values)),
    }


def review_fields(world, draw):
    figure = draw(st.one_of(st.sampled_from(world["figures"]).map(str), values))
    return {
        **entry_fields(world, draw),
        "approve": draw(st.lists(st.one_of(st.just(figure), values), max_size=3)),
        "figure": figure,
        "version": draw(values),
        "comment": draw(values),
        f"ver-{figure}": draw(values),
    }


def text_fields(*names):
    return lambda world, draw: {name: draw(values) for name in names}


def upload_fields(*names):
    """A form with a file: junk bytes under a name of any type the pages meet."""

    def fields(world, draw):
        name = draw(st.sampled_from(["表.xlsx", "表.xls", "表.csv", "表.et", "表.ods", "表", ""]))
        return {
            **{field: draw(values) for field in names},
            "file": SimpleUploadedFile(name or "x", draw(st.binary(max_size=2000))),
        }

    return fields


def progress_fields(world, draw):
    return {
        "month": draw(st.one_of(st.sampled_from(["1", "6", "12"]), values)),
        "percent": draw(st.one_of(st.sampled_from(["0", "50", "100", "101", "-1"]), values)),
        **text_fields("situation", "problems", "next_steps", "coordination")(world, draw),
    }


FORMS = {
    "entry/": entry_fields,
    "entry/review/": review_fields,
    "entry/upload/": entry_fields,
    "imports/": upload_fields("action", "token", "name", "accept_outliers"),
    "imports/layouts/": upload_fields("action", "token", "name", "sheet", "row-13", "col-I"),
    "imports/layouts/<int:pk>/": upload_fields("action", "token", "area", "year", "month"),
    "tasks/<str:number>/progress/": progress_fields,
    "tasks/<str:number>/comment/": text_fields("text"),
    "tasks/<str:number>/milestones/<int:pk>/done/": text_fields("done_on"),
    "tasks/<str:number>/close/request/": text_fields("note"),
    "tasks/<str:number>/close/decide/": text_fields("decision", "note"),
    "tasks/<str:number>/extension/request/": text_fields("new_deadline", "reason"),
    "tasks/<str:number>/extension/decide/": text_fields("decision", "note"),
    "tasks/<str:number>/cancel/": text_fields("reason"),
    "accounts/login/": text_fields("username", "password", "next"),
    "accounts/logout/": text_fields("next"),
    "i18n/setlang/": text_fields("language", "next"),
}
SIGNING = {"accounts/login/", "accounts/logout/", "i18n/setlang/"}


@budget("post")
@given(data=st.data(), persona=personas, extra=queries)
def test_every_form_answers_any_post(world, data, persona, extra):
    route = data.draw(st.sampled_from(sorted(FORMS)))
    fields = FORMS[route](world, data.draw)
    url = fill(route, world)
    if "<str:number>" in route:
        url = url.replace(world["task"].number, data.draw(st.sampled_from(world["numbers"])), 1)
    # Signing in and out happens in a client of its own, so the personas stay who they are.
    client = Client(raise_request_exception=False) if route in SIGNING else None
    if client is not None and persona != "anonymous":
        client.force_login(get_user_model().objects.get(username=world["usernames"][persona]))
    client = client or world["clients"][persona]
    response = client.post(url, {**extra, **fields})
    assert_no_500(response, f"{persona} POST {url} {str(fields)[:300]}")


# ---------------------------------------------------------------------------- the admin

# Our own models' admin pages: lists with any filter or search, and the add forms posted with
# any values (the figure's form writes through the entry services).
ADMIN_MODELS = sorted(
    (m for m in admin.site._registry if m._meta.app_label in ("indicators", "tasks")),
    key=lambda m: m._meta.label,
)
admin_personas = st.sampled_from(["superuser", "town_admin", "clerk", "anonymous"])


@budget("admin")
@given(data=st.data(), persona=admin_personas, query=queries)
def test_every_admin_list_and_add_form_answers_anything(world, data, persona, query):
    model = data.draw(st.sampled_from(ADMIN_MODELS))
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    client = world["clients"][persona]
    if data.draw(st.booleans()):
        response = client.get(base, query)
        assert_no_500(response, f"{persona} GET {base}?{urlencode(query)[:200]}")
        return
    fields = [f.name for f in model._meta.fields if f.editable and not f.primary_key]
    form = {name: data.draw(values) for name in fields}
    response = client.post(base + "add/", {**query, **form})
    assert_no_500(response, f"{persona} POST {base}add/ {str(form)[:300]}")
