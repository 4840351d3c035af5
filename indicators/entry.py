"""Monthly entry (填报·审核·锁定): periods and deadlines, checks of typed values, the workflow.

A figure moves draft → submitted → approved, or back to returned with a comment the clerk sees.
Every write is one service below, inside one transaction, recording who and why in the figure's
history (django-simple-history); no signal or save() override does anything behind its back.
The value checks are the workbook's (DOMAIN §2), so a figure typed in the grid and one uploaded
in a sheet are judged alike.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext

from . import access, metrics
from .models import Area, Department, Figure, Indicator, ReportingWindow, Target
from .workbook import (
    REASON_HINT,
    CellError,
    cumulative_problem,
    negative_problem,
    number,
    text,
    unit_slip_problem,
)

Status = Figure.Status
EDITABLE = (Status.DRAFT, Status.RETURNED)


class WorkflowError(Exception):
    """A refused workflow step; the message says what to do (in the page's language)."""


# ---------------------------------------------------------------------------- periods


def default_period(today: datetime.date | None = None) -> tuple[int, int]:
    """Last month: around the 5th–10th, staff report the month that just ended."""
    today = today or timezone.localdate()
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def period_problem(year: int, month: int, today: datetime.date | None = None) -> str | None:
    """Periods that have not begun cannot be reported."""
    today = today or timezone.localdate()
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return gettext("报告期无效：年度应为2000至2100，月份应为1至12")
    if (year, month) > (today.year, today.month):
        return gettext("%(year)s年%(month)s月尚未开始，不能填报：请选择已结束的月份") % {
            "year": year,
            "month": month,
        }
    return None


def deadline(cadence: str, year: int, month: int, *, days: dict | None = None) -> datetime.date:
    """The reporting deadline for a period: the window's day of the following month.

    `days` (cadence → deadline day, from `deadline_days()`) saves the query in a loop.
    """
    days = deadline_days() if days is None else days
    day = days.get(cadence, ReportingWindow.DEFAULT_DEADLINE_DAY)
    return datetime.date(year + month // 12, month % 12 + 1, day)


def deadline_days() -> dict[str, int]:
    return dict(ReportingWindow.objects.values_list("cadence", "deadline_day"))


def is_late(submitted: datetime.datetime, due: datetime.date) -> bool:
    return timezone.localtime(submitted).date() > due


def due_indicators(department, month: int):
    """The department's entered (not derived) indicators with a figure due for `month`."""
    indicators = Indicator.objects.filter(department=department, source__isnull=True)
    return [
        ind
        for ind in indicators.select_related("category").order_by(
            "category__order", "order", "code"
        )
        if ind.period_month(month) == month
    ]


def entry_areas(indicator: Indicator, town: Area, villages: list[Area]) -> list[Area]:
    return villages if indicator.entry_level == Indicator.EntryLevel.VILLAGE else [town]


# ---------------------------------------------------------------------------- checking cells


@dataclass
class Cell:
    """One value a person typed (grid) or sent (uploaded sheet) for an indicator and area."""

    indicator: Indicator
    area: Area
    raw: object = ""
    note: str = ""
    confirmed: bool = False  # confirmed a probable unit slip
    version: int = 0  # the version the person saw; 0 when there was no figure
    row: int | None = None  # the sheet row, for uploads
    value: Decimal | None = None
    figure: Figure | None = None
    error: str = ""
    needs_confirmation: bool = False
    newer: Figure | None = None  # set when someone else saved first

    @property
    def key(self):
        return (self.indicator.pk, self.area.pk)

    @property
    def blank(self) -> bool:
        return self.raw is None or text(self.raw) == ""

    @property
    def changed(self) -> bool:
        if self.blank:
            return False
        if self.figure is None:
            return True
        return self.value != self.figure.value or self.note != self.figure.note


def _series(cells, year):
    """Stored values per (indicator, area) for this and last year: {(y, m): value}."""
    points = defaultdict(dict)
    figures = (
        Figure.objects.filter(
            indicator_id__in={c.indicator.pk for c in cells},
            area_id__in={c.area.pk for c in cells},
            year__in=[year - 1, year],
        )
        .order_by()
        .values_list("indicator_id", "area_id", "year", "month", "value")
    )
    for ind, area, y, m, value in figures:
        points[ind, area][y, m] = value
    return points


def check_cells(cells: list[Cell], *, user, year: int, month: int) -> list[Cell]:
    """Parse and check every cell (permission, period, number, DOMAIN §2); writes nothing.

    Sets `value`, `figure` (the stored one) and `error` on each cell; a cell is fine when its
    error is empty. Unchanged cells are not judged again.
    """
    existing = {
        (f.indicator_id, f.area_id): f
        for f in Figure.objects.filter(
            indicator_id__in={c.indicator.pk for c in cells},
            area_id__in={c.area.pk for c in cells},
            year=year,
            month=month,
        )
        .order_by()
        .select_related("updated_by")
    }
    points = _series(cells, year)
    period = period_problem(year, month)
    for cell in cells:
        cell.figure = existing.get(cell.key)
        cell.note = text(cell.note)[:255]
        if cell.blank:
            if cell.figure is not None:
                cell.error = gettext("已填报的数据不能清空：如需更正请填写正确的数值")
            continue
        try:
            cell.value = number(cell.raw)
        except CellError as exc:
            cell.error = str(exc)
            continue
        if not cell.changed:
            continue
        if not access.can_enter(user, cell.indicator, cell.area):
            cell.error = gettext("您没有该指标或该区域的填报权限")
        elif period:
            cell.error = period
        elif cell.figure is not None and cell.figure.status not in EDITABLE:
            cell.error = (
                gettext("该数据已审核锁定：如需修改，请审核员「重新打开」并说明原因")
                if cell.figure.status == Status.APPROVED
                else gettext("该数据已报送待审核：如需修改，请审核员退回")
            )
        elif (cell.figure.version if cell.figure else 0) != cell.version:
            cell.newer = cell.figure
            cell.error = _conflict_message(cell.figure)
        else:
            _check_value(cell, points[cell.key], year, month)
    return cells


def _conflict_message(figure: Figure | None) -> str:
    if figure is None:
        return gettext("该数据已被删除：请刷新页面后重新填写")
    who = (
        figure.updated_by.first_name or figure.updated_by.username
        if figure.updated_by
        else gettext("他人")
    )
    # Translators: Django date format (m, d: zero-padded month and day; M: "Oct").
    when = dateformat.format(timezone.localtime(figure.updated_at), gettext("m月d日 H:i"))
    return gettext(
        "%(who)s已于%(when)s将此数据改为%(value)s，您的修改未保存：请核对后重新填写并保存"
    ) % {"who": who, "when": when, "value": f"{figure.value.normalize():f}"}


def _check_value(cell: Cell, points: dict, year: int, month: int) -> None:
    ind, value = cell.indicator, cell.value
    if problem := negative_problem(ind.kind, value):
        cell.error = problem
        return
    if ind.is_cumulative and not cell.note:
        if problem := cumulative_problem(points, year, month, value):
            cell.error = gettext("%(problem)s，%(hint)s") % {
                "problem": problem,
                "hint": REASON_HINT,
            }
            return
    if problem := unit_slip_problem(points, year, month, value):
        if not (cell.confirmed and cell.note):
            cell.needs_confirmation = True
            cell.error = gettext(
                "%(problem)s：请按指标单位「%(unit)s」填写；如确认无误，"
                "请勾选「确认无误」并在「备注」中写明原因"
            ) % {"problem": problem, "unit": ind.unit}


# ---------------------------------------------------------------------------- services


@dataclass
class SaveResult:
    cells: list[Cell]
    saved: list[Figure] = field(default_factory=list)
    submitted: list[Figure] = field(default_factory=list)

    @property
    def errors(self) -> list[Cell]:
        return [c for c in self.cells if c.error]

    @property
    def ok(self) -> bool:
        return not self.errors


def _write(figure: Figure, *, user, reason: str) -> None:
    figure._history_user = user
    figure._change_reason = reason
    figure.save()


@transaction.atomic
def figures_save(
    *, user, cells: list[Cell], year: int, month: int, submit: bool = False, reason: str = ""
) -> SaveResult:
    """Save the changed cells as drafts (all or nothing), then submit them if asked.

    Stored rows are locked while checked, so a save made from a stale page (another person's
    version is newer) is refused with the newer value. With `submit`, every draft or returned
    figure among the cells is submitted too. `reason` (e.g. "Excel上传") goes to the history.
    """
    keys = {c.key for c in cells}
    # Lock the stored rows (PostgreSQL); the checks below then see the newest versions.
    list(
        Figure.objects.select_for_update()
        .filter(
            indicator_id__in={k[0] for k in keys},
            area_id__in={k[1] for k in keys},
            year=year,
            month=month,
        )
        .values_list("pk", flat=True)
    )
    check_cells(cells, user=user, year=year, month=month)
    result = SaveResult(cells)
    if not result.ok:
        return result
    for cell in cells:
        if not cell.changed:
            continue
        figure = cell.figure or Figure(
            indicator=cell.indicator,
            area=cell.area,
            year=year,
            month=month,
            created_by=user,
            version=0,
        )
        figure.value, figure.note, figure.updated_by = cell.value, cell.note, user
        figure.version += 1
        words = [reason or "保存"]
        if cell.note:
            words.append(f"备注：{cell.note}")
        if cell.needs_confirmation or (cell.confirmed and cell.note):
            words.append("已确认数值无误")
        _write(figure, user=user, reason="；".join(words))
        cell.figure = figure
        result.saved.append(figure)
    if submit:
        ready = [c.figure for c in cells if c.figure is not None and c.figure.status in EDITABLE]
        result.submitted = figures_submit(user=user, figures=ready)
    return result


@transaction.atomic
def figures_submit(*, user, figures: list[Figure], now=None) -> list[Figure]:
    """Submit draft or returned figures for review; marks those after the deadline late."""
    now = now or timezone.now()
    for figure in figures:
        if not access.can_enter(user, figure.indicator, figure.area):
            raise WorkflowError(gettext("您没有该指标或该区域的填报权限，不能报送"))
        if figure.status not in EDITABLE:
            raise WorkflowError(
                gettext("%(name)s已是「%(status)s」状态")
                % {"name": figure.indicator.name, "status": figure.get_status_display()}
            )
    days = deadline_days()
    for figure in figures:
        due = deadline(figure.indicator.cadence, figure.year, figure.month, days=days)
        figure.status = Status.SUBMITTED
        figure.submitted_by, figure.submitted_at = user, now
        figure.is_late = is_late(now, due)
        figure.version += 1
        _write(figure, user=user, reason="报送" + ("（逾期）" if figure.is_late else ""))
    return figures


def _reviewable(user, figure: Figure) -> None:
    if not access.can_review(user, figure.indicator, figure.area):
        raise WorkflowError(gettext("您没有该指标的审核权限"))


def _same_version(figure: Figure, version: int | None) -> None:
    if version is not None and figure.version != version:
        raise WorkflowError(
            gettext("%(name)s（%(area)s）已被修改为%(value)s：请刷新页面核对后再审核")
            % {
                "name": figure.indicator.name,
                "area": figure.area.name,
                "value": f"{figure.value.normalize():f}",
            }
        )


def _locked(figures: list[tuple[Figure, int | None]]):
    """The same figures re-read under a row lock, paired with the versions the reviewer saw."""
    fresh = Figure.objects.select_for_update().in_bulk([f.pk for f, _ in figures])
    return [(fresh[f.pk], version) for f, version in figures if f.pk in fresh]


@transaction.atomic
def figures_approve(*, user, figures: list[tuple[Figure, int | None]], now=None) -> list[Figure]:
    """Approve submitted figures (all or none); nobody approves their own submission.

    `figures` pairs each figure with the version the reviewer saw (None: not checked).
    """
    now = now or timezone.now()
    pairs = _locked(figures)
    for figure, version in pairs:
        _reviewable(user, figure)
        _same_version(figure, version)
        if figure.status != Status.SUBMITTED:
            raise WorkflowError(
                gettext("%(name)s（%(area)s）未报送，不能审核")
                % {"name": figure.indicator.name, "area": figure.area.name}
            )
        if figure.submitted_by_id == user.pk:
            raise WorkflowError(gettext("不能审核自己报送的数据：请由部门其他审核员或管理员审核"))
    approved = []
    for figure, _ in pairs:
        figure.status, figure.approved_by, figure.approved_at = Status.APPROVED, user, now
        figure.review_comment = ""
        figure.version += 1
        _write(figure, user=user, reason="审核通过")
        approved.append(figure)
    return approved


@transaction.atomic
def figures_return(*, user, figure: Figure, comment: str, version: int | None = None) -> Figure:
    """Return a submitted figure to the clerk with a comment they will see."""
    comment = text(comment)[:255]
    if not comment:
        raise WorkflowError(gettext("退回时请填写退回意见，说明需要如何修改"))
    [(figure, version)] = _locked([(figure, version)]) or [(None, None)]
    if figure is None:
        raise WorkflowError(gettext("该数据不存在"))
    _reviewable(user, figure)
    _same_version(figure, version)
    if figure.status != Status.SUBMITTED:
        raise WorkflowError(
            gettext("只有已报送待审核的数据可以退回；已审核的数据请使用「重新打开」")
        )
    figure.status, figure.review_comment = Status.RETURNED, comment
    figure.version += 1
    _write(figure, user=user, reason=f"退回：{comment}")
    return figure


@transaction.atomic
def figures_reopen(*, user, figure: Figure, reason: str) -> Figure:
    """Unlock an approved figure so it can be corrected; needs a reviewer or an administrator."""
    reason = text(reason)[:255]
    if not reason:
        raise WorkflowError(gettext("重新打开已审核的数据必须说明原因"))
    [(figure, _)] = _locked([(figure, None)]) or [(None, None)]
    if figure is None:
        raise WorkflowError(gettext("该数据不存在"))
    _reviewable(user, figure)
    if figure.status != Status.APPROVED:
        raise WorkflowError(gettext("只有已审核锁定的数据需要重新打开"))
    figure.status, figure.review_comment = Status.RETURNED, f"重新打开：{reason}"
    figure.approved_by, figure.approved_at = None, None
    figure.version += 1
    _write(figure, user=user, reason=f"重新打开：{reason}")
    return figure


# ---------------------------------------------------------------------------- progress


@dataclass
class DepartmentProgress:
    department: object
    expected: int = 0
    draft: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    late: int = 0
    deadline: datetime.date | None = None

    @property
    def missing(self) -> int:
        """Not yet reported: no figure, or only a draft or a returned one."""
        return self.expected - self.submitted - self.approved

    @property
    def overdue(self) -> bool:
        return bool(self.missing and self.deadline and timezone.localdate() > self.deadline)


def reporting_progress(town: Area, villages: list[Area], year: int, month: int):
    """填报进度 of a town's departments for a month: expected, submitted, approved, missing, late."""
    areas = [town, *villages]
    indicators = [
        ind
        for ind in Indicator.objects.filter(source__isnull=True, department__isnull=False)
        if ind.period_month(month) == month
    ]
    by_department = {
        d.pk: DepartmentProgress(d) for d in Department.objects.filter(indicators__in=indicators)
    }
    days = deadline_days()
    wanted = set()
    for ind in indicators:
        progress = by_department[ind.department_id]
        progress.expected += len(entry_areas(ind, town, villages))
        due = deadline(ind.cadence, year, month, days=days)
        progress.deadline = max(progress.deadline or due, due)
        wanted |= {(ind.pk, a.pk) for a in entry_areas(ind, town, villages)}
    department_of = {ind.pk: ind.department_id for ind in indicators}
    figures = (
        Figure.objects.filter(
            indicator_id__in=department_of, area__in=areas, year=year, month=month
        )
        .order_by()
        .values_list("indicator_id", "area_id", "status", "is_late")
    )
    for ind, area, status, late in figures:
        if (ind, area) not in wanted:
            continue
        progress = by_department[department_of[ind]]
        setattr(progress, status, getattr(progress, status) + 1)
        progress.late += bool(late and status in (Status.SUBMITTED, Status.APPROVED))
    return sorted(by_department.values(), key=lambda p: (p.department.order, p.department.name))


# ---------------------------------------------------------------------------- the grid


@dataclass
class GridRow:
    """One input of the entry grid with its reference columns."""

    indicator: Indicator
    area: Area
    figure: Figure | None
    previous: Decimal | None  # last period's cumulative (or level)
    last_year: Decimal | None  # the same month last year
    target: Decimal | None
    baseline: Decimal | None  # last December, for the progress of stock and ratio kinds
    cell: Cell | None = None  # what was posted, when a save was refused

    @property
    def name(self) -> str:
        return f"{self.indicator.pk}-{self.area.pk}"

    @property
    def editable(self) -> bool:
        return self.figure is None or self.figure.status in EDITABLE

    @property
    def shown_value(self) -> str:
        if self.cell is not None:
            return text(self.cell.raw)
        return plain(self.figure.value) if self.figure else ""

    @property
    def shown_note(self) -> str:
        if self.cell is not None:
            return self.cell.note
        return self.figure.note if self.figure else ""

    @property
    def version(self) -> int:
        if self.cell is not None and not self.cell.newer:
            return self.cell.version
        return self.figure.version if self.figure else 0

    @property
    def month_value(self) -> Decimal | None:
        """当月值 of a cumulative figure: this period's cumulative less the previous one."""
        if self.figure is None or not self.indicator.is_cumulative:
            return None
        if self.previous is None:
            return self.figure.value if self.first else None
        return self.figure.value - self.previous

    first: bool = False  # the first period of the year (当月 = the cumulative itself)

    @property
    def completion_pct(self) -> Decimal | None:
        value = self.figure.value if self.figure else None
        if self.indicator.is_cumulative or self.baseline is None:
            return metrics.completion_pct(value, self.target)
        return metrics.linear_progress_pct(value, self.baseline, self.target)


def plain(value: Decimal | None) -> str:
    """A stored Decimal as a person types it: 12.5, not 12.500000 or 1.25E+1."""
    if value is None:
        return ""
    value = value.normalize()
    return f"{value:f}"


def grid_rows(department, town: Area, villages: list[Area], year: int, month: int):
    """The entry grid of a department for a month: town indicators first, then village ones.

    Three queries: indicators, figures (this period, the one before, last year's), targets.
    """
    indicators = due_indicators(department, month)
    areas = [town, *villages]
    months = {month, 12} | {month - step for step in (1, 3, 12) if month - step >= 1}
    stored = {
        (f.indicator_id, f.area_id, f.year, f.month): f
        for f in Figure.objects.filter(
            indicator__in=indicators, area__in=areas, year__in=[year - 1, year], month__in=months
        )
        .order_by()
        .select_related("updated_by", "submitted_by")
    }
    targets = {
        (t.indicator_id, t.area_id): t
        for t in Target.objects.filter(
            indicator__in=indicators, area__in=areas, year=year
        ).order_by()
    }

    def value(ind, area, y, m):
        figure = stored.get((ind.pk, area.pk, y, m))
        return figure.value if figure else None

    rows = []
    ordered = sorted(indicators, key=lambda i: i.entry_level == Indicator.EntryLevel.VILLAGE)
    for ind in ordered:
        step = {"quarterly": 3, "annual": 12}.get(ind.cadence, 1)
        for area in entry_areas(ind, town, villages):
            target = targets.get((ind.pk, area.pk))
            baseline = value(ind, area, year - 1, 12)
            goal = None
            if target is not None:
                goal = target.value
                if goal is None:
                    goal = metrics.growth_target_value(baseline, target.growth_pct)
            rows.append(
                GridRow(
                    indicator=ind,
                    area=area,
                    figure=stored.get((ind.pk, area.pk, year, month)),
                    previous=value(ind, area, year, month - step) if month > step else None,
                    last_year=value(ind, area, year - 1, month),
                    target=goal,
                    baseline=baseline,
                    first=month <= step,
                )
            )
    return rows
