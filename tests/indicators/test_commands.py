import io
import json

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Area, Figure, Indicator, Target
from indicators.selectors import summary_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_load_demo_is_idempotent(demo):
    counts = (
        Area.objects.count(),
        Indicator.objects.count(),
        Target.objects.count(),
        Figure.objects.count(),
    )
    stamps = list(Figure.objects.order_by("pk").values_list("updated_at", flat=True)[:50])
    output = run("load_demo")
    assert (
        Area.objects.count(),
        Indicator.objects.count(),
        Target.objects.count(),
        Figure.objects.count(),
    ) == counts
    assert list(Figure.objects.order_by("pk").values_list("updated_at", flat=True)[:50]) == stamps
    assert "新增0行，更新0行" in output
    assert "演示账号" in output


def test_demo_has_the_reports_figures(demo):
    town = Area.objects.get(code="T01")
    assert town.children.count() == 29
    assert town.children.filter(name="蒋桥村").exists()
    rows = {r.indicator.code: r for r in summary_rows(town, 2024, 12)}
    assert float(rows["JJ04"].actual) == 30.24
    assert float(rows["NY01"].actual) == 2204
    assert float(rows["NY02"].actual) == 76
    assert float(rows["NY03"].actual) == 5


def test_summary_json_follows_the_contract(demo):
    payload = json.loads(
        run("summary", "--area", "T01", "--year", "2025", "--month", "10", "--json")
    )
    assert payload["area"]["code"] == "T01"
    row = next(r for r in payload["indicators"] if r["code"] == "JJ04")
    keys = {
        "code",
        "name",
        "unit",
        "kind",
        "direction",
        "target",
        "stretch_target",
        "actual",
        "month_value",
        "last_year_actual",
        "yoy_pct",
        "completion_pct",
        "time_progress_pct",
        "gap_pp",
        "light",
    }
    assert keys <= row.keys()
    assert row["actual"] == 28.1 and row["last_year_actual"] == 25.6
    assert round(row["completion_pct"], 2) == 86.04
    assert round(row["time_progress_pct"], 2) == 83.33
    assert row["light"] == "green"
    assert isinstance(row["gap_pp"], float)
    lights = {r["light"] for r in payload["indicators"]}
    assert {"blue", "green", "yellow", "red", "grey"} <= lights


def test_summary_table_is_aligned_chinese(demo):
    out = run("summary", "--area", "T01", "--year", "2025", "--month", "10")
    assert "示例镇 2025年10月" in out
    assert "工业总产值" in out and "达进度" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "NOPE", "--year", "2025", "--month", "1"], "区域「NOPE」不存在"),
        (["--area", "T01", "--year", "2025", "--month", "13"], "月份应为1至12"),
    ],
)
def test_summary_refuses_bad_parameters(demo, args, message):
    with pytest.raises(CommandError, match=message):
        run("summary", *args)


def test_api_token_command_prints_a_working_key(demo, client):
    key = run("api_token", "leader", "--name", "大屏").strip()
    response = client.get(
        "/api/v1/summary?area=T01&year=2025&month=10", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 200
    with pytest.raises(CommandError, match="不存在"):
        run("api_token", "nobody")
