import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicators.formatting import date_words
from tasks.services import lights_refresh


class Command(BaseCommand):
    help = "按日期重新判定重点任务亮灯并记录变化（临近时限、节点过期、逾期），供每日定时任务运行。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="按哪一天判定，格式 YYYY-MM-DD，默认今天")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["as_of"]:
            try:
                today = datetime.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError("--as-of 应为日期，例如 2025-10-31。") from None
        changed = lights_refresh(today=today, reason="按日期自动判定")
        self.stdout.write(f"{date_words(today)}：{changed}项任务亮灯发生变化，已记录。")
