"""`{% admin_scope_name user as scope %}`: the admin's header says whose records the user keeps."""

from django import template

from ..access import admin_scope_name as scope_name
from ..areas import AreaTree

register = template.Library()


@register.simple_tag
def admin_scope_name(user) -> str:
    """ "全区管理员" or "示例镇管理员"; empty for anyone else."""
    if not user.is_authenticated:
        return ""
    return scope_name(user, AreaTree())
