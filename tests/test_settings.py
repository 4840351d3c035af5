"""config/settings.py as production starts it: a fresh process with only the environment given."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

# Variables the settings read; each test states the ones it means, whatever the shell has.
SETTINGS_VARIABLES = {
    "DEBUG",
    "TESTING",
    "SECRET_KEY",
    "HTTPS",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "HSTS_SECONDS",
    "CONN_MAX_AGE",
    "STATIC_ROOT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by tests/conftest.py for playwright
}
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "t0wnship-" + "Qz8#kLm2vR7$wXc4" * 4,
    "HTTPS": "1",
    "ALLOWED_HOSTS": "tracker.example.cn",
}


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def evaluate(expression, **env):
    """`expression` (over `settings`) as the settings module computes it under `env`."""
    command = f"from django.conf import settings; print({expression})"
    result = manage("shell", "--no-imports", "-c", command, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'db.sqlite3'}"


# ---------------------------------------------------------------------------- the secret


def test_serving_without_secret_key_stops_with_a_chinese_message(database_url):
    # gunicorn and runserver both load config.wsgi: neither serves on a key of its own making.
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=settings.BASE_DIR,
        env={**clean, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "请设置环境变量 SECRET_KEY" in result.stderr


def test_a_command_runs_without_secret_key_on_a_key_of_its_own(database_url):
    # makemigrations --check, migrate, backup sign nothing that outlives the process.
    result = manage("makemigrations", "--check", "--dry-run", DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    first = evaluate("settings.SECRET_KEY", DATABASE_URL=database_url)
    assert first and first != evaluate("settings.SECRET_KEY", DATABASE_URL=database_url)


@pytest.mark.parametrize("flag", ["DEBUG", "TESTING"])
def test_debug_or_testing_may_run_on_the_dev_secret(database_url, flag):
    result = manage("check", DATABASE_URL=database_url, **{flag: "1"})
    assert result.returncode == 0, result.stderr


def test_production_runs_on_its_own_secret(database_url):
    assert (
        evaluate("settings.SECRET_KEY", DATABASE_URL=database_url, **PRODUCTION)
        == PRODUCTION["SECRET_KEY"]
    )


# ---------------------------------------------------------------------------- HTTPS and check --deploy


def test_check_deploy_is_clean_under_production_settings(database_url):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", DATABASE_URL=database_url, **PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_complains_when_served_without_https(database_url):
    env = {**PRODUCTION, "HTTPS": "0"}
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", DATABASE_URL=database_url, **env
    )
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_https_settings_apply_only_with_https_1(database_url):
    names = (
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "AXES_CLIENT_IP_CALLABLE",
    )
    expression = "(" + ", ".join(f"settings.{n}" for n in names) + ")"
    on = evaluate(expression, DATABASE_URL=database_url, **PRODUCTION)
    off = evaluate(expression, DATABASE_URL=database_url, **{**PRODUCTION, "HTTPS": "0"})
    assert on == (
        "(True, True, True, 31536000, ('HTTP_X_FORWARDED_PROTO', 'https'), "
        "'config.accounts.client_ip_behind_proxy')"
    )
    assert off == "(False, False, False, 0, None, None)"


# ---------------------------------------------------------------------------- SQLite


SQLITE_PROBE = """
import sqlite3
from django.db import connection, transaction
with connection.cursor() as c:
    print(*(c.execute(f"PRAGMA {p}").fetchone()[0] for p in ("journal_mode", "synchronous", "busy_timeout")))
with transaction.atomic():
    # IMMEDIATE: the write lock is ours from BEGIN, before any statement ran.
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        print("free")
    except sqlite3.OperationalError as exc:
        print(exc)
"""


def test_a_sqlite_database_runs_in_wal_mode_with_immediate_transactions(database_url):
    result = manage(
        "shell", "--no-imports", "-c", SQLITE_PROBE, DATABASE_URL=database_url, DEBUG="1"
    )
    assert result.returncode == 0, result.stderr
    # synchronous 1 is NORMAL; busy_timeout is in milliseconds.
    assert result.stdout.split("\n")[:2] == ["wal 1 20000", "database is locked"]


def test_postgresql_gets_none_of_the_sqlite_options():
    url = "postgres://tracker@127.0.0.1:5432/tracker"
    options = evaluate("settings.DATABASES['default']['OPTIONS']", DATABASE_URL=url, DEBUG="1")
    assert options == "{'connect_timeout': 5}"  # an outage answers 503 within seconds


def test_postgresql_connections_are_kept_and_checked_so_a_restart_heals(database_url):
    url = "postgres://tracker@127.0.0.1:5432/tracker"
    kept = "settings.DATABASES['default']['CONN_MAX_AGE'], settings.DATABASES['default']['CONN_HEALTH_CHECKS']"
    assert evaluate(kept, DATABASE_URL=url, DEBUG="1") == "60 True"
    assert evaluate(kept, DATABASE_URL=url, DEBUG="1", CONN_MAX_AGE="0") == "0 True"
    assert evaluate(kept, DATABASE_URL=database_url, DEBUG="1") == "0 True"
