import io
from pathlib import Path

import pytest
from django.core.management import call_command

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Our users' browsers ask for Chinese; headless chromium would otherwise send en-US and,
    now that an English catalogue exists, get the English pages."""
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture
def demo_server(live_server):
    call_command("load_demo", stdout=io.StringIO())
    return live_server


@pytest.fixture
def local_page(page):
    """A page whose requests may not leave 127.0.0.1: any other host fails the test."""
    outside = []

    def route(route):
        host = route.request.url.split("/")[2].rsplit(":", 1)[0]
        if host in ("127.0.0.1", "localhost"):
            return route.continue_()
        outside.append(route.request.url)
        return route.abort()

    page.route("**/*", route)
    yield page
    assert outside == [], f"requests left the machine: {outside}"


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


def login(page, server, username, password="demo1234"):
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
