import time
from argparse import ArgumentTypeError

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from indicators import rollup, synthetic, versions
from indicators.models import Area
from tasks.synthetic import build_tasks


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ArgumentTypeError(f"应为正整数，收到「{value}」")
    return number


class Command(BaseCommand):
    help = (
        "生成合成的区级数据（用于性能测试，不是示例数据）：区 G、镇 G01…、村 G01V01…，"
        "各类指标的月度数据、目标，以及带节点和进展的重点任务。批量写入，打印用时和规模。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--towns", type=positive, default=20, help="镇的个数（默认20）")
        parser.add_argument("--villages", type=positive, default=30, help="每镇村数（默认30）")
        parser.add_argument("--indicators", type=positive, default=150, help="指标个数（默认150）")
        parser.add_argument("--years", type=positive, default=5, help="年数（默认5，截至今年）")
        parser.add_argument("--tasks", type=int, default=40, help="每镇重点任务数（默认40）")
        parser.add_argument("--last-year", type=int, help="最后一年（默认今年）")

    def handle(self, *args, towns, villages, indicators, years, tasks, last_year, **options):
        if Area.objects.filter(code="G").exists():
            raise CommandError("区域编码 G 已存在：请在空数据库中生成，或先删除原有的合成数据。")
        if towns > 999 or villages > 999 or indicators > 999:
            raise CommandError("镇数、村数和指标数都不能超过999。")
        start = time.perf_counter()

        def progress(done, figures):
            if done % 5 == 0 or done == towns:
                elapsed = time.perf_counter() - start
                self.stderr.write(f"  已生成{done}/{towns}个镇，{figures:,}条数据，{elapsed:.0f}秒")

        with transaction.atomic():
            built = synthetic.build_district(
                towns=towns,
                villages=villages,
                indicators=indicators,
                years=years,
                last_year=last_year,
                progress=progress,
            )
            counts = build_tasks(built.towns, year=built.year, month=10, per_town=tasks)
            # Bulk inserts skip the write services: do what they would have done.
            rows = rollup.rebuild()
            versions.bump()
        synthetic.settle()
        elapsed = time.perf_counter() - start
        self.stdout.write(
            f"已生成区 G：{towns}个镇 × {villages}个村，{built.indicators}项指标（含派生），"
            f"{built.year - years + 1}—{built.year}年"
        )
        self.stdout.write(
            f"数据 {built.figures:,} 条，目标 {built.targets:,} 条，重点任务 {counts['tasks']:,} 项"
            f"（节点 {counts['milestones']:,} 个，进展 {counts['reports']:,} 条）"
        )
        self.stdout.write(f"镇月度汇总 {rows:,} 行；用时 {elapsed:.1f} 秒")
