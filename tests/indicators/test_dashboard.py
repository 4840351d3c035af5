import io
import json
import re

import pytest
from django.core.management import call_command

from indicators.charts import LIGHT_COLOURS, NO_LIGHT
from indicators.models import Area, Membership
from indicators.services import api_token_create
from tests.factories import make_area, make_town_scale, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def leader_client(client, demo):
    client.login(username="leader", password="demo1234")
    return client


def test_overview_answers_the_meeting_questions(leader_client):
    page = leader_client.get("/?area=T01&year=2025&month=10").content.decode()
    assert "时序进度 <b>83.3%</b>" in page
    # DOMAIN §7: how complete the month is, and a tally without zero counts.
    assert "本月应报31项，已审核30项，逾期未报1项。" in page
    assert "共32项指标：已完成3项，达进度13项，欠进度9项，严重滞后6项，未报1项" in page
    # The lagging list names who to ask, red before yellow.
    lagging = page[page.index("需要关注") : page.index("各类指标平均完成率")]
    assert "问 应急管理办" in lagging
    assert lagging.index("严重滞后") < lagging.index("欠进度")
    assert 'data-chart="/charts/categories/?' in page
    assert "重点指标" in page and '<svg class="spark"' in page
    # Against last year, direction-aware: more fires is worse (checked against summary --json).
    assert "与上年同期比：22项好于上年同期，9项低于上年同期。" in page
    assert "新招引亿元以上项目</a>同比下降40.0%；" in page
    assert "火灾事故起数</a>同比增长33.3%" in page
    # Which villages pull the total down: 周庄村 40.50 of 55 = 73.6%, 9.7 points behind.
    villages = page[page.index("进度滞后的村") :]
    assert "29个村低于时序进度（共29个村）" in villages
    assert villages.index("周庄村") < villages.index("黄墩村")
    assert "完成 73.6%，低于时序进度9.7个百分点" in villages


def test_overview_lists_at_most_ten_lagging_and_says_how_many_more(leader_client):
    page = leader_client.get("/?area=T01&year=2025&month=10").content.decode()
    lagging = page[page.index("需要关注") : page.index("重点指标")]
    assert lagging.count("<li>") == 10
    assert "另有5项落后，见下方各类指标表。" in lagging


def test_a_year_without_a_month_opens_on_that_years_latest_month(leader_client):
    page = leader_client.get("/?area=T01&year=2024").content.decode()
    assert "2024年1—12月" in page
    page = leader_client.get("/?area=T01").content.decode()
    assert "2025年1—10月" in page
    page = leader_client.get("/?area=T01&year=2019").content.decode()
    assert "该区域在所选月份还没有任何数据。" in page


def test_overview_tables_are_sortable_per_category(leader_client):
    response = leader_client.get("/?area=T01&year=2025&month=10&c0-sort=-gap_pp")
    assert response.status_code == 200
    assert "c0-sort=gap_pp" in response.content.decode()


def test_indicator_page_shows_definition_numbers_villages_and_months(leader_client):
    page = leader_client.get("/indicators/NY01/?area=T01&year=2025&month=10").content.decode()
    assert "村级集体经济组织" in page  # 口径
    assert "29/29 村已报" in page
    assert "蒋桥村" in page
    assert "1—10月，全镇完成村集体经济收入1,878.93万元" in page
    # Each village judged as on the overview: 周庄村 40.50 of 55, 73.6%, 9.7 points behind.
    row = page[page.index("<td >周庄村</td>") :]
    row = row[: row.index("</tr>")]
    assert "40.50" in row and "73.6%" in row and "-9.7" in row and "欠进度" in row


def test_worked_example_sentence_on_the_indicator_page(leader_client):
    page = leader_client.get("/indicators/JJ04/?area=T01&year=2025&month=10").content.decode()
    assert (
        # A growth target (增长8%) is judged by growth: the sentence says so, and states the
        # completion of the target's value without a pace the light does not follow (DOMAIN §3).
        "1—10月，全镇完成工业总产值28.10亿元，同比增长9.8%，增加2.50亿元，"
        "高于目标增速1.8个百分点，完成年度目标的86.0%。"
    ) in page


@pytest.mark.parametrize(
    "url",
    [
        "/charts/categories/?area=T01&year=2025&month=10",
        "/charts/indicators/JJ04/cumulative/?area=T01&year=2025&month=10",
        "/charts/indicators/JJ04/months/?area=T01&year=2025&month=10",
        "/charts/indicators/NY03/villages/?area=T01&year=2025&month=10",
    ],
)
def test_chart_endpoints_return_numbers_not_strings(leader_client, url):
    payload = leader_client.get(url).json()
    assert payload["type"] in ("line", "bar")
    assert len(payload["data"]["labels"]) == len(payload["data"]["datasets"][0]["data"])
    values = [v for ds in payload["data"]["datasets"] for v in ds["data"] if v is not None]
    assert values and all(isinstance(v, int | float) for v in values)


def test_cumulative_chart_has_the_target_pace_line(leader_client):
    payload = leader_client.get("/charts/indicators/JJ04/cumulative/?area=T01&year=2025&month=10")
    pace = payload.json()["data"]["datasets"][2]
    assert pace["label"] == "目标进度"
    assert round(pace["data"][11], 4) == 32.6592


def test_village_chart_draws_the_threshold(leader_client):
    payload = leader_client.get("/charts/indicators/NY03/villages/?area=T01&year=2025&month=10")
    datasets = payload.json()["data"]["datasets"]
    assert datasets[1]["data"][0] == 100
    assert len(datasets[0]["data"]) == 29


def test_api_equals_the_summary_command(leader_client):
    out = io.StringIO()
    call_command(
        "summary", "--area", "T01", "--year", "2025", "--month", "10", "--json", stdout=out
    )
    api = leader_client.get("/api/v1/summary?area=T01&year=2025&month=10")
    assert api["Content-Type"] == "application/json"
    assert api.json() == json.loads(out.getvalue())


def test_api_accepts_a_token_without_a_session(client, demo):
    leader = Membership.objects.get(user__username="leader").user
    key = api_token_create(user=leader, name="大屏")
    response = client.get(
        "/api/v1/summary?area=T01&year=2025&month=10", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 200
    assert response.json()["indicators"][0]["code"]
    assert client.get("/api/v1/summary?area=T01&year=2025&month=10").status_code == 401
    wrong = client.get("/api/v1/summary?area=T01", HTTP_AUTHORIZATION="Token nope")
    assert wrong.status_code == 401


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("area=T01&year=2025&month=13", "month 应为1至12"),
        ("area=T01&year=abc&month=1", "应为整数"),
        ("area=T01&month=1", "缺少参数：year"),
    ],
)
def test_api_answers_bad_parameters_with_json_400(leader_client, query, message):
    response = leader_client.get(f"/api/v1/summary?{query}")
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_a_user_cannot_read_another_towns_figures(client, demo):
    # An area one may not read answers exactly as one that does not exist: 404, one message.
    other = make_area(code="T99", name="外镇", level="town")
    client.force_login(make_user("stranger", role="leader", area=other))
    page = client.get("/?area=T01")
    assert page.status_code == 404
    assert "区域「T01」不存在或您无权查看" in page.content.decode()
    assert "示例镇" not in page.content.decode()
    api = client.get("/api/v1/summary?area=T01&year=2025&month=10")
    assert api.status_code == 404 and "区域「T01」不存在或您无权查看" in api.json()["error"]
    chart = client.get("/charts/indicators/JJ04/cumulative/?area=T01")
    assert chart.status_code == 404 and "区域「T01」不存在或您无权查看" in chart.json()["error"]


@pytest.mark.parametrize(
    "url",
    [
        "/?area={code}&year=2025&month=10",
        "/indicators/JJ04/?area={code}&year=2025&month=10",
        "/charts/indicators/JJ04/cumulative/?area={code}&year=2025&month=10",
        "/charts/categories/?area={code}&year=2025&month=10",
        "/api/v1/summary?area={code}&year=2025&month=10",
        "/entry/progress/?area={code}&year=2025&month=10",
        "/entry/history/JJ04/?area={code}",
    ],
)
def test_an_unknown_area_and_an_unreadable_one_get_the_same_404(client, demo, url):
    other = make_area(code="T99", name="外镇", level="town")
    client.force_login(make_user("stranger", role="leader", area=other))
    unknown = client.get(url.format(code="NOPE"))
    hidden = client.get(url.format(code="T01"))
    assert unknown.status_code == hidden.status_code == 404
    body = hidden.content.decode()
    assert "示例镇" not in body
    message = "不存在或您无权查看：请检查区域编码，或从列表中选择区域"
    assert message in body and message in unknown.content.decode()

    def same(html):  # the page for the one reads as the page for the other
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", html.replace("T01", "NOPE"))

    assert same(body) == same(unknown.content.decode())


@pytest.mark.parametrize("code", ["JJ08", "MS01"])
def test_a_month_chart_of_a_level_or_rate_answers_json_404_with_the_reason(leader_client, code):
    # The page draws no such chart for a 存量 or 比率 indicator; the URL may still be asked.
    response = leader_client.get(f"/charts/indicators/{code}/months/?area=T01&year=2025&month=10")
    assert response.status_code == 404
    assert "没有当月值：只有累计型、计数型指标按月分解。" in response.json()["error"]


def test_chart_of_a_bad_period_answers_json_400(leader_client):
    response = leader_client.get("/charts/indicators/JJ04/cumulative/?area=T01&month=14")
    assert response.status_code == 400
    assert "月份" in response.json()["error"]


def test_district_view_ranks_towns_with_the_change_since_last_month(client, demo):
    town = Area.objects.get(code="T01")
    district = town.parent
    make_area(code="T02", name="二镇", level="town", parent=district)
    client.force_login(make_user("district", role="leader", area=district))
    page = client.get("/?area=D01&year=2025&month=10&rank=JJ04&measure=completion").content
    page = page.decode()
    assert "各镇排名" in page and "示例镇" in page and "二镇" in page
    # The area selector lists towns, and villages only of the town in view.
    selector = page[page.index('<select name="area">') :]
    selector = selector[: selector.index("</select>")]
    assert 'value="T02"' in selector and "蒋桥村" not in selector
    page = client.get("/?area=T01&year=2025&month=10").content.decode()
    assert ">　蒋桥村</option>" in page


@pytest.mark.parametrize(("indicators", "villages"), [(4, 2), (24, 10)])
def test_overview_and_api_query_counts_do_not_grow(
    client, indicators, villages, django_assert_max_num_queries
):
    town = make_town_scale(indicators, villages)
    client.force_login(make_user(f"l{indicators}", role="leader", area=town))
    # session and user, the data version, areas and membership, the summary with the key
    # indicators' trends (7: light scheme, indicators, targets, own figures and the roll-up,
    # each for the period and for the trend), the villages behind (3), figures awaiting
    # approval, the task block (2), the leader's 待办
    with django_assert_max_num_queries(19):
        page = client.get(f"/?area={town.code}&year=2025&month=3").content.decode()
        assert (
            "进度滞后的村" in page and "个村低于时序进度" in page and '<svg class="spark"' in page
        )
    # Cached: session, user, version, membership, the task block and the 待办; the chart on
    # the page reads the same cached summary.
    with django_assert_max_num_queries(7):
        assert (
            "进度滞后的村" in client.get(f"/?area={town.code}&year=2025&month=3").content.decode()
        )
    # session, user, version, membership; the light scheme the bars are coloured by
    with django_assert_max_num_queries(5):
        chart = client.get(f"/charts/categories/?area={town.code}&year=2025&month=3")
        assert chart.status_code == 200
    with django_assert_max_num_queries(9):  # and two to find the latest month
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(11):
        response = client.get(f"/api/v1/summary?area={town.code}&year=2025&month=3")
        assert response.status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(f"/api/v1/summary?area={town.code}&year=2025&month=3").json() == (
            response.json()
        )


def test_submitted_figures_count_only_when_asked_and_are_marked_provisional(leader_client):
    from indicators.models import Figure

    figure = Figure.objects.get(indicator__code="JJ04", area__code="T01", year=2025, month=10)
    figure.status = Figure.Status.SUBMITTED
    figure.save()
    approved = leader_client.get("/api/v1/summary?area=T01&year=2025&month=10").json()
    jj04 = next(r for r in approved["indicators"] if r["code"] == "JJ04")
    assert jj04["actual"] is None and jj04["light"] == "grey"
    both = leader_client.get("/api/v1/summary?area=T01&year=2025&month=10&include_submitted=1")
    jj04 = next(r for r in both.json()["indicators"] if r["code"] == "JJ04")
    assert jj04["actual"] == 28.1 and jj04["provisional"] is True
    page = leader_client.get("/?area=T01&year=2025&month=10").content.decode()
    assert "本月还有1个数据已报送、待审核，未计入以上数字" in page
    page = leader_client.get("/?area=T01&year=2025&month=10&include_submitted=1").content.decode()
    assert "初步数" in page


def test_indicator_page_shows_the_history_of_changes(leader_client):
    page = leader_client.get("/indicators/JJ04/?area=T01&year=2025&month=10").content.decode()
    assert "修改记录" in page and "工作簿导入" in page


def test_dashboard_pages_refuse_post(leader_client):
    assert leader_client.post("/?area=T01").status_code == 405


def test_the_category_chart_is_coloured_by_light_with_its_pace_line_labelled(leader_client):
    data = leader_client.get("/charts/categories/?area=T01&year=2025&month=10").json()["data"]
    bars, pace = data["datasets"]
    by_name = dict(zip(data["labels"], bars["backgroundColor"], strict=True))
    values = dict(zip(data["labels"], bars["data"], strict=True))
    # Each bar wears its category's light, never the brand's red for all; 安全稳定 holds only
    # caps (reverse indicators), so it has no average and no light.
    assert len(set(bars["backgroundColor"])) >= 3
    assert "#9f1d20" not in bars["backgroundColor"]
    assert by_name["安全稳定"] == NO_LIGHT and values["安全稳定"] is None  # caps only
    assert by_name["经济发展"] in (LIGHT_COLOURS["green"], LIGHT_COLOURS["yellow"])
    assert pace["label"] == pace["endLabel"] == "时序进度 83.3%"
    page = leader_client.get("/?area=T01&year=2025&month=10").content.decode()
    assert "安全稳定暂无完成率：该类没有设了目标的正向指标" in page
