"""The figure workflow services (indicators/services.py), the audit trail and the summary switch."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from indicators.grid import reporting_progress
from indicators.history import figure_history
from indicators.models import Area, Figure, ReportingWindow
from indicators.periods import deadline
from indicators.selectors import summary_rows, unapproved_count
from indicators.services import (
    Cell,
    WorkflowError,
    figures_approve,
    figures_reopen,
    figures_return,
    figures_save,
    figures_submit,
)
from tests.factories import make_area, make_figure, make_indicator, make_target, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def gdp(department):
    return make_indicator(code="GDP", unit="亿元", department=department)


def save(user, ind, area, raw, *, version=0, note="", confirmed=False, submit=False, month=3):
    cell = Cell(ind, area, raw=raw, note=note, confirmed=confirmed, version=version)
    return figures_save(user=user, cells=[cell], year=2025, month=month, submit=submit)


def test_clerk_saves_a_draft_and_history_records_who_and_why(staff, gdp, town):
    result = save(staff, gdp, town, "１２.５")  # full-width digits are normalised
    assert result.ok
    figure = Figure.objects.get()
    assert figure.value == Decimal("12.5") and figure.status == "draft" and figure.version == 1
    record = figure.history.get()
    assert record.history_user == staff and record.history_change_reason == "保存"


def test_drafts_do_not_count_until_approved_and_the_switch_shows_submitted(
    staff, reviewer, gdp, town
):
    make_target(gdp, town, value=100)
    save(staff, gdp, town, "40", submit=True)
    assert summary_rows(town, 2025, 3)[0].actual is None
    row = summary_rows(town, 2025, 3, include_submitted=True)[0]
    assert row.actual == 40 and row.provisional and row.as_json()["provisional"] is True
    assert unapproved_count(town, 2025, 3) == 1
    figures_approve(user=reviewer, figures=[(Figure.objects.get(), None)])
    row = summary_rows(town, 2025, 3)[0]
    assert row.actual == 40 and not row.provisional
    assert unapproved_count(town, 2025, 3) == 0


def test_village_rollup_is_provisional_when_a_village_figure_is_unapproved(department):
    town = make_area(code="T01", level="town")
    villages = [
        make_area(code=f"V{i}", level="village", parent=town, name=f"村{i}") for i in (1, 2)
    ]
    income = make_indicator(code="INC", entry_level="village", department=department)
    make_figure(income, villages[0], 2025, 3, 10)
    make_figure(income, villages[1], 2025, 3, 5, status="submitted")
    assert summary_rows(town, 2025, 3)[0].actual == 10
    row = summary_rows(town, 2025, 3, include_submitted=True)[0]
    assert row.actual == 15 and row.provisional


def test_reviewer_cannot_approve_own_submission(reviewer, gdp, town):
    save(reviewer, gdp, town, "5", submit=True)
    with pytest.raises(WorkflowError, match="不能审核自己报送"):
        figures_approve(user=reviewer, figures=[(Figure.objects.get(), None)])
    assert Figure.objects.get().status == "submitted"


def test_return_needs_a_comment_the_clerk_then_fixes_and_resubmits(staff, reviewer, gdp, town):
    save(staff, gdp, town, "5", submit=True)
    figure = Figure.objects.get()
    with pytest.raises(WorkflowError, match="退回意见"):
        figures_return(user=reviewer, figure=figure, comment="  ")
    figures_return(user=reviewer, figure=figure, comment="请按开票口径", version=figure.version)
    figure.refresh_from_db()
    assert figure.status == "returned" and figure.review_comment == "请按开票口径"
    assert save(staff, gdp, town, "6", version=figure.version, submit=True).ok
    figure.refresh_from_db()
    assert figure.status == "submitted" and figure.value == 6
    reasons = [h.history_change_reason for h in figure.history.order_by("history_id")]
    # March 2025 is long past its deadline (10 April 2025): the submissions are late.
    assert reasons == ["保存", "报送（逾期）", "退回：请按开票口径", "保存", "报送（逾期）"]


def test_approved_figures_are_locked_until_reopened_with_a_reason(staff, reviewer, gdp, town):
    save(staff, gdp, town, "5", submit=True)
    figure = figures_approve(user=reviewer, figures=[(Figure.objects.get(), None)])[0]
    refused = save(staff, gdp, town, "7", version=figure.version)
    assert "已审核锁定" in refused.errors[0].error
    with pytest.raises(WorkflowError, match="说明原因"):
        figures_reopen(user=reviewer, figure=figure, reason="")
    with pytest.raises(WorkflowError, match="审核权限"):
        figures_reopen(user=staff, figure=figure, reason="想改")
    figure = figures_reopen(user=reviewer, figure=figure, reason="统计局更正")
    assert figure.status == "returned"
    assert save(staff, gdp, town, "7", version=figure.version).ok
    assert Figure.objects.get().value == 7


def test_a_stale_version_is_refused_and_the_newer_value_is_reported(staff, reviewer, gdp, town):
    save(staff, gdp, town, "5")
    first = save(reviewer, gdp, town, "6", version=1)
    assert first.ok
    stale = save(staff, gdp, town, "7", version=1)
    assert not stale.ok
    assert "改为6" in stale.errors[0].error and stale.errors[0].newer.value == 6
    assert Figure.objects.get().value == 6


def test_cumulative_drop_needs_a_reason_and_unit_slip_needs_confirmation(staff, gdp, town):
    make_figure(gdp, town, 2025, 2, "30")
    assert "低于上月累计" in save(staff, gdp, town, "20").errors[0].error
    assert save(staff, gdp, town, "29", note="口径调整：剔除退库企业").ok
    slip = save(staff, gdp, town, "300000", version=1)
    assert slip.errors[0].needs_confirmation and "疑似单位填错" in slip.errors[0].error
    assert not save(staff, gdp, town, "300000", version=1, confirmed=True).ok  # no reason
    assert save(staff, gdp, town, "300000", version=1, confirmed=True, note="确为该值").ok


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "不是数字"),
        ("=A1", "公式"),
        ("-3", None),
        ("1e30", "数值过大"),
        # 16 significant digits: SQLite would hand back 10000000000000.0
        ("10000000000000.01", "有效数字超过15位"),
    ],
)
def test_bad_values_are_refused_in_chinese(staff, town, department, raw, message):
    count = make_indicator(code="C", kind="count", unit="家", department=department)
    result = save(staff, count, town, raw)
    assert not result.ok and not Figure.objects.exists()
    assert message is None or message in result.errors[0].error


def test_a_long_note_with_control_characters_is_kept_whole_in_the_audit(staff, gdp, town):
    # On PostgreSQL a NUL byte, or a reason over 100 characters, used to fail the save.
    note = "口径说明" * 60 + "\x00\x07"
    assert save(staff, gdp, town, "12", note=note).ok
    figure = Figure.objects.get()
    assert figure.note == ("口径说明" * 60)[:255] and "\x00" not in figure.note
    # The whole reason, not cut at django-simple-history's default 100 characters.
    assert figure.history.latest().history_change_reason == "保存；备注：" + figure.note


def test_fifteen_significant_digits_are_kept_exactly(staff, town, department):
    amount = make_indicator(code="A", unit="元", department=department)
    assert save(staff, amount, town, "123456789.123456").ok
    assert Figure.objects.get().value == Decimal("123456789.123456")


def test_future_periods_and_other_departments_are_refused(staff, town, outsider):
    other = make_indicator(code="O")  # no department: nobody enters it
    assert "填报权限" in save(staff, other, town, "1").errors[0].error
    mine = make_indicator(code="M", department=staff.membership.department)
    future = timezone.localdate().year + 1
    cell = Cell(mine, town, raw="1")
    result = figures_save(user=staff, cells=[cell], year=future, month=1)
    assert "尚未开始" in result.errors[0].error
    assert "填报权限" in save(outsider, mine, town, "1").errors[0].error
    assert not Figure.objects.exists()


def test_late_submission_is_marked_late_after_the_deadline_day(staff, gdp, town):
    ReportingWindow.objects.update_or_create(cadence="monthly", defaults={"deadline_day": 5})
    assert deadline("monthly", 2025, 12) == datetime.date(2026, 1, 5)
    save(staff, gdp, town, "1")
    figure = Figure.objects.get()
    on_time = timezone.make_aware(datetime.datetime(2025, 4, 5, 18, 0))
    figures_submit(user=staff, figures=[figure], now=on_time)
    assert not figure.is_late
    figure.status = "draft"
    late = timezone.make_aware(datetime.datetime(2025, 4, 6, 9, 0))
    figures_submit(user=staff, figures=[figure], now=late)
    assert figure.is_late


def test_reporting_progress_counts_per_department(staff, reviewer, gdp, town, department):
    other = make_indicator(code="X", department=department)
    make_indicator(code="Q", department=department, cadence="quarterly")  # not due in April
    save(staff, gdp, town, "1", submit=True, month=4)
    save(staff, other, town, "1", month=4)
    [progress] = reporting_progress(town, [], 2025, 4)
    assert (progress.expected, progress.submitted, progress.draft, progress.missing) == (2, 1, 1, 1)


def test_import_counts_as_approved_and_is_audited(tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    town = Area.objects.get(code="T01")
    assert not Figure.objects.exclude(status="approved").exists()
    record = Figure.history.first()
    assert record.history_change_reason == "工作簿导入"
    assert Figure.history.count() == Figure.objects.count()
    call_command("load_demo", stdout=io.StringIO())  # idempotent: no new history either
    assert Figure.history.count() == Figure.objects.count()
    gdp = Figure.objects.get(indicator__code="JJ04", area=town, year=2025, month=10).indicator
    history = figure_history(gdp, town, year=2025)
    assert history[0].reason == "工作簿导入" and history[0].action == "新增"
    assert history[0].old_value is None


def test_figure_history_has_old_and_new_values(staff, reviewer, gdp, town):
    save(staff, gdp, town, "5")
    save(staff, gdp, town, "8", version=1, note="补录")
    [newest, oldest] = figure_history(gdp, town)
    assert (oldest.old_value, oldest.new_value) == (None, 5)
    assert (newest.old_value, newest.new_value) == (5, 8)
    assert newest.who == staff.username and "补录" in newest.reason


def test_reviewer_of_another_town_or_department_cannot_review(staff, gdp, town):
    save(staff, gdp, town, "5", submit=True)
    figure = Figure.objects.get()
    elsewhere = make_area(code="T77", level="town")
    foreign = make_user("r2", role="reviewer", area=elsewhere, department=gdp.department)
    with pytest.raises(WorkflowError, match="审核权限"):
        figures_approve(user=foreign, figures=[(figure, None)])
    leader = make_user("l2", role="leader", area=town)
    with pytest.raises(WorkflowError, match="审核权限"):
        figures_return(user=leader, figure=figure, comment="不行")
    assert Figure.objects.get().status == "submitted"
