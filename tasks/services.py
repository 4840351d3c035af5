"""Writes on the ledger: each a keyword-only function inside one transaction.

Every function that can change a task's light (status, milestone, progress, deadline) ends by
calling `light_record`, which writes a `TaskLightChange` when the light differs from the last
recorded one. Date-driven changes (a deadline coming near, a milestone date passing) are recorded
by `lights_refresh`, which the daily `tasks_refresh_lights` command runs. `today` is always an
argument: the date the action happens on, and the date the light is judged at.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from indicators.formatting import date_words
from indicators.workbook import apply, check, sheets_from_dicts

from . import demo, lights
from .models import (
    Attachment,
    ExtensionRequest,
    Milestone,
    ProgressReport,
    Task,
    TaskEvent,
    TaskLightChange,
    TaskLightRule,
)

Status = Task.Status
Kind = TaskEvent.Kind


class TaskError(ValueError):
    """An action that is not possible now; the message says why, in Chinese."""


def active_rule() -> lights.Rule:
    row = TaskLightRule.objects.filter(is_active=True).first()
    return row.rule() if row else lights.Rule()


def light_rules_ensure() -> None:
    """The default rule row, so that administrators find it in the admin to edit."""
    if not TaskLightRule.objects.exists():
        TaskLightRule.objects.create(name="默认（临近7天黄灯）", is_active=True)


def judge(task: Task, *, today: datetime.date, rule: lights.Rule | None = None, milestones=None):
    """The light of `task` on `today` (milestones from the prefetch cache when there is one)."""
    if milestones is None:
        milestones = task.milestones.all()
    return lights.judge(
        status=task.status,
        deadline=task.deadline,
        milestones=[(m.content, m.due, m.done_on) for m in milestones],
        today=today,
        rule=rule or active_rule(),
        close_requested_on=task.close_requested_on,
    )


def light_record(
    *, task: Task, today: datetime.date, reason: str = "", user=None, rule=None
) -> TaskLightChange | None:
    """Record the task's light on `today` if it changed; `user` None means an automatic change."""
    judgement = judge(task, today=today, rule=rule)
    new = judgement.light or ""
    if new == task.light:
        return None
    change = TaskLightChange.objects.create(
        task=task,
        old=task.light,
        new=new,
        reason=f"{reason}：{judgement.reason}" if reason else judgement.reason,
        automatic=user is None,
        user=user,
        as_of=today,
    )
    task.light = new
    # update(), not save(): the caller may hold other unsaved edits of this task instance.
    Task.objects.filter(pk=task.pk).update(light=new)
    return change


@transaction.atomic
def lights_refresh(*, today: datetime.date, tasks=None, reason: str = "") -> int:
    """Record every date-driven light change on `today`; returns how many changed.

    Three queries plus one insert per change, whatever the number of tasks.
    """
    rule = active_rule()
    tasks = (tasks if tasks is not None else Task.objects.all()).prefetch_related("milestones")
    changes, updates = [], []
    for task in tasks:
        judgement = judge(task, today=today, rule=rule)
        new = judgement.light or ""
        if new != task.light:
            changes.append(
                TaskLightChange(
                    task=task,
                    old=task.light,
                    new=new,
                    reason=f"{reason}：{judgement.reason}" if reason else judgement.reason,
                    automatic=True,
                    as_of=today,
                )
            )
            task.light = new
            updates.append(task)
    TaskLightChange.objects.bulk_create(changes)
    Task.objects.bulk_update(updates, ["light"])
    return len(changes)


def _event(task, kind, user, today, text=""):
    return TaskEvent.objects.create(task=task, kind=kind, user=user, on=today, text=text)


def _lock(task: Task) -> Task:
    """Re-read the task under a row lock, so two clicks cannot both approve."""
    return Task.objects.select_for_update().get(pk=task.pk)


@transaction.atomic
def progress_report_save(
    *,
    task: Task,
    user,
    year: int,
    month: int,
    situation: str,
    percent: int,
    problems: str = "",
    next_steps: str = "",
    coordination: str = "",
    files=(),
    today: datetime.date,
) -> ProgressReport:
    """Write (or rewrite) the month's progress; the first report starts the task (推进中)."""
    task = _lock(task)
    if not task.is_active:
        raise TaskError(
            _("任务当前状态为「%(status)s」，不能再报送进展。")
            % {"status": task.get_status_display()}
        )
    if (year, month) > (today.year, today.month):
        raise TaskError(_("不能填报未来月份的进展。"))
    if not 0 <= percent <= 100:
        raise TaskError(_("完成进度应为0至100之间的整数。"))
    values = {
        "situation": situation,
        "percent": percent,
        "problems": problems,
        "next_steps": next_steps,
        "coordination": coordination,
    }
    report = ProgressReport.objects.filter(task=task, year=year, month=month).first()
    if report is not None and all(getattr(report, k) == v for k, v in values.items()) and not files:
        return report  # the same report again (a double click, the demo run twice)
    if report is None:
        report = ProgressReport.objects.create(
            task=task, year=year, month=month, author=user, reported_on=today, **values
        )
    else:
        for k, v in values.items():
            setattr(report, k, v)
        report.author, report.reported_on = user, today
        report.save()
    for upload in files:
        Attachment.objects.create(
            report=report,
            file=upload,
            name=upload.name[:255],
            size=upload.size,
            content_type=getattr(upload, "content_type", "") or "",
        )
    if task.status == Status.NOT_STARTED:
        task.status = Status.IN_PROGRESS
        task.save(update_fields=["status"])
    _event(task, Kind.PROGRESS, user, today, f"{year}年{month}月进展，完成进度{percent}%")
    light_record(task=task, today=today, user=user, reason="报送月度进展")
    return report


@transaction.atomic
def milestone_complete(
    *, milestone: Milestone, user, done_on: datetime.date, today: datetime.date
) -> Milestone:
    """Mark a milestone done on `done_on` (not in the future)."""
    task = _lock(milestone.task)
    if not task.is_active:
        raise TaskError(
            _("任务当前状态为「%(status)s」，不能再修改节点。")
            % {"status": task.get_status_display()}
        )
    if done_on > today:
        raise TaskError(_("完成日期不能晚于今天。"))
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    _event(task, Kind.MILESTONE, user, today, f"{milestone.content}（{date_words(done_on)}完成）")
    light_record(task=task, today=today, user=user, reason="完成节点")
    return milestone


@transaction.atomic
def task_comment(*, task: Task, user, text: str, today: datetime.date) -> TaskEvent:
    text = text.strip()
    if not text:
        raise TaskError(_("点评内容不能为空。"))
    return _event(task, Kind.COMMENT, user, today, text)


@transaction.atomic
def task_close_request(*, task: Task, user, note: str = "", today: datetime.date) -> Task:
    """The lead department asks for 销号; the lead leader or an administrator decides."""
    task = _lock(task)
    if task.status not in (Status.IN_PROGRESS, Status.EXTENDED):
        raise TaskError(_("只有推进中或延期的任务可以申请销号（请先报送进展）。"))
    task.status, task.close_requested_on = Status.CLOSE_REQUESTED, today
    task.save(update_fields=["status", "close_requested_on"])
    _event(task, Kind.CLOSE_REQUESTED, user, today, note)
    light_record(task=task, today=today, user=user, reason="申请销号")
    return task


@transaction.atomic
def task_close_decide(
    *, task: Task, user, approve: bool, note: str = "", today: datetime.date
) -> Task:
    """Approve the 销号 (已销号, blue) or return it to the lead department with a note."""
    task = _lock(task)
    if task.status != Status.CLOSE_REQUESTED:
        raise TaskError(_("该任务没有待审核的销号申请。"))
    if approve:
        task.status, task.closed_on, task.closed_by = Status.CLOSED, today, user
        _event(task, Kind.CLOSED, user, today, note)
    else:
        if not note.strip():
            raise TaskError(_("退回销号申请时请写明原因。"))
        task.status = Status.EXTENDED if task.original_deadline else Status.IN_PROGRESS
        task.close_requested_on = None
        _event(task, Kind.CLOSE_REJECTED, user, today, note)
    task.save(update_fields=["status", "closed_on", "closed_by", "close_requested_on"])
    light_record(task=task, today=today, user=user, reason="同意销号" if approve else "退回销号")
    return task


@transaction.atomic
def extension_request(
    *, task: Task, user, new_deadline: datetime.date, reason: str, today: datetime.date
) -> ExtensionRequest:
    """Ask for a later deadline; only before the current deadline has passed."""
    task = _lock(task)
    if not task.is_active:
        raise TaskError(
            _("任务当前状态为「%(status)s」，不能申请延期。")
            % {"status": task.get_status_display()}
        )
    if today > task.deadline:
        raise TaskError(_("已超过完成时限，不能再申请延期：延期须在时限前申请并获批准。"))
    if new_deadline <= task.deadline:
        raise TaskError(_("申请延至的日期应晚于当前完成时限。"))
    if not reason.strip():
        raise TaskError(_("请写明延期理由。"))
    if task.extensions.filter(decision=ExtensionRequest.Decision.PENDING).exists():
        raise TaskError(_("已有一项待审批的延期申请。"))
    request = ExtensionRequest.objects.create(
        task=task, new_deadline=new_deadline, reason=reason, requested_by=user, requested_on=today
    )
    _event(
        task, Kind.EXTENSION_REQUESTED, user, today, f"申请延至{date_words(new_deadline)}：{reason}"
    )
    return request


@transaction.atomic
def extension_decide(
    *, task: Task, user, approve: bool, note: str = "", today: datetime.date
) -> ExtensionRequest:
    """Approve (before the deadline) or refuse the pending extension; the first deadline stays."""
    task = _lock(task)
    request = task.extensions.filter(decision=ExtensionRequest.Decision.PENDING).first()
    if request is None:
        raise TaskError(_("该任务没有待审批的延期申请。"))
    if approve and today > task.deadline:
        raise TaskError(_("已超过完成时限，不能再批准延期。"))
    request.decision = (
        ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REJECTED
    )
    request.decided_by, request.decided_on = user, today
    request.save(update_fields=["decision", "decided_by", "decided_on"])
    if approve:
        # The first deadline stays on record however many extensions follow (DOMAIN §6).
        task.original_deadline = task.original_deadline or task.deadline
        task.deadline = request.new_deadline
        task.status = Status.EXTENDED
        task.save(update_fields=["original_deadline", "deadline", "status"])
        _event(
            task, Kind.EXTENSION_APPROVED, user, today, f"延至{date_words(request.new_deadline)}"
        )
    else:
        _event(task, Kind.EXTENSION_REJECTED, user, today, note)
    light_record(task=task, today=today, user=user, reason="同意延期" if approve else "不同意延期")
    return request


@transaction.atomic
def task_cancel(*, task: Task, user, reason: str, today: datetime.date) -> Task:
    task = _lock(task)
    if task.status in (Status.CLOSED, Status.CANCELLED):
        raise TaskError(_("任务已%(status)s，不能取消。") % {"status": task.get_status_display()})
    if not reason.strip():
        raise TaskError(_("取消任务须写明原因。"))
    task.status, task.cancel_reason = Status.CANCELLED, reason.strip()
    task.save(update_fields=["status", "cancel_reason"])
    _event(task, Kind.CANCELLED, user, today, reason)
    light_record(task=task, today=today, user=user, reason="取消任务")
    return task


@transaction.atomic
def progress_reports_load(*, reports: list[dict]) -> int:
    """Load past reports as they were written (the demo): no status or light change.

    Each dict has number, year, month and the report's fields; an identical report already
    stored is left alone, so loading twice changes nothing. Returns how many were written.
    """
    tasks = {t.number: t for t in Task.objects.filter(number__in={r["number"] for r in reports})}
    stored = {
        (r.task_id, r.year, r.month): r
        for r in ProgressReport.objects.filter(task__in=tasks.values())
    }
    written = 0
    for data in reports:
        task = tasks[data["number"]]
        values = {k: v for k, v in data.items() if k not in ("number", "year", "month")}
        report = stored.get((task.pk, data["year"], data["month"]))
        if report is not None and all(getattr(report, k) == v for k, v in values.items()):
            continue
        ProgressReport.objects.update_or_create(
            task=task, year=data["year"], month=data["month"], defaults=values
        )
        written += 1
    return written


@transaction.atomic
def demo_tasks_load():
    """The demo's 2025 commitments through the workbook import, then their progress reports.

    Lights are recorded as of the demo's date (2025-10-31). Returns the import plan.
    """
    light_rules_ensure()
    plan = check(sheets_from_dicts(demo.task_sheets()))
    if not plan.ok:
        return plan
    plan.as_of = demo.DEMO_AS_OF
    apply(plan)
    progress_reports_load(reports=demo.progress_reports())
    return plan
