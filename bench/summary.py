"""Benchmark: the summary selector at town scale against the bare aggregate SQL, and import
throughput for a 100,000-row workbook. Prints figures and ratios; asserts nothing.

    make bench            (or: python bench/summary.py [--repeat 20] [--rows 100000])
"""

import argparse
import io
import time

from _setup import setup_django, timed_together


def build_district(towns: int, villages: int = 30, indicators: int = 150, years: int = 5):
    """The `generate_district` data (G, G01…, G01V01…): (district, towns, last year, figures)."""
    from indicators import synthetic

    built = synthetic.build_district(
        towns=towns, villages=villages, indicators=indicators, years=years, last_year=2025
    )
    # As `generate_district` does: the bulk inserts skipped the write services.
    from indicators import rollup, versions

    rollup.rebuild()
    versions.bump()
    synthetic.settle()
    return built.district, built.towns, built.year, built.figures


def bare_sql(area, year, month):
    """What a hand-written report runs: the area's own figures and one aggregate of all the
    figures below it, approved only, for the months a summary reads."""
    from django.db import connection

    from indicators.areas import AreaTree

    ids = [a.pk for a in AreaTree().descendants(area)]
    marks = ",".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indicator_id, year, month, value FROM indicators_figure WHERE area_id = %s"
            " AND year IN (%s, %s) AND month IN (%s, %s, 12) AND status = 'approved'",
            [area.pk, year - 1, year, month, month - 1],
        )
        own = cursor.fetchall()
        cursor.execute(
            "SELECT indicator_id, year, month, SUM(value), COUNT(*) FROM indicators_figure"
            f" WHERE area_id IN ({marks}) AND year IN (%s, %s) AND month IN (%s, %s, 12)"
            " AND status = 'approved' GROUP BY indicator_id, year, month",
            [*ids, year - 1, year, month, month - 1],
        )
        return own, cursor.fetchall()


def import_throughput(rows: int):
    """The full-workbook import of `rows` 数据 rows (built as bench/imports.py builds them)."""
    from imports import build, workbook

    from indicators.workbook import read_file, workbook_import

    data = io.BytesIO(workbook(build(rows), rows))
    start = time.perf_counter()
    sheets = read_file(data, name="bench.xlsx")
    read = time.perf_counter() - start
    plan = workbook_import(sheets)
    total = time.perf_counter() - start
    assert plan.ok, plan.errors[:3]
    return rows, read, total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from indicators.selectors import summary_rows

    start = time.perf_counter()
    _district, [town], year, count = build_district(1)
    print(
        f"database: {connection.vendor}; town scale built in {time.perf_counter() - start:.1f}s:"
        f" 30 villages x 150 indicators x 5 years = {count:,} figures"
    )
    summary_rows(town, year, 10)  # warm caches
    times = timed_together(
        {
            "selector": lambda: summary_rows(town, year, 10),
            "bare": lambda: bare_sql(town, year, 10),
        },
        args.repeat,
    )
    (p50, p95), (b50, b95) = times["selector"], times["bare"]
    print(f"summary selector (town):       p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"bare aggregate SQL:            p50 {b50:.1f} ms, p95 {b95:.1f} ms")
    print(f"ratio selector / bare SQL:     p50 {p50 / b50:.2f}x, p95 {p95 / b95:.2f}x")
    n, read, total = import_throughput(args.rows)
    print(
        f"import {n:,} rows: read {read:.1f}s, check+apply {total - read:.1f}s,"
        f" {n / total:,.0f} rows/s overall"
    )


if __name__ == "__main__":
    main()
