"""Writers at the same instant (issue: concurrency), on the suite's database (SQLite under
`make test`, PostgreSQL under `make test-pg`).

Twenty clerks post the entry grid of one department at once through gunicorn: several first
entries of the same figure race, then everyone keeps correcting what they last saw. No answer
is a 500; every save the server acknowledged (302) is stored exactly once in the figure's
history, none lost and none doubled; every refusal tells the writer someone saved first.
"""

import datetime
import json
import re
import threading
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import connection

from indicators import services
from indicators.models import Figure
from indicators.services import Cell, figures_save
from tests import served
from tests.factories import make_indicator

WRITERS = 20
CELLS = 5  # four writers race for each first entry
ROUNDS = 5  # saves per writer
YEAR = datetime.date.today().year - 1
MONTH = 6
CONFLICT = "您的修改未保存"


# ---------------------------------------------------------------------------- in process


@pytest.mark.django_db
def test_a_first_entry_that_loses_the_race_is_told_who_saved_first(
    monkeypatch, staff, reviewer, town, department
):
    """The race PostgreSQL allows (both find no row, both insert), made certain: the other
    first entry lands between this save's checks and its insert."""
    ind = make_indicator(code="GDP", department=department)
    real = services.check_cells
    calls = []

    def check_then_lose_the_race(cells, **kwargs):
        checked = real(cells, **kwargs)
        if not calls:
            other = Cell(ind, town, raw="7", version=0)
            assert real([other], user=reviewer, year=YEAR, month=MONTH)[0].error == ""
            Figure.objects.create(
                indicator=ind, area=town, year=YEAR, month=MONTH, value=Decimal(7),
                created_by=reviewer, updated_by=reviewer,
            )  # fmt: skip
        calls.append(1)
        return checked

    monkeypatch.setattr(services, "check_cells", check_then_lose_the_race)
    cell = Cell(ind, town, raw="8", version=0)
    result = figures_save(user=staff, cells=[cell], year=YEAR, month=MONTH)
    assert len(calls) == 2  # checked again after the refused insert
    assert not result.ok and result.saved == []
    assert "已于" in cell.error and "改为7" in cell.error and CONFLICT in cell.error
    assert cell.newer is not None and cell.newer.value == 7
    assert list(Figure.objects.values_list("value", flat=True)) == [Decimal(7)]


# ---------------------------------------------------------------------------- through gunicorn


@pytest.fixture
def server(tmp_path, tmp_path_factory):
    setup = served.writers_setup(writers=WRITERS, cells=CELLS)
    static = tmp_path_factory.getbasetemp() / "static"
    server, printed = served.start(tmp_path, static, vendor=connection.vendor, setup=setup)
    server.data = json.loads(printed.strip().splitlines()[-1])
    try:
        yield server
    finally:
        served.stop(server)


VERSION = re.compile(r'name="ver-(\d+-\d+)" value="(\d+)"')


class Writer(threading.Thread):
    """One clerk: reads the grid once, then saves value after value, each time from the
    version the last answer showed (a refusal's page shows the newer one)."""

    def __init__(self, n, server, session, department, cells, start):
        super().__init__(name=f"writer{n}")
        self.n, self.cells, self.start_line = n, cells, start
        self.client = served.Client(server.base, cookies={"sessionid": session})
        self.query = f"/entry/?department={department}&year={YEAR}&month={MONTH}"
        self.department = department
        self.answers = []  # (round, cell, value, status, conflict named)
        self.failure = None

    def run(self):
        try:
            status, _headers, html = self.client.get(self.query)
            assert status == 200, (status, html[:300])
            csrf, versions = served.csrf_of(html), dict(VERSION.findall(html))
            self.start_line.wait(timeout=60)  # every writer posts its first save together
            for r in range(ROUNDS):
                cell = self.cells[(self.n + r) % len(self.cells)]
                value = 100 + self.n * 10 + r  # unique to this writer and round
                version = int(versions[cell])
                data = {
                    "department": self.department,
                    "year": YEAR,
                    "month": MONTH,
                    "action": "save",
                    f"v-{cell}": value,
                    f"ver-{cell}": version,
                }
                status, _headers, html = self.client.post("/entry/", data, csrf)
                self.answers.append((r, cell, value, status, CONFLICT in html))
                if status == 302:
                    versions[cell] = version + 1
                elif status == 400:
                    versions.update(VERSION.findall(html))
        except Exception as exc:  # reported by the test, not lost in a thread
            self.failure = exc


def test_twenty_writers_at_once_lose_no_save_and_double_none(server, capsys):
    data = server.data
    start = threading.Barrier(WRITERS)
    writers = [
        Writer(n, server, session, data["department"], data["cells"], start)
        for n, session in enumerate(data["sessions"])
    ]
    began = datetime.datetime.now()
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=300)
    seconds = (datetime.datetime.now() - began).total_seconds()
    assert [w.failure for w in writers if w.failure] == []
    answers = [a for w in writers for a in w.answers]
    statuses = Counter(status for *_rest, status, _c in answers)
    assert len(answers) == WRITERS * ROUNDS
    assert set(statuses) <= {302, 400}, statuses  # never a 500 (nor a 503)
    # Every refusal says someone saved first, with the newer value.
    assert all(conflict for *_rest, status, conflict in answers if status == 400)
    # Of the writers racing for a first entry, one at most won (a quicker writer's second
    # save may have made it first).
    first = Counter(cell for r, cell, _v, status, _c in answers if r == 0 and status == 302)
    assert max(first.values()) == 1, first

    acknowledged = defaultdict(list)
    for _r, cell, value, status, _c in answers:
        if status == 302:
            acknowledged[cell].append(Decimal(value))
    stored = {
        f"{ind}-{area}": (Decimal(str(value)), version)
        for ind, area, value, version in server.query(
            "SELECT indicator_id, area_id, value, version FROM indicators_figure"
        )
    }
    history = defaultdict(list)
    for ind, area, value, kind in server.query(
        "SELECT indicator_id, area_id, value, history_type FROM indicators_historicalfigure"
        " ORDER BY history_date, history_id"
    ):
        history[f"{ind}-{area}"].append((Decimal(str(value)), kind))
    lost = doubled = 0
    for cell in data["cells"]:
        recorded = Counter(value for value, _kind in history[cell])
        wanted = Counter(acknowledged[cell])
        lost += sum((wanted - recorded).values())
        doubled += sum((recorded - wanted).values())
        assert [kind for _v, kind in history[cell]].count("+") == 1, cell
        value, version = stored[cell]
        assert version == len(acknowledged[cell]), cell  # one version per acknowledged save
        assert value == history[cell][-1][0], cell  # the row holds the last recorded save
    assert (lost, doubled) == (0, 0)
    retried = server.log_text().count("同时首次填报")
    with capsys.disabled():
        print(
            f"\n[{connection.vendor}] writers={WRITERS} saves={len(answers)} "
            f"acknowledged={statuses[302]} refused={statuses[400]} errors=0 lost={lost} "
            f"doubled={doubled} first-entry races retried={retried} in {seconds:.1f}s"
        )
