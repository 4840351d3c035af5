"""The faces only show: on the demo township, the overview's tables, the charts' JSON, the API
and `summary --json` state the same numbers for the same period, a month with a gap included.

Each face formats one computation (`indicators.selectors.summary_rows`); if any of them
computed a number of its own, the comparisons below would catch the disagreement.
"""

import io
import json
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from indicators import formatting as fmt
from indicators.models import Figure, Indicator

pytestmark = pytest.mark.django_db

PERIOD = "area=T01&year=2025&month=10"


@pytest.fixture
def leader_client(client):
    call_command("load_demo", stdout=io.StringIO())
    client.login(username="leader", password="demo1234")
    return client


class TableRows(HTMLParser):
    """The cells' text of every row of the overview's category tables, by indicator link."""

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell, self.depth, self.code = {}, None, None, 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "category" in (attrs.get("class") or ""):
            self.depth = 1
        elif tag == "tr" and self.depth:
            self.row, self.code = [], None
        elif tag == "td" and self.row is not None:
            self.cell = []
        elif tag == "a" and self.cell is not None and "/indicators/" in attrs.get("href", ""):
            self.code = attrs["href"].split("/indicators/")[1].split("/")[0]

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row:
            if self.code:
                self.rows[self.code] = self.row
            self.row = None
        elif tag == "section":
            self.depth = 0

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(client, query) -> dict[str, list[str]]:
    parser = TableRows()
    parser.feed(client.get(f"/?{query}").content.decode())
    return parser.rows


def api_rows(client, query) -> dict[str, dict]:
    return {r["code"]: r for r in client.get(f"/api/v1/summary?{query}").json()["indicators"]}


def command_rows(year, month) -> dict[str, dict]:
    out = io.StringIO()
    call_command("summary", "--area", "T01", "--year", year, "--month", month, "--json", stdout=out)
    return {r["code"]: r for r in json.loads(out.getvalue())["indicators"]}


def number(value, places):
    return fmt.figure(None if value is None else Decimal(str(value)), places)


def test_table_api_and_command_state_the_same_numbers(leader_client):
    api = api_rows(leader_client, PERIOD)
    assert api == command_rows("2025", "10")
    table = table_rows(leader_client, PERIOD)
    assert set(table) == set(api)
    decimals = dict(Indicator.objects.values_list("code", "decimals"))
    for code, row in api.items():
        places = decimals[code]
        # 指标, 单位, 目标, 累计/期末, 当月, 完成率, 进度差, 同比, 牵头部门, 亮灯
        shown = table[code][2:8]
        assert shown[0] == number(row["target"], places), code
        assert shown[1] == number(row["actual"], places), code
        assert shown[2] == number(row["month_value"], places), code
        # The percentage beside the gap is the one the gap comes from (DOMAIN §4).
        assert shown[3].endswith(fmt.percent(_dec(row["progress_pct"]))), code
        gap = _dec(row["gap_pp"])
        assert shown[4] == (
            fmt.number(gap, 1) if gap is None or gap <= 0 else f"+{fmt.number(gap, 1)}"
        )
        if row["unit"] == "%":  # a rate's change is in 个百分点
            assert shown[5] == fmt.points(_dec(row["yoy_change"])), code
        else:
            assert shown[5] == fmt.percent(_dec(row["yoy_pct"])), code


def _dec(value):
    return None if value is None else Decimal(str(value))


def test_charts_draw_the_rows_numbers(leader_client):
    api = api_rows(leader_client, PERIOD)
    for code in ("JJ04", "XM03", "NY04", "AQ03"):
        row = api[code]
        cumulative = leader_client.get(f"/charts/indicators/{code}/cumulative/?{PERIOD}").json()
        this_year, _last, pace = (d["data"] for d in cumulative["data"]["datasets"])
        assert this_year[9] == pytest.approx(row["actual"])
        assert this_year[10:] == [None, None]
        # The pace line reaches the target in December; for a cumulative indicator it stands
        # at the target × 时序进度 in October, on the deployment's time basis.
        assert pace[11] == pytest.approx(row["target"])
        if row["kind"] in ("flow", "count"):
            assert pace[9] == pytest.approx(row["target"] * row["time_progress_pct"] / 100)
            months = leader_client.get(f"/charts/indicators/{code}/months/?{PERIOD}").json()
            assert months["data"]["datasets"][0]["data"][9] == pytest.approx(row["month_value"])
    categories = leader_client.get(f"/charts/categories/?{PERIOD}").json()["data"]
    averages = {}
    for row in api.values():
        if row["completion_pct"] is not None and row["direction"] == "positive":
            averages.setdefault(row["category"], []).append(row["completion_pct"])
    drawn = dict(zip(categories["labels"], categories["datasets"][0]["data"], strict=True))
    for name, values in averages.items():
        assert drawn[name] == pytest.approx(sum(values) / len(values))


def test_a_month_with_a_gap_is_undefined_on_every_face(leader_client):
    """No March figure: April's 当月 is "—" in the table, null in the API and the command, and
    a missing bar in the month chart; the chart never bridges the gap."""
    Figure.objects.filter(indicator__code="JJ04", area__code="T01", year=2025, month=3).delete()
    april = "area=T01&year=2025&month=4"
    assert api_rows(leader_client, april)["JJ04"]["month_value"] is None
    assert command_rows("2025", "4")["JJ04"]["month_value"] is None
    assert table_rows(leader_client, april)["JJ04"][4] == fmt.DASH
    bars = leader_client.get(f"/charts/indicators/JJ04/months/?{PERIOD}").json()
    this_year = bars["data"]["datasets"][0]["data"]
    assert this_year[2] is None and this_year[3] is None  # March missing, April undefined
    assert this_year[4] is not None  # May follows April, which exists
    page = leader_client.get(f"/indicators/JJ04/?{PERIOD}").content.decode()
    month_cells = page.split('class="num month-value">')[1:]
    assert [cell.split("<")[0] for cell in month_cells[2:4]] == [fmt.DASH, fmt.DASH]
    assert month_cells[4].split("<")[0] == number(this_year[4], 2)


def test_the_new_fields_agree_on_every_face(leader_client):
    """yoy_change, progress_pct, schedule, projected_full_year, needed_monthly, reported and
    overdue (DOMAIN §8) say the same in the API, the command, the tables and the pages."""
    api = api_rows(leader_client, PERIOD)
    assert api == command_rows("2025", "10")
    # A figure due and not reported after its deadline: never on pace, listed apart.
    assert (api["JJ06"]["reported"], api["JJ06"]["overdue"], api["JJ06"]["light"]) == (
        False,
        True,
        "grey",
    )
    page = leader_client.get(f"/?{PERIOD}").content.decode()
    attention = page[page.index("需要关注") : page.index("重点指标")]
    assert "贸易业企业营业收入</a>" in attention and "逾期未报" in attention
    # A schedule other than n/12: the planned share replaces 83.3% everywhere.
    xm01 = api["XM01"]
    assert xm01["schedule"] == "上半年60%全年120%"
    assert xm01["time_progress_pct"] == pytest.approx(100)
    assert xm01["gap_pp"] == pytest.approx(xm01["progress_pct"] - 100)
    assert "序时：上半年60%全年120%" in table_rows(leader_client, PERIOD)["XM01"][0]
    detail = leader_client.get(f"/indicators/XM01/?{PERIOD}").content.decode()
    assert "低于时序进度（100.0%）12.0个百分点" in detail
    # A rate's change is in 个百分点, never in %.
    ms01 = api["MS01"]
    assert ms01["yoy_pct"] is None and ms01["yoy_change"] == pytest.approx(0.8)
    assert table_rows(leader_client, PERIOD)["MS01"][7] == "+0.8个百分点"
    # The projection and the needed pace, on the indicator page as in the API.
    jj04 = api["JJ04"]
    detail = leader_client.get(f"/indicators/JJ04/?{PERIOD}").content.decode()
    projected = fmt.figure(Decimal(str(jj04["projected_full_year"])), 2)
    needed = fmt.figure(Decimal(str(jj04["needed_monthly"])), 2)
    assert f"预计全年完成{projected}亿元" in detail and f"11—12月需月均完成{needed}亿元" in detail
    # A growth-rate indicator: no completion, the gap is the rate less the target rate.
    jj09 = api["JJ09"]
    assert jj09["completion_pct"] is None and jj09["yoy_pct"] is None
    assert jj09["gap_pp"] == pytest.approx(jj09["actual"] - jj09["target"])
