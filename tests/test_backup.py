"""`manage.py backup` (what `make backup` runs): a copy that restores to the same rows."""

import io
import os
import sqlite3
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from config.management.commands.backup import find_pg_tool, pg_conninfo

# Committed rows: pg_dump reads them from another session.
pytestmark = pytest.mark.django_db(transaction=True)


def backup_into(folder) -> Path:
    out = io.StringIO()
    call_command("load_demo", stdout=io.StringIO())
    call_command("backup", dir=str(folder), stdout=out)
    return Path(out.getvalue().strip())


def row_counts(cursor, tables):
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def live_row_counts():
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        return row_counts(cursor, tables)


def assert_real_data(counts):
    # The demo township: enough that an empty or partial copy cannot pass.
    assert counts["indicators_figure"] > 100
    assert counts["tasks_task"] > 10
    assert counts["auth_user"] > 5


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite suite only")
def test_a_sqlite_backup_is_a_complete_consistent_copy(tmp_path):
    path = backup_into(tmp_path)
    assert path.parent == tmp_path and path.name.startswith("tracker-")
    assert path.suffix == ".sqlite3"
    live = live_row_counts()
    assert_real_data(live)
    copy = sqlite3.connect(path)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert row_counts(copy.cursor(), live) == live
    finally:
        copy.close()


@pytest.fixture
def pg_restore():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL suite only")
    tools = find_pg_tool("pg_dump"), find_pg_tool("pg_restore")
    if None in tools:
        if os.environ.get("REQUIRE_PG"):
            pytest.fail("找不到 pg_dump / pg_restore：make test-pg 要求运行备份恢复测试。")
        pytest.skip("pg_dump is not installed")
    return tools[1]


def test_a_postgresql_dump_restores_every_row_into_an_empty_database(tmp_path, pg_restore):
    path = backup_into(tmp_path)
    assert path.suffix == ".dump" and path.stat().st_size > 0
    live = live_row_counts()
    assert_real_data(live)

    info = connection.connection.info
    target = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        env = {**os.environ, "PGPASSWORD": info.password or ""}
        dsn = pg_conninfo(dbname=target)
        subprocess.run(
            [pg_restore, "--no-owner", "--exit-on-error", f"--dbname={dsn}", str(path)],
            env=env,
            check=True,
            capture_output=True,
        )
        with psycopg.connect(dsn, password=info.password) as restored:
            assert row_counts(restored.cursor(), live) == live
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE "{target}"')
