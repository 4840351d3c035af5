from django.core.management.base import BaseCommand

from indicators.workbook import export_workbook


class Command(BaseCommand):
    help = "把区域、指标、目标、数据导出为镇域工作簿（.xlsx），格式与导入相同。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="输出的 .xlsx 文件")

    def handle(self, *args, file, **options):
        export_workbook(file)
        self.stdout.write(f"已导出到 {file}")
