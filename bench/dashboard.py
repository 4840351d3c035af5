"""Benchmark: server time of the overview page and of /api/v1/summary at town scale (30 villages
x 150 indicators x 5 years) and district scale (20 such towns), each against the bare aggregate
SQL over the same figures in the same run, with p50 and p95. Prints; asserts nothing.

    python bench/dashboard.py [--towns 20] [--repeat 30]
"""

import argparse
import time

from _setup import setup_django, timed_together
from summary import bare_sql


def measure(client, area, year, month, repeat, label):
    from indicators.selectors import summary_rows

    page_url = f"/?area={area.code}&year={year}&month={month}"
    api_url = f"/api/v1/summary?area={area.code}&year={year}&month={month}"
    assert client.get(page_url).status_code == 200
    times = timed_together(
        {
            "page": lambda: client.get(page_url),
            "api": lambda: client.get(api_url),
            "selector": lambda: summary_rows(area, year, month, series="key"),
            "sql": lambda: bare_sql(area, year, month),
        },
        repeat,
    )
    (page50, page95), (api50, api95) = times["page"], times["api"]
    (sel50, _), (sql50, sql95) = times["selector"], times["sql"]
    print(f"[{label}] bare aggregate SQL     p50 {sql50:7.1f} ms  p95 {sql95:7.1f} ms")
    print(f"[{label}] overview page          p50 {page50:7.1f} ms  p95 {page95:7.1f} ms"
          f"  = {page50 / sql50:.1f}x bare SQL")  # fmt: skip
    print(f"[{label}]   of which selector    p50 {sel50:7.1f} ms = {sel50 / sql50:.1f}x bare SQL;"
          f" the rest (template, tables, villages, tasks) {page50 - sel50:.1f} ms")  # fmt: skip
    print(f"[{label}] /api/v1/summary        p50 {api50:7.1f} ms  p95 {api95:7.1f} ms"
          f"  = {api50 / sql50:.1f}x bare SQL")  # fmt: skip
    # The goal (issue 3): at most twice the bare query, plus under 50 ms for the rest.
    print(f"[{label}] page - 2 x bare SQL    p50 {page50 - 2 * sql50:7.1f} ms (goal: under 50 ms)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30)
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
    measure(client, towns[0], year, 10, args.repeat, "town")
    measure(client, district, year, 10, max(3, args.repeat // 3), "district")


if __name__ == "__main__":
    main()
