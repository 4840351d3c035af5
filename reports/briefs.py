"""The generated bulletins: the monthly 经济运行简报, the district's 通报 of its towns, and the
year-end review paragraph of the work report.

Every number comes from the overview's one read (`selectors.overview`) or the same selectors
it uses, and every sentence from `indicators.formatting`: the brief and the overview state the
same figures in the same words. A `Brief` is a list of blocks (title, headings, paragraphs); the
page, the .docx and the command render those blocks and compose nothing.
"""

import datetime
from dataclasses import dataclass, field

from indicators import formatting as fmt
from indicators.areas import AreaTree
from indicators.models import LAGGING_LIGHTS, Area, Indicator, Light
from indicators.periods import month_end
from indicators.ranking import town_ranking
from indicators.selectors import summary_rows
from indicators.villages import village_rows

from .selectors import overview

CHINESE_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Block:
    kind: str  # "title", "meta", "h1" (一、), "h2" (（一）), "p"
    text: str


@dataclass
class Brief:
    title: str
    blocks: list = field(default_factory=list)
    is_demo: bool = False
    filename: str = "简报"

    def h1(self, text):
        n = sum(1 for b in self.blocks if b.kind == "h1")
        self.blocks.append(Block("h1", f"{CHINESE_NUMBERS[n]}、{text}"))

    def h2(self, text, n):
        self.blocks.append(Block("h2", f"（{CHINESE_NUMBERS[n]}）{text}"))

    def p(self, text):
        if text:
            self.blocks.append(Block("p", text))

    @property
    def text(self) -> str:
        """The brief as plain text, one block per paragraph (the page's copy button)."""
        return "\n\n".join(b.text for b in [Block("title", self.title), *self.blocks])


def _period_words(year: int, month: int) -> str:
    return f"{year}年{fmt.period(month)}"


def monthly_brief(
    area: Area, year: int, month: int, *, tree: AreaTree, today: datetime.date | None = None
) -> Brief:
    """经济运行简报 for `area` at month `month`: 一、主要指标完成情况, 二、需关注的指标,
    三、重点任务推进, 四、村级情况 (for a town with villages)."""
    view = overview(area, year, month, tree=tree)
    place = fmt.area_word(area)
    brief = Brief(
        title=f"{area.name}{_period_words(year, month)}经济运行简报",
        is_demo=area.is_demo,
        filename=f"{area.name}{year}年{month}月经济运行简报",
    )
    brief.blocks.append(
        Block("meta", f"{area.name}人民政府　截至{fmt.date_words(month_end(year, month))}")
    )
    if area.is_demo:
        brief.blocks.append(Block("meta", "（示例数据）"))
    brief.p(_opening(view))

    brief.h1("主要指标完成情况")
    for n, group in enumerate(view.categories):
        brief.h2(group.name, n)
        sentences = [
            fmt.sentence(row, place if i == 0 else "", with_month=True)
            for i, row in enumerate(group.rows)
        ]
        brief.p("".join(sentences))

    brief.h1("需关注的指标")
    brief.p(_attention(view))
    for row in [*_lagging_all(view), *view.overdue]:
        brief.p(_attention_line(row))

    if view.tasks and view.tasks["sentence"]:
        brief.h1("重点任务推进")
        for paragraph in _tasks(view.tasks):
            brief.p(paragraph)

    if area.is_town and tree.villages(area):
        villages = _villages(view, area, year, month, tree)
        if villages:
            brief.h1("村级情况")
            for paragraph in villages:
                brief.p(paragraph)
    return brief


def _opening(view) -> str:
    """The tally and the completeness of the month, as the brief's first paragraph."""
    c = view.completeness
    counts = view.tally.counts
    parts = fmt.tally([(fmt.light_word(light), counts[light]) for light in _LIGHTS])
    text = f"{_period_words(view.year, view.month)}，全部{len(view.rows)}项指标中，{parts}。"
    if c["due"]:
        text += f"本月应报{c['due']}项，已审核{c['counted']}项"
        text += f"，逾期未报{c['overdue']}项。" if c["overdue"] else "。"
    return text


_LIGHTS = (Light.BLUE, Light.GREEN, Light.YELLOW, Light.RED, Light.GREY)


def _lagging_all(view):
    """Every red and yellow row (the overview shows the first ten)."""
    return sorted(
        (r for r in view.rows if r.light in LAGGING_LIGHTS),
        key=lambda r: (r.light != Light.RED, r.gap_pp if r.gap_pp is not None else 0),
    )


def _attention(view) -> str:
    red = sum(1 for r in view.rows if r.light == Light.RED)
    yellow = sum(1 for r in view.rows if r.light == Light.YELLOW)
    overdue = len(view.overdue)
    parts = fmt.tally([("严重滞后", red), ("欠进度", yellow), ("逾期未报", overdue)])
    if not parts:
        return "各项指标均达到或超过序时进度。"
    return f"{parts}，具体如下："


def _attention_line(row) -> str:
    ind = row.indicator
    who = f"（{ind.department.name}）" if ind.department else ""
    words = [fmt.attention(row)]
    if row.actual is None:
        return f"{ind.name}{who}：{words[0]}，请尽快报送。"
    if projection := fmt.projection(row):
        words.append(projection)
    if needed := fmt.needed(row):
        words.append(needed)
    return f"{ind.name}{who}：{'；'.join(w for w in words if w)}。"


def _tasks(tally) -> list[str]:
    paragraphs = [tally["sentence"]]
    if tally["overdue"]:
        items = "；".join(
            f"{r.task.title}（{r.task.lead_department.name}，已逾期{-r.days_left}天）"
            for r in tally["overdue"]
        )
        paragraphs.append(f"逾期任务：{items}。")
    if tally["behind"]:
        items = "；".join(
            f"{r.task.title}（{r.task.lead_department.name}，{r.light_reason}）"
            for r in tally["behind"]
        )
        paragraphs.append(f"欠进度任务：{items}。")
    ranked = [b for b in tally["departments"] if b.on_time_pct is not None]
    if ranked:
        items = "、".join(f"{b.name}{fmt.percent(b.on_time_pct)}" for b in ranked)
        paragraphs.append(f"各牵头单位按时推进率：{items}。")
    return paragraphs


def _villages(view, area, year, month, tree) -> list[str]:
    """村级情况: for each village-entered indicator with a 村均 or 达标村数 derived from it,
    the total, the average, the villages at or above the threshold, those furthest behind."""
    villages = sorted(tree.villages(area), key=lambda a: a.code)
    paragraphs = []
    derived = [r for r in view.rows if r.indicator.is_derived]
    lagging = {lag.row.indicator.pk: lag for lag in view.villages}
    sources = [
        r
        for r in view.rows
        if r.indicator.is_village_entered
        and not r.indicator.is_derived
        and (
            r.indicator.pk in lagging
            or any(d.indicator.source_id == r.indicator.pk for d in derived)
        )
    ]
    # The villages' own values, only where a threshold names the villages that reach it.
    thresholds = [
        r
        for r in sources
        if any(
            d.indicator.threshold is not None and d.indicator.source_id == r.indicator.pk
            for d in derived
        )
    ]
    judged = (
        village_rows([r.indicator for r in thresholds], villages, year, month, targets=False)
        if thresholds
        else {}
    )
    for row in sources:
        ind = row.indicator
        average = next(
            (d for d in derived if d.indicator.source_id == ind.pk and _is_avg(d.indicator)), None
        )
        reach = [d for d in derived if d.indicator.source_id == ind.pk and d not in (average,)]
        if average is None and not reach and ind.pk not in lagging:
            continue
        text = f"全镇{len(villages)}个村{_total_name(ind)}{fmt.amount(row.actual, ind)}"
        if average is not None:
            text += f"，村均{fmt.amount(average.actual, ind)}"
        for d in reach:
            threshold = d.indicator.threshold
            above = [
                v.name for v, r in judged[ind.pk] if r.actual is not None and r.actual >= threshold
            ]
            text += f"，{len(above)}个村{_reached(threshold, ind)}"
            if above:
                text += f"（{'、'.join(above)}）"
        paragraphs.append(text + "。")
        lag = lagging.get(ind.pk)
        if lag and lag.villages:
            items = "、".join(
                f"{v.name}（{fmt.attention(r) if lag.by_gap else fmt.growth(r.yoy_pct)}）"
                for v, r in lag.villages
            )
            paragraphs.append(f"{ind.name}进度滞后的村：{items}。")
    return paragraphs


def _is_avg(ind: Indicator) -> bool:
    return ind.rollup == Indicator.Rollup.AVERAGE


def _total_name(ind: Indicator) -> str:
    name = ind.name.removeprefix("村")
    return f"{name}总计" if not name.endswith("收入") else name.replace("收入", "总收入")


def _reached(threshold, ind) -> str:
    if ind.unit == "万元" and threshold == 100:
        return "超百万元"
    return f"达到{fmt.amount(threshold, ind)}以上"


# ---------------------------------------------------------------------------- the district


def district_notice(
    district: Area, year: int, month: int, *, tree: AreaTree, key_only: bool = True
) -> Brief:
    """The district's 通报: for each key indicator, the towns ranked by 完成率 and by 进度差,
    with their place and its change since last month, and the towns lagging on it."""
    rows = summary_rows(district, year, month, tree=tree)
    indicators = [r.indicator for r in rows if r.indicator.is_key or not key_only]
    brief = Brief(
        title=f"关于{district.name}{_period_words(year, month)}各镇主要指标完成情况的通报",
        is_demo=district.is_demo,
        filename=f"{district.name}{year}年{month}月各镇指标通报",
    )
    brief.blocks.append(
        Block(
            "meta", f"{district.name}人民政府办公室　截至{fmt.date_words(month_end(year, month))}"
        )
    )
    if district.is_demo:
        brief.blocks.append(Block("meta", "（示例数据）"))
    towns = [a for a in tree.descendants(district) if a.is_town]
    brief.p(
        f"现将{_period_words(year, month)}全区{len(towns)}个镇{len(indicators)}项重点指标完成情况通报如下。"
    )
    for n, ind in enumerate(indicators):
        brief.h2(ind.name, n)
        by_completion = town_ranking(district, year, month, ind, "completion", tree=tree)
        brief.p(_ranking_sentence(ind, by_completion))
        behind = [t for t in by_completion if t.row.light in LAGGING_LIGHTS]
        if behind:
            items = "、".join(f"{t.area.name}（{fmt.attention(t.row)}）" for t in behind)
            brief.p(f"进度滞后的镇：{items}。")
        missing = [t.area.name for t in by_completion if t.row.actual is None and t.row.due]
        if missing:
            brief.p(f"尚未报送的镇：{'、'.join(missing)}。")
    return brief


def _ranking_sentence(ind, ranked) -> str:
    items = []
    for t in ranked:
        if t.rank is None:
            continue
        move = t.rank_change
        if move:
            change = f"，较上月{'上升' if move > 0 else '下降'}{abs(move)}位"
        elif move == 0:
            change = "，与上月持平"
        else:
            change = ""
        progress = (
            f"增长{fmt.percent(t.row.actual)}"
            if ind.is_growth_rate
            else f"完成{fmt.percent(t.row.progress_pct)}"
        )
        items.append(
            f"第{t.rank}位{t.area.name}（{progress}，{fmt.pace(t.row.gap_pp) or '—'}{change}）"
        )
    if not items:
        return "各镇均未报送。"
    return "按完成进度排名：" + "；".join(items) + "。"


# ---------------------------------------------------------------------------- the year's review


def year_review(area: Area, year: int, *, tree: AreaTree) -> str:
    """The review paragraph of next year's work report, in the seed report's manner: the
    year's figures category by category ("全年完成工业总产值30.24亿元……"). A figure that is
    missing says 数据暂缺; nothing is estimated."""
    rows = summary_rows(area, year, 12, tree=tree)
    place = fmt.area_word(area)
    by_category: dict[str, list[str]] = {}
    for row in rows:
        ind = row.indicator
        if row.actual is None:
            clause = f"{ind.name}数据暂缺"
        else:
            clause = fmt.review_clause(row)
        by_category.setdefault(ind.category.name, []).append(clause)
    # One flowing paragraph, the categories apart by "；", as the seed report's review reads.
    groups = ["，".join(clauses) for clauses in by_category.values()]
    return f"{year}年，{place}" + "；".join(groups) + "。"
