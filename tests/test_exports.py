"""Every spreadsheet the app writes keeps text as text (OWASP CSV/formula injection): a note, a
task title or a name that begins with =, +, -, @, a tab or a carriage return is never a formula,
and the file imports back to exactly the stored text."""

import datetime
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from indicators.excel import FORMULA_STARTS
from indicators.models import Area, Category, Department, Figure, Indicator, Membership, Target
from indicators.services import Cell, figures_save
from indicators.workbook import read_file, workbook_import
from tasks.models import Section, Task
from tests.factories import make_indicator, make_user
from tests.tasks.factories import make_section, make_task

pytestmark = pytest.mark.django_db

NOTE = '=HYPERLINK("http://evil.example","点此")'
TITLE = "=1+2 建设污水管网"
TARGET_TEXT = "+86 0551 1234 5678"
CONTENT = "-2+3 改造户厕"
SECTION = "@SUM(1) 三、紧盯产镇融合发展"
LEADER = "=王镇长"
CLERK = "@张三"


@pytest.fixture
def risky(town, department, staff):
    """A figure with a formula-like note, entered by a clerk whose name looks like a formula,
    and a task whose title, target, content, section and leader do too."""
    staff.first_name = CLERK
    staff.save()
    ind = make_indicator(code="GDP", unit="亿元", department=department)
    cell = Cell(ind, town, raw="12.5", note=NOTE)
    assert figures_save(user=staff, cells=[cell], year=2025, month=3).ok
    leader = make_user("mayor", role="leader", area=town, first_name=LEADER)
    make_task(
        town,
        number="2025-03-01",
        title=TITLE,
        target_text=TARGET_TEXT,
        content=CONTENT,
        section=make_section(title=SECTION),
        lead_department=department,
        lead_leader=leader,
        deadline=datetime.date(2025, 12, 31),
    )
    return ind


def cells(content: bytes):
    book = load_workbook(io.BytesIO(content))  # not data_only: formulas stay formulas
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]


def assert_text_stays_text(all_cells, expected):
    """No formula anywhere; every formula-like text is a string cell with the quote prefix."""
    assert [c.coordinate for c in all_cells if c.data_type == "f"] == []
    risky = [
        c for c in all_cells if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)
    ]
    assert all(c.data_type == "s" and c.quotePrefix for c in risky), [
        (c.coordinate, c.value) for c in risky if not c.quotePrefix
    ]
    found = {c.value for c in risky}
    assert expected <= found, expected - found


def download(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response) if response.streaming else response.content


def test_the_entry_sheet_writes_a_formula_like_note_as_text(client, staff, risky):
    content = download(client, staff, "/entry/sheet/?year=2025&month=3")
    assert_text_stays_text(cells(content), {NOTE})


def test_the_history_export_writes_formula_like_notes_and_names_as_text(client, leader, risky):
    content = download(client, leader, "/entry/history/GDP/?area=T01&format=xlsx")
    all_cells = cells(content)
    assert_text_stays_text(all_cells, {CLERK})  # 操作人
    # The reason column carries the note after "保存；备注：", so it is plain text anyway.
    assert any(NOTE in str(c.value) for c in all_cells)


def test_the_ledger_export_writes_formula_like_titles_and_names_as_text(client, leader, risky):
    content = download(client, leader, "/tasks/export.xlsx?year=2025&as_of=2025-10-31")
    assert_text_stays_text(cells(content), {TITLE, TARGET_TEXT, LEADER})


def test_export_workbook_writes_text_as_text_and_numbers_as_numbers(tmp_path, risky):
    path = tmp_path / "all.xlsx"
    call_command("export_workbook", str(path), stdout=io.StringIO())
    all_cells = cells(path.read_bytes())
    assert_text_stays_text(all_cells, {NOTE, TITLE, TARGET_TEXT, CONTENT, SECTION, LEADER})
    values = [c for c in all_cells if c.value == 12.5]
    assert values and all(c.data_type == "n" for c in values)


def test_formula_like_text_comes_back_identical_through_export_and_import(tmp_path, risky):
    path = tmp_path / "all.xlsx"
    call_command("export_workbook", str(path), stdout=io.StringIO())
    Task.objects.all().delete()
    Section.objects.all().delete()
    Figure.objects.all().delete()
    Target.objects.all().delete()
    Indicator.objects.all().delete()
    Membership.objects.all().delete()
    Area.objects.all().delete()
    Category.objects.all().delete()
    Department.objects.all().delete()
    plan = workbook_import(read_file(path))
    assert plan.ok, [str(e) for e in plan.errors][:5]
    assert Figure.objects.get().note == NOTE
    task = Task.objects.select_related("section").get()
    assert (task.title, task.target_text, task.content) == (TITLE, TARGET_TEXT, CONTENT)
    assert task.section.title == SECTION and task.lead_leader.first_name == LEADER


def test_the_entry_sheet_uploads_back_with_the_note_unchanged(client, staff, risky):
    content = download(client, staff, "/entry/sheet/?year=2025&month=3")
    upload = io.BytesIO(content)
    upload.name = "填报表.xlsx"
    response = client.post("/entry/upload/", {"year": 2025, "month": 3, "file": upload})
    assert response.status_code == 200
    # Same value and note: the preview says nothing would change.
    assert "不变" in response.content.decode()
    assert Figure.objects.get().note == NOTE


def test_the_brief_table_writes_a_formula_like_indicator_name_as_text(client, leader, risky):
    risky.name = "=1+1 工业总产值"
    risky.save()
    Target.objects.create(indicator=risky, area=risky_town(), year=2025, value=50)
    content = download(client, leader, "/reports/brief.xlsx?area=T01&year=2025&month=3")
    assert_text_stays_text(cells(content), {"=1+1 工业总产值"})


def test_the_refused_rows_file_writes_what_was_typed_as_text():
    from indicators.workbook import sheets_from_dicts
    from indicators.workbook.errors import errors_workbook

    typed = '=HYPERLINK("http://evil.example")'
    sheets = sheets_from_dicts(
        {"数据": [{"指标编码": typed, "区域编码": "-T01", "年度": 2025, "月份": 3, "数值": "@1"}]}
    )
    plan = workbook_import(sheets, dry_run=True)
    assert not plan.ok
    content = errors_workbook(plan.errors, sheets)
    assert_text_stays_text(cells(content), {typed, "-T01", "@1"})


def risky_town():
    return Area.objects.get(code="T01")
