from django import template

from ..selectors import leader_name

register = template.Library()


@register.filter
def person(user) -> str:
    """李镇长 rather than `leader`; empty for nobody."""
    return leader_name(user)
