"""The English catalogue (locale/en): English pages on request, Chinese by default, every entry
translated, and the files the township exchanges still in Chinese."""

import ast
import gettext
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from indicators import formatting as fmt
from indicators.templatetags import numbers

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"

# Page furniture — navigation, headings, buttons, column heads — that an English page must not
# show in Chinese. Data stays Chinese (area, indicator and task names, units, the bulletin
# sentences), so the list avoids words that also occur in the demo's data.
CHINESE_LABELS = [
    "驾驶舱",
    "数据填报",
    "填报进度",
    "退出",
    "切换",
    "进度差",
    "完成率",
    "需要关注",
    "进度滞后的村",
    "重点指标",
    "查看台账",
    "导出Excel",
    "清除筛选",
    "牵头单位",
    "保存草稿",
    "提交审核",
    "上年同期",
    "登录",
    "用户名",
    "密码",
]

PAGES = [
    (
        "leader",
        "/?area=T01&year=2025&month=10",
        ["Dashboard", "Time elapsed", "Gap to pace", "Key indicators", "Villages behind pace"],
    ),
    (
        "leader",
        "/tasks/?year=2025&as_of=2025-10-31",
        ["Key tasks ledger 2025", "Lights as of <b>Oct. 31, 2025</b>", "Lead unit", "On pace"],
    ),
    (
        "clerk",
        "/entry/?year=2025&month=11",
        ["data entry, Nov 2025", "Deadline: Dec. 10, 2025", "Save draft", "Annual target"],
    ),
    (None, "/accounts/login/", ["Log in", "Username", "Password"]),
]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def html_of(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content.decode()[:300]
    return response.content.decode()


@pytest.mark.parametrize(("username", "url", "english"), PAGES)
def test_pages_are_english_when_the_browser_asks_for_english(client, demo, username, url, english):
    if username:
        client.login(username=username, password="demo1234")
    html = html_of(client, url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="en">' in html
    for word in english:
        assert word in html
    assert [label for label in CHINESE_LABELS if label in html] == []


@pytest.mark.parametrize("accept_language", [None, "zh-CN,zh;q=0.9"])
def test_pages_stay_chinese_without_a_request_for_english(client, demo, accept_language):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    assert "用户名" in html_of(client, "/accounts/login/", **headers)
    client.login(username="leader", password="demo1234")
    html = html_of(client, "/?area=T01&year=2025&month=10", **headers)
    assert '<html lang="zh-hans">' in html
    assert "驾驶舱" in html and "时序进度" in html and "2025年1—10月" in html
    assert "Dashboard" not in html and "Gap to pace" not in html


def test_the_language_switch_in_the_footer_keeps_english_for_the_session(client, demo):
    client.login(username="leader", password="demo1234")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/tasks/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = html_of(client, "/entry/progress/?year=2025&month=10")
    assert "reporting progress, Oct 2025" in html and "填报进度" not in html


def test_excel_files_stay_chinese_on_an_english_page(client, demo):
    client.login(username="leader", password="demo1234")
    response = client.get(
        "/tasks/export.xlsx?year=2025&as_of=2025-10-31", HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0].startswith("2025年重点工作任务台账")
    assert rows[2][:3] == ("编号", "任务名称", "量化目标")
    assert rows[2][-1] == "亮灯"


# ---------------------------------------------------------------------------- the catalogue


def po_entries():
    """Every entry of django.po but the header, as {flags, msgctxt, msgid, msgid_plural, msgstr}
    where msgstr maps the plural index (0 without plural) to the text.

    makemessages writes one entry per paragraph, each string quoted like a Python literal and
    possibly continued on the following lines.
    """
    entries = []
    for block in (CATALOGUE / "django.po").read_text(encoding="utf-8").split("\n\n"):
        fields, flags, key = {}, "", None
        for line in block.splitlines():
            assert not line.startswith("#~"), f"obsolete entry left in django.po: {line}"
            if line.startswith("#,"):
                flags = line
            elif line.startswith('"'):
                fields[key] += ast.literal_eval(line)
            elif line and not line.startswith("#"):
                key, _, quoted = line.partition(" ")
                fields[key] = ast.literal_eval(quoted)
        if fields.get("msgid"):
            entries.append(
                {
                    "flags": flags,
                    "msgctxt": fields.get("msgctxt"),
                    "msgid": fields["msgid"],
                    "msgid_plural": fields.get("msgid_plural"),
                    "msgstr": {
                        int(k[7:-1]) if "[" in k else 0: v
                        for k, v in fields.items()
                        if k.startswith("msgstr")
                    },
                }
            )
    return entries


def test_every_entry_of_the_english_catalogue_is_translated():
    entries = po_entries()
    assert len(entries) > 500
    untranslated = [e["msgid"] for e in entries if not e["msgstr"] or not all(e["msgstr"].values())]
    assert untranslated == []
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    plural = [e for e in entries if e["msgid_plural"]]
    assert plural and all(set(e["msgstr"]) == {0, 1} for e in plural)


def test_translations_keep_every_placeholder():
    placeholder = re.compile(r"%\(\w+\)[sd]|%%")
    wrong = []
    for e in po_entries():
        want = sorted(placeholder.findall(e["msgid"]))
        for text in e["msgstr"].values():
            if "python-format" in e["flags"] and sorted(placeholder.findall(text)) != want:
                wrong.append((e["msgid"], text))
    assert wrong == []


def test_the_compiled_catalogue_matches_the_po_file():
    """The .mo is committed (a fresh machine may lack msgfmt): `make messages` rebuilds it."""
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for e in po_entries():
        if e["msgid_plural"]:
            got = [compiled.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
            want = [e["msgstr"][0], e["msgstr"][1]]
        elif e["msgctxt"]:
            got, want = compiled.pgettext(e["msgctxt"], e["msgid"]), e["msgstr"][0]
        else:
            got, want = compiled.gettext(e["msgid"]), e["msgstr"][0]
        if got != want:
            stale.append(e["msgid"])
    assert stale == []


# ---------------------------------------------------------------------------- numbers on the page


@pytest.mark.parametrize("value", [None, "9.84", "-3.1", "0.04", "-0.04", "0", "2.65", "-4.0"])
def test_number_filters_in_chinese_are_the_bulletins_words(value):
    value = None if value is None else Decimal(value)
    with translation.override("zh-hans"):
        assert numbers.points(value) == fmt.points(value)
        assert numbers.growth(value) == (fmt.growth(value) or "同比 —")


def test_number_filters_in_english():
    with translation.override("en"):
        assert numbers.points(Decimal("2.65")) == "+2.7 pp"
        assert numbers.points(Decimal("-4")) == "-4.0 pp"
        assert numbers.growth(Decimal("9.84")) == "+9.8% YoY"
        assert numbers.growth(Decimal("-3.1")) == "-3.1% YoY"
        assert numbers.growth(Decimal("0.04")) == "flat YoY"
        assert numbers.month(10) == "Oct" and numbers.month(10, 2025) == "Oct 2025"
    with translation.override("zh-hans"):
        assert numbers.month(10) == "10月" and numbers.month(10, 2025) == "2025年10月"
