"""FastTable renders exactly what django-tables2's own template renders, only faster."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django_tables2 import RequestConfig

from indicators.models import Area, Figure, Indicator
from indicators.selectors import summary_rows
from indicators.tables import SummaryTable, VillageTable
from indicators.villages import village_breakdown
from tasks.selectors import ledger_rows
from tasks.tables import LedgerTable

pytestmark = pytest.mark.django_db

UPSTREAM = "django_tables2/table.html"


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    return Area.objects.get(code="T01")


def both(make, query=""):
    """The table rendered by our template and by django-tables2's, whitespace between tags
    dropped (templates indent, the HTML is the same)."""
    request = RequestFactory().get(f"/?{query}")
    pages = []
    for template in (None, UPSTREAM):
        table = make(template)
        RequestConfig(request, paginate=False).configure(table)
        pages.append(re.sub(r">\s+<", "><", table.as_html(request)).strip())
    return pages


@pytest.mark.parametrize("query", ["", "c0-sort=-gap_pp", "c0-sort=name", "c0-sort=light"])
def test_summary_table_renders_as_django_tables2_does(demo, query):
    # A submitted figure makes one row provisional, to cover that branch too.
    figure = Figure.objects.get(indicator__code="JJ04", area=demo, year=2025, month=10)
    figure.status = Figure.Status.SUBMITTED
    figure.save()
    # Text that must be escaped, in a plain column and a rendered one.
    Indicator.objects.filter(code="JJ04").update(unit="亿<元>", name="工业总产值 & <b>")
    rows = summary_rows(demo, 2025, 10, include_submitted=True)
    ours, upstream = both(
        lambda template: SummaryTable(
            rows, prefix="c0-", area=demo, include_submitted=True, template_name=template
        ),
        query,
    )
    assert ours == upstream
    assert ours.count("<tr ") == len(rows) and "初步数" in ours
    assert "亿&lt;元&gt;" in ours and "工业总产值 &amp; &lt;b&gt;" in ours


def test_village_table_renders_as_django_tables2_does(demo):
    indicator = Indicator.objects.get(code="NY01")
    rows = village_breakdown(indicator, demo, 2025, 10)
    ours, upstream = both(
        lambda template: VillageTable(rows, indicator=indicator, template_name=template)
    )
    assert ours == upstream and "蒋桥村" in ours


def test_ledger_table_renders_as_django_tables2_does(demo):
    as_of = datetime.date(2025, 10, 31)
    rows = ledger_rows(year=2025, as_of=as_of)
    ours, upstream = both(
        lambda template: LedgerTable(
            rows, query="as_of=2025-10-31", as_of=as_of, template_name=template
        )
    )
    assert ours == upstream
    assert ours.count("<tr ") == len(rows) > 20


def test_an_empty_table_says_so_as_upstream_does(demo):
    ours, upstream = both(
        lambda template: SummaryTable([], area=demo, empty_text="没有指标", template_name=template)
    )
    assert ours == upstream and "没有指标" in ours


def test_columns_that_localize_or_link_render_as_upstream_does(demo):
    import django_tables2 as tables

    from indicators.fasttable import FastTable

    class Plain(FastTable):
        name = tables.Column(linkify=lambda record: f"/v/{record['name']}/")
        day = tables.DateColumn(localize=False)
        amount = tables.Column(localize=True)
        missing = tables.Column(accessor="nowhere__at_all")

        class Meta(FastTable.Meta):
            row_attrs = {"data-name": lambda record: record["name"]}

    rows = [
        {"name": "甲<村>", "day": datetime.date(2025, 10, 31), "amount": 1234567},
        {"name": "乙村", "day": None, "amount": None},
    ]
    ours, upstream = both(lambda template: Plain(rows, template_name=template))
    assert ours == upstream and "甲&lt;村&gt;" in ours
