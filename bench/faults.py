"""Faults: a mixed load of reads and figure saves against `make serve` on PostgreSQL, with
PostgreSQL stopped in the middle (10 s by default). Prints what it saw; asserts nothing.

    make faults    (= .ci/with-postgres python bench/faults.py [--outage 10] [--writers 8] …)

It needs the throwaway cluster of .ci/with-postgres (which says how to stop and start it), so
it never touches a real database; the server listens on 127.0.0.1 only, and every wait has a
deadline. What it reports:

- the answers before, during and after the outage, by status: during it only 503s (with
  Retry-After; JSON under /api/, the Chinese page elsewhere), never a 500 or a stack trace;
- how soon after PostgreSQL is back reads answer 200 and saves are acknowledged again, with
  the same gunicorn processes (no restart);
- every save the server acknowledged (302) against what the figure history holds: none lost,
  none doubled. A save that was stored but whose answer was lost in the outage is counted
  apart (its writer is told by the next save that someone saved first, and carries on).
"""

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import served  # noqa: E402  (the HTTP client and the writers' seed of the tests)

YEAR = time.localtime().tm_year - 1
MONTH = 6
VERSION = re.compile(r'name="ver-(\d+-\d+)" value="(\d+)"')
CONFLICT = "您的修改未保存"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=8, help="clerks saving figures")
    parser.add_argument("--readers", type=int, default=4, help="people reading pages and the API")
    parser.add_argument("--before", type=float, default=10, help="seconds of load before")
    parser.add_argument("--outage", type=float, default=10, help="seconds PostgreSQL is down")
    parser.add_argument("--after", type=float, default=15, help="seconds of load after")
    parser.add_argument("--port", type=int, default=8021)
    args = parser.parse_args()

    cluster = os.environ.get("DATABASE_URL", "")
    if not cluster.startswith("postgres") or "PG_CTL_DATA" not in os.environ:
        sys.exit("请通过 make faults 运行（需要 .ci/with-postgres 提供的临时 PostgreSQL 集群）。")
    work = Path(tempfile.mkdtemp(prefix="tracker-faults-"))
    database_url = fresh_database(cluster, "tracker_faults")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(work / "static"),
        "LOG_LEVEL": "INFO",
    }
    for name in ("DEBUG", "TESTING", "HTTPS"):
        env.pop(name, None)
    data = seed(env, writers=args.writers)
    server = serve(env, args.port, work / "serve.log")
    try:
        run(args, server, data, database_url, work / "serve.log")
    finally:
        stop_serving(server)
        drop_database(cluster, "tracker_faults")


# ---------------------------------------------------------------------------- the set-up


def _database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def fresh_database(cluster: str, name: str) -> str:
    drop_database(cluster, name)
    import psycopg

    with psycopg.connect(cluster, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return _database(cluster, name)


def drop_database(cluster: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_database(cluster, "postgres"), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(env, *, writers: int) -> dict:
    """Migrate, then one town, one department, an indicator per writer (each writer saves its
    own figure, so any refusal comes from the outage, not a colleague) and signed-in sessions."""
    code = (
        "from django.core.management import call_command\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        + served.writers_setup(writers=writers, cells=writers)
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def serve(env, port: int, log: Path) -> subprocess.Popen:
    """`make serve` (collectstatic, then gunicorn with production settings) on 127.0.0.1."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"PORT={port}"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    process.base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"make serve 退出了：\n{log.read_text(errors='replace')[-2000:]}")
        try:
            if served.Client(process.base, timeout=5).get("/healthz")[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.5)
    stop_serving(process)
    sys.exit("make serve 在 120 秒内没有应答 /healthz。")


def stop_serving(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def pg_ctl(*args) -> None:
    runas = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    subprocess.run(
        [*runas, "pg_ctl", "-D", os.environ["PG_CTL_DATA"], "-w", "-t", "60", *args],
        check=True, stdout=subprocess.DEVNULL, timeout=90,
    )  # fmt: skip


# ---------------------------------------------------------------------------- the load


class Load(threading.Thread):
    """One person: requests until told to stop, each answer noted as
    (finished at, kind, path, status, headers, body)."""

    pause = 0.1

    def __init__(self, base, session, stop):
        super().__init__(daemon=True)
        self.client = served.Client(base, cookies={"sessionid": session}, timeout=15)
        self.stop_event = stop
        self.answers = []

    def note(self, kind, path, status, headers, body):
        self.answers.append((time.monotonic(), kind, path, status, headers, body))

    def ask(self, kind, method, path, *args):
        try:
            status, headers, body = getattr(self.client, method)(path, *args)
        except OSError as exc:  # refused, reset or timed out: no answer at all
            self.note(kind, path, None, {}, repr(exc))
            return None, ""
        self.note(kind, path, status, headers, body)
        return status, body

    def run(self):
        while not self.stop_event.is_set():
            self.step()
            time.sleep(self.pause)


class Reader(Load):
    def __init__(self, base, session, stop, paths):
        super().__init__(base, session, stop)
        self.paths, self.turn = paths, 0

    def step(self):
        path = self.paths[self.turn % len(self.paths)]
        self.turn += 1
        self.ask("read", "get", path)


class Writer(Load):
    """Saves its own figure again and again, each time a new value, from the version the last
    answer showed; a refusal's page shows the newer one."""

    pause = 0.2

    def __init__(self, base, session, stop, n, cell, department):
        super().__init__(base, session, stop)
        self.n, self.cell, self.department = n, cell, department
        self.grid = f"/entry/?department={department}&year={YEAR}&month={MONTH}"
        self.csrf = self.version = None
        self.sent = 0
        self.acknowledged = []

    def step(self):
        if self.csrf is None:
            status, html = self.ask("read", "get", self.grid)
            if status != 200:
                return
            self.csrf, self.version = served.csrf_of(html), dict(VERSION.findall(html))[self.cell]
        self.sent += 1
        value = self.n * 100_000 + self.sent  # unique to this writer and save
        data = {
            "department": self.department, "year": YEAR, "month": MONTH, "action": "save",
            f"v-{self.cell}": value, f"ver-{self.cell}": self.version,
        }  # fmt: skip
        status, html = self.ask("save", "post", "/entry/", data, self.csrf)
        if status == 302:
            self.acknowledged.append(Decimal(value))
            self.version = str(int(self.version) + 1)
        elif status == 400 and CONFLICT in html:
            self.version = dict(VERSION.findall(html)).get(self.cell, self.version)


# ---------------------------------------------------------------------------- the run


def run(args, server, data, database_url, log: Path):
    stop = threading.Event()
    sessions, cells, department = data["sessions"], data["cells"], data["department"]
    area = "T01"
    paths = [
        "/",
        f"/?area={area}&year={YEAR}&month={MONTH}",
        f"/api/v1/summary?area={area}&year={YEAR}&month={MONTH}",
        f"/entry/progress/?area={area}&year={YEAR}&month={MONTH}",
        f"/tasks/?year={YEAR}",
        "/healthz",
    ]
    writers = [
        Writer(server.base, sessions[n], stop, n, cells[n], department) for n in range(args.writers)
    ]
    readers = [
        Reader(server.base, sessions[n % len(sessions)], stop, paths[n:] + paths[:n])
        for n in range(args.readers)
    ]
    booted = log.read_text(errors="replace").count("Booting worker")
    began = time.monotonic()
    for load in writers + readers:
        load.start()
    time.sleep(args.before)
    down = time.monotonic()
    pg_ctl("-m", "fast", "stop")
    stopped = time.monotonic()
    time.sleep(args.outage)
    pg_ctl("-l", os.environ["PG_CTL_LOG"], "-o", os.environ["PG_CTL_OPTIONS"], "start")
    up = time.monotonic()
    time.sleep(args.after)
    stop.set()
    for load in writers + readers:
        load.join(timeout=30)
    ended = time.monotonic()
    answers = sorted(a for load in writers + readers for a in load.answers)

    def phase(at):
        return "before" if at < down else "outage" if at < up else "after"

    print(
        f"PostgreSQL stopped for {up - stopped:.1f} s (stop took {stopped - down:.1f} s) under "
        f"{args.writers} writers and {args.readers} readers, {ended - began:.0f} s in all, "
        f"against make serve on 127.0.0.1:{args.port}"
    )
    print(f"{'phase':<8}{'answers':>9}{'200':>7}{'302':>7}{'400':>7}{'503':>7}{'500':>7}"
          f"{'other':>7}{'none':>7}")  # fmt: skip
    by_phase = defaultdict(Counter)
    for at, _kind, _path, status, _h, _b in answers:
        by_phase[phase(at)][status] += 1
    for name in ("before", "outage", "after"):
        c = by_phase[name]
        other = sum(n for s, n in c.items() if s not in (200, 302, 400, 503, 500, None))
        print(f"{name:<8}{sum(c.values()):>9}{c[200]:>7}{c[302]:>7}{c[400]:>7}{c[503]:>7}"
              f"{c[500]:>7}{other:>7}{c[None]:>7}")  # fmt: skip

    outage = [a for a in answers if a[3] == 503]
    api = [a for a in outage if a[2].startswith(("/api/", "/healthz"))]
    pages = [a for a in outage if a not in api]
    print(
        f"503s: {len(outage)}, with Retry-After {sum('Retry-After' in a[4] for a in outage)}; "
        f"/api/ and /healthz as JSON {sum(is_json(a) for a in api)} of {len(api)}; pages as "
        f"the Chinese page {sum('数据库暂时无法访问' in a[5] for a in pages)} of {len(pages)}; "
        f"stack traces {sum('Traceback' in a[5] for a in answers)}; "
        f"500s {sum(a[3] == 500 for a in answers)}"
    )
    first_read = next(
        (a[0] for a in answers if a[0] >= up and a[1] == "read" and a[3] == 200), None
    )
    first_save = next(
        (a[0] for a in answers if a[0] >= up and a[1] == "save" and a[3] == 302), None
    )
    last_503 = max((a[0] for a in outage), default=None)
    print(
        f"recovery after PostgreSQL was back: first read 200 in {since(first_read, up)}, first "
        f"save acknowledged in {since(first_save, up)}, last 503 {since(last_503, up)}"
    )
    text = log.read_text(errors="replace")
    print(
        f"server: make serve still running {server.poll() is None}; gunicorn workers booted "
        f"since the load began {text.count('Booting worker') - booted}; "
        f"worker timeouts {text.count('WORKER TIMEOUT')}"
    )
    report_saves(writers, database_url)


def is_json(answer) -> bool:
    try:
        json.loads(answer[5])
    except ValueError:
        return False
    return answer[4].get("Content-Type", "").startswith("application/json")


def since(at, start) -> str:
    return "never" if at is None else f"{at - start:+.2f} s"


def report_saves(writers, database_url):
    """Acknowledged saves against the figure history, read from the database directly."""
    import psycopg

    with psycopg.connect(database_url) as db:
        rows = db.execute(
            "SELECT indicator_id, area_id, value FROM indicators_historicalfigure"
            " WHERE history_type IN ('+', '~')"
        ).fetchall()
        versions = dict(
            (f"{i}-{a}", v)
            for i, a, v in db.execute(
                "SELECT indicator_id, area_id, version FROM indicators_figure"
            )
        )
    history = defaultdict(Counter)
    for ind, area, value in rows:
        history[f"{ind}-{area}"][Decimal(str(value))] += 1
    acknowledged = sum(len(w.acknowledged) for w in writers)
    stored = sum(sum(history[w.cell].values()) for w in writers)
    lost = doubled = unacknowledged = 0
    for w in writers:
        wanted = Counter(w.acknowledged)
        recorded = history[w.cell]
        lost += sum((wanted - recorded).values())
        doubled += sum(n - 1 for n in recorded.values() if n > 1)
        unacknowledged += sum(1 for value in recorded if value not in wanted)
    consistent = sum(versions.get(w.cell, 0) == sum(history[w.cell].values()) for w in writers)
    print(
        f"saves: sent {sum(w.sent for w in writers)}, acknowledged {acknowledged}, stored "
        f"{stored}; lost {lost}, doubled {doubled}, stored though their answer was lost "
        f"{unacknowledged}; figures whose version counts their stored saves "
        f"{consistent} of {len(writers)}"
    )


if __name__ == "__main__":
    main()
