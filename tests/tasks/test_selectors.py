import datetime

import pytest

from tasks.selectors import ledger_rows, task_tally
from tests.factories import make_department, make_figure, make_indicator, make_user

from .factories import make_milestone, make_section, make_task

pytestmark = pytest.mark.django_db
D = datetime.date
AS_OF = D(2025, 10, 31)


def ledger(town, size):
    """`size` tasks of every light, with milestones, reports, cooperating departments and a
    linked indicator, across two sections and two departments."""
    leader = make_user(f"l{size}", role="leader", area=town, first_name="李镇长")
    parent = make_section(title="三、产镇融合")
    child = make_section(title="一是基础设施", parent=parent)
    indicator = make_indicator(kind="count", unit="公里")
    make_figure(indicator, town, 2025, 10, 4)
    departments = [make_department("城建办"), make_department("财政所")]
    for i in range(size):
        kind = i % 4
        task = make_task(
            town,
            section=child if i % 2 else parent,
            lead_department=departments[i % 2],
            lead_leader=leader,
            cooperating=departments,
            deadline=D(2025, 9, 30) if kind == 3 else D(2025, 12, 31),
            status="closed" if kind == 0 else "in_progress",
            indicator=indicator if kind == 1 else None,
            target_value=8 if kind == 1 else None,
        )
        make_milestone(task, D(2025, 8, 31) if kind == 2 else D(2025, 12, 1))
        task.reports.create(
            year=2025, month=9, situation="推进", percent=60, reported_on=D(2025, 9, 28)
        )
    return town


def test_rows_carry_light_progress_and_the_next_milestone(town):
    ledger(town, 4)
    rows = ledger_rows(year=2025, as_of=AS_OF)
    assert [r.light for r in rows] == ["blue", "yellow", "green", "red"]
    _closed, missed, linked, overdue = rows
    assert linked.progress_source == "figure" and linked.progress_pct == 50
    assert missed.progress_pct == 60 and missed.progress_source == "report"
    assert overdue.overdue and overdue.days_left == -31
    assert missed.next_milestone.due == D(2025, 8, 31)


def test_reports_after_the_as_of_month_are_not_read(town):
    ledger(town, 4)
    rows = ledger_rows(year=2025, as_of=D(2025, 8, 31))
    assert all(r.report is None for r in rows)


def test_tally_counts_by_light_status_department_and_leader(town):
    ledger(town, 8)
    tally = task_tally(year=2025, as_of=AS_OF)
    assert tally["sentence"] == "8项重点任务中，已完成2项，达进度2项，欠进度2项，逾期2项。"
    assert tally["by_light"] == {"blue": 2, "green": 2, "yellow": 2, "red": 2}
    assert dict((v, n) for v, _, n in tally["by_status"])["closed"] == 2
    [mayor] = tally["leaders"]
    assert (mayor.name, mayor.total) == ("李镇长", 8)
    # 城建办 leads kinds 0 and 2 (closed, yellow): all on time; 财政所 leads 1 and 3: half.
    assert [(b.name, b.on_time_pct) for b in tally["departments"]] == [
        ("城建办", 100),
        ("财政所", 50),
    ]
    assert [r.task.number for r in tally["overdue"]] == [
        r.task.number for r in ledger_rows(year=2025, as_of=AS_OF) if r.overdue
    ]


def test_cancelled_tasks_are_counted_apart(town):
    make_task(town, status="cancelled", cancel_reason="区里统一建设")
    make_task(town)
    tally = task_tally(year=2025, as_of=AS_OF)
    assert (
        tally["sentence"]
        == "1项重点任务中，已完成0项，达进度1项，欠进度0项，逾期0项。另有1项已取消。"
    )


def test_tally_is_limited_to_the_area(town, outsider):
    make_task(town)
    make_task(outsider.membership.area)
    assert task_tally(year=2025, as_of=AS_OF, area=town)["total"] == 1


# The ledger and the dashboard block read: areas, light rule, tasks, cooperating, milestones,
# reports, and the linked indicators' figures (own + roll-up).
MAX_QUERIES = 8


@pytest.mark.parametrize("size", [4, 40])
def test_ledger_rows_run_a_constant_number_of_queries(town, size, django_assert_max_num_queries):
    ledger(town, size)
    with django_assert_max_num_queries(MAX_QUERIES):
        rows = ledger_rows(year=2025, as_of=AS_OF)
    assert len(rows) == size


@pytest.mark.parametrize("size", [4, 40])
def test_task_tally_runs_a_constant_number_of_queries(town, size, django_assert_max_num_queries):
    ledger(town, size)
    with django_assert_max_num_queries(MAX_QUERIES):
        tally = task_tally(year=2025, as_of=AS_OF, area=town)
    assert tally["total"] == size


@pytest.mark.parametrize("as_of", [D(2025, 8, 1), AS_OF, D(2026, 1, 15)])
def test_the_dashboard_tally_reads_as_the_ledger_does(town, as_of):
    """The block's narrow query and the ledger's rows judge every task alike (lights, reasons,
    on-time rates, the overdue and behind lists, in the ledger's order)."""
    from tasks.selectors import tally_from_rows

    ledger(town, 12)
    task = make_task(town, status="close_requested", close_requested_on=D(2025, 9, 1),
                     deadline=D(2025, 9, 30), lead_department=make_department("财政所"))  # fmt: skip
    make_milestone(task, D(2025, 7, 1))
    make_milestone(task, D(2025, 7, 1), content="第二节点")
    narrow = task_tally(year=2025, as_of=as_of, area=town)
    full = tally_from_rows(ledger_rows(year=2025, as_of=as_of, area=town), year=2025, as_of=as_of)
    for key in ("total", "by_light", "by_status", "sentence", "is_demo"):
        assert narrow[key] == full[key]
    for key in ("departments", "leaders"):
        assert [(b.name, b.total, b.counts, b.on_time) for b in narrow[key]] == [
            (b.name, b.total, b.counts, b.on_time) for b in full[key]
        ]
    for key in ("overdue", "behind"):
        assert [(r.task.number, r.light, r.light_reason, r.days_left) for r in narrow[key]] == [
            (r.task.number, r.light, r.light_reason, r.days_left) for r in full[key]
        ]


def test_a_district_tallies_its_own_towns_tasks_whether_or_not_it_holds_every_area(db):
    from indicators.areas import AreaTree
    from tests.factories import make_area

    district = make_area(code="QD", name="区", level="district")
    towns = [make_area(code=f"QD{n}", level="town", parent=district) for n in (1, 2)]
    village = make_area(code="QD1V1", level="village", parent=towns[0])
    for area in (*towns, village, district):
        make_task(area)
    as_of = datetime.date(2025, 10, 31)
    # The district is the whole tree: no filter is needed, and none drops a task.
    assert task_tally(year=2025, as_of=as_of, area=district, tree=AreaTree())["total"] == 4
    # A town outside it: its task is not the district's.
    make_task(make_area(code="QX", level="town"))
    assert task_tally(year=2025, as_of=as_of, area=district, tree=AreaTree())["total"] == 4
    assert task_tally(year=2025, as_of=as_of, area=towns[0], tree=AreaTree())["total"] == 2
