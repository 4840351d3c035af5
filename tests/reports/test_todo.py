"""待办 (reports/todo.py): what waits for each role, with its count and where it is done."""

import datetime

import pytest

from indicators.models import Area, Figure, Indicator
from reports.todo import Kind, todo_for
from tasks.models import ExtensionRequest, ProgressReport, Task
from tests.factories import (
    make_department,
    make_figure,
    make_indicator,
    make_target,
    make_town_with_villages,
    make_user,
)
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 11, 5)  # reporting October; its deadline is November 10th
Status = Figure.Status


@pytest.fixture
def town():
    """A town of three villages whose 经发办 owns a town-level monthly indicator, a
    village-level one and a quarterly one."""
    town, villages = make_town_with_villages(3)
    dept = make_department("经发办")
    town_level = make_indicator(department=dept)
    village_level = make_indicator(department=dept, entry_level=Indicator.EntryLevel.VILLAGE)
    quarterly = make_indicator(department=dept, cadence=Indicator.Cadence.QUARTERLY)
    return town, villages, dept, town_level, village_level, quarterly


def kinds(todo):
    return [item.kind for item in todo.items]


def test_a_clerk_sees_the_figures_due_the_returned_ones_and_the_reports_due(town):
    town, villages, dept, town_level, village_level, _quarterly = town
    clerk = make_user("c", role="clerk", area=town, department=dept)
    # October: the town figure and one village of three are in; two are missing.
    make_figure(town_level, town, 2025, 10, 5, status=Status.SUBMITTED)
    make_figure(village_level, villages[0], 2025, 10, 5, status=Status.DRAFT)
    make_figure(village_level, villages[1], 2025, 10, 5, status=Status.SUBMITTED)
    # September (quarter end): all in but the quarterly one; one village was returned.
    make_figure(town_level, town, 2025, 9, 4)
    for v in villages:
        make_figure(
            village_level,
            v,
            2025,
            9,
            4,
            status=Status.RETURNED if v == villages[2] else Status.APPROVED,
        )
    task = make_task(town, lead_department=dept, status=Task.Status.IN_PROGRESS)
    reported = make_task(town, lead_department=dept, status=Task.Status.IN_PROGRESS)
    ProgressReport.objects.create(
        task=reported, year=2025, month=11, percent=50, situation="按计划", reported_on=TODAY
    )
    make_task(town, lead_department=make_department("财政所"), status=Task.Status.IN_PROGRESS)

    todo = todo_for(clerk, today=TODAY)

    assert kinds(todo) == [Kind.ENTER, Kind.ENTER, Kind.FIX, Kind.REPORT]
    october, september, returned, report = todo.items
    assert october.text == "2025年10月数据：应报4项，还有2项未报送" and october.count == 2
    assert october.due == datetime.date(2025, 11, 10) and not october.late
    assert "year=2025&month=10" in october.url and october.url.startswith("/entry/")
    assert september.text == "2025年9月数据：应报5项，还有1项未报送"
    assert september.due == datetime.date(2025, 10, 10) and september.late
    assert returned.count == 1 and "被退回" in returned.text and "month=9" in returned.url
    assert report.url == f"/tasks/{task.number}/progress/" and task.title in report.text
    assert todo.count == 2 + 1 + 1 + 1


def test_a_clerk_with_everything_reported_has_nothing_to_do(town):
    town, villages, dept, town_level, village_level, quarterly = town
    clerk = make_user("c", role="clerk", area=town, department=dept)
    for month in (9, 10):
        make_figure(town_level, town, 2025, month, 1)
        for v in villages:
            make_figure(village_level, v, 2025, month, 1)
    make_figure(quarterly, town, 2025, 9, 1)
    assert todo_for(clerk, today=TODAY).items == []


def test_a_reviewer_sees_the_figures_waiting_by_month(town):
    town, villages, dept, town_level, village_level, _quarterly = town
    reviewer = make_user("r", role="reviewer", area=town, department=dept)
    make_figure(town_level, town, 2025, 10, 5, status=Status.SUBMITTED)
    make_figure(village_level, villages[0], 2025, 10, 5, status=Status.SUBMITTED)
    make_figure(village_level, villages[1], 2025, 9, 5, status=Status.SUBMITTED)
    make_figure(village_level, villages[2], 2025, 10, 5, status=Status.DRAFT)
    other, _villages = make_town_with_villages(1, code="U")
    make_figure(town_level, other, 2025, 10, 5, status=Status.SUBMITTED)  # another town's

    todo = todo_for(reviewer, today=TODAY)

    assert [(i.text, i.count) for i in todo.items] == [
        ("2025年10月：2项数据待审核", 2),
        ("2025年9月：1项数据待审核", 1),
    ]
    assert todo.items[0].url == f"/entry/review/?department={dept.pk}&year=2025&month=10"


def test_a_leader_sees_the_closures_and_extensions_of_the_tasks_they_lead(town):
    town = town[0]
    leader = make_user("l", role="leader", area=town, first_name="李镇长")
    other = make_user("o", role="leader", area=town)
    closing = make_task(
        town, lead_leader=leader, status=Task.Status.CLOSE_REQUESTED, close_requested_on=TODAY
    )
    extending = make_task(town, lead_leader=leader, status=Task.Status.IN_PROGRESS)
    ExtensionRequest.objects.create(
        task=extending,
        new_deadline=datetime.date(2026, 3, 31),
        reason="征地延后",
        requested_on=TODAY,
    )
    decided = make_task(town, lead_leader=leader, status=Task.Status.IN_PROGRESS)
    ExtensionRequest.objects.create(
        task=decided,
        new_deadline=datetime.date(2026, 3, 31),
        reason="征地延后",
        requested_on=TODAY,
        decision=ExtensionRequest.Decision.APPROVED,
    )
    make_task(town, lead_leader=other, status=Task.Status.CLOSE_REQUESTED)

    todo = todo_for(leader, today=TODAY)

    assert kinds(todo) == [Kind.DECIDE, Kind.DECIDE]
    assert todo.items[0].text == f"{closing.number} {closing.title}：申请销号，待审批"
    assert (
        todo.items[1].text
        == f"{extending.number} {extending.title}：申请延期至2026年3月31日，待审批"
    )
    assert todo.items[0].url == f"/tasks/{closing.number}/"
    assert todo.items[1].note == "申请于2025年11月5日"


def test_an_administrator_sees_the_months_to_close_and_a_year_to_open(town):
    town, _villages, _dept, town_level, _village_level, _quarterly = town
    admin = make_user("a", role="admin", area=town)
    todo = todo_for(admin, today=TODAY)
    # October's deadline has not passed: September is the latest month to close.
    closing = [i for i in todo.items if i.kind == Kind.CLOSE]
    assert closing[0].text.startswith("2025年9月数据尚未收齐：应报5项，已审核0项")
    assert closing[0].url == "/entry/progress/?year=2025&month=9" and closing[0].late
    assert len(closing) == 4 and "更早还有" in closing[-1].text
    assert [i.kind for i in todo.items][-1] == Kind.OPEN
    assert todo.items[-1].url == "/admin/indicators/target/"

    make_target(town_level, town, value=100)
    make_figure(town_level, town, 2025, 9, 1, status=Status.SUBMITTED)
    todo = todo_for(admin, today=TODAY)
    assert Kind.OPEN not in kinds(todo)
    assert todo.items[0].text == "2025年9月数据尚未收齐：应报5项，已审核0项，待审核1项"


def test_an_administrators_months_are_kept_per_town_until_a_write_but_requests_are_live(
    town, django_assert_max_num_queries
):
    town, _villages, _dept, town_level, _village_level, _quarterly = town
    admin = make_user("a", role="admin", area=town)
    other, _ = make_town_with_villages(1, code="U")
    other_admin = make_user("b", role="admin", area=other)
    first = todo_for(admin, today=TODAY)
    # Kept: the months are not counted again (membership, version, the requests).
    with django_assert_max_num_queries(3):
        assert todo_for(admin, today=TODAY).items == first.items
    # Per town: another town's administrator is never given this town's months.
    assert (
        todo_for(other_admin, today=TODAY)
        .items[0]
        .text.startswith("2025年9月数据尚未收齐：应报3项，已审核0项")
    )
    # A task request replaces no data version, and shows at once.
    task = make_task(town, lead_leader=None, status=Task.Status.CLOSE_REQUESTED)
    assert any(i.url == f"/tasks/{task.number}/" for i in todo_for(admin, today=TODAY).items)
    # A figure approved replaces the version: the month's count moves.
    make_figure(town_level, town, 2025, 9, 1)
    assert (
        todo_for(admin, today=TODAY)
        .items[0]
        .text.startswith("2025年9月数据尚未收齐：应报5项，已审核1项")
    )


def test_people_without_a_role_have_nothing_to_do(town):
    assert todo_for(make_user("x"), today=TODAY).items == []
    assert Area.objects.exists()


# ---------------------------------------------------------------------------- the pages


@pytest.fixture
def waiting(town):
    town, villages, dept, town_level, village_level, _quarterly = town
    make_figure(town_level, town, 2025, 10, 5, status=Status.SUBMITTED)
    make_figure(village_level, villages[0], 2025, 10, 5, status=Status.SUBMITTED)
    return make_user("r", role="reviewer", area=town, department=dept)


def test_the_menu_counts_the_todo_and_the_overview_lists_it(client, waiting):
    client.force_login(waiting)
    page = client.get("/").content.decode()
    assert 'class="todo-link">待办 <span class="badge"' in page and ">2</span></a>" in page
    assert "2025年10月：2项数据待审核" in page and "/entry/review/?department=" in page
    todo = client.get("/todo/").content.decode()
    assert "2025年10月：2项数据待审核" in todo
    # The menu opens the review for a reviewer, not the entry grid.
    assert '<a href="/entry/review/">数据审核</a>' in page


def test_someone_with_nothing_waiting_is_told_so(client, town):
    client.force_login(make_user("x"))
    page = client.get("/todo/").content.decode()
    assert "眼下没有等您处理的事项。" in page and 'class="badge"' not in page


def test_the_todo_page_needs_a_login(client):
    assert client.get("/todo/").status_code == 302
