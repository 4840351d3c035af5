"""python manage.py backup [--dir DIR]: a consistent copy of the whole database, named by date.

SQLite: SQLite's online backup API, page by page from one read transaction, so the copy is
consistent while gunicorn keeps writing. PostgreSQL: pg_dump's custom format (restore with
pg_restore, README "Deployment").
"""

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from psycopg.conninfo import make_conninfo


def find_pg_tool(name: str) -> str | None:
    """`name` on PATH, else the newest PostgreSQL's own (Debian keeps them out of PATH)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4])
    )
    return candidates[-1] if candidates else None


# Connection parameters every libpq that pg_dump may link knows (the driver's own newer libpq
# reports more, such as sslcertmode, which an older pg_dump refuses).
PORTABLE_PARAMETERS = (
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "connect_timeout",
)


def pg_conninfo(**overrides) -> str:
    """The live connection's parameters (no password) as a libpq connection string."""
    used = connection.connection.info.get_parameters()
    params = {k: v for k, v in used.items() if k in PORTABLE_PARAMETERS}
    return make_conninfo(**{**params, **overrides})


class Command(BaseCommand):
    help = (
        "备份整个数据库到 backups/（SQLite 用在线备份接口，PostgreSQL 用 pg_dump），文件名带日期。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.BASE_DIR / "backups"))

    def handle(self, *args, **options):
        folder = Path(options["dir"])
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            path = folder / f"tracker-{stamp}.sqlite3"
            self.refuse_existing(path)
            copy = sqlite3.connect(path)
            try:
                connection.connection.backup(copy)
            finally:
                copy.close()
        elif connection.vendor == "postgresql":
            path = folder / f"tracker-{stamp}.dump"
            self.refuse_existing(path)
            pg_dump = find_pg_tool("pg_dump")
            if pg_dump is None:
                raise CommandError(
                    "找不到 pg_dump：请安装 PostgreSQL 客户端（postgresql-client）。"
                )
            command = [pg_dump, "--format=custom", "--no-owner", f"--file={path}", pg_conninfo()]
            # The password goes through the environment, never the command line.
            env = {**os.environ, "PGPASSWORD": connection.connection.info.password or ""}
            result = subprocess.run(command, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                path.unlink(missing_ok=True)
                raise CommandError(f"pg_dump 失败：{result.stderr.strip()}")
        else:
            raise CommandError(f"不支持备份 {connection.vendor} 数据库。")
        self.stdout.write(str(path))

    def refuse_existing(self, path: Path):
        if path.exists():
            raise CommandError(f"备份文件已存在：{path}")
