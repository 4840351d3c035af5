from django.core.management.base import BaseCommand, CommandError

from indicators.models import Area, Layout
from indicators.workbook import WorkbookError, read_file, workbook_import
from indicators.workbook.layouts import grid_of, layout_import

MAX_ERRORS = 200  # a whole sheet of one mistake is read from its first lines and the total


class Command(BaseCommand):
    help = (
        "导入镇域工作簿（.xlsx/.xls，或单张表的 .csv）：先检查每一行，全部无误才写入；"
        "加 --layout 时按表样读取一张宽表。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 工作簿，或 区域/指标/目标/数据 之一的 .csv")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument(
            "--accept-outliers", action="store_true", help="接受疑似单位错误的异常值"
        )
        parser.add_argument(
            "--sheet", help="CSV 对应的表名（区域、指标、目标、数据）；表样时为工作表名"
        )
        parser.add_argument("--layout", help="按此表样读取（见 layout_detect）")
        parser.add_argument("--area", help="表样导入的区域编码（默认从标题读出）")
        parser.add_argument("--year", type=int, help="表样导入的年度（默认从标题读出）")
        parser.add_argument("--month", type=int, help="表样导入的月份（默认从标题读出）")

    def handle(self, *args, file, dry_run, accept_outliers, sheet, layout, **options):
        try:
            if layout:
                plan, warnings = self._layout(file, layout, sheet, dry_run, options)
            else:
                sheets = read_file(file, sheet=sheet)
                if not sheets:
                    raise CommandError("文件中没有可导入的表：表名应为 区域、指标、目标、数据。")
                plan = workbook_import(sheets, dry_run=dry_run, accept_outliers=accept_outliers)
                warnings = []
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{file}") from None
        except WorkbookError as exc:
            raise CommandError(str(exc)) from None
        if not plan.ok:
            for error in plan.errors[:MAX_ERRORS]:
                self.stderr.write(str(error))
            if len(plan.errors) > MAX_ERRORS:
                self.stderr.write(f"……以上是前{MAX_ERRORS}处错误。")
            raise CommandError(f"共{len(plan.errors)}处错误，未导入任何数据。请修改后重新导入。")
        for line in plan.summary_lines():
            self.stdout.write(line)
        for warning in warnings:
            self.stdout.write(f"提示：{warning}")
        self.stdout.write("检查通过（未写入）。" if dry_run else "导入完成。")

    def _layout(self, file, name, sheet, dry_run, options):
        layout = Layout.objects.filter(name=name).first()
        if layout is None:
            names = "、".join(Layout.objects.values_list("name", flat=True)) or "（尚无）"
            raise CommandError(
                f"表样「{name}」不存在：现有表样为 {names}；可用 layout_detect 识别。"
            )
        area = None
        if options.get("area"):
            area = Area.objects.filter(code=options["area"]).first()
            if area is None:
                raise CommandError(f"区域「{options['area']}」不存在：请检查区域编码。")
        month = options.get("month")
        if month is not None and not 1 <= month <= 12:
            raise CommandError("月份应为1至12。")
        grid = grid_of(file, name=file, sheet=sheet or layout.sheet)
        result = layout_import(
            layout, grid, area=area, year=options.get("year"), month=month, dry_run=dry_run
        )
        self.stdout.write(
            f"按表样「{name}」读取：{result.area.name} {result.year}年"
            + (f"{result.month}月" if result.month else "")
        )
        return result.plan, result.warnings
