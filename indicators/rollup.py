"""The stored town-by-month roll-up (`TownMonth`): kept by the writes, read for districts.

A town's rows hold, per indicator and month, the sum and number of the figures of the town and
every area below it (approved, and approved plus submitted), and for each (source, threshold)
of a 达标村数 indicator how many of them reach it. A district's summary then reads a few rows per
town instead of every village's figures; the numbers are the same sums, only added in two steps.

`refresh` recomputes the rows a write touched, from the figures, inside the write's transaction
(`versions.changing` calls it); `rebuild` recomputes everything (`manage.py rollup_rebuild`).
"""

from collections import defaultdict

from django.db.models import Case, Count, Q, Sum, Value, When

from .areas import AreaTree
from .models import Area, Figure, Indicator, TownMonth

COUNTED = (Figure.Status.APPROVED, Figure.Status.SUBMITTED)


def top_towns(tree: AreaTree, areas=None) -> list[Area]:
    """Towns with no town above them (among `areas`, else all): each heads one scope."""
    towns = [a for a in (tree.by_id.values() if areas is None else areas) if a.is_town]
    return [t for t in towns if _town_above(tree, t) is None]


def _town_above(tree, area):
    parent = tree.by_id.get(area.parent_id)
    while parent is not None:
        if parent.is_town:
            return parent
        parent = tree.by_id.get(parent.parent_id)
    return None


def town_of(tree: AreaTree, area: Area) -> Area | None:
    """The top town whose scope holds `area` (itself, for a town), or None."""
    above = _town_above(tree, area)
    while above is not None and _town_above(tree, above) is not None:
        above = _town_above(tree, above)
    return above or (area if area.is_town else None)


def reach_pairs(sources=None) -> list[tuple[int, object]]:
    """(source id, threshold) of every 达标村数 indicator (of `sources`, if given)."""
    qs = Indicator.objects.filter(
        rollup=Indicator.Rollup.COUNT_AT_LEAST, source__isnull=False, threshold__isnull=False
    )
    if sources is not None:
        qs = qs.filter(source_id__in=sources)
    return sorted(set(qs.order_by().values_list("source_id", "threshold")))


def recompute(towns, tree: AreaTree, *, indicators=None, years=None, months=None) -> int:
    """Replace the rows of `towns` (top towns) for `indicators`, `years` and `months` (None:
    all) with sums recomputed from the figures. Three queries; returns the rows written."""
    if not towns:
        return 0
    scope = {t.pk: [t.pk, *(d.pk for d in tree.descendants(t))] for t in towns}
    figures = Figure.objects.filter(status__in=COUNTED).order_by()
    stored = TownMonth.objects.filter(town_id__in=scope)
    if indicators is not None:
        figures = figures.filter(indicator_id__in=indicators)
        stored = stored.filter(indicator_id__in=indicators)
    if years is not None:
        figures, stored = figures.filter(year__in=years), stored.filter(year__in=years)
    if months is not None:
        figures, stored = figures.filter(month__in=months), stored.filter(month__in=months)
    pairs = reach_pairs(indicators)
    approved = Q(status=Figure.Status.APPROVED)
    columns = {
        "approved_total": Sum("value", filter=approved),
        "approved_count": Count("id", filter=approved),
        "counted_total": Sum("value"),
        "counted_count": Count("id"),
    }
    for k, (source, threshold) in enumerate(pairs):
        reached = Q(indicator_id=source, value__gte=threshold)
        columns[f"a{k}"] = Count("id", filter=reached & approved)
        columns[f"c{k}"] = Count("id", filter=reached)
    owner = (
        Value(next(iter(scope)))
        if len(scope) == 1
        else Case(*(When(area_id__in=ids, then=Value(pk)) for pk, ids in scope.items()))
    )
    area_ids = [a for ids in scope.values() for a in ids]
    rows = (
        figures.filter(area_id__in=area_ids)
        .annotate(owner=owner)
        .values("owner", "indicator_id", "year", "month")
        .annotate(**columns)
    )
    sources = defaultdict(list)
    for k, (source, threshold) in enumerate(pairs):
        sources[source].append((k, threshold))
    new = []
    for row in rows:
        key = {"town_id": row["owner"], "year": row["year"], "month": row["month"]}
        new.append(
            TownMonth(
                indicator_id=row["indicator_id"],
                approved_total=row["approved_total"],
                approved_count=row["approved_count"],
                counted_total=row["counted_total"],
                counted_count=row["counted_count"],
                **key,
            )
        )
        for k, threshold in sources.get(row["indicator_id"], ()):
            new.append(
                TownMonth(
                    indicator_id=row["indicator_id"],
                    threshold=threshold,
                    approved_count=row[f"a{k}"],
                    counted_count=row[f"c{k}"],
                    **key,
                )
            )
    stored.delete()
    TownMonth.objects.bulk_create(new, batch_size=5000)
    return len(new)


def refresh(*, figures=(), towns=(), sources=()) -> None:
    """Recompute what a write touched: `figures` (area, indicator, year, month) keys, `towns`
    (areas whose place in the tree changed: their whole town), `sources` (indicators whose
    达标村数 thresholds changed: their rows in every town)."""
    if not (figures or towns or sources):
        return
    tree = AreaTree()
    if figures:
        by_town = defaultdict(set)
        for area_id, indicator_id, year, month in figures:
            area = tree.by_id.get(area_id)
            town = town_of(tree, area) if area is not None else None
            if town is not None:
                by_town[town.pk].add((indicator_id, year, month))
        if by_town:
            keys = set().union(*by_town.values())
            recompute(
                [tree.by_id[pk] for pk in by_town],
                tree,
                indicators={k[0] for k in keys},
                years={k[1] for k in keys},
                months={k[2] for k in keys},
            )
    heads = {town_of(tree, tree.by_id[a]) for a in towns if a in tree.by_id}
    for town in heads - {None}:
        recompute([town], tree)
    if sources:
        recompute(top_towns(tree), tree, indicators=set(sources))


def rebuild() -> int:
    """Every town's rows from the figures, one town at a time; returns the rows written."""
    tree = AreaTree()
    TownMonth.objects.exclude(town_id__in=[t.pk for t in top_towns(tree)]).delete()
    return sum(recompute([town], tree) for town in top_towns(tree))


def status_counts(since_year: int, tree: AreaTree | None = None) -> dict:
    """{(year, month, status): n} of every entered indicator's approved and submitted figures
    in every area, from `since_year` on: the towns' stored rows (a few per town and month
    instead of every village's figures), plus the figures of any area outside every town
    (none in a tree of towns and villages, so usually no second query)."""
    tree = tree or AreaTree()
    heads = top_towns(tree)
    scoped = {a.pk for t in heads for a in (t, *tree.descendants(t))}
    counts: dict = defaultdict(int)
    stored = (
        TownMonth.objects.filter(
            town_id__in=[t.pk for t in heads],
            threshold__isnull=True,
            indicator__source__isnull=True,
            year__gte=since_year,
        )
        .order_by()
        .values_list("year", "month")
        .annotate(approved=Sum("approved_count"), counted=Sum("counted_count"))
    )
    for year, month, approved, counted in stored:
        counts[(year, month, Figure.Status.APPROVED)] += approved
        counts[(year, month, Figure.Status.SUBMITTED)] += counted - approved
    outside = [pk for pk in tree.by_id if pk not in scoped]
    if outside:
        direct = (
            Figure.objects.filter(
                area_id__in=outside,
                status__in=COUNTED,
                indicator__source__isnull=True,
                year__gte=since_year,
            )
            .order_by()
            .values_list("year", "month", "status")
            .annotate(n=Count("id"))
        )
        for year, month, status, n in direct:
            counts[(year, month, status)] += n
    return dict(counts)
