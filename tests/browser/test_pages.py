"""Every page, for any eyes and on a phone: axe-core (tests/browser/vendor) finds no serious
or critical violation, the admin included, and at 375 px no page scrolls sideways."""

from pathlib import Path

import pytest

from indicators.models import Figure, Indicator, Membership, Target
from tasks.models import Task
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = 375


def pages():
    """(user, url) for every page a person opens, for the roles that open it."""
    task = Task.objects.order_by("number").first().number
    admin = [
        "/admin/",
        f"/admin/indicators/target/{Target.objects.first().pk}/change/",
        f"/admin/indicators/figure/{Figure.objects.first().pk}/change/",
        f"/admin/indicators/indicator/{Indicator.objects.get(code='JJ01').pk}/change/",
        f"/admin/indicators/membership/{Membership.objects.first().pk}/change/",
        f"/admin/tasks/task/{Task.objects.order_by('number').first().pk}/change/",
        "/admin/indicators/schedule/add/",
        "/admin/auth/user/",
    ]
    admin += [f"/admin/{app}/{model}/" for app, model in LISTS]
    return [
        (None, "/accounts/login/"),
        ("leader", "/?area=T01&year=2025&month=10"),
        ("leader", "/?area=T01V01&year=2025&month=10"),
        ("leader", "/indicators/NY01/?area=T01&year=2025&month=10"),
        ("leader", "/indicators/JJ01/?area=T01&year=2025&month=10"),
        ("leader", "/tasks/?year=2025&as_of=2025-10-31"),
        ("leader", "/tasks/print/?year=2025&as_of=2025-10-31"),
        ("leader", f"/tasks/{task}/"),
        ("leader", "/entry/progress/?year=2025&month=10"),
        ("leader", "/todo/"),
        ("leader", "/entry/review/"),  # the refusal, with where to go instead
        ("clerk", "/entry/?year=2025&month=10"),
        ("clerk", "/entry/?year=2025&month=11"),
        ("clerk", "/entry/upload/"),
        ("clerk", "/entry/history/JJ01/?area=T01"),
        ("clerk", f"/tasks/{task}/progress/"),
        ("clerk", "/todo/"),
        ("reviewer", "/entry/review/?year=2025&month=10"),
        ("admin", "/"),
        ("admin", "/nowhere/"),
        *[("admin", url) for url in admin],
    ]


LISTS = [
    ("indicators", "area"),
    ("indicators", "indicator"),
    ("indicators", "target"),
    ("indicators", "figure"),
    ("indicators", "membership"),
    ("indicators", "lightscheme"),
    ("tasks", "task"),
    ("tasks", "progressreport"),
    ("axes", "accessattempt"),
]


def serious(page):
    """axe-core's serious and critical violations on the page, as 'rule: target' lines."""
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))"
    )
    return result


def visit_all(page, server, check):
    """Log in as each user in turn and apply `check(page)` on each of their pages."""
    found, user = {}, "nobody"
    for who, url in pages():
        if who != user:
            page.context.clear_cookies()
            if who:
                login(page, server, who)
            user = who
        page.goto(server.url + url)
        page.wait_for_load_state("networkidle")
        problems = check(page)
        if problems:
            found[f"{who} {url}"] = problems
    return found


def test_no_page_has_a_serious_or_critical_accessibility_violation(demo_server, local_page):
    local_page.context.add_init_script(path=str(AXE))
    local_page.set_viewport_size({"width": 1440, "height": 900})
    assert visit_all(local_page, demo_server, serious) == {}


def test_no_page_has_a_serious_accessibility_violation_on_a_phone(demo_server, local_page):
    local_page.context.add_init_script(path=str(AXE))
    local_page.set_viewport_size({"width": PHONE, "height": 800})
    assert visit_all(local_page, demo_server, serious) == {}


def wider_than_the_screen(page):
    """The document's width beyond the screen's, and the elements that stick out (not those
    inside a box that scrolls on its own)."""
    return page.evaluate(
        """() => {
          const w = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= w) return null;
          const inScroller = el => { for (let p = el.parentElement; p; p = p.parentElement) {
              const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; }
            return false; };
          return [...document.body.querySelectorAll('*')]
            .filter(el => el.getBoundingClientRect().right > w + 1 && !inScroller(el))
            .slice(0, 5).map(el => el.tagName + '.' + el.className);
        }"""
    )


def test_no_page_scrolls_sideways_on_a_phone(demo_server, local_page):
    local_page.set_viewport_size({"width": PHONE, "height": 800})
    assert visit_all(local_page, demo_server, wider_than_the_screen) == {}


def test_filters_fold_away_on_a_phone_and_stay_open_on_a_desktop(demo_server, local_page):
    login(local_page, demo_server, "leader")
    for width, is_open in ((PHONE, False), (1440, True)):
        local_page.set_viewport_size({"width": width, "height": 800})
        for url in ("/?area=T01&year=2025&month=10", "/tasks/?year=2025"):
            local_page.goto(demo_server.url + url)
            assert local_page.locator("form.filters").first.is_visible() is is_open, (width, url)
    local_page.set_viewport_size({"width": PHONE, "height": 800})
    local_page.reload()
    local_page.locator("details.fold > summary").first.click()
    assert local_page.locator("form.filters").first.is_visible()


def test_the_phone_keeps_each_indicators_name_actual_completion_and_light(demo_server, local_page):
    local_page.set_viewport_size({"width": PHONE, "height": 800})
    login(local_page, demo_server, "leader")
    local_page.goto(demo_server.url + "/?area=T01&year=2025&month=10")
    row = local_page.locator("table.summary tbody tr").first
    for cell in ("col-name", "col-actual", "col-progress", "col-light"):
        box = row.locator(f"td.{cell}").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE, cell
    assert not row.locator("td.col-department").is_visible()
    unit = row.locator("td.col-actual [data-unit]").evaluate(
        "el => getComputedStyle(el, '::after').content"
    )
    assert unit == '"万元"'  # the unit travels with the figure
    local_page.goto(demo_server.url + "/tasks/?year=2025&as_of=2025-10-31")
    light = local_page.locator("table.ledger tbody tr").first.locator("td.col-light")
    box = light.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE


def test_the_entry_grid_puts_the_input_right_after_the_name_on_a_phone(demo_server, local_page):
    local_page.set_viewport_size({"width": PHONE, "height": 800})
    login(local_page, demo_server, "clerk")
    local_page.goto(demo_server.url + "/entry/?year=2025&month=11")
    row = local_page.locator("table.entry tbody tr[data-block]").first
    name = row.locator("td.col-name").bounding_box()
    value = row.locator("input.value").bounding_box()
    assert value["x"] + value["width"] <= PHONE
    assert name["y"] < value["y"] < name["y"] + 3 * name["height"]
    # The save bar stays on the screen while the rows scroll.
    bar = local_page.locator(".savebar").bounding_box()
    assert bar["y"] + bar["height"] <= 800 + 1


def test_the_keyboard_focus_is_visible(demo_server, local_page):
    login(local_page, demo_server, "leader")
    local_page.goto(demo_server.url + "/?area=T01&year=2025&month=10")
    for _ in range(3):
        local_page.keyboard.press("Tab")
        outline = local_page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth]; }"
        )
        assert outline[0] == "A" and outline[1] == "solid" and outline[2] == "3px", outline
