import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_is_chinese(client):
    response = client.get("/accounts/login/")
    assert "登录" in response.content.decode()


def test_home_shows_the_latest_month_of_the_users_town(client, demo):
    client.login(username="leader", password="demo1234")
    page = client.get("/").content.decode()
    assert "示例镇" in page and "2025年1—10月" in page
    assert "工业总产值" in page and "示例数据" in page


@pytest.mark.parametrize("query", ["?month=13", "?year=abc", "?year=1900"])
def test_home_answers_bad_parameters_with_400_in_chinese(client, demo, query):
    client.login(username="leader", password="demo1234")
    response = client.get("/" + query)
    assert response.status_code == 400
    assert "参数有误" in response.content.decode()


def test_home_answers_an_unknown_area_with_404_in_chinese(client, demo):
    client.login(username="leader", password="demo1234")
    response = client.get("/?area=NOPE")
    assert response.status_code == 404
    assert "区域「NOPE」不存在或您无权查看" in response.content.decode()


def test_home_with_an_empty_database_says_what_to_do(client, leader):
    client.force_login(leader)
    assert "该区域在所选月份还没有任何数据" in client.get("/").content.decode()
