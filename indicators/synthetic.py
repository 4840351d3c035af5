"""A synthetic district at a chosen size, for benchmarks and load tests (`generate_district`).

Areas coded as the issue asks (the district `G`, towns `G01`…, their villages `G01V01`…), a
catalogue with every kind, a plausible series for each (flow and count rise through the year,
a level drifts, a rate hovers, a growth rate wanders around its target), each year a little
above the last, and targets for the last year. Rows go in by bulk inserts (COPY on PostgreSQL),
so 20 towns × 30 villages × 150 indicators × 5 years (1.92 million figures) build in minutes;
nothing here is a write the services would make, so the caller bumps the data version and
rebuilds the roll-up afterwards.
"""

import io
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from .models import Area, Category, Department, Figure, Indicator, Target, TownMonth

CATEGORIES = ["经济发展", "项目建设", "产业集群", "农业农村", "镇村建设", "民生保障", "安全稳定"]
DEPARTMENTS = ["经发办", "财政所", "统计站", "农业农村办", "城建办", "社会事务办", "应急办"]
# Town-entered indicators cycle through the kinds; a village-entered one is a flow, count or
# level (a rate or a growth rate is never summed over villages).
TOWN_KINDS = ["flow", "count", "stock", "ratio", "growth"]
VILLAGE_KINDS = ["flow", "count", "stock"]
UNITS = {"flow": "万元", "count": "个", "stock": "亩", "ratio": "%", "growth": "%"}
DERIVED = 10  # 达标村数 indicators over the first village-entered ones
KEY = 8  # 重点指标
SUBMITTED_SHARE = 0.03  # of the last month's figures still awaiting approval


@dataclass
class Built:
    district: Area
    towns: list
    year: int  # the last year, the one with targets
    figures: int
    indicators: int
    targets: int


def code_width(n: int) -> int:
    return max(2, len(str(n)))


def build_catalogue(indicators: int, *, prefix: str = "G") -> list[Indicator]:
    """`indicators` entered indicators (every third per village) and up to ten 达标村数;
    returns them all, the derived ones last."""
    categories = [
        Category.objects.get_or_create(name=name, defaults={"order": i})[0]
        for i, name in enumerate(CATEGORIES)
    ]
    departments = [
        Department.objects.get_or_create(name=name, defaults={"order": i})[0]
        for i, name in enumerate(DEPARTMENTS)
    ]
    built = []
    for i in range(indicators):
        village = i % 3 == 0
        kind = VILLAGE_KINDS[(i // 3) % 3] if village else TOWN_KINDS[i % 5]
        built.append(
            Indicator(
                code=f"{prefix}I{i:03d}",
                name=f"合成指标{i}",
                category=categories[i % len(categories)],
                department=departments[i % len(departments)],
                unit=UNITS[kind],
                kind=kind,
                # Every seventh town-entered count is an event count held under a cap (逆向).
                direction="reverse" if kind == "count" and i % 7 == 1 else "positive",
                decimals=1 if kind in ("ratio", "growth") else 2,
                entry_level="village" if village else "town",
                is_key=i < KEY,
                order=i,
            )
        )
    inds = Indicator.objects.bulk_create(built)
    sources = [i for i in inds if i.entry_level == "village"][:DERIVED]
    derived = Indicator.objects.bulk_create(
        [
            Indicator(
                code=f"{prefix}D{n:02d}",
                name=f"达标村数{n}",
                category=src.category,
                unit="个",
                kind="count",
                rollup="count_at_least",
                source=src,
                threshold=Decimal(60 + 10 * n),
                order=indicators + n,
            )
            for n, src in enumerate(sources)
        ]
    )
    return inds + derived


def series(ind: Indicator, rng: random.Random, years: int) -> list[list[Decimal]]:
    """Twelve stored values per year, as the statistics bureau publishes them (DOMAIN §2)."""
    kind, out = ind.kind, []
    if kind in ("flow", "count"):
        base = rng.uniform(20, 400) if kind == "flow" else rng.randint(2, 30)
        for y in range(years):
            scale = base * (1 + rng.uniform(0.02, 0.12)) ** y
            total, months = 0, []
            for m in range(1, 13):
                # More in the second half, as most places' economies do.
                total += scale / 12 * (0.8 + 0.4 * m / 12) * rng.uniform(0.85, 1.15)
                months.append(total)
            places = 0 if kind == "count" else 2
            out.append([Decimal(round(v, places)) for v in months])
    elif kind == "stock":
        level = rng.uniform(100, 3000)
        for _ in range(years):
            months = []
            for _m in range(12):
                level *= 1 + rng.uniform(-0.005, 0.02)
                months.append(Decimal(round(level, 2)))
            out.append(months)
    elif kind == "ratio":
        level = rng.uniform(60, 95)
        for _ in range(years):
            months = []
            for _m in range(12):
                level = min(100.0, max(0.0, level + rng.uniform(-0.8, 1.0)))
                months.append(Decimal(round(level, 1)))
            out.append(months)
    else:  # growth: a YTD rate wandering around its trend
        trend = rng.uniform(3, 10)
        for _ in range(years):
            months = [Decimal(round(trend + rng.uniform(-2.5, 2.5), 1)) for _m in range(12)]
            out.append(months)
    return out


def _insert_figures(rows: list[tuple]) -> None:
    """(indicator_id, area_id, year, month, value, status) rows, by COPY on PostgreSQL."""
    now = timezone.now()
    table = Figure._meta.db_table
    columns = (
        "indicator_id, area_id, year, month, value, status, note, review_comment,"
        " version, is_late, created_at, updated_at, approved_at"
    )
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        stamp = now.isoformat()
        for ind, area, y, m, v, status in rows:
            approved = stamp if status == "approved" else "\\N"
            buffer.write(
                f"{ind}\t{area}\t{y}\t{m}\t{v}\t{status}\t\t\t1\tf\t{stamp}\t{stamp}\t{approved}\n"
            )
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            copy.write(buffer.getvalue())
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, '', '', 1, %s, %s, %s, %s)",
            [
                (
                    ind,
                    area,
                    y,
                    m,
                    str(v),
                    status,
                    False,
                    now,
                    now,
                    now if status == "approved" else None,
                )
                for ind, area, y, m, v, status in rows
            ],
        )


def build_town(
    inds: list[Indicator],
    *,
    code: str,
    parent: Area | None,
    villages: int,
    years: int,
    first_year: int,
) -> tuple[Area, int, int]:
    """One town, its villages, their figures and the last year's targets.

    Returns (town, figures, targets). Deterministic: the same code gives the same numbers.
    """
    rng = random.Random(code)
    town = Area.objects.create(code=code, name=f"合成{code}镇", level="town", parent=parent)
    width = code_width(villages)
    vs = Area.objects.bulk_create(
        [
            Area(code=f"{code}V{i:0{width}d}", name=f"{code}第{i}村", level="village", parent=town)
            for i in range(1, villages + 1)
        ]
    )
    last = first_year + years - 1
    rows, targets = [], []
    for ind in inds:
        places = vs if ind.entry_level == "village" else [town]
        for area in places:
            values = series(ind, rng, years)
            for y, months in enumerate(values):
                for m, v in enumerate(months, start=1):
                    # The last year's October is the month being reported: a few await approval.
                    pending = y == years - 1 and m == 10 and rng.random() < SUBMITTED_SHARE
                    rows.append(
                        (
                            ind.pk,
                            area.pk,
                            first_year + y,
                            m,
                            v,
                            "submitted" if pending else "approved",
                        )
                    )
            targets.append(_target(ind, area, last, values, rng))
        if ind.entry_level == "village":
            # The town's target of a village-entered indicator is its villages' sum.
            town_target = sum((t.value for t in targets[-len(vs) :] if t.value), Decimal(0))
            targets.append(Target(indicator=ind, area=town, year=last, value=town_target))
    for start in range(0, len(rows), 50_000):
        _insert_figures(rows[start : start + 50_000])
    Target.objects.bulk_create(targets, batch_size=5000)
    return town, len(rows), len(targets)


def _target(ind, area, year, values, rng) -> Target:
    """Last year's December × (1 + a growth a little either side of what the series does)."""
    previous = values[-2][-1] if len(values) > 1 else values[-1][-1]
    if ind.kind == "growth":
        return Target(indicator=ind, area=area, year=year, growth_pct=Decimal(rng.randint(5, 9)))
    if ind.kind == "ratio":
        return Target(indicator=ind, area=area, year=year, value=min(Decimal(100), previous + 2))
    if ind.direction == "reverse":
        return Target(indicator=ind, area=area, year=year, value=max(Decimal(1), previous))
    # A level is judged on its net change from December, so its target asks for a little.
    low, high = (1.01, 1.06) if ind.kind == "stock" else (1.03, 1.15)
    factor = Decimal(str(round(rng.uniform(low, high), 2)))
    places = 0 if ind.kind == "count" else 2
    return Target(
        indicator=ind, area=area, year=year, value=round(previous * factor, places) or Decimal(1)
    )


def build_district(
    *,
    towns: int,
    villages: int,
    indicators: int,
    years: int,
    last_year: int | None = None,
    prefix: str = "G",
    progress=None,
) -> Built:
    """The district `prefix` with `towns` towns of `villages` villages each, `indicators`
    entered indicators and `years` years of monthly figures ending with `last_year`."""
    last_year = last_year or timezone.localdate().year
    first_year = last_year - years + 1
    district = Area.objects.create(code=prefix, name=f"合成{prefix}区", level="district")
    inds = build_catalogue(indicators, prefix=prefix)
    width = code_width(towns)
    entered = [i for i in inds if not i.source_id]
    built, figures, targets = [], 0, 0
    for i in range(1, towns + 1):
        town, n, t = build_town(
            entered,
            code=f"{prefix}{i:0{width}d}",
            parent=district,
            villages=villages,
            years=years,
            first_year=first_year,
        )
        built.append(town)
        figures += n
        targets += t
        if progress:
            progress(i, figures)
    return Built(district, built, last_year, figures, len(inds), targets)


def settle() -> None:
    """What autovacuum would soon do after a bulk load (PostgreSQL): mark the pages visible and
    gather statistics, so that plans (and index-only scans) are those of a settled database.
    Outside a transaction; nothing to do on SQLite."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in (Figure, TownMonth, Target, Area, Indicator):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
