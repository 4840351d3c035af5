"""The admin for a town's administrator shows their own town only (issue: scoping).

Two towns of one district, each with villages, targets, figures, memberships, sections, tasks
and progress reports. 示例镇's administrator (staff, 管理员, not a superuser) sees, chooses
and opens only 示例镇's records; the other town's answer 404 by URL; the district's
superuser sees both, and the header says who is who.
"""

import datetime

import pytest

from indicators.models import ApiToken, Area, Figure, Membership, Target
from indicators.services import api_token_create
from tasks.models import ProgressReport, Section, Task
from tests.factories import (
    make_area,
    make_department,
    make_figure,
    make_indicator,
    make_target,
    make_user,
)
from tests.tasks.factories import make_section, make_task

pytestmark = pytest.mark.django_db


def make_town(code, name, district, department, indicator, clerk_name):
    town = make_area(code=code, name=name, level="town", parent=district)
    village = make_area(code=f"{code}V1", name=f"{name}一村", level="village", parent=town)
    make_target(indicator, town, value=100)
    make_figure(indicator, town, 2025, 3, 10, status="draft", note=f"{name}的备注")
    clerk = make_user(clerk_name, role="clerk", area=town, department=department)
    api_token_create(user=clerk, name=f"{name}大屏")
    section = make_section(title=f"{name}的板块", area=town)
    task = make_task(town, number=f"2025-{code}-01", title=f"{name}的任务", section=section)
    ProgressReport.objects.create(
        task=task, year=2025, month=3, situation=f"{name}的进展", percent=10,
        reported_on=datetime.date(2025, 3, 31),
    )  # fmt: skip
    return town, village


@pytest.fixture
def world(db):
    district = make_area(code="D01", name="某区", level="district")
    econ = make_department("经发办")
    gdp = make_indicator(code="GDP", name="工业总产值", department=econ)
    home, home_village = make_town("T01", "示例镇", district, econ, gdp, "clerk_home")
    other, other_village = make_town("T02", "外镇", district, econ, gdp, "clerk_other")
    town_admin = make_user("town_admin", role="admin", area=home, is_staff=True)
    superuser = make_user("root", is_staff=True, is_superuser=True)
    return {
        "home": home,
        "home_village": home_village,
        "other": other,
        "other_village": other_village,
        "town_admin": town_admin,
        "superuser": superuser,
        "gdp": gdp,
    }


LISTS = [
    "/admin/indicators/area/",
    "/admin/indicators/figure/",
    "/admin/indicators/target/",
    "/admin/indicators/membership/",
    "/admin/indicators/apitoken/",
    "/admin/tasks/section/",
    "/admin/tasks/task/",
    "/admin/tasks/progressreport/",
    "/admin/tasks/taskevent/",
]


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("url", LISTS)
def test_a_town_administrator_lists_only_their_towns_records(client, world, url):
    home = get(client, world["town_admin"], url)
    assert home.status_code == 200
    html = home.content.decode()
    assert "外镇" not in html and "T02" not in html and "clerk_other" not in html
    everything = get(client, world["superuser"], url).content.decode()
    if url.endswith(("taskevent/",)):
        return  # no events yet: an empty list for both
    assert ("示例镇" in html or "clerk_home" in html) and (
        "外镇" in everything or "clerk_other" in everything
    )


def test_a_search_finds_nothing_of_another_town(client, world):
    html = get(client, world["town_admin"], "/admin/indicators/figure/?q=备注").content.decode()
    assert "示例镇的备注" in html and "外镇的备注" not in html


def other_town_urls(world):
    other = world["other"]
    figure = Figure.objects.get(area=other)
    task = Task.objects.get(area=other)
    return [
        f"/admin/indicators/area/{other.pk}/change/",
        f"/admin/indicators/area/{world['other_village'].pk}/change/",
        f"/admin/indicators/figure/{figure.pk}/change/",
        f"/admin/indicators/target/{Target.objects.get(area=other).pk}/change/",
        f"/admin/indicators/membership/{Membership.objects.get(area=other).pk}/change/",
        f"/admin/indicators/apitoken/{ApiToken.objects.get(user__membership__area=other).pk}/change/",
        f"/admin/tasks/section/{Section.objects.get(area=other).pk}/change/",
        f"/admin/tasks/task/{task.pk}/change/",
        f"/admin/tasks/task/{task.pk}/history/",
        f"/admin/tasks/progressreport/{ProgressReport.objects.get(task=task).pk}/change/",
    ]


def test_another_towns_record_by_its_url_answers_404_like_a_missing_one(client, world):
    client.force_login(world["town_admin"])
    for url in other_town_urls(world):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "外镇" not in response.content.decode(), url
    assert client.get("/admin/indicators/figure/999999/change/").status_code == 404
    figure = Figure.objects.get(area=world["other"])
    history = client.get(f"/admin/indicators/figure/{figure.pk}/history/")
    assert history.status_code in (403, 404) and "外镇" not in history.content.decode()


def test_the_superuser_opens_every_towns_records(client, world):
    client.force_login(world["superuser"])
    for url in other_town_urls(world):
        assert client.get(url).status_code == 200, url


def test_forms_offer_only_their_own_towns_areas_sections_and_people(client, world):
    client.force_login(world["town_admin"])
    for url in (
        "/admin/indicators/target/add/",
        "/admin/indicators/figure/add/",
        "/admin/indicators/membership/add/",
        "/admin/tasks/task/add/",
        "/admin/tasks/section/add/",
    ):
        html = client.get(url).content.decode()
        assert "外镇" not in html and "clerk_other" not in html, url
    task = Task.objects.get(area=world["home"])
    html = client.get(f"/admin/tasks/task/{task.pk}/change/").content.decode()
    assert "示例镇的板块" in html and "外镇的板块" not in html
    results = client.get(
        "/admin/autocomplete/",
        {"app_label": "indicators", "model_name": "target", "field_name": "area", "term": ""},
    ).json()["results"]
    assert {r["text"] for r in results} == {"示例镇", "示例镇一村"}


def test_a_forged_choice_of_another_town_is_refused(client, world):
    client.force_login(world["town_admin"])
    data = {"indicator": world["gdp"].pk, "year": 2026, "value": "5"}
    refused = client.post("/admin/indicators/target/add/", {**data, "area": world["other"].pk})
    assert refused.status_code == 200 and not Target.objects.filter(year=2026).exists()
    done = client.post("/admin/indicators/target/add/", {**data, "area": world["home_village"].pk})
    assert done.status_code == 302
    assert Target.objects.get(year=2026).area == world["home_village"]


def test_the_catalogue_is_viewed_but_not_changed_by_a_town_administrator(client, world):
    client.force_login(world["town_admin"])
    url = f"/admin/indicators/indicator/{world['gdp'].pk}/change/"
    html = client.get(url).content.decode()
    assert "工业总产值" in html and 'name="_save"' not in html
    assert "示例镇" in html and "外镇" not in html  # its targets: their own town's only
    assert client.post(url, {"name": "改名"}).status_code == 403
    assert client.get("/admin/indicators/lightscheme/").status_code == 403  # district settings


def test_a_town_administrator_keeps_villages_but_not_the_town_itself(client, world):
    client.force_login(world["town_admin"])
    own = client.get(f"/admin/indicators/area/{world['home'].pk}/change/").content.decode()
    assert 'name="_save"' not in own
    village = f"/admin/indicators/area/{world['home_village'].pk}/change/"
    assert 'name="_save"' in client.get(village).content.decode()


def test_the_header_says_whose_records_the_user_keeps(client, world):
    assert "示例镇管理员" in get(client, world["town_admin"], "/admin/").content.decode()
    html = get(client, world["superuser"], "/admin/").content.decode()
    assert "全区管理员" in html


@pytest.mark.parametrize("who", ["clerk_home", "clerk_other"])
def test_people_who_are_not_administrators_never_open_the_admin(client, world, who):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=who)
    response = get(client, user, "/admin/indicators/figure/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_town_administrator_index_lists_what_they_keep(client, world):
    html = get(client, world["town_admin"], "/admin/").content.decode()
    assert "/admin/indicators/figure/" in html and "/admin/tasks/task/" in html
    assert "/admin/indicators/lightscheme/" not in html
    assert Area.objects.count() == 5  # nothing was created by looking


@pytest.mark.parametrize("junk", [" ", "x", "²", "1.5", "99999999999999999999"])
def test_an_admin_form_posted_with_no_id_for_a_choice_is_redrawn_with_its_error(
    client, world, junk
):
    # Django's autocomplete widget looked such a value up and failed with a 500.
    client.force_login(world["superuser"])
    before = Target.objects.count()
    response = client.post(
        "/admin/indicators/target/add/", {"indicator": junk, "area": junk, "year": "2025"}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Target.objects.count() == before
