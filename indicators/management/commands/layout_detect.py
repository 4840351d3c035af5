import io

from django.core.management.base import BaseCommand, CommandError

from indicators.models import Layout
from indicators.workbook import LIMITS, WorkbookError
from indicators.workbook.layouts import detect, grid_of


class Command(BaseCommand):
    help = "从一张宽表（已填的表或县里的空白表）识别表样并保存，打印找到的对应关系。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 或 .xls 文件")
        parser.add_argument("--name", required=True, help="表样名称，如「县统计局月报表」")
        parser.add_argument("--sheet", default="", help="工作表名（默认第一张）")
        parser.add_argument("--replace", action="store_true", help="同名表样已存在时替换")

    def handle(self, *args, file, name, sheet, replace, **options):
        try:
            with open(file, "rb") as source:
                data = source.read(LIMITS.file_bytes + 1)
            grid = grid_of(io.BytesIO(data), name=file, sheet=sheet)
            found = detect(grid)
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{file}") from None
        except WorkbookError as exc:
            raise CommandError(str(exc)) from None
        if not any(r["code"] for r in found.rows):
            raise CommandError(
                "没有找到任何与指标对应的行：请确认表中「指标名称」与指标目录中的名称一致，或改填指标编码。"
            )
        existing = Layout.objects.filter(name=name).first()
        if existing and not replace:
            raise CommandError(f"表样「{name}」已存在：换一个名称，或加 --replace 替换。")
        if existing:
            existing.delete()
        found.as_layout(name, form=data, form_name=file.rsplit("/", 1)[-1]).save()
        for line in found.lines():
            self.stdout.write(line)
        self.stdout.write(f"已保存表样「{name}」。")
