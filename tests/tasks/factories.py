"""Plain builders for the ledger's tests: `make_task(**overrides)` and friends."""

import datetime
import itertools

from tasks.models import Milestone, Section, Task
from tests.factories import make_department

_seq = itertools.count(1)


def make_section(year=2025, title=None, parent=None, order=0, area=None) -> Section:
    n = next(_seq)
    return Section.objects.create(
        area=area or (parent.area if parent else None),
        year=year,
        title=title or f"板块{n}",
        parent=parent,
        order=order or n,
    )


def make_task(area, **overrides) -> Task:
    n = next(_seq)
    year = overrides.pop("year", 2025)
    values = {
        "number": f"{year}-09-{n:03d}",
        "year": year,
        "area": area,
        "title": f"任务{n}",
        "deadline": datetime.date(year, 12, 31),
    }
    values.update(overrides)
    if "section" not in values:
        values["section"] = make_section(year=year, area=area)
    if "lead_department" not in values:
        values["lead_department"] = make_department("经发办")
    cooperating = values.pop("cooperating", [])
    task = Task.objects.create(**values)
    task.cooperating.set(cooperating)
    return task


def make_milestone(task, due, done_on=None, content=None) -> Milestone:
    return Milestone.objects.create(
        task=task, due=due, done_on=done_on, content=content or f"节点{next(_seq)}"
    )
