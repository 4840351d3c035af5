"""Under the Content-Security-Policy the pages work as before: the browser reports no blocked
script or style, the charts draw (tests/browser/test_dashboard.py checks their pixels), the
completion bars (inline SVG) keep their length and the print buttons print."""

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every page before its own scripts (and outside the policy, as the browser's tools do).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var el = e.target && e.target.nodeType === 1 ? e.target : null;
  window.__violations.push({
    directive: e.effectiveDirective,
    blocked: e.blockedURI,
    where: el ? el.outerHTML.slice(0, 120) : String(e.target),
  });
});
window.print = function () { window.__printed = (window.__printed || 0) + 1; };
"""

PAGES = {
    "leader": [
        "/?area=T01&year=2025&month=10",
        "/indicators/NY01/?area=T01&year=2025&month=10",
        "/tasks/?year=2025&as_of=2025-10-31",
        "/tasks/print/?year=2025&as_of=2025-10-31",
        "/entry/progress/?year=2025&month=10",
    ],
    "clerk": ["/entry/?year=2025&month=11", "/entry/upload/"],
    "admin": ["/entry/review/", "/admin/", "/admin/tasks/task/"],
}


@pytest.fixture
def watched_page(local_page):
    local_page.add_init_script(RECORD_VIOLATIONS)
    return local_page


def visit(page, url):
    page.goto(url)
    page.wait_for_load_state("load")
    if page.locator("canvas[data-chart]").count():
        page.wait_for_function(
            "() => [...document.querySelectorAll('canvas[data-chart]')]"
            ".every(c => c.dataset.drawn === '1')",
            timeout=10_000,
        )
    return page.evaluate("() => window.__violations")


def test_the_policy_is_enforced_and_its_violations_are_seen(demo_server, watched_page):
    visit(watched_page, demo_server.url + "/accounts/login/")
    watched_page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }"
    )
    watched_page.wait_for_function("() => window.__violations.length > 0")
    assert watched_page.evaluate("() => window.__ran") is None
    assert [v["directive"] for v in watched_page.evaluate("() => window.__violations")] == [
        "script-src-elem"
    ]


def test_no_page_breaks_the_policy(demo_server, watched_page):
    for username, urls in PAGES.items():
        watched_page.context.clear_cookies()
        login(watched_page, demo_server, username)
        for url in urls:
            assert visit(watched_page, demo_server.url + url) == [], url
    watched_page.context.clear_cookies()
    assert visit(watched_page, demo_server.url + "/accounts/login/") == []


def test_charts_inject_no_style_element(demo_server, watched_page):
    login(watched_page, demo_server, "leader")
    visit(watched_page, demo_server.url + PAGES["leader"][1])
    assert watched_page.locator("style").count() == 0
    assert watched_page.locator(".chartjs-size-monitor").count() >= 1
    # The monitor's rules come from app.css: hidden, not taking room under the chart.
    assert (
        watched_page.locator(".chartjs-size-monitor").first.evaluate(
            "el => getComputedStyle(el).position + ' ' + getComputedStyle(el).visibility"
        )
        == "absolute hidden"
    )


def test_completion_bars_keep_their_length(demo_server, watched_page):
    login(watched_page, demo_server, "leader")
    visit(watched_page, demo_server.url + PAGES["leader"][0])
    widths = watched_page.evaluate(
        "() => [...document.querySelectorAll('svg.bar')].map(svg => {"
        " const fill = svg.querySelector('.fill');"
        " return [parseFloat(fill.getAttribute('width')),"
        " fill.getBoundingClientRect().width / svg.getBoundingClientRect().width * 100];"
        "})"
    )
    assert len(widths) > 5 and any(want > 10 for want, _ in widths)
    assert all(abs(want - got) < 1.5 for want, got in widths), widths


@pytest.mark.parametrize(
    "url", ["/?area=T01&year=2025&month=10", "/tasks/print/?year=2025&as_of=2025-10-31"]
)
def test_the_print_buttons_print(demo_server, watched_page, url):
    login(watched_page, demo_server, "leader")
    visit(watched_page, demo_server.url + url)
    watched_page.click("button[data-print]")
    assert watched_page.evaluate("() => window.__printed") == 1
