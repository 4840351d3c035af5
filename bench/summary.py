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
    from openpyxl import Workbook

    from indicators.models import Area, Category, Indicator
    from indicators.workbook import read_file, workbook_import

    town = Area.objects.create(code="IT", name="导入镇", level="town")
    Indicator.objects.create(
        code="IMP",
        name="导入指标",
        unit="万元",
        kind="stock",
        entry_level="village",
        category=Category.objects.get_or_create(name="导入")[0],
    )
    villages = [f"IT{i:04d}" for i in range(rows // 120 + 1)]
    Area.objects.bulk_create([Area(code=c, name=c, level="village", parent=town) for c in villages])
    book = Workbook(write_only=True)
    ws = book.create_sheet("数据")
    ws.append(["指标编码", "区域编码", "年度", "月份", "数值", "备注"])
    n = 0
    for code in villages:
        for year in range(2016, 2026):
            for month in range(1, 13):
                if n < rows:
                    ws.append(["IMP", code, year, month, 100 + month, None])
                    n += 1
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    start = time.perf_counter()
    sheets = read_file(data, name="bench.xlsx")
    read = time.perf_counter() - start
    plan = workbook_import(sheets)
    total = time.perf_counter() - start
    assert plan.ok, plan.errors[:3]
    return n, read, total


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
