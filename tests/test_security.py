"""The Content-Security-Policy: no inline script, nothing the policy would block."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
STATIC_JS = Path(settings.BASE_DIR) / "static" / "js"


# ---------------------------------------------------------------------------- CSP


def test_every_response_carries_a_policy_without_inline_script(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    # Nothing loosens script or style beyond default-src.
    assert not {"script-src", "style-src", "script-src-attr", "style-src-attr"} & set(directives)


INLINE = {
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "<style> element": re.compile(r"<style", re.I),
}


@pytest.mark.parametrize("kind", INLINE)
def test_no_template_has_what_the_policy_blocks(kind):
    found = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if INLINE[kind].search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_our_scripts_neither_evaluate_strings_nor_inject_styles():
    for path in STATIC_JS.glob("*.js"):
        if path.name == "Chart.min.js":
            continue
        source = path.read_text(encoding="utf-8")
        for pattern in (
            r"\beval\(",
            r"new Function\(",
            r"createElement\(\s*['\"]style",
            r"\.innerHTML",
        ):
            assert not re.search(pattern, source), (path.name, pattern)


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def test_rendered_pages_carry_no_inline_script_and_only_the_known_bar_styles(client, demo):
    client.login(username="leader", password="demo1234")
    for url in (
        "/?area=T01&year=2025&month=10",
        "/indicators/NY01/?area=T01&year=2025&month=10",
        "/tasks/?year=2025&as_of=2025-10-31",
        "/tasks/print/?year=2025&as_of=2025-10-31",
    ):
        html = client.get(url).content.decode()
        assert not INLINE["event handler attribute"].search(html), url
        assert not INLINE["inline <script>"].search(html), url
        # indicators/tables.py still writes the completion bars' geometry as style="";
        # static/js/site.js copies exactly this shape. Nothing else may appear.
        styles = re.findall(r"<[^>]*\sstyle=[^>]*>", html)
        known = re.compile(
            r'<(span class="fill fill-\w+"|i class="mark") style="(width|left): [\d.]+%">'
        )
        assert [s for s in styles if not known.fullmatch(s)] == [], url
    assert "data-print" in client.get("/?area=T01&year=2025&month=10").content.decode()
