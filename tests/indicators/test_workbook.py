import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from indicators.models import Area, Category, Department, Figure, Indicator, Target
from indicators.workbook import check, export_rows, read_file, workbook_import

AREAS = [
    ["编码", "名称", "上级编码", "层级"],
    ["T1", "一镇", None, "镇"],
    ["V1", "甲村", "T1", None],
    ["V2", "乙村", "T1", None],
]
INDICATORS = [
    ["编码", "名称", "单位", "类型", "填报层级", "汇总", "来源指标", "达标阈值", "牵头部门"],
    ["GDP", "工业总产值", "亿元", "累计", None, None, None, None, "统计站"],
    ["INC", "村集体经济收入", "万元", "累计", "村", None, None, None, "农业农村办"],
    ["AVG", "村均集体经济收入", "万元", "累计", None, "村均", "INC", None, None],
    ["HUN", "超百万村数", "个", "计数", None, "达标村数", "INC", 100, None],
]
TARGETS = [["指标编码", "区域编码", "年度", "目标值", "目标增速%"], ["GDP", "T1", 2025, None, 8]]
FIGURES = [
    ["指标编码", "区域编码", "年度", "月份", "数值", "备注"],
    ["GDP", "T1", 2024, 12, 30.24, None],
    ["GDP", "T1", 2025, 1, 2.5, None],
    ["GDP", "T1", 2025, 2, "５.１", None],
    ["INC", "V1", 2025, 1, "1,200", None],
    ["INC", "V2", 2025, 1, 80, None],
]


def xlsx(**sheets) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def base_book(**changes):
    sheets = {"区域": AREAS, "指标": INDICATORS, "目标": TARGETS, "数据": FIGURES}
    sheets.update(changes)
    return read_file(xlsx(**sheets), name="book.xlsx")


def messages(plan):
    return [str(e) for e in plan.errors]


@pytest.mark.django_db
def test_import_creates_every_sheet_and_reads_fullwidth_digits_and_separators():
    plan = workbook_import(base_book())
    assert plan.ok, messages(plan)
    assert Area.objects.get(code="V1").level == "village"  # level from the parent
    assert Indicator.objects.get(code="AVG").source.code == "INC"
    assert Target.objects.get().growth_pct == 8
    assert Figure.objects.get(indicator__code="GDP", year=2025, month=2).value == Decimal("5.1")
    assert Figure.objects.get(indicator__code="INC", area__code="V1").value == 1200
    # Unknown categories and departments are created and said so.
    assert Category.objects.filter(name="其他").exists()
    assert set(Department.objects.values_list("name", flat=True)) == {"统计站", "农业农村办"}
    assert "新建部门：统计站、农业农村办" in plan.summary_lines()


@pytest.mark.django_db
def test_dry_run_checks_but_writes_nothing():
    plan = workbook_import(base_book(), dry_run=True)
    assert plan.ok
    assert not Area.objects.exists() and not Figure.objects.exists()


@pytest.mark.django_db
def test_importing_twice_changes_nothing():
    workbook_import(base_book())
    plan = workbook_import(base_book())
    assert plan.ok
    assert all(c["created"] == c["updated"] == 0 for c in plan.counts.values())


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (["NOPE", "T1", 2025, 3, 1, None], "指标编码", "指标「NOPE」不存在"),
        (["GDP", "X9", 2025, 3, 1, None], "区域编码", "区域「X9」不存在"),
        (["GDP", "T1", 2025, 13, 1, None], "月份", "月份应为1至12"),
        (["GDP", "T1", 2025, 3, "三亿", None], "数值", "不是数字"),
        (["GDP", "T1", 2025, 3, "=A1*2", None], "数值", "公式"),  # no cached value in the file
        (["GDP", "T1", 2025, 3, None, None], "数值", "不能为空"),
        (["GDP", "T1", 2025, 2, 6, None], "月份", "重复"),
        (["GDP", "T1", 2025, 3, 4.0, None], "数值", "低于上月累计"),
        (["GDP", "T1", 2025, 3, 51000, None], "数值", "疑似单位填错"),
        (["AVG", "T1", 2025, 1, 70, None], "指标编码", "派生指标"),
        (["INC", "T1", 2025, 1, 70, None], "区域编码", "由各村汇总"),
        (["GDP", "V1", 2025, 1, 70, None], "区域编码", "由镇填报"),
        (["HUN", "T1", 2025, 1, 1, None], "指标编码", "派生指标"),
    ],
)
@pytest.mark.django_db
def test_bad_figure_rows_are_refused_with_sheet_row_and_column(row, column, fragment):
    plan = workbook_import(base_book(数据=[*FIGURES, row]))
    assert not plan.ok
    [error] = plan.errors
    assert (error.sheet, error.row, error.column) == ("数据", len(FIGURES) + 1, column)
    assert fragment in error.message
    assert not Figure.objects.exists()  # all or nothing


@pytest.mark.django_db
def test_a_falling_cumulative_is_accepted_with_a_reason_in_the_note():
    plan = workbook_import(base_book(数据=[*FIGURES, ["GDP", "T1", 2025, 3, 4.0, "口径调整"]]))
    assert plan.ok, messages(plan)


@pytest.mark.django_db
def test_a_probable_unit_slip_is_accepted_only_when_asked():
    rows = [*FIGURES, ["GDP", "T1", 2025, 3, 51000, None]]
    assert not workbook_import(base_book(数据=rows)).ok
    assert workbook_import(base_book(数据=rows), accept_outliers=True).ok


@pytest.mark.django_db
def test_the_preview_reads_the_stored_figures_once_and_counts_what_the_write_does():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicators.workbook.plan import preview

    workbook_import(base_book())
    changed = [
        *FIGURES[:2],
        ["GDP", "T1", 2025, 1, 2.6, None],
        *FIGURES[3:],
        ["GDP", "T1", 2025, 3, 6, None],
    ]
    with CaptureQueriesContext(connection) as queries:
        plan = preview(check(base_book(数据=changed)))
    reads = [q["sql"] for q in queries if 'FROM "indicators_figure"' in q["sql"]]
    assert plan.ok, messages(plan)
    assert len(reads) == 1, reads  # the check's read, reused by the count
    assert plan.counts["数据"] == {"created": 1, "updated": 1, "unchanged": 4}
    assert Figure.objects.get(indicator__code="GDP", year=2025, month=1).value == Decimal("2.5")
    written = workbook_import(base_book(数据=changed))
    assert written.counts["数据"] == plan.counts["数据"]
    assert written.samples["数据"] == plan.samples["数据"]
    assert Figure.objects.get(indicator__code="GDP", year=2025, month=1).value == Decimal("2.6")


@pytest.mark.django_db
def test_a_slip_is_measured_against_figures_already_stored():
    workbook_import(base_book())
    plan = workbook_import(base_book(数据=[FIGURES[0], ["GDP", "T1", 2025, 3, 5100, None]]))
    assert "疑似单位填错" in plan.errors[0].message


@pytest.mark.django_db
def test_bad_catalogue_rows_are_refused():
    indicators = [
        *INDICATORS,
        ["BAD", "坏", "个", "平均"],
        ["DUP", "甲", "个", "计数"],
        ["DUP", "乙", "个", "计数"],
        ["THR", "达标", "个", "计数", None, "达标村数", "INC"],
    ]
    plan = check(base_book(指标=indicators))
    text = "\n".join(messages(plan))
    assert "类型「平均」无效，应为：累计、计数、存量、比率" in text
    assert "编码「DUP」与第7行重复" in text
    assert "必须填写达标阈值" in text


@pytest.mark.django_db
def test_missing_required_column_is_reported_once_for_the_header():
    plan = check(base_book(目标=[["指标编码", "区域编码", "年度"], ["GDP", "T1", 2025]]))
    assert [str(e) for e in plan.errors] == [
        "目标表 表头 「目标值 或 目标增速%」列：缺少必填列，请在表头加上该列名"
    ]


@pytest.mark.django_db
def test_target_needs_a_value_or_a_growth_rate():
    plan = check(base_book(目标=[TARGETS[0], ["GDP", "T1", 2025, None, None]]))
    assert "目标值和目标增速%至少填写一项" in plan.errors[0].message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
@pytest.mark.django_db
def test_a_single_sheet_csv_is_read_in_utf8_bom_and_gbk(tmp_path, encoding):
    workbook_import(base_book())
    path = tmp_path / "upload.csv"
    path.write_bytes(
        '指标编码,区域编码,年度,月份,数值,备注\nGDP,T1,2025,3,"7,5",三月快报\n'.encode(encoding)
    )
    plan = workbook_import(read_file(path))
    assert plan.ok, messages(plan)
    figure = Figure.objects.get(indicator__code="GDP", month=3)
    assert (figure.value, figure.note) == (Decimal("75"), "三月快报")


@pytest.mark.django_db
def test_a_formula_typed_as_text_is_refused(tmp_path):
    workbook_import(base_book())
    path = tmp_path / "数据.csv"
    path.write_text("指标编码,区域编码,年度,月份,数值\nGDP,T1,2025,3,=B2*2\n", encoding="utf-8")
    plan = workbook_import(read_file(path))
    assert "「=B2*2」是公式，不是数值" in plan.errors[0].message


def test_a_truncated_xlsx_gets_a_clear_message():
    data = xlsx(数据=FIGURES).getvalue()[:300]
    with pytest.raises(Exception, match="无法读取该 Excel 文件"):
        read_file(io.BytesIO(data), name="x.xlsx")


@pytest.mark.django_db
def test_command_exits_nonzero_and_prints_row_errors(tmp_path, capsys):
    path = tmp_path / "book.xlsx"
    path.write_bytes(
        xlsx(区域=AREAS, 指标=INDICATORS, 数据=[*FIGURES, ["GDP", "T1", 2025, 0, 1]]).getvalue()
    )
    with pytest.raises(CommandError, match="共1处错误，未导入任何数据"):
        call_command("import_workbook", str(path))
    assert "数据表 第7行 「月份」列：月份应为1至12之间的整数" in capsys.readouterr().err
    assert not Area.objects.exists()


@pytest.mark.django_db
def test_command_dry_run_then_apply(tmp_path, capsys):
    path = tmp_path / "book.xlsx"
    path.write_bytes(xlsx(区域=AREAS, 指标=INDICATORS, 目标=TARGETS, 数据=FIGURES).getvalue())
    call_command("import_workbook", str(path), "--dry-run")
    assert "检查通过（未写入）" in capsys.readouterr().out and not Area.objects.exists()
    call_command("import_workbook", str(path))
    assert Figure.objects.count() == len(FIGURES) - 1


@pytest.mark.django_db
def test_export_then_import_into_an_empty_database_reproduces_every_row(tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    before = export_rows()
    path = tmp_path / "all.xlsx"
    call_command("export_workbook", str(path), stdout=io.StringIO())
    from tasks.models import Section, Task

    Task.objects.all().delete()  # the ledger's sheets are part of the workbook too
    Section.objects.all().delete()
    Figure.objects.all().delete()
    Target.objects.all().delete()
    Indicator.objects.update(source=None)
    Indicator.objects.all().delete()
    from indicators.models import Membership

    Membership.objects.all().delete()
    Area.objects.update(parent=None)
    Area.objects.all().delete()
    Category.objects.all().delete()
    Department.objects.all().delete()
    plan = workbook_import(read_file(path))
    assert plan.ok, messages(plan)[:5]
    assert export_rows() == before
    assert Figure.objects.count() == len(before["数据"]) > 1000


@pytest.mark.django_db
def test_command_prints_at_most_200_errors_and_the_total(tmp_path, capsys):
    path = tmp_path / "book.xlsx"
    bad = [["GDP", "T1", 2025, 13, 1] for _ in range(250)]
    path.write_bytes(xlsx(区域=AREAS, 指标=INDICATORS, 数据=[FIGURES[0], *bad]).getvalue())
    with pytest.raises(CommandError, match="共250处错误，未导入任何数据"):
        call_command("import_workbook", str(path))
    err = capsys.readouterr().err.splitlines()
    assert len([line for line in err if line.startswith("数据表 第")]) == 200
    assert "……以上是前200处错误。" in err


def test_cells_keep_full_width_punctuation_but_read_full_width_digits():
    from indicators.cells import code, number, text

    assert (
        text("  口径调整（含新增企业），已核实：见附件\u3000")
        == "口径调整（含新增企业），已核实：见附件"
    )
    assert code("ＪＪ０１") == "JJ01"
    assert number("１６,８００") == Decimal("16800")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("1.2345678", "小数超过6位"), ("123456789012.3456", "有效数字超过15位")],
)
def test_a_number_that_cannot_be_kept_exactly_is_refused_never_rounded(raw, fragment):
    from django.utils import translation

    from indicators.cells import CellError, number

    with translation.override("zh-hans"), pytest.raises(CellError, match=fragment):
        number(raw)
