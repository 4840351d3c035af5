"""The .xlsx reader: its fast path and its expat path read the same cells, whatever the shape
another producer writes; limits refuse before parsing."""

import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from indicators.cells import Percent
from indicators.workbook import WorkbookError
from indicators.workbook.xlsx import read_xlsx


def book_bytes() -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "数据"
    ws.append(["指标编码", "数值", "备注"])
    ws.append(["JJ01", 15560, "快报（含补报）"])
    ws.append(["MS01", 0.991, None])
    ws["B3"].number_format = "0.0%"
    ws.append(["JJ04", 28.12, "=B2"])
    ws.merge_cells("C2:C3")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(item, content)
    return out.getvalue()


def cells(data):
    [grid] = read_xlsx(data)
    return grid.rows


def test_values_formats_and_merges_are_read():
    rows = cells(book_bytes())
    assert rows[1] == (2, ["JJ01", 15560, "快报（含补报）"])
    assert rows[2] == (3, ["MS01", Percent(Decimal("0.991")), "快报（含补报）"])  # merged C2:C3
    assert rows[3][1][2] == "=B2"  # a formula nobody calculated


def test_another_attribute_order_is_read_by_expat_alike():
    swapped = rewritten(
        book_bytes(),
        lambda xml: re.sub(rb'<c r="([A-Z]+\d+)"( s="\d+")?( t="\w+")?', rb'<c\3\2 r="\1"', xml),
    )
    assert b'<c t="' in zipfile.ZipFile(io.BytesIO(swapped)).read("xl/worksheets/sheet1.xml")
    assert cells(swapped) == cells(book_bytes())


def test_a_dtd_is_refused():
    bad = rewritten(book_bytes(), lambda xml: b'<!DOCTYPE x [<!ENTITY a "b">]>' + xml)
    with pytest.raises(WorkbookError, match="DTD"):
        read_xlsx(bad)


def test_a_text_cell_over_2000_characters_is_refused():
    book = Workbook()
    book.active.append(["长" * 2001])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(WorkbookError, match="超过2,000个字符"):
        read_xlsx(out.getvalue())


def test_a_part_that_inflates_too_steeply_is_refused_before_parsing():
    padded = rewritten(
        book_bytes(), lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 20_000_000)
    )
    with pytest.raises(WorkbookError, match="倍（正常的表格不超过几百倍"):
        read_xlsx(padded)
