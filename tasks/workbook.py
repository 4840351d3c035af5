"""The ledger's two sheets of the township workbook: 任务 and 节点 (DOMAIN §6, §8).

`register()` (from `TasksConfig.ready()`) adds them to the core's sheet registry, so a task
sheet is read, checked and written with the rest of the workbook and the import stays all or
nothing. Progress reports are not part of the format.
"""

import datetime
import re
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.utils import timezone

from indicators.cells import CellError, choice, number, text
from indicators.models import Area, Department, Indicator
from indicators.workbook import registry
from indicators.workbook.columns import YES_NO, word, words
from indicators.workbook.plan import counter

from .models import Milestone, Section, Task
from .services import light_record

TASKS, MILESTONES = "任务", "节点"
COLUMNS = {
    TASKS: (
        "编号",
        "板块",
        "任务名称",
        "具体内容",
        "牵头领导",
        "牵头单位",
        "配合单位",
        "完成时限",
        "关联指标编码",
        "量化目标",
        "状态",
        "指标目标值",
        "联系人",
        "优先级",
        "原完成时限",
        "申请销号日期",
        "销号日期",
        "取消原因",
        "区域编码",
        "示例数据",
    ),
    MILESTONES: ("任务编号", "节点内容", "完成时限", "完成日期"),
}
NUMBER = re.compile(r"^(\d{4})-[0-9A-Za-z-]+$")
SEPARATORS = re.compile(r"[、,，;；\s]+")
SECTION_SEPARATOR = "/"
IMPORT_REASON = "工作簿导入"


def date_cell(value, year: int | None = None) -> datetime.date:
    """A date from a cell: an Excel date, 2025-06-30, 2025/6/30, 2025年6月30日, 6月底, 年底."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = text(value)
    # Ledgers write deadlines the way meetings say them; the task's year anchors "6月底".
    if year and raw in ("年底", "年末"):
        return datetime.date(year, 12, 31)
    if year and (m := re.fullmatch(r"(\d{1,2})月(底|末)", raw)):
        month = int(m.group(1))
        if 1 <= month <= 12:
            nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
            return nxt - datetime.timedelta(days=1)
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+0{1,2}:00(:00)?)?", raw)
    if m:
        try:
            return datetime.date(*map(int, m.groups()[:3]))
        except ValueError:
            pass
    raise CellError(f"「{raw}」不是日期：请写成 2025-06-30，或「6月底」「年底」")


def _names(value) -> list[str]:
    return [n for n in SEPARATORS.split(text(value)) if n]


class People:
    """Users by the names a ledger uses: username, full name, or membership title."""

    # Ledgers name leaders as people do ("王镇长"), so every name a user goes by is indexed.

    def __init__(self):
        self.by_name = defaultdict(set)
        for user in get_user_model().objects.select_related("membership"):
            names = {user.get_username(), user.get_full_name()}
            membership = getattr(user, "membership", None)
            if membership is not None and membership.title:
                names.add(membership.title)
            for name in names - {""}:
                self.by_name[name].add(user.pk)

    def find(self, value) -> int:
        name = text(value)
        found = self.by_name.get(name, set())
        if not found:
            raise CellError(f"用户「{name}」不存在：请先在管理后台添加该用户，或填写其登录名")
        if len(found) > 1:
            raise CellError(f"「{name}」对应多个用户：请改填登录名")
        return next(iter(found))


def check_tasks(checker) -> None:
    """Check the 任务 sheet; fills `plan.rows["任务"]` (编号 → field dict)."""
    checker.plan.rows.setdefault(TASKS, {})
    rows = checker.rows(TASKS)
    if rows:
        _check_tasks(checker, rows)


def check_milestones(checker) -> None:
    """Check the 节点 sheet against the tasks of this workbook and those already stored."""
    plan = checker.plan
    tasks = plan.rows.get(TASKS, {})
    milestones = plan.rows.setdefault(MILESTONES, {})
    existing = dict(Task.objects.values_list("number", "year"))  # numbers already stored
    numbers = set(tasks) | set(existing)
    for row in checker.rows(MILESTONES):
        n = row["_row"]
        task = checker.cell(MILESTONES, row, "任务编号", text, required=True)
        content = checker.cell(MILESTONES, row, "节点内容", text, required=True)
        if task and task not in numbers:
            checker.error(MILESTONES, n, "任务编号", f"任务「{task}」不存在：请先在任务表中列出")
            continue
        year = tasks[task]["year"] if task in tasks else existing.get(task)
        due = checker.cell(MILESTONES, row, "完成时限", date_cell, year, required=True)
        done = checker.cell(MILESTONES, row, "完成日期", date_cell, year)
        if not (task and content and due):
            continue
        if (task, content) in milestones:
            checker.error(MILESTONES, n, "节点内容", f"任务「{task}」的节点「{content}」重复")
            continue
        milestones[task, content] = {"due": due, "done_on": done}


def _check_tasks(checker, rows) -> None:
    planned = checker.plan.rows[TASKS]
    people = People()
    statuses, priorities = words(Task.Status), words(Task.Priority)
    towns = checker.area_codes(Area.Level.TOWN)
    areas = checker.area_codes()
    seen = {}

    for row in rows:
        n = row["_row"]
        number_ = checker.cell(TASKS, row, "编号", text, required=True)
        if not number_:
            continue
        match = NUMBER.match(number_)
        if match is None:
            checker.error(TASKS, n, "编号", f"编号「{number_}」应以年度开头，例如 2025-03-01")
            continue
        if number_ in seen:
            checker.error(TASKS, n, "编号", f"编号「{number_}」与第{seen[number_]}行重复")
            continue
        seen[number_] = n
        year = int(match.group(1))
        errors = len(checker.plan.errors)
        section = checker.cell(TASKS, row, "板块", text, required=True)
        title = checker.cell(TASKS, row, "任务名称", text, required=True)
        lead = checker.cell(TASKS, row, "牵头单位", text, required=True)
        if lead and len(_names(lead)) > 1:
            checker.error(TASKS, n, "牵头单位", "牵头单位只能填一个，其余请填在「配合单位」中")
        deadline = checker.cell(TASKS, row, "完成时限", date_cell, year, required=True)
        leader_name = checker.cell(TASKS, row, "牵头领导", text, default="")
        leader = checker.cell(TASKS, row, "牵头领导", people.find) if leader_name else None
        code = checker.cell(TASKS, row, "关联指标编码", text, default="")
        if code and checker.indicator(code) is None:
            checker.error(TASKS, n, "关联指标编码", f"指标「{code}」不存在")
        target_value = checker.cell(TASKS, row, "指标目标值", number)
        status = checker.cell(
            TASKS, row, "状态", choice, statuses, "状态", default=Task.Status.NOT_STARTED
        )
        original = checker.cell(TASKS, row, "原完成时限", date_cell, year)
        requested = checker.cell(TASKS, row, "申请销号日期", date_cell, year)
        closed_on = checker.cell(TASKS, row, "销号日期", date_cell, year)
        reason = checker.cell(TASKS, row, "取消原因", text, default="")
        if status == Task.Status.EXTENDED and original is None:
            checker.error(TASKS, n, "原完成时限", "状态为「延期」时须填写原完成时限")
        if status == Task.Status.CANCELLED and not reason:
            checker.error(TASKS, n, "取消原因", "状态为「已取消」时须写明取消原因")
        area = checker.cell(TASKS, row, "区域编码", text, default="")
        if area and area not in areas:
            checker.error(TASKS, n, "区域编码", f"区域「{area}」不存在")
        elif not area:
            if len(towns) == 1:
                area = next(iter(towns))
            else:
                checker.error(TASKS, n, "区域编码", "有多个镇时请填写任务所属的区域编码")
        if len(checker.plan.errors) > errors or not (section and title and lead and deadline):
            continue
        planned[number_] = {
            "year": year,
            "area": area,
            "section": [s.strip() for s in section.split(SECTION_SEPARATOR) if s.strip()],
            "title": title,
            "content": checker.cell(TASKS, row, "具体内容", text, default=""),
            "target_text": checker.cell(TASKS, row, "量化目标", text, default=""),
            "indicator": code or None,
            "target_value": target_value,
            "lead_leader": leader,
            "lead_department": checker.department(lead),
            "cooperating": sorted(
                {checker.department(d) for d in _names(row.get("配合单位"))} - {lead}
            ),
            "contact": checker.cell(TASKS, row, "联系人", text, default=""),
            "deadline": deadline,
            "original_deadline": original,
            "priority": checker.cell(
                TASKS, row, "优先级", choice, priorities, "优先级", default=Task.Priority.NORMAL
            ),
            "status": status,
            "close_requested_on": requested,
            "closed_on": closed_on,
            "cancel_reason": reason,
            "is_demo": checker.cell(
                TASKS, row, "示例数据", choice, YES_NO, "示例数据", default=False
            ),
            "order": n,
        }


FIELDS = [
    "year",
    "title",
    "content",
    "target_text",
    "target_value",
    "contact",
    "deadline",
    "original_deadline",
    "priority",
    "status",
    "close_requested_on",
    "closed_on",
    "cancel_reason",
    "is_demo",
    "order",
]


def apply_tasks(plan, *, user=None) -> dict:
    """Write the checked 任务 rows (inside the import's transaction).

    Lights of created or changed tasks are recorded on `plan.as_of` (today when not set), once
    their milestones are written too (`apply_milestones`, when the workbook has any).
    """
    planned = plan.rows[TASKS]
    departments = {d.name: d for d in Department.objects.all()}
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    areas = dict(Area.objects.values_list("code", "pk"))
    sections = _apply_sections(plan)
    existing = {t.number: t for t in Task.objects.prefetch_related("cooperating")}
    touched = set()
    counts = counter()
    for number_, data in planned.items():
        values = {f: data[f] for f in FIELDS}
        values.update(
            area_id=areas[data["area"]],
            section_id=sections[data["area"], data["year"], tuple(data["section"])],
            indicator_id=indicators.get(data["indicator"]) if data["indicator"] else None,
            lead_leader_id=data["lead_leader"],
            lead_department_id=departments[data["lead_department"]].pk,
        )
        cooperating = {departments[name].pk for name in data["cooperating"]}
        task = existing.get(number_)
        if task is None:
            task = Task.objects.create(number=number_, **values)
            task.cooperating.set(cooperating)
            counts["created"] += 1
            plan.sample(TASKS, "created", number_, data["title"])
            touched.add(number_)
            continue
        changed = [f for f, v in values.items() if getattr(task, f) != v]
        old_cooperating = {d.pk for d in task.cooperating.all()}
        if changed:
            for f in changed:
                setattr(task, f, values[f])
            task.save(update_fields=[f.removesuffix("_id") for f in changed])
        if old_cooperating != cooperating:
            task.cooperating.set(cooperating)
        if changed or old_cooperating != cooperating:
            counts["updated"] += 1
            plan.sample(TASKS, "updated", number_, data["title"])
            touched.add(number_)
        else:
            counts["unchanged"] += 1
            plan.sample(TASKS, "unchanged", number_, data["title"])
    plan.touched[TASKS] = touched
    if not plan.rows.get(MILESTONES):
        _record_lights(plan, touched, user)
    return counts


def _record_lights(plan, numbers, user) -> None:
    today = plan.as_of or timezone.localdate()
    for task in Task.objects.filter(number__in=numbers).order_by("number"):
        light_record(task=task, today=today, user=user, reason=IMPORT_REASON)


def _apply_sections(plan) -> dict:
    """(area code, year, path of titles) → section id, creating each town's headings in the
    sheet's order (every town has its own report, and so its own headings)."""
    found = {}
    areas = dict(Area.objects.values_list("code", "pk"))
    by_key = {(s.area_id, s.year, s.parent_id, s.title): s for s in Section.objects.all()}
    order = defaultdict(int)
    for s in by_key.values():
        order[s.area_id, s.year, s.parent_id] = max(order[s.area_id, s.year, s.parent_id], s.order)
    for data in plan.rows[TASKS].values():
        parent, path = None, []
        area = areas[data["area"]]
        for title in data["section"]:
            path.append(title)
            key = (area, data["year"], parent.pk if parent else None, title)
            section = by_key.get(key)
            if section is None:
                order[key[:3]] += 1
                section = Section.objects.create(
                    area_id=area, year=key[1], parent=parent, title=title, order=order[key[:3]]
                )
                by_key[key] = section
            parent = section
            found[data["area"], data["year"], tuple(path)] = section.pk
    return found


def apply_milestones(plan, *, user=None) -> dict:
    """Write the checked 节点 rows, then record the lights of every task touched."""
    planned = plan.rows[MILESTONES]
    counts = counter()
    tasks = {t.number: t for t in Task.objects.filter(number__in={k[0] for k in planned})}
    existing = {
        (m.task_id, m.content): m for m in Milestone.objects.filter(task__in=tasks.values())
    }
    touched = set(plan.touched.get(TASKS, ()))
    for (number_, content), data in planned.items():
        task = tasks[number_]
        milestone = existing.get((task.pk, content))
        if milestone is None:
            Milestone.objects.create(task=task, content=content, **data)
            counts["created"] += 1
            plan.sample(MILESTONES, "created", number_, content)
        elif any(getattr(milestone, f) != v for f, v in data.items()):
            for f, v in data.items():
                setattr(milestone, f, v)
            milestone.save()
            counts["updated"] += 1
            plan.sample(MILESTONES, "updated", number_, content)
        else:
            counts["unchanged"] += 1
            plan.sample(MILESTONES, "unchanged", number_, content)
            continue
        touched.add(number_)
    _record_lights(plan, touched, user)
    return counts


def _date(value):
    return value if value else None


def export_tasks() -> list[list]:
    """Every task as a row of the 任务 sheet."""
    people = People()
    tasks = Task.objects.select_related(
        "section", "section__parent", "lead_department", "lead_leader", "indicator", "area"
    ).prefetch_related("cooperating")
    task_rows = []
    for t in tasks.order_by("year", "order", "number"):
        section = [t.section.title]
        if t.section.parent is not None:
            section.insert(0, t.section.parent.title)
        task_rows.append(
            [
                t.number,
                f" {SECTION_SEPARATOR} ".join(section),
                t.title,
                t.content,
                _leader_label(t.lead_leader, people),
                t.lead_department.name,
                "、".join(d.name for d in t.cooperating.all()),
                t.deadline,
                t.indicator.code if t.indicator else None,
                t.target_text,
                word(Task.Status, t.status),
                t.target_value,
                t.contact,
                word(Task.Priority, t.priority),
                _date(t.original_deadline),
                _date(t.close_requested_on),
                _date(t.closed_on),
                t.cancel_reason,
                t.area.code,
                "是" if t.is_demo else "否",
            ]
        )
    return task_rows


def export_milestones() -> list[list]:
    """Every milestone as a row of the 节点 sheet."""
    return [
        [number_, content, due, done]
        for number_, content, due, done in Milestone.objects.order_by(
            "task__number", "due", "pk"
        ).values_list("task__number", "content", "due", "done_on")
    ]


def _leader_label(user, people: People) -> str | None:
    """The leader's name when it names one user only, else the login name."""
    if user is None:
        return None
    name = user.get_full_name()
    if name and people.by_name.get(name) == {user.pk}:
        return name
    return user.get_username()


def register() -> None:
    """Add 任务 and 节点 to the workbook, after the core's sheets they refer to."""
    registry.register(
        registry.Sheet(
            name=TASKS,
            columns=COLUMNS[TASKS],
            required=("编号", "板块", "任务名称", "牵头单位", "完成时限"),
            order=100,
            check=check_tasks,
            apply=apply_tasks,
            export=export_tasks,
            markers=(frozenset({"任务名称"}),),
        )
    )
    registry.register(
        registry.Sheet(
            name=MILESTONES,
            columns=COLUMNS[MILESTONES],
            required=("任务编号", "节点内容", "完成时限"),
            order=110,
            check=check_milestones,
            apply=apply_milestones,
            export=export_milestones,
            markers=(frozenset({"节点内容"}),),
        )
    )
