"""Who may read or act on a task: the one access helper of the ledger (views, API, templates).

Reading follows the area tree, like the figures: everyone who reads the task's town reads its
ledger (transparency inside the township). Acting:

- progress and milestones: the lead department's 填报员;
- comments: the lead department's 审核员, the town's leaders, administrators;
- 销号 and extension requests: the lead department (填报员 or 审核员);
- approving them: the task's lead leader (牵头领导) or an administrator;
- cancelling: administrators.
"""

from indicators.access import membership, readable_area_ids
from indicators.areas import AreaTree
from indicators.models import Membership

from .models import Task

Role = Membership.Role
Status = Task.Status


def readable_task_areas(user, tree: AreaTree | None = None) -> frozenset[int]:
    # The same reach as the figures: whoever reads a town reads its commitments too.
    return readable_area_ids(user, tree or AreaTree())


def can_read(user, task, tree: AreaTree | None = None) -> bool:
    return task.area_id in readable_task_areas(user, tree)


def _in_town(m, task) -> bool:
    # Acting (unlike reading) needs a member of the task's own town: a district user reads
    # every ledger but writes in none of them.
    return m is not None and m.area_id == task.area_id


def is_lead_department(user, task, roles=(Role.CLERK, Role.REVIEWER)) -> bool:
    m = membership(user)
    return (
        _in_town(m, task)
        and m.role in roles
        and m.department_id is not None
        and m.department_id == task.lead_department_id
    )


def is_admin(user, task) -> bool:
    m = membership(user)
    if m is None:
        return user.is_authenticated and user.is_superuser
    return m.role == Role.ADMIN and (_in_town(m, task) or m.area.is_district)


def can_report(user, task) -> bool:
    """Write the month's progress and mark milestones done."""
    # The clerk writes and the reviewer comments, so one person never both reports and judges.
    return task.is_active and is_lead_department(user, task, roles=(Role.CLERK,))


def can_comment(user, task) -> bool:
    m = membership(user)
    return (
        is_lead_department(user, task, roles=(Role.REVIEWER,))
        or (_in_town(m, task) and m.role == Role.LEADER)
        or (user.is_authenticated and task.lead_leader_id == user.pk)
        or is_admin(user, task)
    )


def can_request_close(user, task) -> bool:
    return task.status in (Status.IN_PROGRESS, Status.EXTENDED) and is_lead_department(user, task)


def is_approver(user, task) -> bool:
    return (
        user.is_authenticated and task.lead_leader_id == user.pk and membership(user) is not None
    ) or is_admin(user, task)


def can_decide_close(user, task) -> bool:
    return task.status == Status.CLOSE_REQUESTED and is_approver(user, task)


def can_request_extension(user, task, today, pending=False) -> bool:
    return (
        task.is_active and not pending and today <= task.deadline and is_lead_department(user, task)
    )


def can_decide_extension(user, task, today, pending=True) -> bool:
    return pending and task.is_active and today <= task.deadline and is_approver(user, task)


def can_cancel(user, task) -> bool:
    return task.status not in (Status.CLOSED, Status.CANCELLED) and is_admin(user, task)


def actions(user, task, *, today, pending_extension: bool) -> dict[str, bool]:
    """Every action of the task page, for the template (no logic there)."""
    return {
        "report": can_report(user, task),
        "comment": can_comment(user, task),
        "request_close": can_request_close(user, task),
        "decide_close": can_decide_close(user, task),
        "request_extension": can_request_extension(user, task, today, pending_extension),
        "decide_extension": can_decide_extension(user, task, today, pending_extension),
        "cancel": can_cancel(user, task),
    }
