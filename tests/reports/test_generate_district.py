"""`manage.py generate_district`: a synthetic district of the asked size, coded G, G01, G01V01."""

import io

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Area, Figure, Indicator, Target
from indicators.selectors import summary_rows
from tasks.models import Milestone, ProgressReport, Task


@pytest.fixture
def generated(db):
    call_command(
        "generate_district",
        "--towns=2",
        "--villages=3",
        "--indicators=15",
        "--years=2",
        "--tasks=4",
        "--last-year=2025",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


def test_codes_and_sizes_follow_the_options(generated):
    assert Area.objects.get(code="G").level == "district"
    assert list(Area.objects.filter(level="town").values_list("code", flat=True)) == ["G01", "G02"]
    assert Area.objects.filter(parent__code="G01").count() == 3
    assert Area.objects.filter(code="G02V03", level="village").exists()
    entered = Indicator.objects.filter(source__isnull=True)
    assert entered.count() == 15
    # Every third indicator per village (5 of 15: 3 villages each), the rest by the town.
    per_town = 5 * 3 + 10
    assert Figure.objects.count() == 2 * per_town * 2 * 12
    assert {k for k in entered.values_list("kind", flat=True)} == set(Indicator.Kind.values)
    assert Target.objects.filter(year=2025).count() > 0
    assert Task.objects.count() == 8 and Milestone.objects.exists()
    assert ProgressReport.objects.exists()


def test_the_district_reads_like_any_other(generated):
    rows = summary_rows(Area.objects.get(code="G01"), 2025, 10)
    lights = {r.light for r in rows}
    assert len(rows) == Indicator.objects.count()
    assert {"green", "yellow", "red"} & lights
    assert all(r.actual is not None for r in rows if not r.indicator.is_derived)


def test_a_second_run_is_refused_in_chinese(generated):
    with pytest.raises(CommandError, match="G 已存在"):
        call_command(
            "generate_district", "--towns=1", "--villages=1", "--indicators=3", "--years=1"
        )


def test_sizes_must_be_positive(db, capsys):
    with pytest.raises(CommandError, match="应为正整数"):
        call_command("generate_district", "--towns=0")
