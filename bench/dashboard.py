"""Benchmark: server time of the overview page and of /api/v1/summary at town scale (30 villages
x 150 indicators x 5 years) and district scale (20 such towns; `--towns 100` for the 100-town
case), each against the bare aggregate SQL over the same figures in the same run, with p50 and
p95. "cold" empties the cache (shared and per-process) before each request: what the first reader
after a write pays;
"warm" reads what the previous request cached. Prints; asserts nothing.

    python bench/dashboard.py [--towns 20] [--repeat 30]
"""

import argparse
import time

from _setup import setup_django, timed_together
from summary import bare_sql


def measure(client, area, year, month, repeat, label):
    from django.core.cache import cache

    from indicators.selectors import summary_rows

    page_url = f"/?area={area.code}&year={year}&month={month}"
    api_url = f"/api/v1/summary?area={area.code}&year={year}&month={month}"
    chart_url = f"/charts/categories/?area={area.code}&year={year}&month={month}"
    assert client.get(page_url).status_code == 200

    from indicators import versions

    def cold(url):
        def run():
            cache.clear()
            versions.forget_local()  # this process's memo of recent results too
            assert client.get(url).status_code == 200

        return run

    def warm(url):
        return lambda: client.get(url)

    times = timed_together(
        {
            "page cold": cold(page_url),
            "page warm": warm(page_url),
            "api cold": cold(api_url),
            "api warm": warm(api_url),
            "chart after page": warm(chart_url),
            "selector": lambda: summary_rows(area, year, month, series="key"),
            "sql": lambda: bare_sql(area, year, month),
        },
        repeat,
    )
    sql50, sql95 = times.pop("sql")
    print(f"[{label}] bare aggregate SQL     p50 {sql50:7.1f} ms  p95 {sql95:7.1f} ms")
    for name, (p50, p95) in times.items():
        print(f"[{label}] {name:<22} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms"
              f"  = {p50 / sql50:5.1f}x bare SQL")  # fmt: skip
    print(f"[{label}] goals: page cold <= 2x bare SQL (town), page warm <= 15 ms;"
          " district < 100 ms, 100 towns < 300 ms")  # fmt: skip


def explain(area, year, month, label):
    """EXPLAIN ANALYZE (PostgreSQL) of the summary's roll-up reads: every aggregate over the
    figures or the stored roll-up (the trend is its own query since issue 15)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicators.selectors import summary_rows

    if connection.vendor != "postgresql":
        return
    with CaptureQueriesContext(connection) as queries:
        summary_rows(area, year, month, series="key")
    reads = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    for n, sql in enumerate(reads, start=1):
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"[{label}] EXPLAIN ANALYZE of roll-up read {n} of {len(reads)}:")
        print(plan)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--explain-only", action="store_true")
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from summary import build_district

    start = time.perf_counter()
    district, towns, year, total = build_district(args.towns)
    print(f"database: {connection.vendor}; {args.towns} towns x 30 villages x 150 indicators x"
          f" 5 years = {total:,} figures, built in {time.perf_counter() - start:.0f}s")  # fmt: skip
    admin = get_user_model().objects.create_superuser("bench", password="x")
    client = Client()
    client.force_login(admin)
    if not args.explain_only:
        measure(client, towns[0], year, 10, args.repeat, "town")
        measure(client, district, year, 10, max(3, args.repeat // 3), f"district {args.towns}")
    explain(towns[0], year, 10, "town")
    explain(district, year, 10, f"district {args.towns}")


if __name__ == "__main__":
    main()
