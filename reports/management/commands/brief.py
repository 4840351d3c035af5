from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.areas import AreaTree
from indicators.http import BadParameter, period_query
from reports import briefs, documents


class Command(BaseCommand):
    help = (
        "生成经济运行简报（按区生成各镇通报）并打印；--docx 另存为党政机关公文格式的 Word 文件，"
        "--review 生成年度工作回顾段落（用12月数据）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="区域编码，如 T01；区级编码生成各镇通报")
        parser.add_argument("--year", required=True, type=int, help="年度")
        parser.add_argument("--month", type=int, help="月份（1-12）；--review 时不需要")
        parser.add_argument("--docx", help="另存为 .docx 文件")
        parser.add_argument("--review", action="store_true", help="年度工作回顾段落")

    def handle(self, *args, area, year, month, docx, review, **options):
        tree = AreaTree()
        params = {"area": area, "year": str(year)}
        if month is not None:
            params["month"] = str(month)
        try:
            query = period_query(params, user=None, tree=tree)
        except BadParameter as exc:
            raise CommandError(f"{exc}。") from None
        place = query.area
        if review:
            brief = briefs.Brief(title=f"{year}年工作回顾", is_demo=place.is_demo)
            brief.p(briefs.year_review(place, year, tree=tree))
        elif month is None:
            raise CommandError("请用 --month 指定月份（年度回顾请加 --review）。")
        elif place.is_district:
            brief = briefs.district_notice(place, year, month, tree=tree)
        else:
            brief = briefs.monthly_brief(place, year, month, tree=tree)
        self.stdout.write(brief.text)
        if docx:
            Path(docx).write_bytes(documents.brief_docx(brief))
            self.stderr.write(f"已另存为 {docx}")
