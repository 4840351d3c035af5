"""The administrators' import pages at their literal URLs, with every persona: upload, preview,
confirm; refused rows on the page and as .xlsx; 表样 detect, correct, import and fill."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from indicators.models import Area, Figure, Layout, Membership
from tests.factories import make_area, make_user

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def login(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def other_admin(demo):
    town = make_area(code="T99", name="外镇", level="town", parent=Area.objects.get(code="D01"))
    return make_user("admin99", role=Membership.Role.ADMIN, area=town)


def upload(name):
    return {"file": open(REAL / name, "rb")}


def test_anonymous_is_sent_to_the_login_page(client, demo):
    assert client.get("/imports/").status_code == 302
    assert client.get("/imports/layouts/").status_code == 302


@pytest.mark.parametrize("username", ["clerk", "reviewer", "leader"])
def test_only_administrators_open_the_import_pages(client, demo, username):
    login(client, username)
    for url in ("/imports/", "/imports/layouts/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "只有管理员可以导入" in response.content.decode()
    assert (
        client.post(
            "/imports/", {**upload("01_title_unit_rows.xlsx"), "action": "preview"}
        ).status_code
        == 403
    )


def test_preview_then_confirm_writes_all(client, demo):
    login(client, "admin")
    response = client.post("/imports/", {**upload("01_title_unit_rows.xlsx"), "action": "preview"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "数据表：跳过表头上方的第1–2行（标题、单位）" in page
    assert "确认导入" in page
    assert not Figure.objects.filter(indicator__code="JJ01", month=10, value=15560).exists()
    token = response.context["token"]
    response = client.post("/imports/", {"action": "confirm", "token": token})
    assert response.status_code == 302
    assert (
        Figure.objects.get(indicator__code="JJ01", area__code="T01", year=2025, month=10).value
        == 15560
    )
    # The kept file is gone: confirming twice does nothing.
    response = client.post("/imports/", {"action": "confirm", "token": token}, follow=True)
    assert "没有待确认的导入" in response.content.decode()


def test_the_preview_shows_per_sheet_what_is_created_changed_and_left_alone(client, demo):
    from openpyxl import Workbook

    book = Workbook()
    areas = book.active
    areas.title = "区域"
    areas.append(["编码", "名称", "上级编码", "层级"])
    areas.append(["T01V98", "新村", "T01", "村"])
    figures = book.create_sheet("数据")
    figures.append(["指标编码", "区域编码", "年度", "月份", "数值"])
    figures.append(["JJ01", "T01", 2025, 10, 15560])
    figures.append(["JJ02", "T01", 2025, 10, 15560])
    figures.append(["NY01", "T01V98", 2025, 10, 12])
    data = io.BytesIO()
    book.save(data)
    stored = Figure.objects.get(indicator__code="JJ01", area__code="T01", year=2025, month=10)
    data.name = "预览.xlsx"
    data.seek(0)
    login(client, "admin")
    response = client.post("/imports/", {"file": data, "action": "preview"})
    assert response.status_code == 200, response.context["errors"]
    sheets = {s["name"]: s for s in response.context["sheets"]}
    assert sheets["区域"]["counts"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert sheets["区域"]["samples"]["created"] == [("T01V98", "新村")]
    assert sheets["数据"]["counts"]["created"] == 1
    assert sheets["数据"]["samples"]["created"] == [("NY01", "T01V98", "2025", "10", "12")]
    assert ("JJ01", "T01", "2025", "10", f"{stored.value.normalize():f}→15560") in sheets["数据"][
        "samples"
    ]["updated"]
    assert "T01V98 新村" in response.content.decode()
    assert not Area.objects.filter(code="T01V98").exists()  # a preview writes nothing


def test_refused_rows_are_listed_and_downloadable_with_reasons(client, demo):
    login(client, "admin")
    response = client.post("/imports/", {**upload("07b_unknown_names.xlsx"), "action": "preview"})
    assert response.status_code == 400
    errors = response.context["errors"]
    assert [(e["sheet"], e["row"], e["column"], e["value"]) for e in errors] == [
        ("数据", 2, "区域编码", "示例乡"),
        ("数据", 3, "指标编码", "工业产值"),
    ]
    assert errors[0]["todo"].startswith("请填写区域编码")
    assert "确认导入" not in response.content.decode()
    xlsx = client.get(f"/imports/{response.context['token']}/errors.xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["错误清单", "数据"]
    sheet = [list(r) for r in book["数据"].iter_rows(values_only=True)]
    assert sheet[0][-2:] == ("错误列", "原因") or sheet[0][-2:] == ["错误列", "原因"]
    assert sheet[1][0] == 2 and "示例乡" in sheet[1][-1]


def test_a_bad_file_gets_a_clear_message_not_a_500(client, demo):
    login(client, "admin")
    for name, fragment in [
        ("11b_title_unit_rows.ods", "请另存为 .xlsx"),
        ("13b_zip_bomb_bzip2.xlsx", "可能是异常文件"),
    ]:
        response = client.post("/imports/", {**upload(name), "action": "preview"})
        assert response.status_code == 400
        assert fragment in response.content.decode()


def test_another_towns_admin_cannot_import_this_towns_figures(client, demo, other_admin):
    client.force_login(other_admin)
    assert client.get("/imports/").status_code == 200
    response = client.post("/imports/", {**upload("10b_thousands_text.xlsx"), "action": "preview"})
    assert response.status_code == 400
    assert "您无权导入区域「T01」的数据" in response.content.decode()


def test_a_token_belongs_to_the_user_who_uploaded(client, demo, other_admin):
    login(client, "admin")
    response = client.post("/imports/", {**upload("10b_thousands_text.xlsx"), "action": "preview"})
    token = response.context["token"]
    client.force_login(other_admin)
    assert client.get(f"/imports/{token}/errors.xlsx").status_code == 400
    client.post("/imports/", {"action": "confirm", "token": token})
    assert not Figure.objects.filter(indicator__code="JJ01", month=10, value=16800).exists()


def test_detect_correct_and_save_a_layout_then_import_and_fill(client, demo):
    login(client, "admin")
    response = client.post(
        "/imports/layouts/",
        {**upload("12c_county_blank_form.xlsx"), "name": "县月报", "action": "detect"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "规上工业增加值增速" in page and "保存表样" in page
    token = response.context["token"]
    # The person maps the unmapped row by hand (here: to nothing) and keeps the rest.
    response = client.post(
        "/imports/layouts/", {"action": "save", "token": token, "row-13": "", "col-I": "ignore"}
    )
    layout = Layout.objects.get(name="县月报")
    assert response.status_code == 302 and response.url == f"/imports/layouts/{layout.pk}/"
    assert len(layout.mapped_rows) == 8
    assert client.get(f"/imports/layouts/{layout.pk}/").status_code == 200
    filled = client.get(f"/imports/layouts/{layout.pk}/fill/?area=T01&year=2025&month=10")
    assert filled.status_code == 200
    ws = load_workbook(io.BytesIO(filled.content)).active
    assert ws["A1"].value == "示例镇2025年1—10月主要经济指标完成情况表"
    sheet = io.BytesIO(filled.content)
    sheet.name = "filled.xlsx"
    response = client.post(
        f"/imports/layouts/{layout.pk}/",
        {
            "file": sheet,
            "area": "T01",
            "year": "2025",
            "month": "10",
            "action": "preview",
        },
    )
    assert response.status_code == 200, (
        response.context.get("problem"),
        response.context.get("errors"),
    )
    assert response.context["sheets"][0]["counts"]["updated"] == 0
    bad = client.get(f"/imports/layouts/{layout.pk}/fill/?area=T01&year=2025")
    assert bad.status_code == 400


def test_a_filled_table_is_imported_through_its_layout_with_the_warning(client, demo):
    login(client, "admin")
    response = client.post(
        "/imports/layouts/",
        {**upload("12a_wide_ytd_table.xlsx"), "name": "镇表", "action": "detect"},
    )
    client.post("/imports/layouts/", {"action": "save", "token": response.context["token"]})
    layout = Layout.objects.get(name="镇表")
    response = client.post(
        f"/imports/layouts/{layout.pk}/", {**upload("12a_wide_ytd_table.xlsx"), "action": "preview"}
    )
    assert response.status_code == 200
    assert any("JJ03" in w for w in response.context["warnings"])
    response = client.post(
        f"/imports/layouts/{layout.pk}/",
        {
            "action": "confirm",
            "token": response.context["token"],
            "area": "T01",
            "year": "2025",
            "month": "10",
        },
    )
    assert response.status_code == 302
    assert (
        Figure.objects.get(indicator__code="JJ01", area__code="T01", year=2025, month=10).value
        == 15560
    )
