"""The real-file corpus (tests/fixtures/real, MANIFEST.md): each file as township staff save it,
imported into the demo township, gives exactly the stored values or the refusal its manifest
entry names. The 表样 files (12a–12c) are tested in test_layouts.py."""

import io
import resource
import time
from pathlib import Path

import pytest
from openpyxl import Workbook

from indicators.models import Figure, Indicator, Target
from indicators.workbook import WorkbookError, read_file, workbook_import
from tests.fixtures.real.manifest import MANIFEST

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
PLAIN = {name: entry for name, entry in MANIFEST.items() if not name.startswith(("12", "13"))}


def imported(name):
    """(refused, every message the import gave, the plan or None)."""
    try:
        sheets = read_file(REAL / name)
    except WorkbookError as exc:
        return True, str(exc), None
    plan = workbook_import(sheets)
    messages = [str(e) for e in plan.errors] + plan.summary_lines()
    return not plan.ok, "\n".join(messages), plan


def stored_figures():
    return {
        (f.indicator.code, f.area.code, f.year, f.month): (f.value, f.note)
        for f in Figure.objects.select_related("indicator", "area")
    }


@pytest.mark.parametrize("name", sorted(PLAIN))
@pytest.mark.django_db
def test_each_real_file_is_read_exactly_or_refused_clearly(demo, name):
    expect = PLAIN[name]["expect"]
    before = stored_figures()
    refused, messages, plan = imported(name)
    assert refused == bool(expect.get("refused")), messages
    for fragment in expect.get("says", []):
        assert fragment in messages
    after = stored_figures()
    if refused:
        assert after == before  # all or nothing: the demo is as it was
        return
    for key, value in expect.get("figures", {}).items():
        assert after[key][0] == value, key
        assert str(after[key][0].normalize()) == str(value.normalize())
    for key, note in expect.get("notes", {}).items():
        assert after[key][1] == note
    for key in expect.get("absent", []):
        assert key not in after
    if "skipped" in expect:
        assert len(plan.no_figure["数据"]) == expect["skipped"]
    for (ind, area, year), fields in expect.get("targets", {}).items():
        target = Target.objects.get(indicator__code=ind, area__code=area, year=year)
        assert {f: getattr(target, f) for f in fields} == fields
    for code, fields in expect.get("indicators", {}).items():
        indicator = Indicator.objects.select_related("category").get(code=code)
        got = {"category": indicator.category.name, "definition": indicator.definition}
        assert {f: got[f] for f in fields} == fields


@pytest.mark.django_db
def test_title_and_unit_rows_above_the_header_are_skipped_and_said_so(demo):
    _, messages, _ = imported("01_title_unit_rows.xlsx")
    assert "数据表：跳过表头上方的第1–2行（标题、单位）" in messages


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("05a_footnote_rows.xlsx", "数据表：跳过表尾的第4–7行（注、填表人等说明）"),
        ("05b_footnote_signature_line.xlsx", "数据表：跳过表尾的第5–6行（注、填表人等说明）"),
    ],
)
@pytest.mark.django_db
def test_footnote_rows_below_the_data_are_skipped_and_said_so(demo, name, line):
    _, messages, _ = imported(name)
    assert line in messages


@pytest.mark.django_db
def test_dashes_are_counted_as_no_figure_never_as_zero(demo):
    _, messages, _ = imported("04_dash_no_figure.xlsx")
    assert (
        "数据表：第3–7行的数值为「—」「/」「无」等，表示无数据，已跳过5行（未保存为0）" in messages
    )


@pytest.mark.django_db
def test_a_header_unit_that_cannot_convert_names_both_units(demo):
    _, messages, _ = imported("02d_header_unit_mismatch.xlsx")
    assert (
        "数据表 第2行 「数值」列：表头的单位是「亩」，而该指标的单位是「万元」，无法换算："
        "请按「万元」填写，或把表头改为「数值（万元）」"
    ) in messages


@pytest.mark.django_db
def test_merged_categories_change_nothing(demo):
    _, messages, _ = imported("06b_merged_category.xlsx")
    assert "指标：新增0行，更新0行，未变5行" in messages


@pytest.mark.django_db
def test_unknown_names_are_refused_with_the_nearest_names(demo):
    _, messages, _ = imported("07b_unknown_names.xlsx")
    assert "区域「示例乡」不存在" in messages
    assert "指标「工业产值」不存在：请填写指标编码或准确的指标名称" in messages
    assert "相近的有：JJ04 工业总产值" in messages


@pytest.mark.django_db
def test_an_ambiguous_name_lists_every_candidate_with_its_code(demo):
    _, messages, _ = imported("07c_ambiguous_name.xlsx")
    assert (
        "区域「蒋桥村」对应多个区域：T01V01（示例镇蒋桥村）、T02V01（新集镇蒋桥村）：请改填区域编码"
        in messages
    )


@pytest.mark.django_db
def test_a_formula_without_a_cached_value_says_to_paste_values(demo):
    _, messages, _ = imported("10g_formula_no_cached_value.xlsx")
    assert "数据表 第3行 「数值」列：「=E2+5260」是公式，不是数值" in messages
    assert "数据表 第4行 「数值」列：「=ROUND(28.123,2)」是公式，不是数值" in messages


@pytest.mark.parametrize("name", ["11b_title_unit_rows.ods", "11c_title_unit_rows_wps.et"])
def test_ods_and_wps_files_are_refused_with_save_as_xlsx(name):
    with pytest.raises(WorkbookError, match=r"请另存为 \.xlsx"):
        read_file(REAL / name)


def test_a_file_that_inflates_past_the_limit_is_refused_before_parsing(monkeypatch):
    """The cap on the inflated size holds for a file of ordinary ratio (a real sheet, too big)."""
    import dataclasses

    from indicators.workbook import xlsxparts

    limits = dataclasses.replace(xlsxparts.LIMITS, uncompressed_bytes=64 * 1024)
    monkeypatch.setattr(xlsxparts, "LIMITS", limits)
    book = Workbook()
    for n in range(3000):
        book.active.append(["JJ01", f"T{n:05d}", 2025, 10, n * 7919 % 99991])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(
        WorkbookError, match=r"文件解压后有1MB，超过0\.0625MB的上限（可能是异常文件）"
    ):
        read_file(io.BytesIO(data.getvalue()), name="big.xlsx")


@pytest.mark.parametrize(
    ("name", "ratio"),
    [("13a_zip_bomb_deflate.xlsx", "1,027"), ("13b_zip_bomb_bzip2.xlsx", "431,767")],
)
def test_a_zip_bomb_is_refused_before_parsing_in_bounded_time_and_memory(name, ratio):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(WorkbookError, match=f"解压后是压缩时的{ratio}倍.*可能是异常文件"):
        read_file(REAL / name)
    assert time.perf_counter() - start < 0.5
    # ru_maxrss is in KiB on Linux: the refusal grew the process by well under 20 MB.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 20 * 1024


def test_more_than_100000_rows_is_refused_naming_the_limit():
    with pytest.raises(WorkbookError, match="超过每张表100,000行数据的上限"):
        read_file(REAL / "13c_100001_rows.xlsx")
