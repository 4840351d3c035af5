"""The ledger (台账) as a django-tables2 table over `selectors.TaskRow`; the Excel export and the
print view use the same columns (`LEDGER_COLUMNS`), so the three never drift apart.

Headers and labels follow the active language; the Excel export renders them in Chinese.
"""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from indicators import formatting as fmt
from indicators.fasttable import FastTable
from indicators.tables import cells

from .models import TaskLight
from .selectors import leader_name

# (header, value for one TaskRow as plain text): the 台账 layout of the page, export and print.
LEDGER_COLUMNS = [
    (_("编号"), lambda r: r.task.number),
    (_("任务名称"), lambda r: r.task.title),
    (_("量化目标"), lambda r: r.task.target_text),
    (_("牵头领导"), lambda r: leader_name(r.task.lead_leader)),
    (_("牵头单位"), lambda r: r.task.lead_department.name),
    (_("配合单位"), lambda r: "、".join(d.name for d in r.task.cooperating.all())),
    (_("完成时限"), lambda r: deadline_text(r.task)),
    (_("下一节点"), lambda r: milestone_text(r.next_milestone)),
    (_("完成进度"), lambda r: fmt.percent(r.progress_pct) if r.progress_pct is not None else "—"),
    (_("进展情况"), lambda r: r.report.situation if r.report else ""),
    (_("存在问题"), lambda r: r.report.problems if r.report else ""),
    (_("状态"), lambda r: r.task.get_status_display()),
    (_("亮灯"), lambda r: light_text(r.light)),
]


def deadline_text(task) -> str:
    text = fmt.date_label(task.deadline)
    if task.original_deadline:
        text += gettext("（原%(day)s）") % {"day": fmt.date_label(task.original_deadline)}
    return text


def milestone_text(milestone) -> str:
    return (
        f"{fmt.date_label(milestone.due, with_year=False)} {milestone.content}" if milestone else ""
    )


def light_text(light) -> str:
    return TaskLight.label_of(light)


def light_html(light, reason="") -> str:
    return mark_safe(
        render_to_string("tasks/includes/light.html", {"light": light, "reason": reason}).strip()
    )


class LedgerTable(FastTable):
    number = tables.Column(_("编号"), accessor="task__number", attrs=cells("number"))
    title = tables.Column(
        _("任务名称"), accessor="task__title", attrs={"td": {"class": "wrap col-title"}}
    )
    target = tables.Column(
        _("量化目标"), accessor="task__target_text", attrs={"td": {"class": "wrap col-target"}}
    )
    leader = tables.Column(
        _("牵头领导"), accessor="task__lead_leader", empty_values=(), attrs=cells("leader")
    )
    department = tables.Column(
        _("牵头单位"), accessor="task__lead_department__name", attrs=cells("department")
    )
    cooperating = tables.Column(
        _("配合单位"), accessor="task", attrs={"td": {"class": "wrap col-coop"}}
    )
    deadline = tables.Column(_("完成时限"), accessor="task__deadline", attrs=cells("deadline"))
    milestone = tables.Column(
        _("下一节点"),
        accessor="next_milestone",
        empty_values=(),
        attrs={"td": {"class": "wrap col-milestone"}},
    )
    progress = tables.Column(
        _("完成进度"),
        accessor="progress_pct",
        empty_values=(),
        attrs=cells("progress", numeric=True),
    )
    situation = tables.Column(
        _("最新进展"),
        accessor="report",
        empty_values=(),
        attrs={"td": {"class": "wrap col-situation"}},
    )
    status = tables.Column(_("状态"), accessor="task__status", attrs=cells("status"))
    light = tables.Column(_("亮灯"), accessor="light", empty_values=(), attrs=cells("light"))

    class Meta(FastTable.Meta):
        orderable = False
        attrs = {"class": "data ledger"}
        row_attrs = {"class": lambda record: f"row-{record.light or 'none'}"}

    def __init__(self, *args, query="", as_of=None, **kwargs):
        self.query, self.as_of = query, as_of
        super().__init__(*args, **kwargs)

    def render_title(self, value, record):
        suffix = f"?{self.query}" if self.query else ""
        url = reverse("tasks:task", args=[record.task.number])
        return format_html('<a href="{}{}">{}</a>', url, suffix, value)

    def render_leader(self, value):
        return leader_name(value) or "—"

    def render_cooperating(self, value):
        return "、".join(d.name for d in value.cooperating.all()) or "—"

    def render_deadline(self, record):
        task = record.task
        if task.original_deadline:
            return format_html(
                "{}<br><small>{}</small>",
                fmt.date_label(task.deadline),
                gettext("原%(day)s") % {"day": fmt.date_label(task.original_deadline)},
            )
        return fmt.date_label(task.deadline)

    def render_milestone(self, value, record):
        if value is None:
            return "—"
        late = self.as_of is not None and value.due < self.as_of
        return format_html(
            '<span class="{}">{} {}</span>',
            "late" if late else "",
            fmt.date_label(value.due, with_year=False),
            value.content,
        )

    def render_progress(self, value, record):
        if value is None:
            return "—"
        title = _("按关联指标数据计算") if record.progress_source == "figure" else _("填报的进度")
        return format_html('<span title="{}">{}</span>', title, fmt.percent(value))

    def render_situation(self, value):
        if value is None:
            return "—"
        return format_html(
            '<span class="clamp" title="{}"><small>{}</small> {}</span>',
            value.situation,
            fmt.month_label(value.month),
            value.situation,
        )

    def render_status(self, record):
        return record.task.get_status_display()

    def render_light(self, value, record):
        return light_html(value, record.light_reason)
