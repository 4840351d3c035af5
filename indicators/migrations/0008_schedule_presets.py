"""The published 序时计划 presets (DOMAIN §3), available to every deployment from the start."""

from decimal import Decimal

from django.db import migrations

PRESETS = [
    ("均衡", "每月均衡推进：1—n月的计划占比为 n/12。", {12: 100}),
    ("双过半", "时间过半、任务过半：6月末完成50%，全年100%。", {6: 50, 12: 100}),
    (
        "上半年60%全年120%",
        "省级重点项目考核口径：上半年完成年度计划的60%，全年完成120%。",
        {6: 60, 12: 120},
    ),
    ("季度20/45/75/100", "一季度20%、上半年45%、前三季度75%、全年100%。", {3: 20, 6: 45, 9: 75, 12: 100}),
]


def create(apps, schema_editor):
    Schedule = apps.get_model("indicators", "Schedule")
    Anchor = apps.get_model("indicators", "ScheduleAnchor")
    for name, description, anchors in PRESETS:
        schedule, created = Schedule.objects.get_or_create(
            name=name, defaults={"description": description}
        )
        if created:
            Anchor.objects.bulk_create(
                Anchor(schedule=schedule, month=m, share_pct=Decimal(p)) for m, p in anchors.items()
            )


def remove(apps, schema_editor):
    Schedule = apps.get_model("indicators", "Schedule")
    Schedule.objects.filter(name__in=[p[0] for p in PRESETS], targets__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0007_schedules_growth_verb")]
    operations = [migrations.RunPython(create, remove)]
