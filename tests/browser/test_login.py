import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_logs_in_and_sees_the_chinese_overview(demo_server, local_page, screenshot):
    login(local_page, demo_server, "leader")
    local_page.wait_for_selector("table.data")
    assert "工业总产值" in local_page.inner_text("main")
    assert local_page.locator(".light-green").count() > 0
    assert "示例数据" in local_page.inner_text("body")
    screenshot(local_page, "home-desktop")
