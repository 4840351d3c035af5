"""API tokens: made by the command with a lifetime, listed and revoked in the admin; an expired
or revoked token answers 401 saying what to do."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from indicators.models import ApiToken
from tests.factories import make_user

pytestmark = pytest.mark.django_db

API = "/api/v1/tasks?year=2025"


def make_key(username, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", username, *args, stdout=out, stderr=err)
    return re.search(r"[\w-]{40,}", out.getvalue()).group(0), err.getvalue()


def call(client, key):
    return client.get(API, HTTP_AUTHORIZATION=f"Token {key}")


def test_a_token_lasts_a_year_by_default_and_days_sets_another_lifetime(leader):
    _key, err = make_key("leader1")
    token = ApiToken.objects.get()
    year = token.expires_at - token.created_at
    assert datetime.timedelta(days=365) - year < datetime.timedelta(seconds=5)
    make_key("leader1", "--days", "30", "--name", "大屏")
    short = ApiToken.objects.get(name="大屏")
    assert abs(short.expires_at - timezone.now() - datetime.timedelta(days=30)).seconds < 5
    assert "有效期至" in err and "令牌只显示这一次" in err


def test_the_command_refuses_a_lifetime_under_a_day(leader):
    with pytest.raises(CommandError, match="--days 应为正整数"):
        make_key("leader1", "--days", "0")
    assert not ApiToken.objects.exists()


def test_a_live_token_answers_and_records_its_use(client, leader):
    key, _err = make_key("leader1")
    assert call(client, key).status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_an_expired_token_answers_401_saying_what_to_do(client, leader):
    key, _err = make_key("leader1")
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = call(client, key)
    assert response.status_code == 401
    error = response.json()["error"]
    assert "令牌已于" in error and "过期" in error
    assert "python manage.py api_token" in error
    assert ApiToken.objects.get().last_used_at is None  # a refused call is not a use


def test_a_revoked_token_answers_401_saying_so(client, leader):
    key, _err = make_key("leader1")
    ApiToken.objects.update(revoked_at=timezone.now())
    response = call(client, key)
    assert response.status_code == 401
    assert "被吊销" in response.json()["error"]


def test_an_unknown_token_still_gets_the_general_answer(client, leader):
    response = call(client, "not-a-token")
    assert response.status_code == 401
    assert "未登录或令牌无效" in response.json()["error"]


# ---------------------------------------------------------------------------- the admin


@pytest.fixture
def superuser(db):
    return make_user("root", is_staff=True, is_superuser=True)


def test_the_admin_lists_tokens_with_user_purpose_prefix_dates_and_state(client, superuser, leader):
    make_key("leader1", "--name", "大屏")
    old_key, _err = make_key("leader1", "--name", "旧接口")
    ApiToken.objects.filter(name="旧接口").update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    client.force_login(superuser)
    html = client.get("/admin/indicators/apitoken/").content.decode()
    for header in ("用户", "用途", "前缀", "创建时间", "最近使用", "到期时间", "状态"):
        assert header in html, header
    assert "大屏" in html and "有效" in html and "已过期" in html
    assert old_key[:8] + "…" in html and old_key not in html  # only the prefix is ever shown
    expired = client.get("/admin/indicators/apitoken/?state=expired").content.decode()
    assert "旧接口" in expired and "大屏" not in expired


def test_revoking_in_the_admin_stops_the_token(client, superuser, leader):
    key, _err = make_key("leader1")
    token = ApiToken.objects.get()
    client.force_login(superuser)
    response = client.post(
        "/admin/indicators/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "已吊销1个令牌" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and token.state() == "revoked"
    client.logout()
    assert call(client, key).status_code == 401


def test_an_expiry_may_be_moved_in_the_admin_but_no_key_is_made_there(client, superuser, leader):
    key, _err = make_key("leader1")
    token = ApiToken.objects.get()
    client.force_login(superuser)
    assert client.get("/admin/indicators/apitoken/add/").status_code == 403
    past = timezone.localtime() - datetime.timedelta(days=1)
    response = client.post(
        f"/admin/indicators/apitoken/{token.pk}/change/",
        {
            "name": "大屏",
            "expires_at_0": past.strftime("%Y-%m-%d"),
            "expires_at_1": past.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302
    client.logout()
    assert call(client, key).status_code == 401
