"""Reads shared by the ledger, its export and print view, the task page, the API and the
dashboard block. `ledger_rows` is the one place that judges every task's light on a date; the
tally, the breakdowns and the API are built from its rows, so a number is computed once.

Query count is constant whatever the number of tasks: areas, light rule, tasks, three prefetches
(cooperating departments, milestones, progress reports) and at most two for the linked
indicators' figures. The dashboard block needs only lights and names: `task_tally` reads them
in one narrow query (the light rule aside), with the same `lights.judge`.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import FilteredRelation, Q
from django.utils.translation import gettext as _

from indicators.areas import AreaTree
from indicators.models import Area, Department
from indicators.selectors import FigureValues, reach_of

from . import lights
from .models import ProgressReport, Section, Task
from .services import active_rule, judge

HUNDRED = Decimal(100)


@dataclass
class TaskRow:
    task: Task
    light: str | None
    light_reason: str
    overdue: bool
    days_left: int | None
    on_time: bool | None
    report: ProgressReport | None = None  # the latest report up to the as-of month
    report_pct: int | None = None
    figure_value: Decimal | None = None  # the linked indicator's value at the as-of month
    figure_pct: Decimal | None = None  # figure_value ÷ the task's target value × 100
    next_milestone: object = None
    milestones: list = field(default_factory=list)

    @property
    def progress_pct(self) -> Decimal | None:
        """Progress read from the figures when the task is linked to one, else as reported."""
        if self.figure_pct is not None:
            return self.figure_pct
        return None if self.report_pct is None else Decimal(self.report_pct)

    @property
    def progress_source(self) -> str:
        return "figure" if self.figure_pct is not None else "report"

    def as_json(self) -> dict:
        task = self.task
        return {
            "number": task.number,
            "title": task.title,
            "section": task.section.title,
            "lead_department": task.lead_department.name,
            "lead_leader": leader_name(task.lead_leader),
            "deadline": task.deadline.isoformat(),
            "original_deadline": task.original_deadline.isoformat()
            if task.original_deadline
            else None,
            "status": task.status,
            "status_label": task.get_status_display(),
            "light": self.light,
            "overdue": self.overdue,
            "progress_pct": None if self.progress_pct is None else float(self.progress_pct),
            "progress_source": self.progress_source if self.progress_pct is not None else None,
        }


def leader_name(user) -> str:
    """The name a ledger prints for a user: 李镇长 rather than `leader`."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def month_of(year: int, as_of: datetime.date) -> int | None:
    """The month of `year` whose figures and reports count on `as_of`."""
    if as_of.year > year:
        return 12
    if as_of.year < year:
        return None
    return as_of.month


def tasks_for(*, year: int, area: Area | None = None, tree: AreaTree | None = None):
    tasks = Task.objects.filter(year=year)
    if area is not None:
        tree = tree or AreaTree()
        scope = [area.pk, *(a.pk for a in tree.descendants(area))]
        # A district that holds every area needs no filter: 600 ids to bind cost more than
        # the tasks they select.
        if len(scope) < len(tree.by_id):
            tasks = tasks.filter(area_id__in=scope)
    return tasks


def ledger_rows(
    *,
    year: int,
    as_of: datetime.date,
    area: Area | None = None,
    tasks=None,
    tree: AreaTree | None = None,
) -> list[TaskRow]:
    """One row per task of `year` (in `area` and below, if given), judged on `as_of`.

    `tasks` narrows the queryset (the ledger's filters on stored fields); light and overdue
    filters are applied by the caller on the rows.
    """
    tree = tree or AreaTree()
    if tasks is None:
        tasks = tasks_for(year=year, area=area, tree=tree)
    tasks = list(tasks.for_ledger().select_related("indicator__source"))
    rule = active_rule()
    month = month_of(year, as_of)
    figures = _linked_figures(tasks, year, month, tree)
    rows = []
    for task in tasks:
        milestones = list(task.milestones.all())
        judgement = judge(task, today=as_of, rule=rule, milestones=milestones)
        reports = [
            r
            for r in task.reports.all()
            if month is not None and (r.year, r.month) <= (year, month)
        ]
        # The ledger as of a date shows what was reported by then, not a later month's report.
        report = max(reports, key=lambda r: (r.year, r.month), default=None)
        value = figures.get(task.pk)
        pct = None
        if value is not None and task.target_value:
            pct = value / task.target_value * HUNDRED
        rows.append(
            judged_row(
                task,
                judgement,
                as_of,
                report=report,
                report_pct=report.percent if report else None,
                figure_value=value,
                figure_pct=pct,
                next_milestone=next(
                    (m for m in milestones if m.done_on is None or m.done_on > as_of), None
                ),
                milestones=milestones,
            )
        )
    rows.sort(key=lambda r: (*_section_key(r.task), r.task.order, r.task.number))
    return rows


def judged_row(task, judgement, as_of, **shown) -> TaskRow:
    """A ledger row: the task, its light as `judgement` found it and whether it is on time, plus
    what the page shows of its report and figure (`shown`; the dashboard's tally needs none)."""
    return TaskRow(
        task=task,
        light=judgement.light,
        light_reason=judgement.reason,
        overdue=judgement.overdue,
        days_left=judgement.days_left,
        on_time=lights.on_time(
            status=task.status,
            deadline=task.deadline,
            today=as_of,
            closed_on=task.closed_on,
            overdue=judgement.overdue,
        ),
        **shown,
    )


def _section_key(task) -> tuple:
    section = task.section
    parent = section.parent
    if parent is None:
        # A task filed under the heading itself comes before the heading's 一是/二是 items.
        return (section.order, section.pk, -1, 0)
    return (parent.order, parent.pk, section.order, section.pk)


def _linked_figures(tasks, year, month, tree) -> dict[int, Decimal]:
    """Task id → the linked indicator's value at `month` (two queries for all tasks)."""
    linked = [t for t in tasks if t.indicator_id and month is not None]
    if not linked:
        return {}
    areas = [tree.by_id[pk] for pk in {t.area_id for t in linked} if pk in tree.by_id]
    # FigureValues reads areas of one level at a time (a town's own figures, or roll-ups).
    by_level = defaultdict(list)
    for a in areas:
        by_level[a.level].append(a)
    indicators = {t.indicator_id: t.indicator for t in linked}
    sources = {i.source_id for i in indicators.values() if i.source_id}
    months = {m for i in indicators.values() if (m := i.period_month(month))}
    found = {}
    for level_areas in by_level.values():
        values = FigureValues(
            level_areas,
            tree,
            years=[year],
            months=months or {month},
            reach=reach_of(indicators.values()),
            indicators=set(indicators) | sources,
        )
        for task in linked:
            if task.area_id not in values.level:
                continue
            ind = task.indicator
            value, _ = values.value(ind, task.area_id, year, ind.period_month(month))
            if value is not None:
                found[task.pk] = value
    return found


def filter_rows(rows, *, light: str = "", overdue: bool = False) -> list[TaskRow]:
    if light == "none":
        rows = [r for r in rows if r.light is None]
    elif light:
        rows = [r for r in rows if r.light == light]
    if overdue:
        rows = [r for r in rows if r.overdue]
    return rows


@dataclass
class Breakdown:
    """Counts of one department or one leader: 已完成 / 达进度 / 欠进度 / 逾期 and 按时率."""

    name: str
    counts: Counter
    total: int
    on_time: int

    @property
    def on_time_pct(self) -> Decimal | None:
        return None if not self.total else Decimal(self.on_time) / self.total * HUNDRED

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "total": self.total,
            **{light: self.counts.get(light, 0) for light in lights.ORDER},
            "on_time_pct": None if self.on_time_pct is None else float(self.on_time_pct),
        }


def _breakdown(rows, key) -> list[Breakdown]:
    groups = defaultdict(list)
    for row in rows:
        if row.light is not None:
            groups[key(row)].append(row)
    return [
        Breakdown(
            name=name,
            counts=Counter(r.light for r in group),
            total=len(group),
            on_time=sum(1 for r in group if r.on_time),
        )
        for name, group in groups.items()
    ]


def tally_from_rows(rows, *, year: int, as_of: datetime.date) -> dict:
    """Counts by status and light, the §7 sentence, the breakdowns and the overdue list."""
    lit = [r for r in rows if r.light is not None]
    by_light = Counter(r.light for r in lit)
    by_status = Counter(r.task.status for r in rows)
    departments = sorted(
        _breakdown(rows, lambda r: r.task.lead_department.name),
        key=lambda b: (-(b.on_time_pct or 0), -b.total, b.name),
    )
    leaders = sorted(
        _breakdown(rows, lambda r: leader_name(r.task.lead_leader) or _("未指定")),
        key=lambda b: (-b.total, b.name),
    )
    overdue = sorted((r for r in rows if r.overdue), key=lambda r: r.days_left or 0)
    behind = [r for r in rows if r.light == lights.Light.YELLOW]
    cancelled = by_status.get(Task.Status.CANCELLED, 0)
    sentence = lights.tally_sentence(by_light) if lit else ""
    if cancelled:
        sentence += f"另有{cancelled}项已取消。"
    return {
        "year": year,
        "as_of": as_of,
        "total": len(lit),
        "by_light": {light: by_light.get(light, 0) for light in lights.ORDER},
        "by_status": [
            (value, label, by_status.get(value, 0)) for value, label in Task.Status.choices
        ],
        "sentence": sentence,
        "departments": departments,
        "leaders": leaders,
        "overdue": overdue,
        "behind": behind,  # yellow: a missed milestone or a deadline near
        "is_demo": any(r.task.is_demo for r in rows),
    }


def task_tally(
    *, year: int, as_of: datetime.date, area: Area | None = None, tree: AreaTree | None = None
) -> dict:
    """The dashboard block: everything `templates/tasks/includes/dashboard_block.html` shows.

    Keys: year, as_of, total (tasks with a light, i.e. not cancelled), by_light {blue, green,
    yellow, red: n}, by_status [(value, label, n)], sentence (DOMAIN §7), departments and leaders
    (Breakdown, departments ranked by on-time rate), overdue (TaskRow, most overdue first),
    behind, is_demo. Two queries whatever the number of tasks: the light rule, and the tasks'
    fields the block shows joined to their missed milestones only (all a light needs; the
    ledger's rows would load every milestone, report and cooperating department).
    """
    rule = active_rule()
    grace = datetime.timedelta(days=rule.milestone_grace_days)
    missed = Q(milestones__due__lt=as_of - grace) & (
        Q(milestones__done_on__isnull=True) | Q(milestones__done_on__gt=as_of)
    )
    found = (
        tasks_for(year=year, area=area, tree=tree)
        .annotate(missed=FilteredRelation("milestones", condition=missed))
        .order_by("pk", "missed__due", "missed__id")
        .values_list(*TALLY_FIELDS)
    )
    by_task: dict[int, list] = {}
    for row in found:
        by_task.setdefault(row[0], [dict(zip(TALLY_FIELDS, row, strict=True)), []])
        if row[-1] is not None:  # a missed milestone: (content, due)
            by_task[row[0]][1].append((row[-2], row[-1], None))
    rows = []
    for data, milestones in by_task.values():
        task = _tally_task(data)
        judgement = lights.judge(
            status=task.status,
            deadline=task.deadline,
            milestones=milestones,
            today=as_of,
            rule=rule,
            close_requested_on=task.close_requested_on,
        )
        rows.append(
            judged_row(
                task,
                judgement,
                as_of,
            )
        )
    # The ledger's order, so that lists built from the rows read alike on both pages.
    rows.sort(key=lambda r: (*_section_key(r.task), r.task.order, r.task.number))
    return tally_from_rows(rows, year=year, as_of=as_of)


TALLY_FIELDS = (
    "pk",
    "number",
    "title",
    "status",
    "deadline",
    "close_requested_on",
    "closed_on",
    "is_demo",
    "order",
    "lead_department_id",
    "lead_department__name",
    "lead_leader_id",
    "lead_leader__username",
    "lead_leader__first_name",
    "lead_leader__last_name",
    "section_id",
    "section__order",
    "section__parent_id",
    "section__parent__order",
    "missed__content",
    "missed__due",
)


def _tally_task(data: dict) -> Task:
    """A task carrying just what the block and the briefs print (never saved)."""
    task = Task(
        pk=data["pk"],
        **{k: data[k] for k in ("number", "title", "status", "deadline", "is_demo", "order")},
        close_requested_on=data["close_requested_on"],
        closed_on=data["closed_on"],
    )
    task.lead_department = Department(
        pk=data["lead_department_id"], name=data["lead_department__name"]
    )
    task.lead_leader = (
        get_user_model()(
            pk=data["lead_leader_id"],
            username=data["lead_leader__username"],
            first_name=data["lead_leader__first_name"],
            last_name=data["lead_leader__last_name"],
        )
        if data["lead_leader_id"]
        else None
    )
    parent = data["section__parent_id"]
    task.section = Section(
        pk=data["section_id"],
        order=data["section__order"],
        parent=Section(pk=parent, order=data["section__parent__order"]) if parent else None,
    )
    return task


def task_years(areas) -> list[int]:
    """The years with tasks in `areas` (ids: what the user may read), latest first."""
    tasks = Task.objects.filter(area_id__in=areas)
    return list(tasks.order_by("-year").values_list("year", flat=True).distinct())


def sections_of(tasks):
    """The headings `tasks` are filed under, with their parent headings: the section filter."""
    return Section.objects.filter(Q(tasks__in=tasks) | Q(children__tasks__in=tasks)).distinct()
