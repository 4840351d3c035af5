"""Issue 4 end to end: a clerk fills two figures and submits; the reviewer returns one with a
comment; the clerk fixes and resubmits; the reviewer approves; the dashboard shows the new
numbers and the history shows every step."""

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GRID = "/entry/?year=2025&month=11"
REVIEW = "/entry/review/?year=2025&month=11"


def switch_user(page, server, username):
    page.context.clear_cookies()
    login(page, server, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def row(page, code):
    return page.locator("table.entry tbody tr", has_text=code)


def test_clerk_submits_reviewer_returns_clerk_fixes_reviewer_approves(
    demo_server, local_page, screenshot
):
    page, server = local_page, demo_server
    switch_user(page, server, "clerk")
    page.goto(server.url + GRID)
    # Two figures: 开票销售 typed with full-width digits, then Enter moves down to 固定资产投资.
    page.locator("table.entry input.value").first.fill("２１.３")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == row(page, "XM01").locator(
        "input.value"
    ).get_attribute("name")
    page.keyboard.type("10.6")
    assert row(page, "XM01").locator(".completion").inner_text() == "92.2%"  # 10.6 ÷ 11.50
    screenshot(page, "entry-1-clerk-typed")
    page.click("button[value=submit]")
    page.wait_for_selector(".messages")
    assert "报送2项" in page.inner_text(".messages")
    assert row(page, "JJ03").locator(".status-submitted").count() == 1

    switch_user(page, server, "reviewer")
    page.goto(server.url + REVIEW)
    assert "待审核2项" in page.inner_text("body")
    screenshot(page, "entry-2-review")
    xm01 = row(page, "XM01")
    xm01.locator("input[name=comment]").fill("请按统计入库口径核对")
    xm01.locator("button", has_text="退回").click()
    page.wait_for_selector(".messages")

    switch_user(page, server, "clerk")
    page.goto(server.url + GRID)
    assert "退回意见：请按统计入库口径核对" in row(page, "XM01").inner_text()
    screenshot(page, "entry-3-clerk-sees-return")
    row(page, "XM01").locator("input.value").fill("10.55")
    row(page, "XM01").locator("input.note").fill("已按入库口径核对")
    page.click("button[value=submit]")
    page.wait_for_selector(".messages")
    assert "报送1项" in page.inner_text(".messages")

    switch_user(page, server, "reviewer")
    page.goto(server.url + REVIEW)
    page.check("#check-all")
    page.click("button[form=approve-form]")
    page.wait_for_selector(".messages")
    assert "已审核通过2项" in page.inner_text(".messages")
    assert page.locator(".status-approved").count() >= 2
    screenshot(page, "entry-4-approved")

    switch_user(page, server, "leader")
    page.goto(server.url + "/?area=T01&year=2025&month=11")
    body = page.inner_text("body")
    assert "21.30" in body and "10.55" in body
    screenshot(page, "entry-5-dashboard")

    # The indicator page carries the same history as the full history page.
    page.goto(server.url + "/indicators/XM01/?area=T01&year=2025&month=11")
    assert "10.55" in page.inner_text(".sentence")
    on_page = page.inner_text("table.history")
    assert "退回：请按统计入库口径核对" in on_page and "审核通过" in on_page

    page.goto(server.url + "/entry/history/XM01/?area=T01")
    history = page.inner_text("table.history")
    assert "退回：请按统计入库口径核对" in history and "审核通过" in history
    assert "10.6" in history and "10.55" in history and "已按入库口径核对" in history
    screenshot(page, "entry-6-history")

    page.goto(server.url + "/entry/progress/?year=2025&month=11")
    assert "经发办" in page.inner_text("table.progress")
    screenshot(page, "entry-7-progress")
