import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from tasks import services
from tasks.models import ExtensionRequest, Task, TaskEvent, TaskLightChange, TaskLightRule
from tasks.services import TaskError

from .factories import make_task

pytestmark = pytest.mark.django_db
D = datetime.date


def report(task, user, today, month=None, percent=30, **kwargs):
    return services.progress_report_save(
        task=task,
        user=user,
        year=2025,
        month=month or today.month,
        situation="完成管网铺设2公里",
        percent=percent,
        today=today,
        **kwargs,
    )


def test_first_progress_report_starts_the_task_and_records_its_light(task, staff):
    report(task, staff, D(2025, 6, 15))
    task.refresh_from_db()
    assert task.status == Task.Status.IN_PROGRESS
    change = TaskLightChange.objects.get(task=task)
    assert (change.old, change.new, change.automatic, change.user) == ("", "green", False, staff)
    assert "报送月度进展" in change.reason


def test_writing_the_same_month_again_replaces_the_report(task, staff):
    report(task, staff, D(2025, 6, 15), percent=30)
    report(task, staff, D(2025, 6, 20), percent=40)
    assert list(task.reports.values_list("month", "percent")) == [(6, 40)]


def test_the_same_report_twice_changes_nothing(task, staff):
    report(task, staff, D(2025, 6, 15))
    report(task, staff, D(2025, 6, 15))
    assert TaskEvent.objects.filter(kind="progress").count() == 1


def test_a_report_for_a_future_month_is_refused(task, staff):
    with pytest.raises(TaskError, match="未来月份"):
        report(task, staff, D(2025, 6, 15), month=7)


def test_a_report_keeps_optional_attachments(task, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("验收单.pdf", b"%PDF-1.4", content_type="application/pdf")
    saved = report(task, staff, D(2025, 6, 15), files=[upload])
    [attachment] = saved.files.all()
    assert (attachment.name, attachment.size, attachment.content_type) == (
        "验收单.pdf",
        8,
        "application/pdf",
    )


def test_a_missed_milestone_is_recorded_by_the_daily_refresh_once(task):
    assert services.lights_refresh(today=D(2025, 9, 30)) == 1  # "" → green
    assert services.lights_refresh(today=D(2025, 10, 1)) == 1  # green → yellow
    assert services.lights_refresh(today=D(2025, 10, 2)) == 0
    change = TaskLightChange.objects.filter(task=task).first()
    assert (change.old, change.new, change.automatic, change.user) == (
        "green",
        "yellow",
        True,
        None,
    )
    assert "9月底前完成5公里" in change.reason


def test_completing_the_milestone_turns_the_light_back_green(task, staff):
    services.lights_refresh(today=D(2025, 10, 1))
    milestone = task.milestones.get()
    services.milestone_complete(
        milestone=milestone, user=staff, done_on=D(2025, 10, 2), today=D(2025, 10, 2)
    )
    task.refresh_from_db()
    assert task.light == "green"
    assert TaskLightChange.objects.filter(task=task, user=staff, new="green").exists()


def test_a_milestone_cannot_be_done_in_the_future(task, staff):
    with pytest.raises(TaskError, match="不能晚于今天"):
        services.milestone_complete(
            milestone=task.milestones.get(), user=staff, done_on=D(2025, 7, 1), today=D(2025, 6, 1)
        )


def test_closing_needs_a_request_then_approval(task, staff, reviewer, lead_leader):
    today = D(2025, 11, 20)
    with pytest.raises(TaskError, match="请先报送进展"):
        services.task_close_request(task=task, user=reviewer, today=today)
    report(task, staff, today, percent=100)
    services.task_close_request(task=task, user=reviewer, note="已验收", today=today)
    task.refresh_from_db()
    assert (task.status, task.close_requested_on) == (Task.Status.CLOSE_REQUESTED, today)
    services.task_close_decide(task=task, user=lead_leader, approve=True, today=D(2025, 11, 22))
    task.refresh_from_db()
    assert (task.status, task.closed_on, task.closed_by, task.light) == (
        Task.Status.CLOSED,
        D(2025, 11, 22),
        lead_leader,
        "blue",
    )
    assert TaskLightChange.objects.filter(task=task, new="blue", user=lead_leader).exists()


def test_a_returned_close_request_needs_a_reason_and_reopens_the_task(task, staff, lead_leader):
    today = D(2025, 11, 20)
    report(task, staff, today)
    services.task_close_request(task=task, user=staff, today=today)
    with pytest.raises(TaskError, match="写明原因"):
        services.task_close_decide(task=task, user=lead_leader, approve=False, today=today)
    services.task_close_decide(
        task=task, user=lead_leader, approve=False, note="缺验收材料", today=today
    )
    task.refresh_from_db()
    assert (task.status, task.close_requested_on) == (Task.Status.IN_PROGRESS, None)


def test_extension_keeps_the_original_deadline(task, staff, lead_leader):
    today = D(2025, 12, 1)
    services.extension_request(
        task=task, user=staff, new_deadline=D(2026, 3, 31), reason="冬季停工", today=today
    )
    with pytest.raises(TaskError, match="待审批"):
        services.extension_request(
            task=task, user=staff, new_deadline=D(2026, 4, 30), reason="再延", today=today
        )
    services.extension_decide(task=task, user=lead_leader, approve=True, today=today)
    task.refresh_from_db()
    assert (task.status, task.deadline, task.original_deadline) == (
        Task.Status.EXTENDED,
        D(2026, 3, 31),
        D(2025, 12, 31),
    )
    assert task.extensions.get().decision == ExtensionRequest.Decision.APPROVED


def test_extension_cannot_be_requested_or_approved_after_the_deadline(task, staff, lead_leader):
    with pytest.raises(TaskError, match="已超过完成时限"):
        services.extension_request(
            task=task, user=staff, new_deadline=D(2026, 3, 31), reason="晚了", today=D(2026, 1, 1)
        )
    services.extension_request(
        task=task, user=staff, new_deadline=D(2026, 3, 31), reason="冬季停工", today=D(2025, 12, 30)
    )
    with pytest.raises(TaskError, match="不能再批准"):
        services.extension_decide(task=task, user=lead_leader, approve=True, today=D(2026, 1, 2))


def test_extension_must_move_the_deadline_later(task, staff):
    with pytest.raises(TaskError, match="应晚于"):
        services.extension_request(
            task=task, user=staff, new_deadline=D(2025, 11, 30), reason="提前", today=D(2025, 6, 1)
        )


def test_cancelling_needs_a_reason_and_removes_the_light(task, admin):
    services.lights_refresh(today=D(2025, 6, 1))
    with pytest.raises(TaskError, match="原因"):
        services.task_cancel(task=task, user=admin, reason=" ", today=D(2025, 6, 2))
    services.task_cancel(task=task, user=admin, reason="区里统一建设", today=D(2025, 6, 2))
    task.refresh_from_db()
    assert (task.status, task.light) == (Task.Status.CANCELLED, "")
    with pytest.raises(TaskError):
        report(task, admin, D(2025, 6, 3))


def test_the_light_rule_is_read_from_the_database(task):
    # The fixture's milestone is due 2025-09-30: ten days' grace keeps it green on 10-05.
    TaskLightRule.objects.create(name="宽松", warn_days=7, milestone_grace_days=10)
    assert services.lights_refresh(today=D(2025, 10, 5)) == 1
    task.refresh_from_db()
    assert task.light == "green"


def test_refresh_command_records_changes_as_of_a_date(task):
    out = io.StringIO()
    call_command("tasks_refresh_lights", "--as-of", "2026-01-05", stdout=out)
    assert "1项" in out.getvalue()
    task.refresh_from_db()
    assert task.light == "red"
    assert TaskLightChange.objects.get(task=task).as_of == D(2026, 1, 5)


def test_refresh_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="日期"):
        call_command("tasks_refresh_lights", "--as-of", "2025-13-01")


@pytest.mark.parametrize("size", [3, 30])
def test_refresh_runs_a_fixed_number_of_queries(town, size, django_assert_max_num_queries):
    for _ in range(size):
        make_task(town)
    # savepoint, rule, tasks, milestones, one insert, one update, release
    with django_assert_max_num_queries(7):
        services.lights_refresh(today=D(2025, 6, 1))
