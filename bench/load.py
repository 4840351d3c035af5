"""Benchmark over HTTP: gunicorn on 127.0.0.1 (loopback only), a small threaded client.

1. Load: `--users` users (50) each request a page, then think `--think` seconds (5), for
   `--duration` seconds (60), mixing the overview, indicator pages, the API, the ledger and
   figure submissions (a clerk saving one cell of the entry grid). Prints p50/p95 per page,
   requests and errors.
2. Ceilings: for each read page, closed loop at 10 and 50 connections (each connection sends
   its next request as soon as the last one is answered) for `--ceiling` seconds: requests per
   second and p95.

    DATABASE_URL=postgres://… python bench/load.py [--towns 1] [--workers 4] [--threads 4]
    python bench/load.py --worker-class sync   (the old `make serve`, for comparison)
    python bench/load.py --port 8042           (beside another checkout's run)

Without DATABASE_URL a temporary SQLite file is used. The data is `generate_district`'s
(built once when the database has no district G). Prints; asserts nothing.
"""

import argparse
import http.client
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = 8024
YEAR, MONTH = 2025, 10


def setup(towns: int) -> dict:
    """Build the data once, make a leader and a clerk, return their session cookies."""
    sys.path.insert(0, str(ROOT))
    if "DATABASE_URL" not in os.environ:
        path = Path(tempfile.mkdtemp(prefix="tracker-load-")) / "load.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("TESTING", "1")
    # The server signs sessions with this key too (a bench-only secret, never a real one).
    os.environ["SECRET_KEY"] = "bench-only-secret"
    import django

    django.setup()
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from indicators.models import Area, Department, Indicator, Membership

    call_command("migrate", "--noinput", verbosity=0)
    if not Area.objects.filter(code="G").exists():
        start = time.perf_counter()
        call_command("generate_district", f"--towns={towns}", "--last-year=2025")
        print(f"data built in {time.perf_counter() - start:.0f}s")
    town = Area.objects.get(code="G01")
    village_ind = Indicator.objects.filter(entry_level="village", source__isnull=True).first()
    cookies = {}
    User = get_user_model()
    for name, role, department in (
        ("load-leader", "leader", None),
        ("load-clerk", "clerk", village_ind.department),
    ):
        user, _ = User.objects.get_or_create(username=name)
        Membership.objects.get_or_create(
            user=user, defaults={"role": role, "area": town, "department": department}
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies[role] = session.session_key
    codes = list(
        Indicator.objects.filter(source__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    department = Department.objects.get(pk=village_ind.department_id)
    return {"cookies": cookies, "codes": codes, "department": department.pk}


def serve(args) -> subprocess.Popen:
    env = {**os.environ, "DEBUG": "0", "TESTING": "0",
           "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "ERROR"}  # fmt: skip
    python = str(Path(sys.executable))
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    command = [python, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{PORT}",
               "--workers", str(args.workers), "--worker-class", args.worker_class]  # fmt: skip
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


class Client:
    """One user: a keep-alive connection and a session cookie."""

    def __init__(self, cookie):
        self.cookie = cookie
        self.conn = None

    def request(self, method, url, body=None, headers=None):
        headers = {"Cookie": f"sessionid={self.cookie}; csrftoken=benchcsrftoken0123456789abcdefgh",
                   **(headers or {})}  # fmt: skip
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
                self.conn.request(method, url, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, data
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt == 2:
                    return 599, b""
        return 599, b""


def pages(info):
    area = f"area=G01&year={YEAR}&month={MONTH}"
    codes = info["codes"]
    return {
        "overview": lambda: f"/?{area}",
        "indicator": lambda: f"/indicators/{random.choice(codes)}/?{area}",
        "api": lambda: f"/api/v1/summary?{area}",
        "ledger": lambda: f"/tasks/?year={YEAR}",
    }


CSRF = "benchcsrftoken0123456789abcdefgh"


def submit(client, info):
    """Save one cell of the clerk's entry grid (the month being reported)."""
    status, page = client.request("GET", f"/entry/?department={info['department']}")
    if status != 200:
        return status
    text = page.decode()
    names = re.findall(r'name="v-([^"]+)"', text)
    if not names:
        return status
    name = random.choice(names)
    version = re.search(rf'name="ver-{re.escape(name)}" value="(\d+)"', text)
    year = re.search(r'name="year" value="(\d+)"', text).group(1)
    month = re.search(r'name="month" value="(\d+)"', text).group(1)
    from urllib.parse import urlencode

    body = urlencode({"csrfmiddlewaretoken": CSRF, "department": info["department"],
                      "year": year, "month": month, f"v-{name}": random.randint(100, 200),
                      f"ver-{name}": version.group(1) if version else 0})  # fmt: skip
    status, _ = client.request(
        "POST",
        "/entry/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{PORT}/entry/",
        },
    )
    return status


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def load(info, users, think, duration):
    urls = pages(info)
    mix = ["overview"] * 3 + ["indicator"] * 3 + ["api"] * 2 + ["ledger"] * 2 + ["submit"]
    samples = {name: [] for name in [*urls, "submit"]}
    errors = {name: 0 for name in samples}
    stop = time.monotonic() + duration

    def user(n):
        rng = random.Random(n)
        reader = Client(info["cookies"]["leader"])
        clerk = Client(info["cookies"]["clerk"])
        time.sleep(rng.uniform(0, think))  # users arrive spread over one think time
        while time.monotonic() < stop:
            name = rng.choice(mix)
            start = time.perf_counter()
            if name == "submit":
                status = submit(clerk, info)
            else:
                status, _ = reader.request("GET", urls[name]())
            samples[name].append((time.perf_counter() - start) * 1000)
            if status not in ((200, 302) if name == "submit" else (200,)):
                errors[name] += 1
            time.sleep(rng.expovariate(1 / think))

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"load: {users} users, {think:g} s think time, {duration:g} s")
    for name, values in samples.items():
        print(f"  {name:<10} n {len(values):4d}  p50 {percentile(values, 0.5):7.1f} ms"
              f"  p95 {percentile(values, 0.95):7.1f} ms  errors {errors[name]}")  # fmt: skip


def ceiling(info, name, url, connections, seconds):
    done, errors, latencies = [0], [0], []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def loop():
        client = Client(info["cookies"]["leader"])
        while time.monotonic() < stop:
            start = time.perf_counter()
            status, _ = client.request("GET", url())
            with lock:
                done[0] += 1
                latencies.append((time.perf_counter() - start) * 1000)
                errors[0] += status != 200

    threads = [threading.Thread(target=loop) for _ in range(connections)]
    begin = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rate = done[0] / (time.monotonic() - begin)
    print(f"  {name:<10} {connections:3d} connections: {rate:6.1f} req/s"
          f"  p95 {percentile(latencies, 0.95):7.1f} ms  errors {errors[0]}")  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", type=int, default=1)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=5)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--ceiling", type=float, default=10)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--port", type=int, default=8024, help="gunicorn's port (default 8024)")
    args = parser.parse_args()
    global PORT
    PORT = args.port
    info = setup(args.towns)
    from django.db import connection

    vendor = connection.vendor
    connection.close()
    server = serve(args)
    try:
        print(f"database: {vendor}; gunicorn {args.worker_class}, {args.workers} workers"
              + (f" x {args.threads} threads" if args.worker_class == "gthread" else ""))  # fmt: skip
        for url in pages(info).values():  # one warm-up request each
            Client(info["cookies"]["leader"]).request("GET", url())
        if not args.skip_load:
            load(info, args.users, args.think, args.duration)
        print(f"ceilings ({args.ceiling:g} s each, closed loop):")
        for name, url in pages(info).items():
            for connections in (10, 50):
                ceiling(info, name, url, connections, args.ceiling)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
