"""Synthetic task ledgers for the towns of a generated district (`generate_district`).

Each town gets `per_town` tasks of the year under a few sections, with dated milestones, some
done, and monthly progress reports up to `month`; statuses and deadlines are spread so that
every light occurs. Bulk inserts: nothing here is a write a person makes.
"""

import datetime
import random

from indicators.models import Department

from .models import Milestone, ProgressReport, Section, Task

SECTIONS = ["一、稳增长", "二、抓项目", "三、促融合", "四、惠民生", "五、保安全"]


def build_tasks(towns, *, year: int, month: int, per_town: int = 40) -> dict[str, int]:
    """Tasks, milestones and progress reports for every town; returns the counts."""
    departments = list(Department.objects.order_by("order", "name")[:7])
    sections = Section.objects.bulk_create(
        [Section(year=year, title=f"{title}（合成）", order=i) for i, title in enumerate(SECTIONS)]
    )
    tasks = []
    for town in towns:
        rng = random.Random(f"tasks-{town.code}")
        for n in range(1, per_town + 1):
            due_month = rng.randint(3, 12)
            deadline = datetime.date(year, due_month, 28)
            closed = due_month <= month and rng.random() < 0.6
            status = (
                Task.Status.CLOSED
                if closed
                else rng.choice(
                    [Task.Status.IN_PROGRESS, Task.Status.IN_PROGRESS, Task.Status.NOT_STARTED]
                )
            )
            tasks.append(
                Task(
                    number=f"{year}-{town.code}-{n:03d}",
                    year=year,
                    area=town,
                    section=sections[n % len(sections)],
                    title=f"{town.name}重点任务{n}",
                    target_text="完成年度建设任务",
                    lead_department=departments[n % len(departments)],
                    deadline=deadline,
                    status=status,
                    closed_on=deadline - datetime.timedelta(days=rng.randint(0, 20))
                    if closed
                    else None,
                    order=n,
                )
            )
    tasks = Task.objects.bulk_create(tasks, batch_size=2000)
    milestones, reports = [], []
    for task in tasks:
        rng = random.Random(task.number)
        due_month = task.deadline.month
        for k, m in enumerate(sorted({max(1, due_month - 6), max(1, due_month - 3), due_month})):
            due = datetime.date(year, m, 15)
            done = task.status == Task.Status.CLOSED or (m < month and rng.random() < 0.7)
            milestones.append(
                Milestone(
                    task=task,
                    content=f"节点{k + 1}",
                    due=due,
                    done_on=due - datetime.timedelta(days=rng.randint(0, 10)) if done else None,
                )
            )
        if task.status == Task.Status.NOT_STARTED:
            continue
        for m in range(1, month + 1):
            reports.append(
                ProgressReport(
                    task=task,
                    year=year,
                    month=m,
                    situation=f"{m}月按计划推进",
                    percent=min(100, round(100 * m / max(due_month, 1))),
                    reported_on=datetime.date(year, m, 25),
                )
            )
    Milestone.objects.bulk_create(milestones, batch_size=5000)
    ProgressReport.objects.bulk_create(reports, batch_size=5000)
    return {"tasks": len(tasks), "milestones": len(milestones), "reports": len(reports)}
