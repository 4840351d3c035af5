import datetime
import io

import pytest
from django.core.management import call_command

from tasks import demo
from tasks.models import Milestone, ProgressReport, Section, Task, TaskLightChange
from tasks.selectors import task_tally

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 10, 31)


@pytest.fixture
def loaded():
    call_command("load_demo", stdout=io.StringIO())


def counts():
    return [m.objects.count() for m in (Section, Task, Milestone, ProgressReport, TaskLightChange)]


def test_demo_ledger_shows_every_light_on_october_31(loaded):
    tally = task_tally(year=2025, as_of=AS_OF)
    assert tally["sentence"] == (
        "29项重点任务中，已完成5项，达进度18项，欠进度4项，逾期2项。另有1项已取消。"
    )
    statuses = {value: n for value, _, n in tally["by_status"]}
    assert statuses["close_requested"] == statuses["extended"] == statuses["cancelled"] == 1
    assert statuses["not_started"] == 1
    assert tally["is_demo"]


def test_load_demo_twice_changes_nothing(loaded):
    before = counts()
    call_command("load_demo", stdout=io.StringIO())
    assert counts() == before
    assert before[3] > 200  # monthly reports through October


def test_sections_follow_the_report_and_hidden_ones_are_marked():
    titles = {row["板块"].split(" / ")[0] for row in demo.TASKS}
    assert "三、紧盯产镇融合发展，以守正创新之举措建设“魅力新镇”" in titles
    assert "加强政府自身建设" in titles
    hidden = [t for t in titles if t.startswith(("一、", "二、"))]
    assert hidden and all("示例数据" in t for t in hidden)
    assert all(row["示例数据"] == "是" for row in demo.TASKS)


def test_every_demo_task_has_a_quantified_target_and_one_lead_department():
    for row in demo.TASKS:
        assert row["量化目标"], row["编号"]
        assert "、" not in row["牵头单位"]


def test_demo_reports_stop_at_october_or_at_closing():
    reports = demo.progress_reports()
    assert max(r["month"] for r in reports) == 10
    closed = {row["编号"]: row["销号日期"] for row in demo.TASKS if row.get("销号日期")}
    for r in reports:
        if r["number"] in closed:
            assert r["month"] <= closed[r["number"]].month
