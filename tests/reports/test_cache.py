"""Summaries are cached by the data version: every write path that can change a number makes
the next page show the new one (issue 15). Each step changes a figure (or what judges it) one
way, then reads the overview, the API and the district's overview through the front door."""

from decimal import Decimal

import pytest

from indicators import rollup, services, versions
from indicators.models import Area, Figure, Target, TownMonth
from indicators.workbook import sheets_from_dicts, workbook_import
from tests.factories import make_area, make_figure, make_indicator, make_target, make_user

YEAR, MONTH = 2025, 10
PAGE = f"/?area=T01&year={YEAR}&month={MONTH}"
SUBMITTED = PAGE + "&include_submitted=1"
API = f"/api/v1/summary?area=T01&year={YEAR}&month={MONTH}"
DISTRICT = f"/?area=D1&year={YEAR}&month={MONTH}"


@pytest.fixture
def setting(town, department, staff, reviewer):
    district = make_area(code="D1", name="测试区", level="district")
    town.parent = district
    town.save()
    village = make_area(code="T01V1", name="一村", level="village", parent=town)
    ind = make_indicator(code="C1", name="缓存指标", department=department, unit="万元")
    vind = make_indicator(
        code="C2", name="村级指标", department=department, entry_level="village", unit="万元"
    )
    make_target(ind, town, value=10000)
    make_figure(ind, town, YEAR, MONTH, 1111)
    make_figure(vind, village, YEAR, MONTH, 2222)
    admin = make_user("boss", is_superuser=True, is_staff=True)
    return {"ind": ind, "vind": vind, "village": village, "admin": admin}


def actual(client, url=API, code="C1"):
    rows = client.get(url).json()["indicators"]
    return next(r["actual"] for r in rows if r["code"] == code)


def shows(client, url, text) -> bool:
    return text in client.get(url).content.decode()


def cell(ind, area, value, version):
    return services.Cell(ind, area, raw=str(value), version=version)


def test_every_write_path_shows_the_new_number_on_the_page(client, setting, staff, reviewer, town):
    ind, vind, village, admin = (
        setting["ind"],
        setting["vind"],
        setting["village"],
        setting["admin"],
    )
    client.force_login(admin)
    assert shows(client, PAGE, "1,111") and actual(client) == 1111
    assert shows(client, DISTRICT, "2,222")
    figure = Figure.objects.get(indicator=ind, area=town, year=YEAR, month=MONTH)

    # Reopen (approved → returned): no longer counted.
    services.figures_reopen(user=reviewer, figure=figure, reason="核对")
    assert actual(client) is None and not shows(client, PAGE, "1,111")

    # Save and submit from the grid: counted only with include_submitted, as 初步数.
    figure.refresh_from_db()
    services.figures_save(
        user=staff, cells=[cell(ind, town, 3333, figure.version)], year=YEAR, month=MONTH,
        submit=True,
    )  # fmt: skip
    assert actual(client) is None and actual(client, API + "&include_submitted=1") == 3333
    assert shows(client, SUBMITTED, "3,333")

    # Return: not counted even with include_submitted.
    figure.refresh_from_db()
    services.figures_return(user=reviewer, figure=figure, comment="请核对")
    assert actual(client, API + "&include_submitted=1") is None

    # Submit again, approve: counted.
    figure.refresh_from_db()
    services.figures_submit(user=staff, figures=[figure])
    services.figures_approve(user=reviewer, figures=[(figure, None)])
    assert shows(client, PAGE, "3,333") and actual(client) == 3333

    # The workbook import.
    plan = workbook_import(
        sheets_from_dicts(
            {
                "数据": [
                    {"指标编码": "C1", "区域编码": "T01", "年度": YEAR, "月份": MONTH, "数值": 4444},
                    {"指标编码": "C2", "区域编码": "T01V1", "年度": YEAR, "月份": MONTH,
                     "数值": 5555},
                ]
            }
        ),
        user=admin,
    )  # fmt: skip
    assert plan.ok, plan.errors
    assert shows(client, PAGE, "4,444") and actual(client) == 4444
    assert shows(client, DISTRICT, "5,555")  # through the stored roll-up

    # An admin save (the target's change form): the target and the completion move.
    target = Target.objects.get(indicator=ind, area=town, year=YEAR)
    response = client.post(
        f"/admin/indicators/target/{target.pk}/change/",
        {"indicator": ind.pk, "area": town.pk, "year": YEAR, "value": "88880",
         "stretch_value": "", "growth_pct": "", "schedule": ""},
    )  # fmt: skip
    assert response.status_code == 302
    assert client.get(API).json()["indicators"][0]["target"] == 88880
    assert shows(client, PAGE, "88,880")

    # A save outside the services (a shell, a data fix): the model signal bumps.
    village_figure = Figure.objects.get(indicator=vind, area=village)
    village_figure.value = Decimal(7777)
    village_figure.save()
    assert shows(client, DISTRICT, "7,777")

    # A target change in code: the completion moves.
    target.refresh_from_db()
    target.value = Decimal(100_000)
    target.save()
    assert client.get(API).json()["indicators"][0]["target"] == 100_000

    # A catalogue change: the name on the page.
    ind.refresh_from_db()
    ind.name = "改名后的指标"
    ind.save()
    assert shows(client, PAGE, "改名后的指标")

    # A deleted figure leaves the page and the district's roll-up.
    village_figure.delete()
    assert not shows(client, DISTRICT, "7,777")


def test_a_write_that_rolls_back_leaves_the_version_alone(setting, staff, town):
    before = versions.current()
    result = services.figures_save(
        user=staff, cells=[cell(setting["ind"], town, "不是数字", 1)], year=YEAR, month=MONTH
    )
    assert not result.ok
    assert versions.current() == before


def test_the_stored_roll_up_equals_a_rebuild(setting, staff, town):
    village = setting["village"]
    result = services.figures_save(
        user=staff,
        cells=[cell(setting["vind"], village, 1000, 0)],
        year=YEAR,
        month=MONTH - 1,
        submit=True,
    )
    assert result.ok, result.errors
    kept = sorted(TownMonth.objects.values_list("town_id", "indicator_id", "year", "month",
                                                "threshold", "approved_total", "counted_total",
                                                "approved_count", "counted_count"))  # fmt: skip
    rollup.rebuild()
    rebuilt = sorted(TownMonth.objects.values_list("town_id", "indicator_id", "year", "month",
                                                   "threshold", "approved_total", "counted_total",
                                                   "approved_count", "counted_count"))  # fmt: skip
    assert kept == rebuilt and len(kept) == 3


ROLLUP = ("town_id", "indicator_id", "year", "month", "threshold", "approved_total",
          "counted_total", "approved_count", "counted_count")  # fmt: skip


def test_deleting_many_figures_refreshes_the_roll_up_once(setting, town):
    """A queryset delete (the admin's action) refreshes the roll-up and the version once: the
    only query per figure is its "-" history row (before: six), and the roll-up is left as a
    rebuild would make it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for villages in (3, 12):
        for n in range(villages):
            village = make_area(code=f"T01W{n}", name=f"删村{n}", level="village", parent=town)
            for month in range(1, 5):
                make_figure(setting["vind"], village, YEAR, month, 10 + month)
        before = versions.current()
        with CaptureQueriesContext(connection) as queries:
            Figure.objects.filter(area__code__startswith="T01W", month__lte=3).delete()
        counts.append(len(queries))
        assert versions.current() != before
        kept = sorted(TownMonth.objects.values_list(*ROLLUP))
        rollup.rebuild()
        assert kept == sorted(TownMonth.objects.values_list(*ROLLUP))
        june = TownMonth.objects.get(town=town, indicator=setting["vind"], year=YEAR, month=4)
        assert june.approved_total == 14 * villages
        Figure.objects.filter(area__code__startswith="T01W").delete()
        Area.objects.filter(code__startswith="T01W").delete()
    # 9 figures deleted, then 36: 27 more history rows, nothing else grows.
    assert counts[1] - counts[0] == 36 - 9, counts


def test_a_village_moved_to_another_town_moves_its_sums(setting, town):
    other = make_area(code="T02", name="二镇", level="town", parent=town.parent)
    village = Area.objects.get(code="T01V1")
    village.parent = other
    village.save()
    assert TownMonth.objects.filter(town=other, indicator=setting["vind"]).exists()
    assert not TownMonth.objects.filter(town=town, indicator=setting["vind"]).exists()


def district_of(towns: int, villages: int = 3):
    """A district of `towns` towns with a village-entered indicator, its 达标村数 and a
    town-entered key indicator, all with figures."""
    district = make_area(code=f"D{towns}", name="区", level="district")
    source = make_indicator(entry_level="village", is_key=True)
    derived = make_indicator(rollup="count_at_least", source=source, threshold=15, kind="count")
    own = make_indicator(is_key=True)
    for t in range(towns):
        town = make_area(code=f"D{towns}T{t}", level="town", parent=district)
        make_target(own, town, value=100)
        make_figure(own, town, YEAR, MONTH, 50 + t)
        for v in range(villages):
            village = make_area(code=f"D{towns}T{t}V{v}", level="village", parent=town)
            make_figure(source, village, YEAR, MONTH, 10 + v * 5)
    return district, source, derived


@pytest.mark.parametrize("towns", [2, 6])
def test_a_district_reads_the_roll_up_in_a_constant_number_of_queries(
    db, client, towns, django_assert_max_num_queries
):
    district, source, derived = district_of(towns)
    client.force_login(make_user(f"d{towns}", role="leader", area=district))
    # session, user, version, areas, membership; the summary (light scheme, indicators,
    # targets, own figures ×2, the roll-up ×2); awaiting; the ranking (light scheme, targets,
    # figures ×2); the task block (2); the reader's 待办
    with django_assert_max_num_queries(20):
        page = client.get(f"/?area={district.code}&year={YEAR}&month={MONTH}")
    assert page.status_code == 200
    rows = {r["code"]: r for r in client.get(
        f"/api/v1/summary?area={district.code}&year={YEAR}&month={MONTH}").json()["indicators"]}  # fmt: skip
    # 3 villages per town at 10, 15, 20: sum 45 a town; two of three reach 15.
    assert rows[source.code]["actual"] == 45 * towns
    assert rows[derived.code]["actual"] == 2 * towns


def test_the_district_reads_the_same_numbers_from_the_roll_up_as_from_the_figures(db, monkeypatch):
    from indicators.selectors import summary_rows

    district, _source, _derived = district_of(3)
    stored = [r.as_json() for r in summary_rows(district, YEAR, MONTH, series="key")]
    TownMonth.objects.all().delete()
    # Without the roll-up the same read sums the figures themselves: the numbers agree.
    from indicators import selectors

    monkeypatch.setattr(
        selectors.FigureValues,
        "_owners",
        staticmethod(
            lambda areas, tree: ({d.pk: a.pk for a in areas for d in tree.descendants(a)}, {})
        ),
    )
    direct = [r.as_json() for r in summary_rows(district, YEAR, MONTH, series="key")]
    assert stored == direct


def test_sorting_one_page_does_not_reorder_the_cached_rows(setting, client, town):
    make_figure(make_indicator(code="A0", name="甲指标"), town, YEAR, MONTH, 1)
    client.force_login(setting["admin"])

    def table(url):
        page = client.get(url).content.decode()
        return page[page.index('<section class="category">') :]

    page = table(PAGE)
    first = page.index("甲指标") < page.index("缓存指标")
    assert first != ((s := table(PAGE + "&c0-sort=-name")).index("甲指标") < s.index("缓存指标"))
    # Rendered fragments gone (another worker, an expired entry): the rows are read again
    # from this process's memo, which the sorted table must not have reordered.
    from django.core.cache import cache

    cache.clear()
    again = table(PAGE)
    assert (again.index("甲指标") < again.index("缓存指标")) == first


def test_the_roll_up_counts_every_figure_by_month_and_status_as_the_figures_do(db):
    """What an administrator of every town is told to close is counted from the roll-up."""
    from django.db.models import Count

    district, source, _derived = district_of(3)
    own = make_indicator()
    village = Area.objects.get(code="D3T0V0")
    make_figure(source, village, YEAR, MONTH - 1, 5, status=Figure.Status.SUBMITTED)
    make_figure(source, village, YEAR - 1, 12, 5, status=Figure.Status.RETURNED)
    make_figure(own, district, YEAR, MONTH, 7)  # outside every town
    make_figure(own, make_area(code="LONE", level="village"), YEAR, MONTH, 8)  # no town
    make_figure(own, Area.objects.get(code="D3T1"), YEAR - 2, MONTH, 9)  # before the years
    expected = {
        (y, m, s): n
        for y, m, s, n in Figure.objects.filter(
            year__gte=YEAR - 1, status__in=rollup.COUNTED, indicator__source__isnull=True
        )
        .values_list("year", "month", "status")
        .annotate(n=Count("id"))
    }
    counts = {k: n for k, n in rollup.status_counts(YEAR - 1).items() if n}
    assert counts == expected and counts[(YEAR, MONTH, Figure.Status.APPROVED)] == 9 + 3 + 2


def test_two_leaders_opening_the_bare_address_each_see_their_own_town(db, client):
    """`/` opens the reader's own town: the kept fragments are keyed by the area, year and month
    shown, never by the address alone, or the second leader would read the first one's town."""
    ind = make_indicator(code="OWN", name="本镇指标", unit="万元")
    towns = []
    for n, value in ((1, 1111), (2, 2222)):
        town = make_area(code=f"W{n}", name=f"第{n}镇", level="town")
        make_target(ind, town, value=10000)
        make_figure(ind, town, YEAR, MONTH, value)
        towns.append(make_user(f"leader{n}", role="leader", area=town))
    client.force_login(towns[0])
    assert shows(client, "/", "1,111")
    client.force_login(towns[1])
    page = client.get("/").content.decode()
    assert "2,222" in page and "1,111" not in page


def test_the_kept_area_selector_lists_only_what_each_reader_may_read(db, client):
    ind = make_indicator(code="SEL", name="选择指标")
    for n in (1, 2):
        town = make_area(code=f"X{n}", name=f"第{n}个镇", level="town")
        make_target(ind, town, value=100)
        make_figure(ind, town, YEAR, MONTH, 10)
    url = f"/?area=X1&year={YEAR}&month={MONTH}"
    client.force_login(make_user("boss", is_superuser=True, is_staff=True))
    assert shows(client, url, '<option value="X2">第2个镇</option>')
    client.force_login(make_user("leader1", role="leader", area=Area.objects.get(code="X1")))
    page = client.get(url).content.decode()
    assert '<option value="X1" selected>第1个镇</option>' in page and "第2个镇" not in page


def test_a_warm_overview_reads_only_what_is_per_request(setting, client, town, reviewer):
    """Second reader of a month: the summary, its fragments and an administrator's months to
    close are kept; what is read is the session, the user, the data version, the reader's
    membership, the task block (rule, tasks) and the 待办's requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(setting["admin"])
    with CaptureQueriesContext(connection) as cold:
        assert client.get(PAGE).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        page = client.get(PAGE).content.decode()
    assert len(warm) <= 7 < len(cold), [q["sql"][:80] for q in warm.captured_queries]
    assert not [q for q in warm.captured_queries if "indicators_figure" in q["sql"]]
    # The per-request parts stay per request: a fresh CSRF token field on each page...
    assert 'name="csrfmiddlewaretoken"' in page
    # ...and the reviewer, whose page shares the kept fragments, gets their own menu.
    client.force_login(reviewer)
    mine = client.get(PAGE).content.decode()
    assert "1,111" in mine and "管理后台" in page and "管理后台" not in mine
