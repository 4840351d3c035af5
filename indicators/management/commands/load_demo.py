from django.core.management.base import BaseCommand, CommandError

from indicators.services import demo_load


class Command(BaseCommand):
    help = "载入示例镇（示例数据）：区域、部门、指标、目标、2024–2025年月度数据和各角色演示账号。可重复运行。"

    def handle(self, *args, **options):
        plan, users = demo_load()
        if not plan.ok:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError("示例数据未通过检查，未写入。")
        for line in plan.summary_lines():
            self.stdout.write(line)
        self.stdout.write("演示账号（密码均为 demo1234）：")
        for user in users:
            self.stdout.write(f"  {user['username']:<10} {user['name']}")
