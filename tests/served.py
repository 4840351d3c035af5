"""The app as production serves it, for tests that need real concurrency: gunicorn (several
processes, several threads each) on a fresh database of the suite's kind, and a plain HTTP
client that signs in with a session cookie and posts forms with their CSRF token.

pytest-django's live server shares one in-memory SQLite connection between its threads, so
it cannot show what two writers at the same instant do; gunicorn on a real file (or a real
PostgreSQL database) can.
"""

import http.client
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def postgres_url(vendor: str) -> str | None:
    """The suite's PostgreSQL cluster (`make test-pg` exports it), when the suite runs there."""
    url = os.environ.get("DATABASE_URL", "")
    return url if vendor == "postgresql" and url.startswith(("postgres", "postgresql")) else None


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@dataclass
class Server:
    base: str  # http://127.0.0.1:PORT
    database_url: str
    env: dict
    process: subprocess.Popen | None
    log: Path

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    def manage(self, *args, timeout=120) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    def python(self, code: str) -> str:
        """Run `code` in a Django shell against the served database; returns what it printed."""
        return self.manage("shell", "--no-imports", "-c", code)

    def query(self, sql: str) -> list[tuple]:
        """Rows of `sql`, read from the served database directly (not through the app)."""
        if self.database_url.startswith("sqlite"):
            import sqlite3

            with sqlite3.connect(self.database_url.removeprefix("sqlite:///")) as db:
                return db.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.database_url) as db:
            return db.execute(sql).fetchall()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start(tmp: Path, static: Path, *, vendor: str, setup: str = "", workers: int = 3,
          threads: int = 4) -> tuple["Server", str]:  # fmt: skip
    """Migrate a fresh database (a file, or a new PostgreSQL database of the suite's cluster),
    run `setup` (Python, in a Django shell) and serve it; returns the server and what `setup`
    printed. Production's hashed static files are collected into `static` once."""
    cluster = postgres_url(vendor)
    if cluster:
        name = f"tracker_live_{uuid.uuid4().hex[:8]}"
        import psycopg

        with psycopg.connect(cluster, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        database_url = _with_database(cluster, name)
    else:
        database_url = f"sqlite:///{tmp / 'served.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TESTING": "1",  # the dev secret; everything else as production runs it
        "DEBUG": "0",
        "STATIC_ROOT": str(static),
        "LOG_LEVEL": "INFO",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    server = Server(
        base="", database_url=database_url, env=env, process=None, log=tmp / "gunicorn.log"
    )
    # One process for all of it: each Django start costs seconds on a busy machine.
    collect = "" if (static / "staticfiles.json").exists() else (
        "call_command('collectstatic', interactive=False, verbosity=0)\n"
    )  # fmt: skip
    printed = server.python(
        f"from django.core.management import call_command\n{collect}"
        f"call_command('migrate', interactive=False, verbosity=0)\n{setup}"
    )
    # gunicorn's log and the app's (LOG_LEVEL=INFO) both go to its stderr, into one file.
    with server.log.open("wb") as log:
        server.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "config.wsgi", "--bind", "127.0.0.1:0", "--preload",
             "--workers", str(workers), "--threads", str(threads), "--timeout", "60"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )  # fmt: skip
    server.base = _wait_for_port(server.process, server.log)
    return server, printed


def _wait_for_port(process, log: Path, timeout: float = 60) -> str:
    # gunicorn binds port 0 (a free one, chosen by the kernel) and names it in its log.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text(errors='replace')[-2000:]}")
        text = log.read_text(errors="replace") if log.exists() else ""
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
        if found and text.count("Booting worker") >= 1:
            base = found.group(1)
            try:
                status, _h, _b = Client(base).get("/healthz")
            except OSError:
                status = None
            if status == 200:
                return base
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def stop(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGINT)  # quick shutdown: no request is open
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()
    if not server.database_url.startswith("sqlite"):
        import psycopg

        name = urlsplit(server.database_url).path.lstrip("/")
        cluster = _with_database(server.database_url, "postgres")
        with psycopg.connect(cluster, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------------------- the client


@dataclass
class Client:
    """A browser without a browser: cookies, GET, and POST of a form with its CSRF token."""

    base: str
    cookies: dict = field(default_factory=dict)
    timeout: float = 60

    def _connection(self):
        parts = urlsplit(self.base)
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _eq, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), data.decode("utf-8", "replace")

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, data: dict, csrf: str):
        body = urlencode({**data, "csrfmiddlewaretoken": csrf}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body, headers)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_of(html: str) -> str:
    return CSRF.search(html).group(1)


# ---------------------------------------------------------------------------- the data

# Run in the served database's Django shell: one town and department, `cells` indicators (levels,
# so any value is a valid first entry), and `writers` clerks, each with a signed-in session.
SEED = """
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from tests.factories import make_area, make_department, make_indicator, make_user

# Nobody signs in with a password here: spare the seconds PBKDF2 costs per user.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
town = make_area(code="T01", name="并发镇", level="town")
department = make_department("经发办")
indicators = [
    make_indicator(code=f"C{i:02d}", kind="stock", unit="个", department=department)
    for i in range(CELLS)
]
sessions = []
for n in range(WRITERS):
    user = make_user(f"writer{n:02d}", role="clerk", area=town, department=department)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    sessions.append(session.session_key)
cells = [f"{ind.pk}-{town.pk}" for ind in indicators]
print(json.dumps({"department": department.pk, "cells": cells, "sessions": sessions}))
"""


def writers_setup(*, writers: int, cells: int) -> str:
    """The `setup` of `start` for writers; `json.loads` of the last printed line is the data."""
    return f"WRITERS, CELLS = {writers}, {cells}\n{SEED}"
