from django.core.management.base import BaseCommand, CommandError

from indicators.workbook import WorkbookError, read_file, workbook_import


class Command(BaseCommand):
    help = "导入镇域工作簿（.xlsx，或单张表的 .csv）：先检查每一行，全部无误才写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 工作簿，或 区域/指标/目标/数据 之一的 .csv")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument(
            "--accept-outliers", action="store_true", help="接受疑似单位错误的异常值"
        )
        parser.add_argument("--sheet", help="CSV 对应的表名（区域、指标、目标、数据）")

    def handle(self, *args, file, dry_run, accept_outliers, sheet, **options):
        try:
            sheets = read_file(file, sheet=sheet)
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{file}") from None
        except WorkbookError as exc:
            raise CommandError(str(exc)) from None
        if not sheets:
            raise CommandError("文件中没有可导入的表：表名应为 区域、指标、目标、数据。")
        plan = workbook_import(sheets, dry_run=dry_run, accept_outliers=accept_outliers)
        if not plan.ok:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(f"共{len(plan.errors)}处错误，未导入任何数据。请修改后重新导入。")
        for line in plan.summary_lines():
            self.stdout.write(line)
        self.stdout.write("检查通过（未写入）。" if dry_run else "导入完成。")
