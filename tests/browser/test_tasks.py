"""A task walks from 未启动 through progress to 申请销号 and 已销号; a missed milestone turns it
yellow (issue 5, "Done when")."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from indicators.models import Area, Department
from tasks.models import Milestone, Section, Task
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def new_task() -> Task:
    today = timezone.localdate()
    section, _ = Section.objects.get_or_create(
        year=today.year, title="一、紧盯项目攻坚（示例数据）"
    )
    task = Task.objects.create(
        number=f"{today.year}-01-99",
        year=today.year,
        area=Area.objects.get(code="T01"),
        section=section,
        title="新开工亿元以上食品产业项目1个",
        target_text="项目主体开工",
        lead_department=Department.objects.get(name="经发办"),
        lead_leader=get_user_model().objects.get(username="leader"),
        deadline=today + datetime.timedelta(days=60),
        is_demo=True,
    )
    Milestone.objects.create(
        task=task, content="完成施工许可", due=today + datetime.timedelta(days=5)
    )
    return task


def switch_user(page, server, username):
    page.context.clear_cookies()
    login(page, server, username)
    page.wait_for_selector("header .who")


def test_a_task_walks_from_not_started_to_closed(demo_server, local_page, screenshot):
    page = local_page
    task = new_task()
    url = f"{demo_server.url}/tasks/{task.number}/"
    later = (timezone.localdate() + datetime.timedelta(days=6)).isoformat()

    switch_user(page, demo_server, "clerk")
    page.goto(url)
    head = page.locator(".pagehead")
    assert "未启动" in head.inner_text() and head.locator(".light-green").count() == 1

    # Six days on, the permit milestone is missed: the light turns yellow and says why.
    page.goto(f"{url}?as_of={later}")
    assert head.locator(".light-yellow").count() == 1
    assert "完成施工许可" in head.inner_text()
    assert "已过期未完成" in page.locator(".timeline").inner_text()
    screenshot(page, "task-missed-milestone")

    # The clerk writes the month's progress: the task is now 推进中.
    page.goto(url)
    page.click("text=报送本月进展")
    page.fill("input[name=percent]", "40")
    page.fill("textarea[name=situation]", "项目完成土地摘牌，施工图审查中。")
    page.fill("textarea[name=problems]", "施工许可材料待补齐")
    screenshot(page, "task-progress-form")
    page.click("button[type=submit]:has-text('报送')")
    page.wait_for_selector(".messages")
    assert "推进中" in head.inner_text()
    assert "项目完成土地摘牌" in page.locator(".progress-table").inner_text()

    # A second report after the milestone is done: rewritten for the same month.
    page.click(".milestone-done button")
    page.wait_for_selector(".timeline li.done")
    page.click("text=报送本月进展")
    page.fill("input[name=percent]", "100")
    page.fill("textarea[name=situation]", "取得施工许可，主体工程开工。")
    page.click("button[type=submit]:has-text('报送')")
    page.wait_for_selector(".messages")
    assert "100%" in page.locator(".progress-table").inner_text()

    # The department's reviewer asks for 销号.
    switch_user(page, demo_server, "reviewer")
    page.goto(url)
    page.fill("form[action$='/close/request/'] textarea[name=note]", "项目已开工，附开工报告。")
    page.click("button[name=request_close]")
    page.wait_for_selector(".messages")
    assert "申请销号" in head.inner_text()
    assert page.locator("button[value=approve]").count() == 0  # not the reviewer's to approve

    # The lead leader (镇长) approves: 已销号, blue, and the light history records who.
    switch_user(page, demo_server, "leader")
    page.goto(url)
    page.click("form[action$='/close/decide/'] button[value=approve]")
    page.wait_for_selector(".messages")
    assert "已销号" in head.inner_text() and head.locator(".light-blue").count() == 1
    assert "同意销号" in page.locator(".light-history").inner_text()
    screenshot(page, "task-closed")

    # The ledger and its tally know.
    page.goto(f"{demo_server.url}/tasks/?year={task.year}")
    assert "1项重点任务中，已完成1项" in page.inner_text("main")
    page.goto(f"{demo_server.url}/tasks/?year=2025&as_of=2025-10-31")
    screenshot(page, "tasks-ledger-demo")
    assert "29项重点任务中，已完成5项，达进度18项，欠进度4项，逾期2项。" in page.inner_text("main")
