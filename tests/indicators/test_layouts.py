"""表样 (DOMAIN §8) on the real-file corpus: detecting a wide sheet's mapping, importing filled
sheets through it with the sheet's own 同比/完成率 compared, and filling the county's blank form;
a form filled through a layout reads back through the same layout figure for figure."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from indicators.models import Area, Figure, Indicator, Layout
from indicators.workbook.fill import fill_form
from indicators.workbook.layouts import detect, grid_of, layout_import
from tests.fixtures.real.manifest import MANIFEST

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
pytestmark = pytest.mark.django_db


def found(name):
    return detect(grid_of(REAL / name, name=name))


def saved(name, layout_name=None):
    detected = found(name)
    layout = detected.as_layout(layout_name or name, form=(REAL / name).read_bytes())
    layout.save()
    return layout


def figures():
    return {
        (f.indicator.code, f.area.code, f.year, f.month): f.value
        for f in Figure.objects.select_related("indicator", "area")
    }


@pytest.mark.parametrize("name", ["12a_wide_ytd_table.xlsx", "12c_county_blank_form.xlsx"])
def test_detect_finds_the_title_header_rows_indicator_rows_and_measure_columns(demo, name):
    expect = MANIFEST[name]["expect"]["layout"]
    detected = found(name)
    assert detected.title == expect["title"]
    assert detected.header_rows == expect["header_rows"]
    assert {r["label"]: r["code"] for r in detected.rows if r["code"]} == expect["rows"]
    assert detected.unmapped == expect.get("unmapped_rows", [])
    measures = {c["col"]: c["measure"] for c in detected.columns}
    assert {col: measures[col] for col in expect["columns"]} == {
        "C": "month_value",
        "D": "ytd",
        "E": "last_year",
        "F": "yoy_pct",
        "G": "target",
        "H": "completion_pct",
    }
    assert detected.ignored == expect.get("ignored_columns", {})


def test_detect_reads_area_and_period_from_the_title(demo):
    detected = found("12a_wide_ytd_table.xlsx")
    assert (detected.area, detected.year, detected.month) == ("T01", 2025, 10)
    assert detected.kind == Layout.Kind.WIDE_YTD
    months = found("12b_wide_months.xlsx")
    assert (months.area, months.year, months.month, months.kind) == (
        "T01",
        2025,
        None,
        "wide-months",
    )
    assert [c["measure"] for c in months.columns][2:] == [f"m{m}" for m in range(1, 13)]


def test_layout_detect_says_which_row_it_cannot_map(demo, tmp_path):
    # A township that keeps the bureau's growth rate under another name: the row has no match.
    Indicator.objects.filter(code="JJ09").update(name="工业增长率（统计局口径）")
    out = io.StringIO()
    call_command(
        "layout_detect", str(REAL / "12c_county_blank_form.xlsx"), "--name", "县表", stdout=out
    )
    assert "找到8个指标行" in out.getvalue()
    assert "1行没有对应的指标（不读取、不填写）：规上工业增加值增速" in out.getvalue()
    assert Layout.objects.get(name="县表").form


def test_a_filled_ytd_table_imports_for_the_title_period_with_one_warning(demo):
    layout = saved("12a_wide_ytd_table.xlsx")
    grid = grid_of(REAL / "12a_wide_ytd_table.xlsx", name="12a.xlsx")
    result = layout_import(layout, grid)
    assert result.plan.ok, result.plan.errors
    assert (result.area.code, result.year, result.month) == ("T01", 2025, 10)
    stored = figures()
    for key, value in MANIFEST["12a_wide_ytd_table.xlsx"]["expect"]["figures"].items():
        assert stored[key] == value
    assert [str(w) for w in result.warnings] == [
        "主要经济指标表 第7行 「同比增长%」列：JJ03 规上工业开票销售收入：表中为8.1，"
        "按已存数据计算为7.0（相差1.1）：请核对上年同期数和全年目标"
    ]


def test_a_months_table_imports_every_month_and_stores_nothing_for_empty_ones(demo):
    layout = saved("12b_wide_months.xlsx")
    result = layout_import(layout, grid_of(REAL / "12b_wide_months.xlsx", name="12b.xlsx"))
    assert result.plan.ok, result.plan.errors
    expect = MANIFEST["12b_wide_months.xlsx"]["expect"]
    stored = figures()
    for key, value in expect["figures"].items():
        assert stored[key] == value
    for key in expect["absent"]:
        assert key not in stored


def test_the_period_must_be_given_when_the_title_has_none(demo):
    layout = saved("12c_county_blank_form.xlsx")
    from indicators.workbook import WorkbookError

    with pytest.raises(WorkbookError, match=r"无法从表格标题.*读出区域"):
        layout_import(layout, grid_of(REAL / "12c_county_blank_form.xlsx", name="12c.xlsx"))


def test_the_county_form_is_filled_keeping_title_merges_fonts_and_widths(demo):
    layout = saved("12c_county_blank_form.xlsx")
    town = Area.objects.get(code="T01")
    data = fill_form(layout, town, 2025, 10)
    blank = load_workbook(REAL / "12c_county_blank_form.xlsx").active
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "示例镇2025年1—10月主要经济指标完成情况表"
    assert ws["D4"].value == "1—10月累计"
    assert sorted(map(str, ws.merged_cells.ranges)) == sorted(map(str, blank.merged_cells.ranges))
    assert (ws["A1"].font.name, ws["A1"].font.sz, ws["A1"].font.b) == ("黑体", 18, True)
    assert ws.column_dimensions["A"].width == blank.column_dimensions["A"].width
    assert ws.page_setup.orientation == "landscape"
    assert ws["D5"].value == 15520  # JJ01 1—10月, 万元
    assert ws["D8"].value == 28.1  # JJ04 亿元
    assert ws["F8"].value == 9.8  # 同比, 1 decimal as bureaus publish
    assert ws["G5"].value == 20000
    # NY01 is entered per village: the town's figure is their total.
    villages = sum(
        Figure.objects.filter(
            indicator__code="NY01", area__parent=town, year=2025, month=10
        ).values_list("value", flat=True)
    )
    assert Decimal(str(ws["D11"].value)) == villages
    # JJ09, a 增速 from the bureau: its rate and target rate; no 当月, 同比% or 完成率.
    assert [ws.cell(13, c).value for c in range(3, 10)] == [None, 6.5, 8.8, None, 8, None, None]


def test_a_form_filled_through_a_layout_reads_back_identically(demo):
    layout = saved("12c_county_blank_form.xlsx", "往返")
    town = Area.objects.get(code="T01")
    before = figures()
    data = fill_form(layout, town, 2025, 10)
    grid = grid_of(io.BytesIO(data), name="filled.xlsx")
    result = layout_import(layout, grid, dry_run=True)
    assert result.plan.ok, result.plan.errors
    assert result.plan.counts["数据"]["created"] == 0
    assert result.plan.counts["数据"]["updated"] == 0
    assert result.warnings == []
    assert figures() == before
    read = {k: v for k, (v, _) in result.plan.rows["数据"].items()}
    # Every town-entered indicator of the form comes back (NY01, entered per village, is a
    # roll-up: compared, not imported), each figure identical to the stored one.
    assert {k[0] for k in read} == {"JJ01", "JJ02", "JJ03", "JJ04", "JJ09", "XM01", "XM03", "MS01"}
    assert {k[1:] for k in read} == {("T01", 2025, 10)}
    for (ind, area, year, month), value in read.items():
        assert before[(ind, area, year, month)] == value


def test_fill_form_command_writes_the_file(demo, tmp_path):
    saved("12c_county_blank_form.xlsx", "县表")
    out = tmp_path / "filled.xlsx"
    call_command(
        "fill_form",
        "县表",
        "--area",
        "T01",
        "--year",
        "2025",
        "--month",
        "10",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    assert load_workbook(out).active["A1"].value.startswith("示例镇2025年1—10月")
    with pytest.raises(CommandError, match="表样「无此表」不存在"):
        call_command(
            "fill_form",
            "无此表",
            "--area",
            "T01",
            "--year",
            "2025",
            "--month",
            "10",
            "--out",
            str(out),
        )


def test_import_workbook_through_a_layout_prints_the_warning(demo, tmp_path):
    saved("12a_wide_ytd_table.xlsx", "镇表")
    out = io.StringIO()
    call_command(
        "import_workbook",
        str(REAL / "12a_wide_ytd_table.xlsx"),
        "--layout",
        "镇表",
        "--dry-run",
        stdout=out,
    )
    assert "按表样「镇表」读取：示例镇 2025年10月" in out.getvalue()
    assert "提示：主要经济指标表 第7行 「同比增长%」列：JJ03" in out.getvalue()
