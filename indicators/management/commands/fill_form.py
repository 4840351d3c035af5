from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.models import Area, Layout
from indicators.workbook import WorkbookError
from indicators.workbook.fill import fill_form, period_words


class Command(BaseCommand):
    help = "用已存的数据填写表样对应的空白表（保留标题、合并表头、字体、列宽），写成 .xlsx。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="表样名称")
        parser.add_argument("--area", required=True, help="区域编码，如 T01")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--month", required=True, type=int)
        parser.add_argument("--out", required=True, help="写出的 .xlsx 文件")

    def handle(self, *args, name, area, year, month, out, **options):
        layout = Layout.objects.filter(name=name).first()
        if layout is None:
            names = "、".join(Layout.objects.values_list("name", flat=True)) or "（尚无）"
            raise CommandError(
                f"表样「{name}」不存在：现有表样为 {names}；可用 layout_detect 识别。"
            )
        place = Area.objects.filter(code=area).first()
        if place is None:
            raise CommandError(f"区域「{area}」不存在：请检查区域编码。")
        if not 1 <= month <= 12:
            raise CommandError("月份应为1至12。")
        try:
            Path(out).write_bytes(fill_form(layout, place, year, month))
        except WorkbookError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已填写{place.name}{period_words(year, month)}：{out}")
