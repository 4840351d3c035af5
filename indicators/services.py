"""Writes of figures (填报·审核·锁定) and the other writes of the core.

A figure moves draft → submitted → approved, or back to returned with a comment the clerk sees.
Every write is one function below, inside one transaction, recording who and why in the figure's
history (django-simple-history); no signal or save() override does anything behind its back.
Each ends by refreshing the stored roll-up and the data version once (`versions.changing`).
The entry grid, its Excel upload and the admin all write through `figures_save`, and the value
rules are `rules.py`'s, which the workbook import applies too: a figure typed in the grid, one
uploaded in a sheet and one edited in the admin are judged alike.
"""

import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext

from . import access, demo, rules, versions
from .cells import CellError, number, text
from .http import token_digest
from .models import (
    API_TOKEN_DAYS,
    ApiToken,
    Area,
    Department,
    Figure,
    Indicator,
    LightScheme,
    Membership,
    ReportingWindow,
)
from .periods import deadline, is_late, period_problem
from .workbook import registry, sheets_from_dicts, workbook_import

log = logging.getLogger(__name__)

Status = Figure.Status
EDITABLE = (Status.DRAFT, Status.RETURNED)


class WorkflowError(Exception):
    """A refused workflow step; the message says what to do (in the page's language)."""


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


def check_cells(
    cells: list[Cell], *, user, year: int, month: int, as_admin: bool = False
) -> list[Cell]:
    """Parse and check every cell (placement, permission, period, number, DOMAIN §2); writes
    nothing.

    Sets `value`, `figure` (the stored one) and `error` on each cell; a cell is fine when its
    error is empty. Unchanged cells are not judged again. `as_admin`: an administrator's
    correction in the admin, allowed where the user may review instead of enter.
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
        allowed = access.can_review if as_admin else access.can_enter
        if problem := rules.placement_problem(
            name=cell.indicator.name,
            derived=cell.indicator.is_derived,
            entry_level=cell.indicator.entry_level,
            area_level=cell.area.level,
        ) or rules.cadence_problem(
            name=cell.indicator.name, cadence=cell.indicator.cadence, month=month
        ):
            cell.error = problem
        elif not allowed(user, cell.indicator, cell.area):
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
    # Translators: Django date format (n, j: month and day without zero padding; M: "Oct").
    when = dateformat.format(timezone.localtime(figure.updated_at), gettext("n月j日 H:i"))
    return gettext(
        "%(who)s已于%(when)s将此数据改为%(value)s，您的修改未保存：请核对后重新填写并保存"
    ) % {"who": who, "when": when, "value": f"{figure.value.normalize():f}"}


def _check_value(cell: Cell, points: dict, year: int, month: int) -> None:
    ind, value = cell.indicator, cell.value
    if problem := rules.negative_problem(ind.kind, value):
        cell.error = problem
        return
    if ind.is_cumulative and not cell.note:
        if problem := rules.cumulative_problem(points, year, month, value):
            cell.error = gettext("%(problem)s，%(hint)s") % {
                "problem": problem,
                "hint": rules.REASON_HINT,
            }
            return
    if problem := rules.unit_slip_problem(points, year, month, value):
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
@versions.changing()
def figures_save(
    *,
    user,
    cells: list[Cell],
    year: int,
    month: int,
    submit: bool = False,
    reason: str = "",
    as_admin: bool = False,
) -> SaveResult:
    """Save the changed cells as drafts (all or nothing), then submit them if asked.

    Stored rows are locked while checked, so a save made from a stale page (another person's
    version is newer) is refused with the newer value. With `submit`, every draft or returned
    figure among the cells is submitted too. `reason` (e.g. "Excel上传") goes to the history.
    The admin writes through here too (`as_admin`), so its edits are checked, locked and
    audited like the grid's.

    Two first entries of one figure at the same moment: on PostgreSQL both find no row to
    lock, and the second insert meets the first one's row in the unique constraint. The
    writes then roll back to a savepoint and the cells are checked once more, so the later
    saver is told, like any stale page, who saved first and the value they saved.
    """
    for attempt in (1, 2):
        _lock_stored(cells, year, month)
        if attempt == 2:
            for cell in cells:
                cell.error, cell.newer, cell.needs_confirmation = "", None, False
        check_cells(cells, user=user, year=year, month=month, as_admin=as_admin)
        result = SaveResult(cells)
        if not result.ok:
            return result
        try:
            with transaction.atomic():  # a savepoint: a lost race undoes only these writes
                result.saved = [
                    _save_cell(c, user, year, month, reason) for c in cells if c.changed
                ]
        except IntegrityError:
            if attempt == 2:
                raise
            log.info("同时首次填报：%s 的保存晚了一步，重新核对", user)
            continue
        break
    if submit:
        ready = [c.figure for c in cells if c.figure is not None and c.figure.status in EDITABLE]
        result.submitted = figures_submit(user=user, figures=ready)
    return result


def _lock_stored(cells, year, month) -> None:
    # Lock the stored rows (PostgreSQL); the checks then see the newest versions.
    keys = {c.key for c in cells}
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


def _save_cell(cell: Cell, user, year: int, month: int, reason: str) -> Figure:
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
    return figure


@transaction.atomic
@versions.changing()
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
    days = ReportingWindow.deadline_days()
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
@versions.changing()
def figures_approve(*, user, figures: list[tuple[Figure, int | None]], now=None) -> list[Figure]:
    """Approve submitted figures (all or none) under the four-eyes rule: nobody approves a
    value they entered (created or last changed) or submitted.

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
        if user.pk in (figure.created_by_id, figure.updated_by_id):
            raise WorkflowError(gettext("不能审核自己填报的数据：请由部门其他审核员或管理员审核"))
    approved = []
    for figure, _ in pairs:
        figure.status, figure.approved_by, figure.approved_at = Status.APPROVED, user, now
        figure.review_comment = ""
        figure.version += 1
        _write(figure, user=user, reason="审核通过")
        approved.append(figure)
    return approved


@transaction.atomic
@versions.changing()
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
@versions.changing()
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


# ---------------------------------------------------------------------------- API tokens


def api_token_create(*, user, name: str = "", days: int = API_TOKEN_DAYS) -> str:
    """Make a token for `user` that lasts `days` days and return the key; only its digest is
    kept, so the key is shown once."""
    if days < 1:
        raise ValueError(gettext("令牌有效期至少1天"))
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        name=name,
        digest=token_digest(key),
        prefix=key[:8],
        expires_at=timezone.now() + timedelta(days=days),
    )
    return key


def api_tokens_revoke(*, tokens, now=None) -> int:
    """Revoke the tokens not yet revoked; they answer 401 from now on. Returns how many."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=now or timezone.now())


# ---------------------------------------------------------------------------- presets and demo

PRESETS = [
    # DOMAIN §4 defaults, then the published 银川 2025 preset (yellow 10–30 behind, red beyond).
    {"name": "默认（落后10个百分点以内黄灯）", "green_min_gap": 0, "yellow_min_gap": -10},
    {"name": "银川2025（落后10–30个百分点黄灯）", "green_min_gap": -10, "yellow_min_gap": -30},
]


@transaction.atomic
@versions.changing()
def light_schemes_ensure() -> None:
    """Create the two published presets once; the first becomes active if none is."""
    for preset in PRESETS:
        LightScheme.objects.get_or_create(name=preset["name"], defaults=preset)
    if not LightScheme.objects.filter(is_active=True).exists():
        LightScheme.objects.filter(name=PRESETS[0]["name"]).update(is_active=True)


@transaction.atomic
@versions.changing()
def demo_load():
    """Load the demo township through the workbook import path; running it twice changes nothing.

    The core's sheets and the demo users first, then each app's registered demo step (the
    ledger's tasks name these users). Returns the import plan and the demo users. Users are
    created once: a password changed afterwards is left alone.
    """
    light_schemes_ensure()
    sheets = demo.demo_sheets()
    for row in sheets["区域"]:
        row["示例数据"] = "是"  # every page of a demo area says 示例数据
    plan = workbook_import(sheets_from_dicts(sheets))
    if not plan.ok:
        transaction.set_rollback(True)
        return plan, []
    _demo_users_ensure()
    for step in registry.demo_steps():
        part = step()
        plan.errors += part.errors
        plan.new_departments += part.new_departments
        plan.counts.update(part.counts)
        plan.rows.update({k: v for k, v in part.rows.items() if v})
    if not plan.ok:
        transaction.set_rollback(True)
    return plan, demo.DEMO_USERS


def _demo_users_ensure() -> None:
    User = get_user_model()
    for spec in demo.DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec["username"],
            defaults={
                "first_name": spec["name"],
                "is_staff": spec["role"] == Membership.Role.ADMIN,
                "is_superuser": spec["role"] == Membership.Role.ADMIN,
            },
        )
        if created:
            user.set_password(spec["password"])
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            user=user,
            defaults={
                "role": spec["role"],
                "area": Area.objects.get(code=spec["area"]),
                "department": Department.objects.filter(name=spec["department"]).first()
                if spec["department"]
                else None,
                "title": spec["name"],
            },
        )
