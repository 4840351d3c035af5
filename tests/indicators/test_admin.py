import io
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.management import call_command

from indicators.models import Area, Figure, Indicator, Membership, Target

pytestmark = pytest.mark.django_db


def test_every_admin_list_search_and_add_page_opens(client):
    call_command("load_demo", stdout=io.StringIO())
    client.login(username="admin", password="demo1234")
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(base).status_code == 200, base
        assert client.get(base + "?q=镇").status_code == 200, base
        assert client.get(base + "add/").status_code in (200, 403), base
        first = model._default_manager.first()
        if first is not None:
            assert client.get(f"{base}{first.pk}/change/").status_code == 200, base


def test_non_staff_cannot_open_the_admin(client):
    call_command("load_demo", stdout=io.StringIO())
    client.login(username="leader", password="demo1234")
    assert client.get("/admin/indicators/figure/").status_code == 302


@pytest.fixture
def admin_client(client):
    call_command("load_demo", stdout=io.StringIO())
    client.login(username="admin", password="demo1234")
    return client


def change_url(figure):
    return f"/admin/indicators/figure/{figure.pk}/change/"


def test_an_approved_figure_is_read_only_in_the_admin(admin_client):
    figure = Figure.objects.get(indicator__code="JJ04", area__code="T01", year=2025, month=10)
    assert figure.status == "approved"
    page = admin_client.get(change_url(figure)).content.decode()
    assert 'name="value"' not in page and 'name="_save"' not in page
    response = admin_client.post(change_url(figure), {"value": "1", "reason": "试一下"})
    assert response.status_code == 403
    figure.refresh_from_db()
    assert figure.status == "approved" and figure.value == Decimal("28.1")


def test_a_draft_is_corrected_in_the_admin_with_a_reason_recorded(admin_client):
    figure = Figure.objects.get(indicator__code="JJ04", area__code="T01", year=2025, month=10)
    Figure.objects.filter(pk=figure.pk).update(status="draft")
    version = Figure.objects.get(pk=figure.pk).version
    refused = admin_client.post(change_url(figure), {"value": "28.2", "note": ""})
    assert refused.status_code == 200 and "请写明修改原因" in refused.content.decode()
    saved = admin_client.post(
        change_url(figure), {"value": "28.2", "note": "", "reason": "统计站更正快报数"}
    )
    assert saved.status_code == 302
    figure.refresh_from_db()
    assert (figure.value, figure.version, figure.status) == (Decimal("28.2"), version + 1, "draft")
    latest = figure.history.latest("history_date")
    assert latest.history_change_reason == "管理后台修改：统计站更正快报数"


def test_the_admin_refuses_figures_the_entry_rules_refuse(admin_client):
    town = Area.objects.get(code="T01")
    before = Figure.objects.count()
    for code, area, message in [
        ("NY02", town, "派生指标"),  # 村均 is computed from the villages
        ("NY01", town, "由各村填报"),  # a village-entered figure is never typed for the town
    ]:
        response = admin_client.post(
            "/admin/indicators/figure/add/",
            {
                "indicator": Indicator.objects.get(code=code).pk,
                "area": area.pk,
                "year": 2025,
                "month": 11,
                "value": "10",
            },
        )
        assert response.status_code == 200 and message in response.content.decode(), code
    assert Figure.objects.count() == before


def test_the_admin_applies_the_catalogue_rules_to_an_indicator(admin_client):
    avg = Indicator.objects.get(code="NY02")
    page = admin_client.get(f"/admin/indicators/indicator/{avg.pk}/change/").content.decode()
    assert 'name="rollup"' in page
    data = {
        "code": avg.code,
        "name": avg.name,
        "category": avg.category_id,
        "department": avg.department_id or "",
        "order": avg.order,
        "unit": avg.unit,
        "decimals": avg.decimals,
        "definition": avg.definition,
        "kind": avg.kind,
        "direction": avg.direction,
        "cadence": avg.cadence,
        "entry_level": avg.entry_level,
        "rollup": "sum",  # a derived indicator is never a plain sum
        "source": avg.source_id,
        "threshold": "",
        "targets-TOTAL_FORMS": 0,
        "targets-INITIAL_FORMS": 0,
    }
    response = admin_client.post(f"/admin/indicators/indicator/{avg.pk}/change/", data)
    assert response.status_code == 200
    assert "派生指标的汇总方式应为" in response.content.decode()
    avg.refresh_from_db()
    assert avg.rollup == "avg"


def test_the_admin_lists_models_in_the_order_an_administrator_works(admin_client):
    apps = admin_client.get("/admin/").context["app_list"]
    assert [a["app_label"] for a in apps][:3] == ["indicators", "tasks", "auth"]
    assert apps[-1]["app_label"] == "axes" and str(apps[-1]["name"]) == "登录保护"
    models = [m["object_name"] for m in apps[0]["models"]]
    assert models.index("Area") < models.index("Indicator") < models.index("Target")
    assert models.index("Target") < models.index("Figure") < models.index("LightScheme")


def test_the_admin_shows_figures_as_typed_and_people_by_name(admin_client):
    targets = admin_client.get("/admin/indicators/target/?q=JJ01").content.decode()
    assert "20000" in targets and "20000.000000" not in targets
    figure = Figure.objects.get(indicator__code="JJ04", area__code="T01", year=2025, month=10)
    Figure.objects.filter(pk=figure.pk).update(status="draft")
    form = admin_client.get(change_url(figure)).content.decode()
    assert 'value="28.1"' in form and "28.100000" not in form
    assert "李镇长（leader）" in admin_client.get("/admin/indicators/membership/").content.decode()
    task = admin_client.get("/admin/tasks/task/").content.decode()
    assert "李镇长（leader）" in task


def test_a_target_and_a_membership_are_named_readably_without_a_query(admin_client):
    target = Target.objects.select_related("indicator", "area").get(
        indicator__code="JJ01", area__code="T01", year=2025
    )
    page = admin_client.get(f"/admin/indicators/target/{target.pk}/change/").content.decode()
    assert f"2025年 {target.indicator} · {target.area}" in page
    assert "@" not in str(Target.objects.get(pk=target.pk)).split("年")[0]
    leader = Membership.objects.select_related("user").get(user__username="leader")
    assert str(leader).startswith("李镇长 · ")
    assert "leader" not in str(Membership.objects.get(pk=leader.pk))


def test_a_figure_is_named_as_typed(admin_client):
    figure = Figure.objects.get(indicator__code="JJ04", area__code="T01", year=2025, month=10)
    page = admin_client.get(change_url(figure)).content.decode()
    assert f"<title>2025年10月 {figure.indicator} · {figure.area} = 28.1 |" in page
    assert str(Figure.objects.get(pk=figure.pk)).endswith("@" + str(figure.area_id) + " = 28.1")
