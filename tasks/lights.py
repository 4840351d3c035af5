"""The task lights of DOMAIN §6 as pure functions: no ORM, no I/O.

Defaults: blue when closed (已销号); red when the deadline has passed without closing (逾期);
yellow when a milestone is missed or at most `warn_days` remain before the deadline; green
otherwise; a cancelled task has no light. "Today" is always an argument, so a test, the ledger
(`?as_of=`) and the daily command can judge any date.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from indicators import metrics


class Light:
    """The indicators' light values; a task is never grey (it has no figure to miss)."""

    BLUE = metrics.Light.BLUE  # 已完成: closed
    GREEN = metrics.Light.GREEN  # 达进度: on schedule
    YELLOW = metrics.Light.YELLOW  # 欠进度: a milestone missed, or the deadline near
    RED = metrics.Light.RED  # 逾期: past the deadline, not closed


ORDER = (Light.BLUE, Light.GREEN, Light.YELLOW, Light.RED)
# The summaries' words (DOMAIN §6): red is 逾期 for a task. Stored and printed in Chinese; the
# pages translate them (`tasks.models.TaskLight`).
LABELS = {
    Light.BLUE: gettext_noop("已完成"),
    Light.GREEN: gettext_noop("达进度"),
    Light.YELLOW: gettext_noop("欠进度"),
    Light.RED: gettext_noop("逾期"),
}


class Status:
    """Task statuses as stored; `tasks.models.Task.Status` gives them their words."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    CLOSE_REQUESTED = "close_requested"
    CLOSED = "closed"
    EXTENDED = "extended"
    CANCELLED = "cancelled"


CLOSED, CANCELLED, CLOSE_REQUESTED = Status.CLOSED, Status.CANCELLED, Status.CLOSE_REQUESTED


@dataclass(frozen=True)
class Rule:
    warn_days: int = 7  # yellow when this many days or fewer remain
    milestone_grace_days: int = 0  # a milestone is missed this many days after its due date


@dataclass(frozen=True)
class Judgement:
    light: str | None
    reason: str
    overdue: bool
    days_left: int | None  # days to the deadline (negative when overdue); None when closed


def judge(
    *,
    status: str,
    deadline: datetime.date,
    milestones: list[tuple[str, datetime.date, datetime.date | None]],
    today: datetime.date,
    rule: Rule = Rule(),
    close_requested_on: datetime.date | None = None,
) -> Judgement:
    """The light of one task on `today`, and why.

    `milestones` are (content, due, done_on) triples. A 销号 requested on or before the deadline
    is not overdue while it waits for approval: the lead department did its part on time.
    """
    if status == CANCELLED:
        return Judgement(None, "任务已取消", False, None)
    if status == CLOSED:
        return Judgement(Light.BLUE, "任务已销号", False, None)
    days_left = (deadline - today).days
    if status == CLOSE_REQUESTED and close_requested_on and close_requested_on <= deadline:
        return Judgement(Light.GREEN, "已按时申请销号，待审核", False, days_left)
    if days_left < 0:
        return Judgement(Light.RED, f"已超过完成时限{-days_left}天未销号", True, days_left)
    grace = datetime.timedelta(days=rule.milestone_grace_days)
    missed = [
        (content, due)
        for content, due, done_on in milestones
        if due + grace < today and (done_on is None or done_on > today)
    ]
    if missed:
        content, due = min(missed, key=lambda m: m[1])
        more = f"等{len(missed)}个节点" if len(missed) > 1 else ""
        return Judgement(
            Light.YELLOW,
            f"节点「{content}」{more}已过{due.month}月{due.day}日时限未完成",
            False,
            days_left,
        )
    if days_left <= rule.warn_days:
        return Judgement(Light.YELLOW, f"距完成时限仅剩{days_left}天", False, days_left)
    return Judgement(Light.GREEN, "按计划推进", False, days_left)


def on_time(
    *, status: str, deadline: datetime.date, today: datetime.date, closed_on=None, overdue: bool
) -> bool | None:
    """Whether a task counts as on time for the departments' ranking; None when cancelled.

    A closed task is on time when it was closed by its (possibly extended) deadline; an open one
    while it is not overdue.
    """
    if status == CANCELLED:
        return None
    if status == CLOSED:
        return closed_on is None or closed_on <= deadline
    return not overdue


def tally_sentence(counts: dict[str, int]) -> str:
    """DOMAIN §7: "42项重点任务中，已完成12项，达进度25项，欠进度4项，逾期1项。"."""
    total = sum(counts.get(light, 0) for light in ORDER)
    parts = "，".join(f"{LABELS[light]}{counts.get(light, 0)}项" for light in ORDER)
    return f"{total}项重点任务中，{parts}。"
