import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from indicators import formatting as fmt
from indicators.areas import AreaTree
from indicators.http import BadParameter, NotFound, period_query
from indicators.models import Light
from indicators.selectors import summary_payload, summary_rows


def width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, size: int, right: bool = False) -> str:
    fill = " " * (size - width(text))
    return fill + text if right else text + fill


class Command(BaseCommand):
    help = "打印某区域某年某月各指标的目标、完成、完成率、时序进度、进度差、同比与亮灯。"

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="区域编码")
        parser.add_argument("--year", required=True, type=int, help="年度")
        parser.add_argument("--month", required=True, type=int, help="月份（1-12）")
        parser.add_argument("--json", action="store_true", help="输出 JSON（DOMAIN §8 格式）")
        parser.add_argument(
            "--include-submitted", action="store_true", help="包含已报送但未审核的数据（初步数）"
        )

    def handle(self, *args, area, year, month, json: bool, include_submitted: bool, **options):
        tree = AreaTree()
        try:
            # The pages' and the API's one parser: the same checks, the same words.
            query = period_query(
                {"area": area, "year": str(year), "month": str(month)}, user=None, tree=tree
            )
        except (BadParameter, NotFound) as exc:
            raise CommandError(f"{exc}。") from None
        place = query.area
        rows = summary_rows(place, year, month, tree=tree, include_submitted=include_submitted)
        if json:
            self.print_json(place, year, month, rows)
        else:
            self.print_table(place, year, month, rows)

    def print_json(self, place, year, month, rows):
        payload = summary_payload(place, year, month, rows)
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))

    def print_table(self, place, year, month, rows):
        header = [
            "编码",
            "指标",
            "单位",
            "目标",
            "累计完成",
            "当月",
            "完成率",
            "时序进度",
            "进度差(个百分点)",
            "同比",
            "亮灯",
        ]
        body = []
        for r in rows:
            d = r.indicator.decimals
            body.append(
                [
                    r.indicator.code,
                    r.indicator.name,
                    r.indicator.unit,
                    fmt.number(r.target, d),
                    fmt.number(r.actual, d),
                    fmt.number(r.month_value, d),
                    fmt.percent(r.completion_pct),
                    fmt.percent(r.time_progress_pct),
                    fmt.number(r.gap_pp, 1),
                    fmt.percent(r.yoy_pct),
                    Light.label_of(r.light),
                ]
            )
        sizes = [max(width(row[i]) for row in [header, *body]) for i in range(len(header))]
        numeric = set(range(3, 10))
        self.stdout.write(f"{place.name} {year}年{month}月 指标完成情况（共{len(rows)}项）")
        for row in [header, *body]:
            cells = [pad(c, sizes[i], right=i in numeric) for i, c in enumerate(row)]
            self.stdout.write("  ".join(cells).rstrip())
