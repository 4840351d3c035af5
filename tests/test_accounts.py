"""Accounts: login throttling (django-axes), password rules, sessions that end after a day idle."""

import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "pw-12345"  # tests/factories.py make_user


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True


def attempt(client, username, password, address="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_five_times(client, username="clerk1", address="10.1.1.1"):
    return [attempt(client, username, "wrong-password", address) for _ in range(5)]


def logged_in(client):
    return "_auth_user_id" in client.session


# ---------------------------------------------------------------------------- throttling


def test_five_failures_lock_the_user_out_at_that_address(client, throttled, staff, caplog):
    caplog.set_level(logging.WARNING, logger="axes")
    answers = fail_five_times(client)
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 429]
    assert "用户名或密码不正确" in answers[0].content.decode()
    # Even the right password is refused now, on the login page, in Chinese.
    response = attempt(client, "clerk1", PASSWORD)
    html = response.content.decode()
    assert response.status_code == 429
    assert "登录失败次数过多" in html and "15分钟后再试" in html
    assert '<input type="password" name="password"' in html
    assert 'value="clerk1"' in html
    assert not logged_in(client)
    assert "Locking out" in caplog.text and "clerk1" in caplog.text


def test_four_failures_do_not_lock_anyone_out(client, throttled, staff):
    for _ in range(4):
        attempt(client, "clerk1", "wrong-password")
    assert attempt(client, "clerk1", PASSWORD).status_code == 302
    assert logged_in(client)


def test_a_lockout_holds_only_for_that_user_and_address_together(client, throttled, staff, leader):
    fail_five_times(client, "clerk1", "10.1.1.1")
    assert attempt(client, "clerk1", PASSWORD, "10.1.1.1").status_code == 429
    # The same user from another desk, and a colleague at the same desk, still get in.
    assert attempt(client, "clerk1", PASSWORD, "10.1.1.2").status_code == 302
    client.logout()
    assert attempt(client, "leader1", PASSWORD, "10.1.1.1").status_code == 302


def test_a_lockout_lifts_after_fifteen_minutes(client, throttled, staff):
    fail_five_times(client)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=14))
    assert attempt(client, "clerk1", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=2))
    assert attempt(client, "clerk1", PASSWORD).status_code == 302
    assert logged_in(client)


def test_behind_nginx_the_address_counted_is_the_one_nginx_saw(client, throttled, staff, settings):
    # HTTPS=1 sets this; gunicorn then sees every browser as 127.0.0.1.
    settings.AXES_CLIENT_IP_CALLABLE = "config.accounts.client_ip_behind_proxy"

    def via_nginx(password, real_ip):
        return client.post(
            LOGIN,
            {"username": "clerk1", "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_REAL_IP=real_ip,
        )

    for _ in range(5):
        via_nginx("wrong-password", "192.0.2.7")
    assert via_nginx(PASSWORD, "192.0.2.7").status_code == 429
    assert via_nginx(PASSWORD, "192.0.2.8").status_code == 302


def test_the_admin_login_is_throttled_too(client, throttled, db):
    get_user_model().objects.create_superuser("root1", password=PASSWORD)
    for _ in range(5):
        client.post(
            "/admin/login/", {"username": "root1", "password": "nope"}, REMOTE_ADDR="10.1.1.9"
        )
    response = client.post(
        "/admin/login/", {"username": "root1", "password": PASSWORD}, REMOTE_ADDR="10.1.1.9"
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


# ---------------------------------------------------------------------------- password rules


@pytest.fixture
def admin_client_for(client, db):
    admin = get_user_model().objects.create_superuser("root1", password=PASSWORD)
    client.force_login(admin)
    return client


def set_password(client, user, password):
    return client.post(
        f"/admin/auth/user/{user.pk}/password/", {"password1": password, "password2": password}
    )


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("83920175365", "password_entirely_numeric"),
        ("clerk1234", "password_too_similar"),
        ("qwertyuiop", "password_too_common"),
        ("Ab3$x", "password_too_short"),
    ],
)
def test_weak_passwords_are_refused(admin_client_for, staff, password, rule):
    response = set_password(admin_client_for, staff, password)
    assert response.status_code == 200
    codes = [e.code for e in response.context["form"].errors.as_data()["password2"]]
    assert rule in codes
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_a_long_unguessable_password_is_accepted(admin_client_for, staff):
    assert set_password(admin_client_for, staff, "Lantern-harvest-27").status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("Lantern-harvest-27")


# ---------------------------------------------------------------------------- sessions


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """The time Django's sessions and the refresh middleware read, moved by the test."""
    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@pytest.fixture
def signed_in(client, staff, clock):
    assert client.post(LOGIN, {"username": "clerk1", "password": PASSWORD}).status_code == 302
    return client


def still_signed_in(client):
    response = client.get("/entry/progress/?year=2025&month=10")
    if response.status_code == 302:
        assert response["Location"].startswith(LOGIN)
        return False
    assert response.status_code == 200
    return True


def test_the_session_cookie_lasts_one_working_day(client, staff):
    response = client.post(LOGIN, {"username": "clerk1", "password": PASSWORD})
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 60 * 60


def test_a_session_ends_after_eight_hours_without_a_request(signed_in, clock):
    clock.advance(hours=8, minutes=1)
    assert not still_signed_in(signed_in)


def test_a_session_in_use_stays_open_past_eight_hours(signed_in, clock):
    for _ in range(3):  # 21 hours in all, never 8 idle
        clock.advance(hours=7)
        assert still_signed_in(signed_in)
    clock.advance(hours=8, minutes=1)
    assert not still_signed_in(signed_in)


def test_requests_minutes_apart_do_not_rewrite_the_session(signed_in, clock):
    clock.advance(minutes=2)
    response = signed_in.get("/entry/progress/?year=2025&month=10")
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    clock.advance(minutes=4)  # 6 since the login wrote it
    response = signed_in.get("/entry/progress/?year=2025&month=10")
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 60 * 60
