import re

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("overview", "/?area=T01&year=2025&month=10"),
    ("indicator", "/indicators/NY01/?area=T01&year=2025&month=10"),
]


def charts_drawn(page):
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".every(c => c.dataset.drawn === '1')",
        timeout=10_000,
    )
    return page.locator("canvas[data-chart]").count()


@pytest.mark.parametrize(("width", "screen"), [(1440, "desktop"), (375, "phone")])
def test_dashboard_pages_draw_every_chart_offline(
    demo_server, local_page, screenshot, width, screen
):
    local_page.set_viewport_size({"width": width, "height": 900})
    login(local_page, demo_server, "leader")
    for name, url in PAGES:
        local_page.goto(demo_server.url + url)
        assert charts_drawn(local_page) >= 1
        # A drawn chart has coloured pixels, not just an empty canvas.
        painted = local_page.evaluate(
            "() => [...document.querySelectorAll('canvas[data-chart]')].every(c => {"
            " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            " for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) return true; } return false; })"
        )
        assert painted
        assert "示例数据" in local_page.inner_text("body")
        screenshot(local_page, f"{name}-{screen}")
    # Phone: nothing wider than the screen but the tables' own scroll boxes.
    overflow = local_page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= width + 1


def test_overview_prints_as_a_clean_table(demo_server, local_page):
    login(local_page, demo_server, "leader")
    local_page.goto(demo_server.url + PAGES[0][1])
    local_page.emulate_media(media="print")
    assert not local_page.locator("form.filters").first.is_visible()
    assert local_page.locator(".printed").first.is_visible()
    assert local_page.locator("table.data").first.is_visible()


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (1366, 768)])
def test_overview_answers_the_meeting_questions_without_scrolling(
    demo_server, local_page, width, height
):
    local_page.set_viewport_size({"width": width, "height": height})
    login(local_page, demo_server, "leader")
    local_page.goto(demo_server.url + PAGES[0][1])
    # On pace or lagging and by how much; against last year; which villages pull the total
    # down; whom to ask: all inside the first screen.
    answers = [
        ".tally",
        ".yoy-line",
        ".lag-list > li:last-child",
        ".keys .kpi:last-child",
        ".villages .village-list > li:last-child",
    ]
    for selector in answers:
        box = local_page.locator(selector).first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height, selector
    assert local_page.evaluate("() => window.scrollY") == 0


# A4 landscape less the 12 mm margins of app.css's @page, in CSS pixels (96 per inch).
PRINTED_WIDTH, PRINTED_HEIGHT = round((297 - 24) / 25.4 * 96), round((210 - 24) / 25.4 * 96)


def test_the_overview_prints_on_at_most_three_a4_pages_with_the_answers_on_the_first(
    demo_server, local_page
):
    login(local_page, demo_server, "leader")
    local_page.goto(demo_server.url + PAGES[0][1])
    charts_drawn(local_page)
    pdf = local_page.pdf(format="A4", print_background=True)
    assert 1 <= len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) <= 3
    # Laid out at the printed width, the heading, the completeness line, 需要关注 and the key
    # indicators fit one page, and the chart starts the next (break-before).
    local_page.set_viewport_size({"width": PRINTED_WIDTH, "height": PRINTED_HEIGHT})
    local_page.emulate_media(media="print")
    first_page = local_page.evaluate(
        "() => Math.max(...['.pagehead', '.tally', '.lag-list', '.keys']"
        ".map(s => document.querySelector(s).getBoundingClientRect().bottom))"
    )
    assert first_page <= PRINTED_HEIGHT
    assert (
        local_page.evaluate(
            "() => getComputedStyle(document.querySelector('.overview')).breakBefore"
        )
        == "page"
    )
    # No figure runs into its neighbour: every cell of the category tables holds its text.
    crowded = local_page.evaluate(
        "() => [...document.querySelectorAll('table.summary td')]"
        ".filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.textContent.trim())"
    )
    assert crowded == []


def test_printed_lights_differ_without_colour(demo_server, local_page):
    login(local_page, demo_server, "leader")
    local_page.goto(demo_server.url + PAGES[0][1])
    local_page.emulate_media(media="print")
    marks = local_page.evaluate(
        "() => Object.fromEntries(['blue', 'green', 'yellow', 'red', 'grey'].map(l => {"
        " const el = document.querySelector('table.summary .light-' + l);"
        " return [l, el && getComputedStyle(el, '::before').content + el.textContent.trim()]; }))"
    )
    assert None not in marks.values() and len(set(marks.values())) == 5
    # Lagging rows carry a rule at their start, thicker for 严重滞后.
    rules = local_page.evaluate(
        "() => ['red', 'yellow', 'green'].map(l => getComputedStyle("
        "document.querySelector('table.summary tr.row-' + l + ' td')).boxShadow)"
    )
    assert rules[0] != "none" and rules[1] != "none" and rules[2] == "none"
    assert rules[0] != rules[1]
