"""Writes that touch several rows: each a keyword-only function inside one transaction."""

from django.contrib.auth import get_user_model
from django.db import transaction

from . import demo
from .models import Area, Department, LightScheme, Membership
from .workbook import sheets_from_dicts, workbook_import

PRESETS = [
    # DOMAIN §4 defaults, then the published 银川 2025 preset (yellow 10–30 behind, red beyond).
    {"name": "默认（落后10个百分点以内黄灯）", "green_min_gap": 0, "yellow_min_gap": -10},
    {"name": "银川2025（落后10–30个百分点黄灯）", "green_min_gap": -10, "yellow_min_gap": -30},
]


@transaction.atomic
def light_schemes_ensure() -> None:
    """Create the two published presets once; the first becomes active if none is."""
    for preset in PRESETS:
        LightScheme.objects.get_or_create(name=preset["name"], defaults=preset)
    if not LightScheme.objects.filter(is_active=True).exists():
        LightScheme.objects.filter(name=PRESETS[0]["name"]).update(is_active=True)


@transaction.atomic
def demo_load():
    """Load the demo township through the workbook import path; running it twice changes nothing.

    Returns the import plan and the demo users. Users are created once: a password changed
    afterwards is left alone.
    """
    light_schemes_ensure()
    sheets = demo.demo_sheets()
    for row in sheets["区域"]:
        row["示例数据"] = "是"  # every page of a demo area says 示例数据
    plan = workbook_import(sheets_from_dicts(sheets))
    if not plan.ok:
        transaction.set_rollback(True)
        return plan, []
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
    from tasks.services import demo_tasks_load

    # The task ledger's 2025 commitments, through the same workbook import (tasks/demo.py).
    task_plan = demo_tasks_load()
    plan.errors += task_plan.errors
    plan.new_departments += task_plan.new_departments
    plan.counts.update(task_plan.counts)
    if not plan.ok:
        transaction.set_rollback(True)
    return plan, demo.DEMO_USERS
