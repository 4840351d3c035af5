"""The generated briefs: the monthly 经济运行简报, the district's 通报, the year-end review, as
text, as a page, as .docx in the GB/T 9704-2012 layout, and from the command line."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from docx import Document
from docx.shared import Pt
from hypothesis import HealthCheck, given, settings

from indicators import formatting as fmt
from indicators.areas import AreaTree
from indicators.models import Area, Category, Indicator
from reports import briefs, documents
from reports.selectors import overview
from tests.factories import make_area, make_figure, make_target, make_user
from tests.indicators.test_sentences import FORBIDDEN, assert_allowed, catalogue, load_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    return Area.objects.get(code="T01")


def test_the_demo_october_brief_reads_like_a_bulletin(demo):
    brief = briefs.monthly_brief(demo, 2025, 10, tree=AreaTree())
    text = brief.text
    assert brief.title == "示例镇2025年1—10月经济运行简报"
    assert "示例镇人民政府　截至2025年10月31日" in text and "（示例数据）" in text
    assert (
        "2025年1—10月，全部32项指标中，已完成3项，达进度13项，欠进度9项，严重滞后6项，未报1项。"
        "本月应报31项，已审核30项，逾期未报1项。"
    ) in text
    headings = [b.text for b in brief.blocks if b.kind == "h1"]
    assert headings == [
        "一、主要指标完成情况",
        "二、需关注的指标",
        "三、重点任务推进",
        "四、村级情况",
    ]
    # 1—n月 and 当月, 同比 with its change, completion, pace (DOMAIN §7).
    assert (
        "1—10月，完成工业总产值28.10亿元，其中10月完成2.79亿元，同比增长9.8%，增加2.50亿元，"
        "高于目标增速1.8个百分点，完成年度目标的86.0%。"
    ) in text
    # A quarterly indicator: 前三季度 and 当季; a cap: 控制在全年上限…以内.
    assert "前三季度，完成服务业企业营业收入2.45亿元，其中三季度完成" in text
    assert "全镇发生生产安全事故1起，其中10月未发生，同比减少1起，控制在全年上限3起以内。" in text
    # 需关注: the gap, the projection, the needed pace and whom to ask; overdue named as such.
    assert (
        "规上固定资产投资（经发办）：完成年度目标的88.0%，低于时序进度（100.0%）12.0个百分点；"
        "按目前进度，预计全年完成11.95亿元，完成年度目标的103.9%；"
        "完成全年目标，11—12月需月均完成0.69亿元。"
    ) in text
    assert "贸易业企业营业收入（统计站）：1—10月数据逾期未报，请尽快报送。" in text
    # A count's projection is stated in whole units, and its share is of the number stated.
    assert "预计全年达到7个，完成年度目标的100.0%；完成全年目标，11—12月还需新增3个。" in text
    assert "预计全年达到379人，完成年度目标的94.8%" in text
    # A month that added nothing says so in words.
    assert "新竣工亿元以上项目6个，其中10月无新增，同比增加2个" in text
    # 重点任务 and 村级情况.
    assert "29项重点任务中，已完成5项，达进度18项，欠进度4项，逾期2项。另有1项已取消。" in text
    assert "逾期任务：建设污水管网8公里（城建办，已逾期31天）" in text
    assert "全镇29个村集体经济总收入1,878.93万元，村均64.79万元，4个村超百万元（" in text
    assert (
        "村集体经济收入进度滞后的村：周庄村（完成年度目标的73.6%，低于时序进度9.7个百分点）" in text
    )
    for pattern, what in FORBIDDEN:
        assert not pattern.search(text), what


def test_the_brief_states_the_overviews_numbers(demo):
    """One computation: each category paragraph is the overview's rows' sentences, and the
    需关注 list is exactly the overview's red, yellow and overdue rows."""
    tree = AreaTree()
    view = overview(demo, 2025, 10, tree=tree)
    brief = briefs.monthly_brief(demo, 2025, 10, tree=tree)
    paragraphs = [b.text for b in brief.blocks if b.kind == "p"]
    for group in view.categories:
        expected = "".join(
            fmt.sentence(row, "全镇" if i == 0 else "", with_month=True)
            for i, row in enumerate(group.rows)
        )
        assert expected in paragraphs, group.name
    lagging = {r.indicator.name for r in view.rows if r.lagging} | {
        r.indicator.name for r in view.overdue
    }
    named = {p.split("（")[0] for p in paragraphs if "）：" in p and p.split("（")[0] in lagging}
    assert named == lagging
    red, yellow = view.tally.counts["red"], view.tally.counts["yellow"]
    assert f"严重滞后{red}项，欠进度{yellow}项，逾期未报{len(view.overdue)}项" in brief.text


def test_the_year_end_review_states_december_and_invents_nothing(demo):
    tree = AreaTree()
    text = briefs.year_review(demo, 2024, tree=tree)
    assert text.startswith("2024年，全镇一般公共预算收入18,650万元，")
    assert "工业总产值30.24亿元" in text and "规上固定资产投资10.45亿元" in text
    assert "新增工业列统企业11家" in text and "花生种植面积达到6,000亩" in text
    assert "农村户厕改造995座" in text and "村均集体经济收入76.00万元" in text
    # 2025 has no December: every figure says 数据暂缺, none is estimated.
    later = briefs.year_review(demo, 2025, tree=tree)
    assert "工业总产值数据暂缺" in later
    assert re.findall(r"\d", later.removeprefix("2025年")) == []


def test_the_district_notice_ranks_towns_with_the_change_since_last_month():
    district = make_area(code="D", name="测试区", level="district")
    towns = [
        make_area(code=f"T{i}", name=f"{n}镇", level="town", parent=district)
        for i, n in enumerate("甲乙丙", 1)
    ]
    category = Category.objects.create(name="经济发展")
    ind = Indicator.objects.create(
        code="GDP", name="工业总产值", unit="亿元", kind="flow", category=category, is_key=True
    )
    for town, (sep, oct_) in zip(towns, [(7, 8), (8, 9), (5, 9.5)], strict=True):
        make_target(ind, town, value=10)
        make_figure(ind, town, 2025, 9, sep)
        make_figure(ind, town, 2025, 10, oct_)
    notice = briefs.district_notice(district, 2025, 10, tree=AreaTree())
    assert notice.title == "关于测试区2025年1—10月各镇主要指标完成情况的通报"
    text = notice.text
    assert "现将2025年1—10月全区3个镇1项重点指标完成情况通报如下。" in text
    assert "（一）工业总产值" in text
    # 丙镇 9.5 of 10 leads and rose from third; 甲镇 fell to third and lags.
    assert "第1位丙镇（完成95.0%，超过时序进度11.7个百分点，较上月上升2位）" in text
    assert "第3位甲镇（完成80.0%，低于时序进度3.3个百分点，较上月下降1位）" in text
    assert "进度滞后的镇：甲镇（完成年度目标的80.0%，低于时序进度3.3个百分点）。" in text


def test_the_docx_is_in_the_gb_t_9704_layout(demo):
    brief = briefs.monthly_brief(demo, 2025, 10, tree=AreaTree())
    document = Document(io.BytesIO(documents.brief_docx(brief)))
    section = document.sections[0]

    def mm(length):  # Word stores lengths in twips: compare to the tenth of a millimetre
        return round(length / 36000, 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin)) == (37, 28)
    # The text block is 156 × 225 mm, 22 lines of 28.95 pt.
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == 225
    grid = section._sectPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}docGrid"
    )
    assert (
        grid.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}linePitch") == "579"
    )
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def east_asia(run):
        return run._r.rPr.find(f"{ns}rFonts").get(f"{ns}eastAsia")

    title, *rest = document.paragraphs
    assert title.text == "示例镇2025年1—10月经济运行简报"
    assert (east_asia(title.runs[0]), title.runs[0].font.size) == ("方正小标宋简体", Pt(22))
    by_text = {p.text: p for p in rest}
    assert east_asia(by_text["一、主要指标完成情况"].runs[0]) == "黑体"
    assert east_asia(by_text["（一）经济发展"].runs[0]) == "楷体_GB2312"
    body = next(p for p in rest if p.text.startswith("1—10月，全镇完成一般公共预算收入"))
    assert (east_asia(body.runs[0]), body.runs[0].font.size) == ("仿宋_GB2312", Pt(16))
    assert all(b.text in by_text for b in brief.blocks)
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert "PAGE" in footer._p.xml and footer.runs[0].font.size == Pt(14)
    fonts = document.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
    ).blob.decode()
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in fonts


def test_the_brief_page_its_downloads_and_who_may_read_them(client, demo):
    client.login(username="leader", password="demo1234")
    page = client.get("/reports/brief/?area=T01&year=2025&month=10")
    assert page.status_code == 200
    html = page.content.decode()
    assert "示例镇2025年1—10月经济运行简报" in html and "复制全文" in html
    assert "data-copy" in html and "<script>" not in html  # the copy button is our static JS
    word = client.get("/reports/brief.docx?area=T01&year=2025&month=10")
    assert word.status_code == 200 and word["Content-Type"].endswith("wordprocessingml.document")
    assert Document(io.BytesIO(word.content)).paragraphs[0].text == "示例镇2025年1—10月经济运行简报"
    table = client.get("/reports/brief.xlsx?area=T01&year=2025&month=10")
    assert table.status_code == 200 and table["Content-Type"].endswith("spreadsheetml.sheet")
    review = client.get("/reports/brief/?area=T01&year=2024&kind=review").content.decode()
    assert "工业总产值30.24亿元" in review
    assert client.get("/reports/brief/?area=T01&year=2025&month=10&kind=nope").status_code == 400
    stranger = make_user("stranger", role="leader", area=make_area(code="T9", name="外镇"))
    client.force_login(stranger)
    assert client.get("/reports/brief/?area=T01&year=2025&month=10").status_code in (403, 404)


def test_the_brief_command_prints_and_writes_a_docx(demo, tmp_path):
    out = io.StringIO()
    target = tmp_path / "简报.docx"
    call_command(
        "brief",
        "--area",
        "T01",
        "--year",
        "2025",
        "--month",
        "10",
        "--docx",
        str(target),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue().startswith("示例镇2025年1—10月经济运行简报")
    assert Document(str(target)).paragraphs[0].text == "示例镇2025年1—10月经济运行简报"
    out = io.StringIO()
    call_command("brief", "--area", "T01", "--year", "2024", "--review", stdout=out)
    assert "2024年，全镇一般公共预算收入18,650万元" in out.getvalue()


@settings(
    max_examples=int(__import__("os").environ.get("SENTENCE_EXAMPLES", 25)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(catalogue())
def test_no_brief_sentence_has_a_forbidden_form(data):
    with transaction.atomic():
        town = load_catalogue(data)
        assert_allowed(briefs.monthly_brief(town, 2025, data[3], tree=AreaTree()).text)
        assert_allowed(briefs.year_review(town, 2025, tree=AreaTree()))
        transaction.set_rollback(True)
