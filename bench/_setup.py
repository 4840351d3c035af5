"""Shared start-up for benchmarks: a scratch database (a temp SQLite file unless DATABASE_URL is
set), migrated; never the developer's db.sqlite3."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django():
    sys.path.insert(0, str(ROOT))
    if "DATABASE_URL" not in os.environ:
        path = Path(tempfile.mkdtemp(prefix="tracker-bench-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("TESTING", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings

    # Pages are rendered in process, from static/ as it is (no collectstatic manifest).
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()

    call_command("flush", "--noinput", verbosity=0) if _has_tables() else None
    call_command("migrate", "--noinput", verbosity=0)


def _has_tables() -> bool:
    from django.db import connection

    return "indicators_figure" in connection.introspection.table_names()


def timed_together(fns: dict, repeat: int) -> dict:
    """Time several functions in turns, one call of each per round, so that a machine that
    speeds up or slows down during the run moves every figure alike and ratios stay fair.
    Returns {name: (p50, p95)} in milliseconds."""
    import time

    samples = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - start) * 1000)
    result = {}
    for name, values in samples.items():
        values.sort()
        result[name] = (
            values[len(values) // 2],
            values[min(len(values) - 1, int(len(values) * 0.95))],
        )
    return result
