"""Writing the core's sheets: applying a checked plan, and exporting every stored row.

`apply_*` run inside `plan.apply`'s transaction and return their counts. Figures imported by an
administrator are the official figures: they count as approved and every row created or changed
is recorded in the figure history with the reason `IMPORT_REASON`, as the entry services do.
`export_*` write the same columns the checks read, so export → import reproduces the data.
"""

from collections import defaultdict

from django.utils import timezone

from .. import versions
from ..cells import text
from ..models import (
    Area,
    Category,
    Department,
    Figure,
    Indicator,
    Schedule,
    ScheduleAnchor,
    Target,
)
from . import bulk
from .columns import AREAS, FIGURES, INDICATORS, SCHEDULES, TARGETS, YES_NO, word
from .plan import SAMPLES, changed, counter

IMPORT_REASON = "工作簿导入"


def _yes_no(value: bool) -> str:
    return next(w for w, v in YES_NO.items() if v == value)


# ---------------------------------------------------------------------------- 区域


def apply_areas(plan, *, user=None) -> dict:
    planned = plan.rows[AREAS]
    counts = counter()
    existing = {a.code: a for a in Area.objects.all()}

    def depth(code, seen=0):
        parent = planned.get(code, {}).get("parent")
        return depth(parent, seen + 1) if parent and parent in planned and seen < 5 else seen

    for code in sorted(planned, key=depth):
        data = planned[code]
        parent = existing.get(data["parent"]) if data["parent"] else None
        area = existing.get(code)
        fields = {k: data[k] for k in ("name", "level", "is_demo")}
        if area is None:
            existing[code] = Area.objects.create(code=code, parent=parent, **fields)
            counts["created"] += 1
            plan.sample(AREAS, "created", code, data["name"])
        elif area.parent_id != (parent.pk if parent else None) or any(
            getattr(area, k) != v for k, v in fields.items()
        ):
            old_name = area.name
            area.parent = parent
            for k, v in fields.items():
                setattr(area, k, v)
            area.save()
            counts["updated"] += 1
            name = data["name"] if old_name == data["name"] else changed(old_name, data["name"])
            plan.sample(AREAS, "updated", code, name)
        else:
            counts["unchanged"] += 1
            plan.sample(AREAS, "unchanged", code, data["name"])
    return counts


def export_areas() -> list[list]:
    areas = list(Area.objects.select_related("parent").order_by("code"))
    return [
        [
            a.code,
            a.name,
            a.parent.code if a.parent else None,
            word(Area.Level, a.level),
            _yes_no(a.is_demo),
        ]
        for a in _parents_first(areas)
    ]


def _parents_first(areas):
    by_parent = defaultdict(list)
    for a in areas:
        by_parent[a.parent_id].append(a)
    ordered, queue = [], by_parent[None]
    while queue:
        ordered += queue
        queue = [child for a in queue for child in by_parent[a.pk]]
    return ordered


# ---------------------------------------------------------------------------- 指标

INDICATOR_FIELDS = [
    "name",
    "unit",
    "kind",
    "direction",
    "decimals",
    "entry_level",
    "rollup",
    "threshold",
    "is_key",
    "definition",
    "cadence",
    "verb",
    "order",
]


def apply_indicators(plan, *, user=None) -> dict:
    planned = plan.rows[INDICATORS]
    counts = counter()
    categories = {c.name: c for c in Category.objects.all()}
    departments = {d.name: d for d in Department.objects.all()}
    existing = {i.code: i for i in Indicator.objects.all()}
    for code, data in planned.items():
        values = {f: data[f] for f in INDICATOR_FIELDS}
        values["category"] = categories[data["category"]]
        values["department"] = departments.get(data["department"])
        ind = existing.get(code)
        if ind is None:
            existing[code] = Indicator.objects.create(code=code, **values)
            counts["created"] += 1
            plan.sample(INDICATORS, "created", code, data["name"])
            continue
        fields = [f for f, v in values.items() if getattr(ind, f) != v]
        if fields:
            labels = "、".join(str(Indicator._meta.get_field(f).verbose_name) for f in fields)
            for f in fields:
                setattr(ind, f, values[f])
            ind.save()
            counts["updated"] += 1
            plan.sample(INDICATORS, "updated", code, data["name"], f"（{labels}）")
        else:
            counts["unchanged"] += 1
            plan.sample(INDICATORS, "unchanged", code, data["name"])
    # Sources point at indicators that may have been created above, so set them last.
    for code, data in planned.items():
        ind = existing[code]
        source = existing.get(data["source"]) if data["source"] else None
        if ind.source_id != (source.pk if source else None):
            ind.source = source
            ind.save(update_fields=["source"])
    return counts


def export_indicators() -> list[list]:
    indicators = Indicator.objects.select_related("category", "department", "source")
    return [
        [
            i.code,
            i.name,
            i.category.name,
            i.unit,
            word(Indicator.Kind, i.kind),
            word(Indicator.Direction, i.direction),
            i.department.name if i.department else None,
            i.decimals,
            word(Indicator.EntryLevel, i.entry_level),
            word(Indicator.Rollup, i.rollup),
            i.source.code if i.source else None,
            i.threshold,
            _yes_no(i.is_key),
            i.definition,
            word(Indicator.Cadence, i.cadence),
            i.verb or None,
        ]
        for i in indicators.order_by("order", "code")
    ]


# ---------------------------------------------------------------------------- 序时计划


def apply_schedules(plan, *, user=None) -> dict:
    """Create or replace each named schedule's anchors."""
    planned = plan.rows[SCHEDULES]
    counts = counter()
    existing = {s.name: s for s in Schedule.objects.prefetch_related("anchor_set")}
    for name, anchors in planned.items():
        schedule = existing.get(name)
        if schedule is None:
            schedule = Schedule.objects.create(name=name)
            counts["created"] += 1
            plan.sample(SCHEDULES, "created", name)
        elif schedule.anchors() == anchors:
            counts["unchanged"] += 1
            plan.sample(SCHEDULES, "unchanged", name)
            continue
        else:
            schedule.anchor_set.all().delete()
            counts["updated"] += 1
            plan.sample(SCHEDULES, "updated", name)
        ScheduleAnchor.objects.bulk_create(
            ScheduleAnchor(schedule=schedule, month=m, share_pct=p) for m, p in anchors.items()
        )
    return counts


def export_schedules() -> list[list]:
    return [
        [s.name, *(s.anchors().get(m) for m in range(1, 13))]
        for s in Schedule.objects.prefetch_related("anchor_set").order_by("name")
    ]


# ---------------------------------------------------------------------------- 目标


def apply_targets(plan, *, user=None) -> dict:
    planned = plan.rows[TARGETS]
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    areas = dict(Area.objects.values_list("code", "pk"))
    schedules = dict(Schedule.objects.values_list("name", "pk"))
    years = {k[2] for k in planned}
    existing = {
        (t.indicator_id, t.area_id, t.year): t for t in Target.objects.filter(year__in=years)
    }
    new, modified = [], []
    for (ind, area, year), planned_data in planned.items():
        data = {k: v for k, v in planned_data.items() if k != "schedule"}
        data["schedule_id"] = schedules.get(planned_data["schedule"])
        key = (indicators[ind], areas[area], year)
        target = existing.get(key)
        shown = (
            planned_data["value"]
            if planned_data["value"] is not None
            else (
                f"{text(planned_data['growth_pct'])}%"
                if planned_data["growth_pct"] is not None
                else None
            )
        )
        if target is None:
            new.append(Target(indicator_id=key[0], area_id=key[1], year=year, **data))
            plan.sample(TARGETS, "created", ind, area, year, shown)
        elif any(getattr(target, f) != v for f, v in data.items()):
            if target.value != planned_data["value"]:
                shown = changed(target.value, planned_data["value"])
            for f, v in data.items():
                setattr(target, f, v)
            modified.append(target)
            plan.sample(TARGETS, "updated", ind, area, year, shown)
        else:
            plan.sample(TARGETS, "unchanged", ind, area, year, shown)
    Target.objects.bulk_create(new, batch_size=2000)
    Target.objects.bulk_update(
        modified, ["value", "stretch_value", "growth_pct", "schedule"], batch_size=2000
    )
    return counter(len(new), len(modified), len(planned) - len(new) - len(modified))


def export_targets() -> list[list]:
    return [
        list(row)
        for row in Target.objects.order_by("indicator__code", "area__code", "year").values_list(
            "indicator__code",
            "area__code",
            "year",
            "value",
            "stretch_value",
            "growth_pct",
            "schedule__name",
        )
    ]


# ---------------------------------------------------------------------------- 数据


def count_figures(plan) -> dict:
    """What `apply_figures` would do, without writing (the preview of a large sheet)."""
    return apply_figures(plan, dry=True)


def apply_figures(plan, *, user=None, dry=False) -> dict:
    """Create or rewrite the planned figures as approved, each with a history row.

    Stored figures are compared as (value, note, status) tuples, so an import of rows that are
    already there writes nothing; the rest is written in plain SQL (`bulk`)."""
    planned = plan.rows[FIGURES]
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    areas = dict(Area.objects.values_list("code", "pk"))
    ind_ids = {indicators[k[0]] for k in planned}
    area_ids = {areas[k[1]] for k in planned}
    years = {k[2] for k in planned}
    # A count (the preview, right after the check) compares with what the check read; a write
    # reads the stored rows afresh inside its transaction.
    existing = plan.stored.get(FIGURES) if dry else None
    if existing is None:
        existing = bulk.stored_figures(ind_ids, area_ids, years)
    now, approved = timezone.now(), Figure.Status.APPROVED
    new, modified, touched = [], [], []
    samples = plan.samples.setdefault(FIGURES, counter([], [], []))
    for key, (value, note) in planned.items():
        ids = (indicators[key[0]], areas[key[1]], key[2], key[3])
        stored = existing.get(ids)
        if stored is None:
            new.append((*ids, value, note))
            what, shown = "created", value
        elif stored[1] != value or stored[2] != note or stored[3] != approved:
            modified.append((stored[0], value, note))
            touched.append(ids)
            what = "updated"
            shown = changed(stored[1], value) if stored[1] != value else value
        else:
            what, shown = "unchanged", value
        # The check is inline (not plan.sample) because this loop runs once per row.
        if len(samples[what]) < SAMPLES:
            samples[what].append((*map(text, key), text(shown)))
    if not dry:
        bulk.figures_insert(new, user=user, now=now, reason=IMPORT_REASON)
        bulk.figures_update(modified, user=user, now=now, reason=IMPORT_REASON)
        # Bulk writes send no signal: the roll-up and the data version are told here.
        touched += [row[:4] for row in new]
        versions.figures_touched((area, ind, year, month) for ind, area, year, month in touched)
    return counter(len(new), len(modified), len(planned) - len(new) - len(modified))


def export_figures() -> list[list]:
    return [
        list(row)
        for row in Figure.objects.order_by(
            "indicator__code", "area__code", "year", "month"
        ).values_list("indicator__code", "area__code", "year", "month", "value", "note")
    ]
