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


def paste(field, text):
    """Paste `text` into `field` as Excel puts it on the clipboard (text/plain)."""
    field.evaluate(
        "(el, text) => { const data = new DataTransfer(); data.setData('text/plain', text);"
        " el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,"
        " cancelable: true})); }",
        text,
    )


def test_a_pasted_column_stops_at_its_indicators_last_village_and_says_so(demo_server, local_page):
    page, server = local_page, demo_server
    switch_user(page, server, "clerk_ny")
    page.goto(server.url + GRID)
    villages = page.locator('table.entry tbody tr[data-block="NY01"]')
    assert villages.count() == 29
    paste(villages.first.locator("input.value"), "\n".join(str(n) for n in range(1, 32)) + "\n")
    values = villages.locator("input.value").evaluate_all("els => els.map(el => el.value)")
    assert values == [str(n) for n in range(1, 30)]
    # The next indicator's villages are untouched, and the clerk is told what was left out.
    following = page.locator('table.entry tbody tr[data-block="ZC01"] input.value')
    assert following.evaluate_all("els => els.map(el => el.value)") == [""] * following.count()
    note = page.inner_text("#paste-note")
    assert "已粘贴29行" in note and "另有2行超出「村集体经济收入」的最后一行" in note


def test_a_two_column_paste_fills_the_values_and_the_notes(demo_server, local_page):
    page, server = local_page, demo_server
    switch_user(page, server, "clerk_ny")
    page.goto(server.url + GRID)
    villages = page.locator('table.entry tbody tr[data-block="NY01"]')
    paste(villages.nth(27).locator("input.value"), "101.5\t含上级补助\r\n99\t\r\n")
    assert villages.nth(27).locator("input.value").input_value() == "101.5"
    assert villages.nth(27).locator("input.note").input_value() == "含上级补助"
    assert villages.nth(28).locator("input.value").input_value() == "99"
    assert "已粘贴2行，含备注" in page.inner_text("#paste-note")
    page.click("button[value=save]")
    page.wait_for_selector(".messages li.success")
    # Success is green, not the warnings' yellow.
    colour = page.locator(".messages li.success").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert colour == "rgb(233, 246, 238)"
