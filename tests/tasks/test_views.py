import datetime
import io

import pytest
from openpyxl import load_workbook

from indicators.services import api_token_create
from tests.factories import make_area, make_department

from .factories import make_milestone, make_section, make_task
from .test_selectors import ledger

pytestmark = pytest.mark.django_db
AS_OF = "as_of=2025-10-31"


@pytest.fixture
def logged_in(client, leader):
    client.force_login(leader)
    return client


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:300]
    return response.content.decode()


def test_ledger_groups_tasks_by_section_and_shows_the_tally(logged_in, town):
    ledger(town, 4)
    html = page(logged_in, f"/tasks/?{AS_OF}")
    assert "4项重点任务中，已完成1项，达进度1项，欠进度1项，逾期1项。" in html
    assert html.index("三、产镇融合") < html.index('light-blue" title="任务已销号')
    assert "逾期" in html and "light-red" in html and "2025年10月31日" in html


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("light=red", 1),
        ("overdue=on", 1),
        ("status=closed", 1),
        ("light=green&status=in_progress", 1),
    ],
)
def test_ledger_filters(logged_in, town, query, count):
    ledger(town, 4)
    html = page(logged_in, f"/tasks/?{AS_OF}&{query}")
    assert f"{count}项重点任务中" in html


def test_ledger_filters_by_department_section_and_leader(logged_in, town):
    ledger(town, 4)
    department = make_department("财政所")
    html = page(logged_in, f"/tasks/?{AS_OF}&department={department.pk}")
    assert "2项重点任务中" in html
    task = make_task(town, title="孤立任务")
    html = page(logged_in, f"/tasks/?{AS_OF}&section={task.section_id}")
    assert "1项重点任务中" in html and "孤立任务" in html
    html = page(logged_in, f"/tasks/?{AS_OF}&leader={task.lead_leader_id or ''}")
    assert "5项重点任务中" in html  # an empty leader filter shows every task
    mayor = ledger_leader(task)
    html = page(logged_in, f"/tasks/?{AS_OF}&leader={mayor.pk}")
    assert "4项重点任务中" in html and "孤立任务" not in html


def ledger_leader(task):
    from tasks.models import Task

    return Task.objects.exclude(pk=task.pk).first().lead_leader


def test_the_ledger_never_names_another_towns_years_sections_or_tasks(logged_in, town):
    other = make_area(code="T99", name="外镇", level="town")
    make_task(
        other, year=2023, title="外镇旧任务", section=make_section(2023, "外镇旧板块", area=other)
    )
    heading = make_section(title="外镇的板块", area=other)
    make_task(other, title="外镇的任务", section=heading, lead_department=make_department("外镇办"))
    make_task(town, title="本镇的任务", section=make_section(title="本镇的板块", area=town))
    for url in (f"/tasks/?{AS_OF}", f"/tasks/print/?{AS_OF}"):
        html = page(logged_in, url)
        assert "本镇的任务" in html and "本镇的板块" in html, url
        assert "外镇" not in html and "2023" not in html, url
    # Another town's heading is not among the choices: asking for it is a wrong filter.
    assert logged_in.get(f"/tasks/?{AS_OF}&section={heading.pk}").status_code == 400


@pytest.mark.parametrize("query", ["as_of=2025-13-01", "year=abc", "light=purple", "department=x"])
def test_ledger_answers_bad_parameters_with_400(logged_in, town, query):
    make_task(town)
    response = logged_in.get(f"/tasks/?{query}")
    assert response.status_code == 400
    assert "参数有误" in response.content.decode()


@pytest.mark.parametrize("size", [4, 40])
def test_ledger_page_runs_a_constant_number_of_queries(
    logged_in, town, size, django_assert_max_num_queries
):
    ledger(town, size)
    # session, user, membership, then the selector's reads and the filter choices
    with django_assert_max_num_queries(17):
        page(logged_in, f"/tasks/?{AS_OF}")


def test_export_is_an_xlsx_in_the_ledger_layout(logged_in, town):
    ledger(town, 4)
    response = logged_in.get(f"/tasks/export.xlsx?{AS_OF}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    # DOMAIN §7: dates read 2025年10月31日, never ISO, in a document as on a page.
    assert rows[0][0].startswith("2025年重点工作任务台账（截至2025年10月31日）")
    assert rows[1][0] == "4项重点任务中，已完成1项，达进度1项，欠进度1项，逾期1项。"
    assert rows[2][:3] == ("编号", "任务名称", "量化目标")
    assert rows[3][0] == "三、产镇融合"
    assert {row[-1] for row in rows[4:] if row[1]} == {"已完成", "达进度", "欠进度", "逾期"}
    assert ws.page_setup.orientation == "landscape"


def test_print_view_is_a4_landscape_with_the_same_columns(logged_in, town):
    ledger(town, 4)
    html = page(logged_in, f"/tasks/print/?{AS_OF}")
    assert "截至2025年10月31日" in html and "<th>下一节点</th>" in html
    css = open("static/css/app.css", encoding="utf-8").read()
    assert "@page { size: A4 landscape" in css


def test_task_page_shows_milestones_progress_history_and_the_live_figure(logged_in, town):
    ledger(town, 4)
    from tasks.models import Task

    task = Task.objects.filter(indicator__isnull=False).get()
    html = page(logged_in, f"/tasks/{task.number}/?{AS_OF}")
    assert task.title in html
    assert "节点目标" in html and "月度进展" in html and "亮灯记录" in html
    assert "最新数据" in html and "4 公里" in html and "50.0%" in html


def test_task_page_turns_yellow_when_a_milestone_is_missed(logged_in, town):
    task = make_task(town)
    make_milestone(task, datetime.date(2025, 6, 30), content="完成设计")
    assert "light-green" in page(logged_in, f"/tasks/{task.number}/?as_of=2025-06-30")
    html = page(logged_in, f"/tasks/{task.number}/?as_of=2025-07-01")
    assert "light-yellow" in html and "已过期未完成" in html


def test_unknown_task_is_404(logged_in, town):
    assert logged_in.get("/tasks/2025-99-99/").status_code == 404


def test_bad_progress_is_shown_in_chinese(client, staff, task):
    client.force_login(staff)
    response = client.post(f"/tasks/{task.number}/progress/", {"month": 1, "percent": 120})
    html = response.content.decode()
    assert response.status_code == 200
    assert "进展情况" in html and "100" in html


def test_attachment_type_and_size_are_limited(client, staff, task):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    data = {"month": 1, "percent": 10, "situation": "开工"}
    exe = SimpleUploadedFile("setup.exe", b"MZ")
    response = client.post(f"/tasks/{task.number}/progress/", {**data, "files": [exe]})
    assert "类型不支持" in response.content.decode()
    assert not task.reports.exists()


# ------------------------------------------------------------------------------------- API


def test_api_lists_tasks_and_the_tally(client, leader, town):
    ledger(town, 4)
    client.force_login(leader)
    data = client.get(f"/api/v1/tasks?year=2025&{AS_OF}").json()
    assert data["tally"]["sentence"] == "4项重点任务中，已完成1项，达进度1项，欠进度1项，逾期1项。"
    assert data["tally"]["by_light"] == {"blue": 1, "green": 1, "yellow": 1, "red": 1}
    row = next(t for t in data["tasks"] if t["light"] == "green")
    assert set(row) >= {
        "number", "title", "section", "lead_department", "deadline", "status", "light",
        "overdue", "progress_pct",
    }  # fmt: skip
    assert row["progress_pct"] == 50.0 and row["progress_source"] == "figure"
    assert [t["overdue"] for t in data["tasks"]].count(True) == 1


def test_api_accepts_a_token(client, leader, town):
    make_task(town)
    key = api_token_create(user=leader)
    response = client.get("/api/v1/tasks?year=2025", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200 and len(response.json()["tasks"]) == 1


def test_api_shows_only_readable_tasks(client, outsider, town):
    make_task(town)
    client.force_login(outsider)
    assert client.get("/api/v1/tasks?year=2025").json()["tasks"] == []


@pytest.mark.parametrize("query", ["year=abc", "year=1900", "as_of=2025-02-30", "as_of=yesterday"])
def test_api_answers_bad_parameters_with_400(client, leader, query):
    client.force_login(leader)
    response = client.get(f"/api/v1/tasks?{query}")
    assert response.status_code == 400 and "error" in response.json()


def test_api_without_credentials_is_401(client):
    assert client.get("/api/v1/tasks").status_code == 401


def test_dashboard_block_renders_the_tally(town):
    from django.template.loader import render_to_string

    from tasks.selectors import task_tally

    ledger(town, 4)
    html = render_to_string(
        "tasks/includes/dashboard_block.html",
        {"tally": task_tally(year=2025, as_of=datetime.date(2025, 10, 31), area=town)},
    )
    assert "4项重点任务中，已完成1项" in html
    assert "各牵头单位按时率" in html and "已逾期31天" in html
