"""The entry pages through the front door: grid, two clients, review, progress, Excel, history."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from indicators.models import Figure
from tests.factories import (
    make_area,
    make_department,
    make_figure,
    make_indicator,
    make_target,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def gdp(department, town):
    ind = make_indicator(code="GDP", name="工业总产值", unit="亿元", department=department)
    make_target(ind, town, value=40)
    make_figure(ind, town, 2025, 2, "5.5")
    make_figure(ind, town, 2024, 3, "7.25")
    return ind


def field(gdp, town):
    return f"{gdp.pk}-{town.pk}"


def post_grid(client, gdp, town, value, *, version=0, action="save", **extra):
    name = field(gdp, town)
    data = {"year": 2025, "month": 3, f"v-{name}": value, f"ver-{name}": version}
    data["action"] = action
    data.update({f"{k}-{name}": v for k, v in extra.items()})
    return client.post("/entry/", data)


def test_grid_shows_reference_columns_and_the_completion(client, staff, gdp, town):
    make_figure(gdp, town, 2025, 3, "10", status="draft")
    client.force_login(staff)
    page = client.get("/entry/?year=2025&month=3").content.decode()
    assert "工业总产值" in page and "2025年3月 数据填报" in page
    assert "5.50" in page and "7.25" in page and "40.00" in page  # last month, last year, target
    assert "25.0%" in page  # 10 ÷ 40
    assert 'src="/static/js/entry.js"' in page


def test_grid_query_count_does_not_grow_with_villages(
    client, staff, town, department, django_assert_max_num_queries
):
    villages = [
        make_area(code=f"V{i:02d}", level="village", parent=town, name=f"村{i}") for i in range(30)
    ]
    income = make_indicator(code="INC", entry_level="village", department=department)
    for v in villages:
        make_figure(income, v, 2025, 2, 10)
        make_target(income, v, value=100)
    client.force_login(staff)
    # The page's reads, and the menu's 待办 count (three, reports/todo.py)
    with django_assert_max_num_queries(16):
        response = client.get("/entry/?year=2025&month=3")
    assert response.content.decode().count('class="value"') == 30


def test_save_draft_then_submit_shows_status(client, staff, gdp, town):
    client.force_login(staff)
    response = post_grid(client, gdp, town, "６.５")
    assert response.status_code == 302
    figure = Figure.objects.get(year=2025, month=3)
    assert figure.value == Decimal("6.5") and figure.status == "draft"
    response = post_grid(client, gdp, town, "6.5", version=figure.version, action="submit")
    figure.refresh_from_db()
    assert figure.status == "submitted" and figure.submitted_by == staff
    page = client.get(response["Location"]).content.decode()
    assert "已报送" in page and "报送0项" not in page


def test_inline_errors_are_chinese_and_nothing_is_saved(client, staff, gdp, town):
    client.force_login(staff)
    response = post_grid(client, gdp, town, "4", note="")
    assert response.status_code == 400
    page = response.content.decode()
    assert "低于上月累计" in page and "没有保存任何数据" in page
    assert 'value="4"' in page  # what was typed stays
    assert not Figure.objects.filter(year=2025, month=3).exists()


def test_unit_slip_needs_the_confirmation_box_and_a_reason(client, staff, gdp, town):
    client.force_login(staff)
    page = post_grid(client, gdp, town, "55000").content.decode()
    assert "疑似单位填错" in page and f'name="c-{field(gdp, town)}"' in page
    assert post_grid(client, gdp, town, "55000", c="1").status_code == 400
    assert post_grid(client, gdp, town, "55000", c="1", n="含新投产企业").status_code == 302


def test_second_save_from_a_stale_page_is_refused_with_the_newer_value(
    client, staff, reviewer, gdp, town
):
    first, second = client, type(client)()
    first.force_login(staff)
    second.force_login(reviewer)
    make_figure(gdp, town, 2025, 3, "6", status="draft")
    # Both open the grid and see version 1.
    assert 'value="1"' in first.get("/entry/?year=2025&month=3").content.decode()
    assert 'value="1"' in second.get("/entry/?year=2025&month=3").content.decode()
    assert post_grid(second, gdp, town, "6.8", version=1).status_code == 302
    refused = post_grid(first, gdp, town, "6.2", version=1)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "改为6.8" in page and "您的修改未保存" in page
    assert Figure.objects.get(year=2025, month=3).value == Decimal("6.8")
    # Having seen the newer value, the first person may now save on top of it.
    assert post_grid(first, gdp, town, "6.2", version=2).status_code == 302


def test_review_round_trip_return_comment_reaches_the_clerk(client, staff, reviewer, gdp, town):
    client.force_login(staff)
    post_grid(client, gdp, town, "6", action="submit")
    figure = Figure.objects.get(year=2025, month=3)
    boss = type(client)()
    boss.force_login(reviewer)
    page = boss.get("/entry/review/?year=2025&month=3").content.decode()
    assert "待审核1项" in page
    data = {"year": 2025, "month": 3, "action": "return", "figure": figure.pk}
    boss.post("/entry/review/", {**data, "comment": "请剔除退库企业", "version": figure.version})
    page = client.get("/entry/?year=2025&month=3").content.decode()
    assert "退回意见：请剔除退库企业" in page
    figure.refresh_from_db()
    post_grid(client, gdp, town, "6.1", version=figure.version, action="submit")
    figure.refresh_from_db()
    approve = {"year": 2025, "month": 3, "action": "approve", "approve": figure.pk}
    response = boss.post("/entry/review/", {**approve, f"ver-{figure.pk}": figure.version})
    assert response.status_code == 302
    figure.refresh_from_db()
    assert figure.status == "approved" and figure.value == Decimal("6.1")
    assert "已审核" in client.get("/entry/?year=2025&month=3").content.decode()


def test_reviewer_sees_refusal_for_own_submission(client, reviewer, gdp, town):
    client.force_login(reviewer)
    post_grid(client, gdp, town, "6", action="submit")
    figure = Figure.objects.get(year=2025, month=3)
    data = {"year": 2025, "month": 3, "action": "approve", "approve": figure.pk}
    page = client.post("/entry/review/", data, follow=True).content.decode()
    assert "不能审核自己报送的数据" in page
    assert Figure.objects.get(year=2025, month=3).status == "submitted"


@pytest.mark.parametrize("raw", ["²", "１²", "99999999999999999999"])
def test_a_department_that_is_no_id_is_refused_with_what_to_do(client, staff, gdp, raw):
    client.force_login(staff)
    response = client.get("/entry/", {"year": 2025, "month": 3, "department": raw})
    assert response.status_code == 400
    assert "部门不存在或您无权查看，请从列表中选择。" in response.content.decode()


def test_an_approval_of_no_id_approves_nothing(client, staff, reviewer, gdp, town):
    client.force_login(staff)
    post_grid(client, gdp, town, "6", action="submit")
    figure = Figure.objects.get(year=2025, month=3)
    client.force_login(reviewer)
    data = {"year": 2025, "month": 3, "action": "approve", "approve": ["²", "-1"]}
    page = client.post("/entry/review/", {**data, "ver-²": "²"}, follow=True).content.decode()
    assert "请先勾选要审核通过的数据。" in page
    assert Figure.objects.get(pk=figure.pk).status == "submitted"


def test_progress_page_lists_departments_with_missing_and_late(
    client, leader, staff, gdp, town, department
):
    make_indicator(code="OTHER", department=make_department("财政所"))
    make_figure(gdp, town, 2025, 3, "6", status="submitted", is_late=True)
    client.force_login(leader)
    page = client.get("/entry/progress/?year=2025&month=3").content.decode()
    assert "经发办" in page and "财政所" in page and "逾期" in page
    assert "已报齐，待审核" in page


def sheet_bytes(rows):
    book = Workbook()
    ws = book.active
    ws.title = "数据"
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, content, name="填报表.xlsx", **extra):
    file = io.BytesIO(content)
    file.name = name
    return client.post("/entry/upload/", {"year": 2025, "month": 3, "file": file, **extra})


def test_excel_round_trip_download_fill_preview_confirm(client, staff, gdp, town):
    client.force_login(staff)
    response = client.get("/entry/sheet/?year=2025&month=3")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    ws = book["数据"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["指标编码", "区域编码", "年度", "月份", "数值", "备注"]
    row = [c.value for c in ws[2]]
    assert row[:4] == ["GDP", "T01", 2025, 3] and row[9] == 5.5  # last month filled in
    ws.cell(2, 5).value = 6.25
    out = io.BytesIO()
    book.save(out)
    preview = upload(client, out.getvalue())
    assert preview.status_code == 200
    assert (
        "确认写入" in preview.content.decode()
        and not Figure.objects.filter(year=2025, month=3).exists()
    )
    done = client.post("/entry/upload/", {"year": 2025, "month": 3, "action": "confirm"})
    assert done.status_code == 302
    figure = Figure.objects.get(year=2025, month=3)
    assert figure.value == Decimal("6.25")
    assert figure.history.get().history_change_reason == "Excel上传"


def test_the_entry_sheet_is_the_months_entry_layout_read_back_by_its_header_words(
    client, staff, gdp, town, department
):
    from indicators.grid import grid_rows
    from indicators.models import Layout
    from indicators.workbook.layouts import entry_layout

    village = make_area(code="T01V01", name="甲村", level="village", parent=town)
    income = make_indicator(code="INC", name="村集体经济收入", entry_level="village")
    income.department = department
    income.save()
    client.force_login(staff)
    ws = load_workbook(io.BytesIO(client.get("/entry/sheet/?year=2025&month=3").content))["数据"]
    layout = entry_layout(grid_rows(department, town, [village], 2025, 3))
    assert layout.kind == Layout.Kind.ENTRY
    # The download is the layout filled: its header words, a row per (indicator, area) mapped.
    assert [c.value for c in ws[1]] == [c["label"] for c in layout.columns]
    assert [(r["row"], r["code"], r["area"]) for r in layout.rows] == [
        (2, "GDP", "T01"),
        (3, "INC", "T01V01"),
    ]
    assert [ws.cell(r["row"], 1).value for r in layout.rows] == ["GDP", "INC"]
    assert ws.cell(3, 8).value == "甲村" and ws.cell(3, 13).value == "未填报"
    # A clerk who sorts the rows and moves 数值 to the end loses nothing: read by header words.
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header, body = rows[0], sorted(rows[1:], key=lambda r: r[0], reverse=True)
    body[0][4], body[1][4] = 120, 6.25  # INC, then GDP
    moved = [[*r[:4], *r[5:], r[4]] for r in [header, *body]]
    assert upload(client, sheet_bytes(moved)).status_code == 200
    client.post("/entry/upload/", {"year": 2025, "month": 3, "action": "confirm"})
    assert Figure.objects.get(indicator=gdp, year=2025, month=3).value == Decimal("6.25")
    assert Figure.objects.get(indicator=income, area=village, month=3).value == 120


def test_upload_preview_lists_row_errors_and_writes_nothing(client, staff, gdp, town):
    client.force_login(staff)
    rows = [
        ["指标编码", "区域编码", "年度", "月份", "数值", "备注"],
        ["GDP", "T01", 2025, 3, "6.2亿", None],
        ["NOPE", "T01", 2025, 3, 1, None],
        ["GDP", "T01", 2025, 4, 1, None],
    ]
    response = upload(client, sheet_bytes(rows))
    assert response.status_code == 400
    page = response.content.decode()
    assert "第2行" in page and "不是数字" in page
    assert "第3行" in page and "不在本部门" in page
    assert "第4行" in page and "应为2025年3月" in page
    assert "确认写入" not in page
    confirm = client.post("/entry/upload/", {"year": 2025, "month": 3, "action": "confirm"})
    assert confirm.status_code == 302 and not Figure.objects.filter(year=2025, month=3).exists()


def test_gbk_csv_upload_is_read(client, staff, gdp, town):
    client.force_login(staff)
    csv = "指标编码,区域编码,年度,月份,数值,备注\nGDP,T01,2025,3,６.０,口径说明\n".encode("gbk")
    response = upload(client, csv, name="填报表.csv")
    assert response.status_code == 200, response.content.decode()
    assert "口径说明" in response.content.decode()
    formula = "指标编码,区域编码,年度,月份,数值\nGDP,T01,2025,3,=A1\n".encode("gbk")
    assert "公式" in upload(client, formula, name="填报表.csv").content.decode()


def test_truncated_xlsx_is_refused_in_chinese(client, staff, gdp):
    client.force_login(staff)
    response = upload(client, sheet_bytes([["指标编码"]])[:300])
    assert response.status_code == 400
    assert "无法读取该 Excel 文件" in response.content.decode()


def test_history_page_and_excel_export(client, staff, leader, gdp, town):
    client.force_login(staff)
    post_grid(client, gdp, town, "6", n="首次填报")
    client.force_login(leader)
    page = client.get("/entry/history/GDP/?area=T01").content.decode()
    assert "首次填报" in page and "数据修改记录" in page
    response = client.get("/entry/history/GDP/?area=T01&format=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("年度", "月份", "区域")
    assert any("首次填报" in (r[9] or "") for r in rows[1:])


def test_nav_shows_entry_to_clerks_and_progress_to_leaders(client, staff, leader):
    client.force_login(staff)
    page = client.get("/entry/progress/").content.decode()
    assert 'href="/entry/"' in page and "填报进度" in page
    client.force_login(leader)
    page = client.get("/entry/progress/").content.decode()
    assert 'href="/entry/"' not in page and "填报进度" in page


def test_reviewer_of_another_department_cannot_review_ours(client, staff, gdp, town):
    client.force_login(staff)
    post_grid(client, gdp, town, "6", action="submit")
    figure = Figure.objects.get(year=2025, month=3)
    foreign = make_user("r9", role="reviewer", area=town, department=make_department("财政所"))
    client.force_login(foreign)
    data = {"year": 2025, "month": 3, "action": "approve", "approve": figure.pk}
    data["department"] = gdp.department_id
    assert client.post("/entry/review/", data).status_code == 400  # not one of their departments
    assert Figure.objects.get(year=2025, month=3).status == "submitted"


def test_a_year_without_targets_says_so_and_links_to_the_latest_year_that_has_them(
    client, staff, gdp, town
):
    client.force_login(staff)
    page = client.get("/entry/?year=2026&month=1").content.decode()
    assert "2026年还没有设置经发办指标的目标，本页的完成率无法计算；最近有目标的是2025年。" in page
    # The next period to fill in that year: the month after its latest figure (February).
    assert f"/entry/?department={gdp.department_id}&year=2025&month=3" in page
    assert "还没有设置" not in client.get("/entry/?year=2025&month=3").content.decode()


def test_a_figure_for_a_month_its_cadence_does_not_report_is_refused(staff, department, town):
    from indicators.services import Cell, check_cells
    from indicators.workbook import sheets_from_dicts, workbook_import

    quarterly = make_indicator(
        code="SVC", name="服务业营业收入", cadence="quarterly", department=department
    )
    [cell] = check_cells([Cell(quarterly, town, raw="3")], user=staff, year=2025, month=2)
    assert "季报指标，只在3月、6月、9月、12月填报" in cell.error and "2月不需要填报" in cell.error
    plan = workbook_import(
        sheets_from_dicts(
            {
                "数据": [
                    {"指标编码": "SVC", "区域编码": town.code, "年度": 2025, "月份": 2, "数值": 3}
                ]
            }
        )
    )
    assert not plan.ok and "季报指标" in str(plan.errors[0])
    assert not Figure.objects.filter(indicator=quarterly).exists()


# ---------------------------------------------------------------------------- four eyes


def approve(client, figure):
    figure.refresh_from_db()
    data = {"year": 2025, "month": 3, "action": "approve", "approve": figure.pk}
    data[f"ver-{figure.pk}"] = figure.version
    return client.post("/entry/review/", data, follow=True).content.decode()


@pytest.fixture
def second_reviewer(town, department):
    return make_user("reviewer2", role="reviewer", area=town, department=department)


def test_a_reviewer_who_typed_the_value_cannot_approve_it_after_a_clerk_submits(
    client, staff, reviewer, second_reviewer, gdp, town
):
    client.force_login(reviewer)
    assert post_grid(client, gdp, town, "6").status_code == 302  # the reviewer types it
    figure = Figure.objects.get(year=2025, month=3)
    client.force_login(staff)
    assert (
        post_grid(client, gdp, town, "6", version=figure.version, action="submit").status_code
        == 302
    )
    figure.refresh_from_db()
    assert (figure.status, figure.submitted_by, figure.created_by) == ("submitted", staff, reviewer)
    client.force_login(reviewer)
    assert "不能审核自己填报的数据" in approve(client, figure)
    assert Figure.objects.get(pk=figure.pk).status == "submitted"
    client.force_login(second_reviewer)
    approve(client, figure)
    assert Figure.objects.get(pk=figure.pk).status == "approved"


def test_a_reviewer_who_submitted_a_clerks_value_cannot_approve_it(
    client, staff, reviewer, second_reviewer, gdp, town
):
    client.force_login(staff)
    assert post_grid(client, gdp, town, "6").status_code == 302  # the clerk types it
    figure = Figure.objects.get(year=2025, month=3)
    client.force_login(reviewer)
    post_grid(client, gdp, town, "6", version=figure.version, action="submit")
    figure.refresh_from_db()
    assert (figure.status, figure.submitted_by, figure.created_by) == ("submitted", reviewer, staff)
    assert "不能审核自己报送的数据" in approve(client, figure)
    assert Figure.objects.get(pk=figure.pk).status == "submitted"
    client.force_login(second_reviewer)
    approve(client, figure)
    assert Figure.objects.get(pk=figure.pk).status == "approved"


def test_a_reviewer_who_last_changed_a_clerks_value_cannot_approve_it(
    client, staff, reviewer, gdp, town
):
    client.force_login(staff)
    post_grid(client, gdp, town, "6")
    figure = Figure.objects.get(year=2025, month=3)
    client.force_login(reviewer)
    post_grid(client, gdp, town, "6.5", version=figure.version)  # the reviewer corrects it
    figure.refresh_from_db()
    client.force_login(staff)
    post_grid(client, gdp, town, "6.5", version=figure.version, action="submit")
    client.force_login(reviewer)
    assert "不能审核自己填报的数据" in approve(client, figure)
    assert Figure.objects.get(pk=figure.pk).status == "submitted"


# ---------------------------------------------------------------------------- through a 表样


@pytest.fixture
def town_table(gdp):
    """A 表样 of the town's own table: 工业总产值 (this department's) and another's indicator."""
    from indicators.models import Layout

    make_indicator(code="CZ01", name="一般公共预算收入", department=make_department("财政所"))
    book = Workbook()
    ws = book.active
    ws.append(["XX镇2025年1—2月主要指标完成情况"])
    ws.append(["指标名称", "单位", "1—2月累计"])
    ws.append(["工业总产值", "亿元", None])
    ws.append(["一般公共预算收入", "万元", None])
    out = io.BytesIO()
    book.save(out)
    return Layout.objects.create(
        name="镇表",
        title_cell="A1",
        header_rows=[2],
        rows=[
            {"row": 3, "label": "工业总产值", "code": "GDP"},
            {"row": 4, "label": "一般公共预算收入", "code": "CZ01"},
        ],
        columns=[
            {"col": "A", "label": "指标名称", "measure": "name"},
            {"col": "B", "label": "单位", "measure": "unit"},
            {"col": "C", "label": "1—2月累计", "measure": "ytd"},
        ],
        form=out.getvalue(),
    )


def test_the_month_downloads_in_a_layout_and_uploads_back_through_it(
    client, staff, gdp, town, town_table
):
    client.force_login(staff)
    assert "镇表" in client.get("/entry/upload/?year=2025&month=3").content.decode()
    response = client.get(f"/entry/sheet/?year=2025&month=3&layout={town_table.pk}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    ws = book.active
    assert ws["A1"].value == "示例镇2025年1—3月主要指标完成情况"
    assert ws["C2"].value == "1—3月累计"
    assert ws["C3"].value is None  # no March figure yet
    ws["C3"].value, ws["C4"].value = 6.25, 9000
    out = io.BytesIO()
    book.save(out)
    preview = upload(client, out.getvalue(), layout=town_table.pk)
    page = preview.content.decode()
    assert preview.status_code == 200, page
    assert "按表样「镇表」读取2025年3月：本部门1项，其他部门的1项未读取。" in page
    done = client.post("/entry/upload/", {"year": 2025, "month": 3, "action": "confirm"})
    assert done.status_code == 302
    assert Figure.objects.get(year=2025, month=3).value == Decimal("6.25")
    assert Figure.objects.filter(year=2025, month=3).count() == 1  # 财政所's row not read


@pytest.mark.parametrize(
    ("unit", "value", "outcome"),
    [
        ("万元", 62500, Decimal("6.25")),
        ("亩", 6.25, "表头的单位是「亩」，而该指标的单位是「亿元」"),
    ],
)
def test_a_layouts_unit_column_converts_money_exactly_or_refuses(
    client, staff, gdp, town, town_table, unit, value, outcome
):
    client.force_login(staff)
    book = load_workbook(io.BytesIO(bytes(town_table.form)))
    ws = book.active
    ws["B3"].value, ws["C3"].value = unit, value
    out = io.BytesIO()
    book.save(out)
    response = upload(client, out.getvalue(), layout=town_table.pk)
    if isinstance(outcome, Decimal):
        assert response.status_code == 200, response.content.decode()
        client.post("/entry/upload/", {"year": 2025, "month": 3, "action": "confirm"})
        assert Figure.objects.get(year=2025, month=3).value == outcome
    else:
        assert response.status_code == 400
        assert outcome in response.content.decode()
        assert not Figure.objects.filter(year=2025, month=3).exists()


def test_an_unknown_layout_is_refused_in_words(client, staff, gdp):
    client.force_login(staff)
    response = client.get("/entry/sheet/?year=2025&month=3&layout=999")
    assert response.status_code == 400
    assert "表样不存在" in response.content.decode()
    response = upload(client, sheet_bytes([["指标编码"]]), layout=999)
    assert response.status_code == 400
    assert "表样不存在" in response.content.decode()


@pytest.fixture
def to_review(staff, department, town, gdp):
    """Three submitted March figures: one plausible, one a 万元→元 slip, one doubling on last year."""
    plausible = make_figure(gdp, town, 2025, 3, "10", status="submitted", submitted_by=staff)
    tax = make_indicator(code="TAX", name="实体税收", department=department)
    make_figure(tax, town, 2025, 2, "20000")
    slip = make_figure(tax, town, 2025, 3, "20000000", status="submitted", submitted_by=staff)
    sales = make_indicator(code="SAL", name="开票销售", department=department)
    make_figure(sales, town, 2024, 3, "100")
    make_figure(sales, town, 2025, 2, "150")
    jump = make_figure(sales, town, 2025, 3, "210", status="submitted", submitted_by=staff)
    return plausible, slip, jump


def test_review_shows_the_month_value_and_yoy_beside_each_figure(client, reviewer, to_review):
    client.force_login(reviewer)
    page = client.get("/entry/review/?year=2025&month=3").content.decode()
    row = page.split('<span class="code">GDP</span>')[1].split("</tr>")[0]
    assert 'data-label="当月">4.50<' in row  # 10 − 5.5
    assert 'data-label="同比">37.9%<' in row  # (10 − 7.25) ÷ 7.25


def test_review_flags_unit_slips_and_outliers_and_approves_the_rest_at_once(
    client, reviewer, to_review
):
    plausible, slip, jump = to_review
    client.force_login(reviewer)
    page = client.get("/entry/review/?year=2025&month=3").content.decode()
    assert page.count('<tr class="flagged">') == 2
    assert "疑似单位错误" in page and "相差约1,000倍" in page and "同比波动大" in page
    bulk = page.split('id="approve-clean-form"')[1].split("</form>")[0]
    assert f'name="approve" value="{plausible.pk}"' in bulk
    assert f'value="{slip.pk}"' not in bulk and f'value="{jump.pk}"' not in bulk
    assert "审核通过全部无疑点的数据（1项）" in bulk and "另有2项有疑点" in bulk
    data = {"year": 2025, "month": 3, "action": "approve", "approve": plausible.pk}
    client.post("/entry/review/", {**data, f"ver-{plausible.pk}": plausible.version})
    assert list(
        Figure.objects.filter(status="approved", year=2025, month=3).values_list("pk", flat=True)
    ) == [plausible.pk]
    # Approved figures can be reopened, behind a disclosure rather than a red button.
    page = client.get("/entry/review/?year=2025&month=3").content.decode()
    assert page.count('<details class="reopen"><summary>重新打开…</summary>') == 1


def test_a_clerk_or_leader_opening_the_review_is_sent_to_their_own_page(client, staff, leader):
    client.force_login(staff)
    response = client.get("/entry/review/")
    page = response.content.decode()
    assert response.status_code == 403 and "填报员不能审核" in page
    assert '<a class="button" href="/entry/">打开数据填报</a>' in page
    client.force_login(leader)
    page = client.get("/entry/review/").content.decode()
    assert '<a class="button" href="/entry/progress/">查看填报进度</a>' in page


def test_grid_rows_say_their_kind_and_cadence_and_their_paste_block(
    client, staff, department, town, gdp
):
    make_indicator(code="STK", name="规上企业总数", kind="stock", department=department)
    make_indicator(code="QTR", name="季度指标", cadence="quarterly", department=department)
    village = make_area(code="V01", level="village", parent=town, name="周庄村")
    make_indicator(code="VIL", name="村集体经济收入", entry_level="village", department=department)
    client.force_login(staff)
    page = client.get("/entry/?year=2025&month=3").content.decode()
    assert 'title="填写年初至本期的累计数">累计</span>' in page
    assert 'title="填写期末数">存量</span>' in page
    assert 'class="tag tag-cadence" title="只在3月、6月、9月、12月填报">季报</span>' in page
    # A pasted column stops at the end of its block: the village rows of one indicator.
    assert 'data-block="VIL" data-block-name="村集体经济收入"' in page and village.name in page
    assert 'data-block="" data-block-name="镇级指标"' in page


def test_review_labels_a_stocks_progress_as_its_net_increase(
    client, staff, reviewer, department, town
):
    # A stock's percentage is 净增 ÷ 目标净增 (DOMAIN §4), never read as 完成率 of its level.
    stock = make_indicator(code="STK", name="规上企业数", kind="stock", department=department)
    make_target(stock, town, 2025, value=Decimal("70"))
    make_figure(stock, town, 2024, 12, "60")
    make_figure(stock, town, 2025, 3, "65", status="submitted", submitted_by=staff)
    client.force_login(reviewer)
    page = client.get("/entry/review/?year=2025&month=3").content.decode()
    row = page.split('<span class="code">STK</span>')[1].split("</tr>")[0]
    assert 'data-label="完成进度">净增 50.0%<' in row  # (65 − 60) ÷ (70 − 60)
