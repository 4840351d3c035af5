"""Bad input, generated (issue 4): the entry form and the uploads never answer 500, and a stored
figure changes only through a valid, permitted save.

Example counts are kept modest (FORM_EXAMPLES, UPLOAD_EXAMPLES) so the suite stays fast.
"""

import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from indicators.cells import CellError, number
from indicators.models import Figure
from tests.factories import make_figure, make_indicator

pytestmark = pytest.mark.django_db

FORM_EXAMPLES = 60
UPLOAD_EXAMPLES = 30
FUZZ = settings(
    max_examples=FORM_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FULL_WIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．－")

values = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=8).map(str),
    st.integers(min_value=0, max_value=10**9).map(lambda n: str(n).translate(FULL_WIDTH)),
    st.sampled_from(["=A1", "=SUM(A1:A3)", "", " ", "1,234.5", "1e5", "NaN", "-0", "１２亿"]),
)
notes = st.one_of(st.just(""), st.text(max_size=300))


@pytest.fixture
def grid(client, staff, town, department):
    ind = make_indicator(code="GDP", unit="亿元", department=department, kind="count")
    make_figure(ind, town, 2025, 2, "50")
    client.force_login(staff)
    return client, ind, town


def expected(raw, note):
    """The value a valid save would store, or None when the input must be refused."""
    try:
        value = number(raw)
    except CellError:
        return None
    return value


@FUZZ
@given(raw=values, note=notes, confirm=st.booleans())
def test_entry_form_never_fails_and_saves_only_valid_values(grid, raw, note, confirm):
    client, ind, town = grid
    figure = Figure.objects.filter(year=2025, month=3).first()
    before = (figure.value, figure.version) if figure else None
    name = f"{ind.pk}-{town.pk}"
    data = {"year": "2025", "month": "3", f"v-{name}": raw, f"n-{name}": note, "action": "save"}
    data[f"ver-{name}"] = figure.version if figure else 0
    if confirm:
        data[f"c-{name}"] = "1"
    response = client.post("/entry/", data)
    assert response.status_code in (302, 400)
    figure = Figure.objects.filter(year=2025, month=3).first()
    after = (figure.value, figure.version) if figure else None
    if response.status_code == 400:
        assert after == before  # a refused save changes nothing
    elif after != before:
        value = expected(raw, note)
        assert value is not None and figure.value == value
        assert value >= 0  # a count may not be negative
        assert value >= 50 or note.strip()  # below last month only with a reason


@settings(FUZZ, max_examples=FORM_EXAMPLES // 2)
@given(n=st.integers(min_value=50, max_value=10**6))
def test_full_width_digits_are_accepted_and_normalised(grid, n):
    client, ind, town = grid
    figure = Figure.objects.filter(year=2025, month=3).first()
    name = f"{ind.pk}-{town.pk}"
    data = {"year": "2025", "month": "3", f"v-{name}": str(n).translate(FULL_WIDTH)}
    data.update(
        {f"ver-{name}": figure.version if figure else 0, f"n-{name}": "核对", "action": "save"}
    )
    data[f"c-{name}"] = "1"  # large values are probable unit slips: confirmed with a reason
    assert client.post("/entry/", data).status_code == 302
    assert Figure.objects.get(year=2025, month=3).value == Decimal(n)


@settings(FUZZ, max_examples=FORM_EXAMPLES // 2)
@given(
    field_value=st.text(max_size=12),
    year=st.one_of(st.text(max_size=6), st.integers(-5, 3000).map(str)),
    month=st.one_of(st.text(max_size=3), st.integers(-2, 14).map(str)),
)
def test_tampered_grid_fields_never_fail(grid, field_value, year, month):
    client, ind, town = grid
    before = list(Figure.objects.values_list("pk", "value", "version"))
    name = f"{ind.pk}-{town.pk}"
    data = {"year": year, "month": month, f"v-{name}": "60", f"ver-{name}": field_value}
    data["department"] = field_value
    response = client.post("/entry/", data)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert list(Figure.objects.values_list("pk", "value", "version")) == before


def xlsx(rows) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "数据"
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def post_file(client, content: bytes, name: str):
    file = io.BytesIO(content)
    file.name = name
    return client.post("/entry/upload/", {"year": "2025", "month": "3", "file": file})


UPLOAD = settings(FUZZ, max_examples=UPLOAD_EXAMPLES)


@UPLOAD
@given(content=st.binary(max_size=2000), suffix=st.sampled_from([".xlsx", ".csv", ".xls", ""]))
def test_random_bytes_upload_never_fails_or_writes(grid, content, suffix):
    client = grid[0]
    before = list(Figure.objects.values_list("pk", "value", "version"))
    response = post_file(client, content, "填报表" + suffix)
    assert response.status_code in (200, 400)
    assert list(Figure.objects.values_list("pk", "value", "version")) == before


VALID_SHEET = xlsx(
    [["指标编码", "区域编码", "年度", "月份", "数值", "备注"], ["GDP", "T01", 2025, 3, 60, None]]
)


@UPLOAD
@given(cut=st.integers(min_value=0, max_value=len(VALID_SHEET) - 1))
def test_truncated_xlsx_is_refused_not_crashed(grid, cut):
    client = grid[0]
    response = post_file(client, VALID_SHEET[:cut], "填报表.xlsx")
    assert response.status_code == 400
    assert not Figure.objects.filter(year=2025, month=3).exists()


cells = st.one_of(
    values,
    st.text(alphabet="中文数字编码甲乙丙，。、０１２３", max_size=10),
    st.none().map(lambda _: ""),
)


@UPLOAD
@given(
    rows=st.lists(st.tuples(cells, cells, cells, cells, values, cells), max_size=6),
    encoding=st.sampled_from(["gbk", "utf-8", "utf-8-sig"]),
)
def test_csv_uploads_in_gbk_or_utf8_never_fail_and_only_preview(grid, rows, encoding):
    client = grid[0]
    lines = ["指标编码,区域编码,年度,月份,数值,备注"]
    lines += [",".join(c.replace(",", " ").replace("\n", " ") for c in row) for row in rows]
    lines.append("GDP,T01,2025,3,６０,")
    content = "\n".join(lines).encode(encoding, errors="replace")
    before = list(Figure.objects.values_list("pk", "value", "version"))
    response = post_file(client, content, "填报表.csv")
    assert response.status_code in (200, 400)
    # An upload only previews; writing needs the confirmation step.
    assert list(Figure.objects.values_list("pk", "value", "version")) == before


@settings(UPLOAD, max_examples=UPLOAD_EXAMPLES // 2)  # building an .xlsx is the slow part
@given(row=st.tuples(cells, cells, cells, cells, values, notes))
def test_xlsx_rows_with_random_cells_never_fail(grid, row):
    client = grid[0]
    row = [ILLEGAL_CHARACTERS_RE.sub("", c) for c in row]  # Excel itself cannot hold these
    content = xlsx([["指标编码", "区域编码", "年度", "月份", "数值", "备注"], row])
    response = post_file(client, content, "填报表.xlsx")
    assert response.status_code in (200, 400)
    assert not Figure.objects.filter(year=2025, month=3).exists()
