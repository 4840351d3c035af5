from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..models import TaskLight
from ..selectors import leader_name

register = template.Library()


@register.filter
def person(user) -> str:
    """李镇长 rather than `leader`; empty for nobody."""
    return leader_name(user)


@register.simple_tag
def task_light(light, reason=""):
    """{% task_light row.light row.light_reason %}: the task light chip, its reason as title."""
    if light not in TaskLight.values:
        return format_html(
            '<span class="light light-none" title="{}">—</span>', _("已取消的任务不亮灯")
        )
    if not reason and light == TaskLight.BLUE:
        reason = _("已销号")
    return format_html(
        '<span class="light light-{}" title="{}">{}</span>',
        light,
        reason,
        TaskLight.label_of(light),
    )
