"""Benchmark: the summary selector at town scale against the bare aggregate SQL, and import
throughput for a 100,000-row workbook. Prints figures and ratios; asserts nothing.

    make bench            (or: python bench/summary.py [--repeat 20] [--rows 100000])
"""

import argparse
import io
import random
import time
from decimal import Decimal

from _setup import setup_django, timed_together


def build_catalogue(indicators=150):
    """Every third indicator entered per village, the rest by the town; ten derived 达标村数;
    eight key indicators (重点指标), as a work report has."""
    from indicators.models import Category, Indicator

    category = Category.objects.create(name="基准")
    inds = Indicator.objects.bulk_create(
        [
            Indicator(
                code=f"B{i:03d}",
                name=f"基准指标{i}",
                category=category,
                unit="万元",
                kind=["flow", "count", "stock"][i % 3],
                entry_level="village" if i % 3 == 0 else "town",
                order=i,
                is_key=i < 8,
            )
            for i in range(indicators)
        ]
    )
    village_inds = [i for i in inds if i.entry_level == "village"]
    derived = [
        Indicator(
            code=f"BD{i:02d}",
            name=f"超标村数{i}",
            category=category,
            unit="个",
            kind="count",
            rollup="count_at_least",
            source=src,
            threshold=Decimal(50 + i),
        )
        for i, src in enumerate(village_inds[:10])
    ]
    Indicator.objects.bulk_create(derived)
    return inds, derived


def build_district(towns: int):
    """A district of `towns` towns at town scale; returns (district, towns, year, figures)."""
    from indicators.models import Area

    district = Area.objects.create(code="BD", name="基准区", level="district")
    inds, derived = build_catalogue()
    built, total, year = [], 0, None
    for i in range(towns):
        town, year, count = build_town(inds, derived, code=f"T{i:02d}", parent=district)
        built.append(town)
        total += count
    return district, built, year, total


def build_town(inds, derived, *, code="BT", parent=None, villages=30, years=5, first_year=2021):
    """One town with its villages and `years` years of monthly, approved figures."""
    from indicators.models import Area, Figure, Target

    rng = random.Random(code)
    town = Area.objects.create(code=code, name=f"基准镇{code}", level="town", parent=parent)
    vs = Area.objects.bulk_create(
        [
            Area(code=f"{code}{i:02d}", name=f"基准{i}村", level="village", parent=town)
            for i in range(villages)
        ]
    )
    figures = []
    for ind in inds:
        for area in vs if ind.entry_level == "village" else [town]:
            level = Decimal(rng.randint(10, 200))
            for year in range(first_year, first_year + years):
                for month in range(1, 13):
                    figures.append(
                        Figure(
                            indicator=ind,
                            area=area,
                            year=year,
                            month=month,
                            value=level * month,
                            status="approved",
                        )
                    )
    Figure.objects.bulk_create(figures, batch_size=5000)
    last = first_year + years - 1
    # Village-entered indicators have a target per village, and the town's is their sum.
    per_village = [i for i in inds if i.entry_level == "village"]
    Target.objects.bulk_create(
        [
            Target(
                indicator=i,
                area=town,
                year=last,
                value=Decimal(2000 * villages if i in per_village else 2000),
            )
            for i in inds + derived
        ]
        + [
            Target(indicator=i, area=v, year=last, value=Decimal(2000))
            for i in per_village
            for v in vs
        ]
    )
    return town, last, len(figures)


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
    town, year, count = build_town(*build_catalogue())
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
