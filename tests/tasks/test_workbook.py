import datetime
import io

import pytest
from openpyxl import Workbook

from indicators.models import Department
from indicators.workbook import export_rows, read_file, workbook_import
from tasks.models import Milestone, Section, Task, TaskLightChange
from tests.factories import make_area, make_user

pytestmark = pytest.mark.django_db

TASKS = [
    ["编号", "板块", "任务名称", "具体内容", "牵头领导", "牵头单位", "配合单位", "完成时限",
     "关联指标编码", "量化目标", "状态"],
    ["2025-03-01", "三、紧盯产镇融合发展 / 一是实施基础设施工程", "建设污水管网8公里", "雨污分流",
     "李镇长", "城建办", "财政所、经发办", datetime.datetime(2025, 9, 30), None, "8公里", "推进中"],
    ["2025-03-02", "三、紧盯产镇融合发展 / 一是实施基础设施工程", "道路提升", None, "leader",
     "城建办", None, "年底", None, "12公里", None],
    ["2025-04-01", "四、紧盯民生工程改善", "社会救助五项机制", None, None, "社会事务办", None,
     "6月底", None, None, "已销号"],
]  # fmt: skip
MILESTONES = [
    ["任务编号", "节点内容", "完成时限", "完成日期"],
    ["2025-03-01", "6月底前完成4公里", "2025-06-30", "2025/6/28"],
    ["2025-03-01", "完成8公里", "2025年9月30日", None],
]


@pytest.fixture
def town(db):
    return make_area(code="T01", name="示例镇", level="town")


@pytest.fixture
def mayor(town):
    return make_user("leader", role="leader", area=town, first_name="李镇长")


def book(tasks=TASKS, milestones=MILESTONES):
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in (("任务", tasks), ("节点", milestones)):
        if rows is None:
            continue
        ws = workbook.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return read_file(out, name="book.xlsx")


def messages(plan):
    return [str(e) for e in plan.errors]


def test_import_creates_sections_tasks_and_milestones(town, mayor):
    plan = workbook_import(book())
    assert plan.ok, messages(plan)
    task = Task.objects.get(number="2025-03-01")
    assert (task.year, task.area, task.lead_leader, task.deadline) == (
        2025,
        town,
        mayor,
        datetime.date(2025, 9, 30),
    )
    assert task.section.title == "一是实施基础设施工程"
    assert task.section.parent.title == "三、紧盯产镇融合发展"
    assert sorted(d.name for d in task.cooperating.all()) == ["经发办", "财政所"]
    assert task.status == Task.Status.IN_PROGRESS
    assert Task.objects.get(number="2025-03-02").deadline == datetime.date(2025, 12, 31)
    assert Task.objects.get(number="2025-04-01").deadline == datetime.date(2025, 6, 30)
    assert list(task.milestones.values_list("due", "done_on")) == [
        (datetime.date(2025, 6, 30), datetime.date(2025, 6, 28)),
        (datetime.date(2025, 9, 30), None),
    ]
    assert Section.objects.filter(parent=None).count() == 2
    assert "新建部门：城建办、财政所、经发办、社会事务办" in plan.summary_lines()
    assert TaskLightChange.objects.filter(reason__startswith="工作簿导入").count() == 3


def test_importing_twice_changes_nothing(town, mayor):
    workbook_import(book())
    plan = workbook_import(book())
    assert plan.counts["任务"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert plan.counts["节点"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert TaskLightChange.objects.count() == 3


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (["2025-03-09", "三", "任务", None, "无名氏", "城建办", None, "年底"], "牵头领导", "不存在"),
        (["2025-03-09", "三", "任务", None, None, "城建办、财政所", None, "年底"], "牵头单位", "只能填一个"),
        (["2025-03-09", "三", "任务", None, None, "城建办", None, "明年"], "完成时限", "不是日期"),
        (["25-03-09", "三", "任务", None, None, "城建办", None, "年底"], "编号", "以年度开头"),
        (["2025-03-09", "三", "任务", None, None, "城建办", None, "年底", "NOPE"], "关联指标编码", "不存在"),
        (["2025-03-09", "三", None, None, None, "城建办", None, "年底"], "任务名称", "不能为空"),
        (["2025-03-09", "三", "任务", None, None, "城建办", None, "年底", None, None, "已取消"], "取消原因", "取消原因"),
        (["2025-03-09", "三", "任务", None, None, "城建办", None, "年底", None, None, "延期"], "原完成时限", "原完成时限"),
        (["2025-03-09", "三", "任务", None, None, "城建办", None, "年底", None, None, "完成"], "状态", "无效"),
    ],
)  # fmt: skip
def test_bad_task_rows_are_refused_and_nothing_is_written(town, mayor, row, column, fragment):
    plan = workbook_import(book(tasks=[*TASKS, row]))
    assert not plan.ok
    assert any(f"第5行 「{column}」列" in m and fragment in m for m in messages(plan)), messages(
        plan
    )
    assert not Task.objects.exists() and not Department.objects.exists()


def test_a_duplicate_number_is_refused(town, mayor):
    plan = workbook_import(book(tasks=[*TASKS, TASKS[1]]))
    assert any("与第2行重复" in m for m in messages(plan))


def test_a_milestone_of_an_unknown_task_is_refused(town, mayor):
    plan = workbook_import(book(milestones=[*MILESTONES, ["2025-09-99", "节点", "2025-06-30"]]))
    assert any("节点表 第4行 「任务编号」列" in m for m in messages(plan)), messages(plan)
    assert not Milestone.objects.exists()


def test_missing_required_columns_are_reported(town):
    plan = workbook_import(book(tasks=[["编号", "任务名称"], ["2025-01-01", "任务"]]))
    missing = {e.column for e in plan.errors if e.row == 0}
    assert missing == {"板块", "牵头单位", "完成时限"}


def test_several_towns_need_an_area_code(town, mayor):
    make_area(code="T02", name="二镇", level="town")
    plan = workbook_import(book())
    assert any("区域编码" in m for m in messages(plan))


def test_milestones_alone_update_existing_tasks(town, mayor):
    workbook_import(book())
    plan = workbook_import(
        book(
            tasks=None,
            milestones=[MILESTONES[0], ["2025-03-01", "完成8公里", "2025-09-30", "2025-09-29"]],
        )
    )
    assert plan.ok, messages(plan)
    assert Milestone.objects.get(content="完成8公里").done_on == datetime.date(2025, 9, 29)


def test_a_csv_task_sheet_is_recognised_by_its_header(town, mayor, tmp_path):
    path = tmp_path / "台账.csv"
    lines = [
        "编号,板块,任务名称,牵头单位,完成时限",
        "2025-05-01,加强政府自身建设,政务公开,党政办,2025-12-31",
    ]
    path.write_bytes("\n".join(lines).encode("gb18030"))
    plan = workbook_import(read_file(path))
    assert plan.ok, messages(plan)
    assert Task.objects.get().lead_department.name == "党政办"


def test_export_writes_what_import_reads(town, mayor):
    workbook_import(book())
    rows = export_rows()
    assert rows["任务"][0][:8] == [
        "2025-03-01",
        "三、紧盯产镇融合发展 / 一是实施基础设施工程",
        "建设污水管网8公里",
        "雨污分流",
        "李镇长",
        "城建办",
        "财政所、经发办",
        datetime.date(2025, 9, 30),
    ]
    assert rows["节点"][0] == [
        "2025-03-01", "6月底前完成4公里", datetime.date(2025, 6, 30), datetime.date(2025, 6, 28)
    ]  # fmt: skip
