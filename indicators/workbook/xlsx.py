"""Reading an .xlsx exactly and safely: the zip is looked into before anything is parsed.

An .xlsx is a zip of XML parts. Before a byte of a sheet is parsed the reader checks the sum of
the members' uncompressed sizes, the compression methods, the number of sheets and each sheet's
row count (its <dimension>), so a zip bomb (tests/fixtures/real/13a, 13b) is refused in
milliseconds with bounded memory. Then each wanted sheet becomes a `Grid`: its rows as lists of
plain values, with

- merged cells carrying their value to every cell they cover (read-only openpyxl drops them),
- a percent-formatted number as `cells.Percent` (the file holds 0.991 for 99.1%), a date-
  formatted one as a datetime, every other number exactly (int, or Decimal to Excel's 15 digits),
- a formula nobody calculated (no cached value) as its text "=E2+5260", so the checks say so,
- text exactly as stored (xml:space kept; the checks trim it).

Sheets are parsed with regular expressions over the standard shape every producer writes
(`<c r="A1" s="1" t="s"><v>0</v></c>`, about ten times faster than an XML parser here); a sheet
that holds anything else (other attributes, a namespace prefix, CDATA) is read by expat instead,
so speed never costs exactness.
"""

import datetime
import html
import re
import xml.parsers.expat
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import accumulate, chain
from operator import ne

from openpyxl.utils.datetime import from_excel

from ..cells import Percent, excel_number
from .limits import LIMITS, WorkbookError, collector_paused, too_many_rows
from .xlsxparts import Book, _rich_text, _unescape, _xml, open_book


@dataclass
class Grid:
    """One sheet as values: `rows` is [(row number, [value of A, B, …])], blank rows left out."""

    title: str
    rows: list = field(default_factory=list)
    merges: list = field(default_factory=list)  # [(min_row, min_col, max_row, max_col)], 1-based


def column_index(letters: str) -> int:
    """ "A" → 0, "Z" → 25, "AA" → 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letter(index: int) -> str:
    """0 → "A", 26 → "AA"."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def parse_ref(ref: str) -> tuple[int, int]:
    """ "B3" → (3, 1): the row (1-based) and the column index (0-based)."""
    m = REF.match(ref.upper())
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), column_index(m.group(1))


# ---------------------------------------------------------------------------- a sheet

DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([^\"]+)\"")
ROW = re.compile(rb"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
ROW_NUMBER = re.compile(rb'\br="(\d+)"')
# The standard cell: r, then s, then t, nothing else; a plain <v> is taken at once. Other
# shapes fall back to expat.
CELLS = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?\s*'
    rb"(?:/>|>(?:<v>([^<]*)</v>|<is><t>([^<]*)</t></is>|(.*?))</c>)",
    re.S,
)
MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([^"]+)"')
V = re.compile(rb"<v(?:\s[^>]*)?>(.*?)</v>", re.S)
F = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
IS = re.compile(rb"<is>(.*?)</is>", re.S)


def read_grid(book: Book, title: str, part: str) -> Grid:
    """One sheet of the book as a Grid, within the row and cell limits."""
    data = _xml(book.zip, part)
    grid = Grid(title)
    head = data[:4096]
    if m := DIMENSION.search(head):
        _check_dimension(title, m.group(1).decode())
    start = data.find(b"<sheetData")
    end = data.rfind(b"</sheetData>")
    body = data[start:end] if start >= 0 and end > start else b""
    tail = data[end:] if end > 0 else b""
    if body.count(b"</row>") > LIMITS.rows + 1:
        raise too_many_rows(title, body.count(b"</row>"))
    standard = b"<worksheet" in head and b"<![CDATA[" not in body
    rows = _fast_rows(book, title, body) if standard else None
    if rows is None and standard:
        rows = _regex_rows(book, title, body)
    if rows is None:
        rows = _expat_rows(book, title, data)
    grid.merges = [_range(r.decode()) for r in MERGE.findall(tail or data)]
    grid.rows = _apply_merges(rows, [m for m in grid.merges if m])
    return grid


def _check_dimension(title, ref):
    last = ref.split(":")[-1]
    try:
        rows = parse_ref(last)[0] - (parse_ref(ref.split(":")[0])[0] if ":" in ref else 1) + 1
    except ValueError:
        return
    if rows > LIMITS.rows + 1:
        raise too_many_rows(title, rows)


def _range(ref: str):
    try:
        first, _, last = ref.partition(":")
        r1, c1 = parse_ref(first)
        r2, c2 = parse_ref(last or first)
    except ValueError:
        return None
    return (r1, c1, r2, c2)


# The same cells as CELLS, each as its column letters, its row and the rest of its markup.
CELL = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"((?: s="\d+")?(?: t="\w+")?\s*(?:/>|>.*?</c>))',
    re.S,
)
CELL_REST = re.compile(CELLS.pattern[CELLS.pattern.index(b"(?: s=") :], re.S)


class _Unusual(Exception):
    """A cell the fast path leaves to `_regex_rows`, which says what is wrong with it."""


def _fast_rows(book, title, body):
    """Rows as `_regex_rows` reads them, with Python work per distinct cell, not per cell.

    A cell's markup after its reference (` s="0" t="s"><v>6</v></c>`) decides its value, and a
    100,000-row sheet holds few distinct ones beyond its texts: each is read once, the rest is
    list slicing. Anything unusual (rows out of order, a gap, an error in a cell, a column past
    the limit) returns None, and `_regex_rows` reads the sheet, raising what it always raised.
    """
    cells = CELL.findall(body)
    if not cells or len(cells) != body.count(b"<c ") + body.count(b"<c>") + body.count(b"<c/"):
        return None
    letters, numbers, rests = zip(*cells, strict=True)
    per_row = Counter(numbers)
    if len(per_row) > LIMITS.rows + 1:
        return None
    columns = list(map(COLUMNS.get, letters))
    if None in columns:
        return None
    read = _cell_reader(book, title)
    try:
        value_of = {rest: read(rest) for rest in set(rests)}
    except (_Unusual, WorkbookError):
        return None
    values = list(map(value_of.__getitem__, rests))
    counts = per_row.values()
    if None not in values and columns == list(chain.from_iterable(map(SPANS.__getitem__, counts))):
        # Every row filled from column A without a gap (a generated sheet): its cells in order
        # make the rows, once one row number never comes back after another.
        if sum(map(ne, numbers, numbers[1:])) != len(per_row) - 1:
            return None
        ends = list(accumulate(counts))
        cut = map(slice, [0, *ends[:-1]], ends)
        return list(zip(map(int, per_row), map(values.__getitem__, cut), strict=True))
    rows, at = [], 0
    for number, count in per_row.items():
        end = at + count
        if numbers[at:end].count(number) != count:
            return None  # one row's cells not side by side
        row, cols = values[at:end], columns[at:end]
        if cols != SPANS[count] or None in row:
            row = _placed(cols, row)
        if row:
            rows.append((int(number), row))
        at = end
    return rows


SPANS = [list(range(n)) for n in range(LIMITS.columns + 1)]


def _placed(columns, values):
    """A row's values at their columns, as `_regex_rows` places them: empty cells left out."""
    row = []
    for col, value in zip(columns, values, strict=True):
        if value is None:
            continue
        if col == len(row):
            row.append(value)
        elif col > len(row):
            row.extend([None] * (col - len(row)))
            row.append(value)
        else:
            row[col] = value
    return row


def _cell_reader(book, title):
    """The value of one cell's markup after its reference, exactly as `_regex_rows` reads it;
    None for an empty cell. A cell it would refuse raises _Unusual."""
    strings, max_text = book.strings, LIMITS.text_chars
    special = {str(i).encode(): kind for i, kind in enumerate(book.styles) if kind}
    value_of = _value_reader(book, title)
    count = len(strings)

    def read(rest):
        m = CELL_REST.fullmatch(rest)
        if m is None:
            raise _Unusual
        style, kind, v, t, other = m.groups()
        if t:
            value = _unescape(t)
        elif other:
            # Its letters and row only name the cell in a message: _regex_rows gives those.
            return value_of(b"A", style, kind or None, other, 0)
        elif not v:
            return None
        elif kind == b"s":
            # As the bytes the cell holds: "12", never "012" or "-1".
            if not v.isdigit() or (v[:1] == b"0" and v != b"0") or int(v) >= count:
                raise _Unusual
            value = strings[int(v)]
            if not value:
                return None
        elif (not kind or kind == b"n") and style not in special:
            try:
                return excel_number(v.decode())
            except (InvalidOperation, ValueError):
                return v.decode()
        else:
            return value_of(b"A", style, kind or None, b"<v>" + v + b"</v>", 0)
        if len(value) > max_text:
            raise _Unusual
        return value

    return read


def _regex_rows(book, title, body):
    """Rows from the standard XML shape, or None when the sheet holds any other shape.

    One pass over every cell of the sheet: the cell's reference gives its row, so rows need no
    parsing of their own. A cell the pattern does not take (counted against every "<c" tag)
    sends the whole sheet to expat.
    """
    cells = CELLS.findall(body)
    if len(cells) != body.count(b"<c ") + body.count(b"<c>") + body.count(b"<c/"):
        return None
    # Shared strings keyed by the bytes a cell holds ("12"), so no cell needs int().
    strings = {str(i).encode(): value for i, value in enumerate(book.strings)}
    numbers, max_text, max_rows = {}, LIMITS.text_chars, LIMITS.rows + 1
    special = {str(i).encode(): kind for i, kind in enumerate(book.styles) if kind}
    value_of = _value_reader(book, title)
    rows, current, values = [], None, None
    inline = {}
    for letters, number, style, kind, v, t, other in cells:
        if t:
            value = inline.get(t)
            if value is None:
                value = inline[t] = _unescape(t)
                if len(value) > max_text:
                    raise WorkbookError(
                        f"工作表「{title}」单元格{letters.decode()}{number.decode()}的内容超过"
                        f"{max_text:,}个字符：请删减后重新上传。"
                    )
        elif other:
            value = value_of(letters, style, kind or None, other, int(number))
            if value is None:
                continue
        elif not v:
            continue  # an empty, styled cell
        elif kind == b"s":
            value = strings.get(v)
            if value is None:
                raise WorkbookError("Excel 文件内容不完整或已损坏：请重新导出后再上传。")
            if not value:
                continue
            if len(value) > max_text:
                raise WorkbookError(
                    f"工作表「{title}」单元格{letters.decode()}{number.decode()}的内容超过"
                    f"{max_text:,}个字符：请删减后重新上传。"
                )
        elif (not kind or kind == b"n") and style not in special:
            value = numbers.get(v)
            if value is None:
                try:
                    value = numbers[v] = excel_number(v.decode())
                except (InvalidOperation, ValueError):
                    value = v.decode()
        else:
            value = value_of(letters, style, kind or None, b"<v>" + v + b"</v>", int(number))
            if value is None:
                continue
        if number != current:
            current, values = number, []
            rows.append((int(number), values))
            if len(rows) > max_rows:
                raise too_many_rows(title, len(rows))
        col = COLUMNS.get(letters)
        if col is None:
            _column(title, letters, int(number))
        if col == len(values):
            values.append(value)
        else:
            if col > len(values):
                values.extend([None] * (col - len(values)))
                values.append(value)
            else:
                values[col] = value
    if len({n for n, _ in rows}) != len(rows):
        return None  # cells of one row not side by side: not the standard shape
    return rows


COLUMNS = {column_letter(i).encode(): i for i in range(LIMITS.columns)}


def _column(title, letters, number):
    letters = letters.decode() if isinstance(letters, bytes) else letters
    raise WorkbookError(
        f"工作表「{title}」第{number}行的{letters}列超出了{LIMITS.columns}列：请删除多余的列后重新上传。"
    )


def _value_reader(book, title):
    strings, styles, epoch = book.strings, book.styles, book.epoch
    max_text = LIMITS.text_chars

    def long_text(letters, number):
        return WorkbookError(
            f"工作表「{title}」单元格{letters.decode()}{number}的内容超过{max_text:,}个字符：请删减后重新上传。"
        )

    def value_of(letters, style, kind, content, number):
        if content.startswith(b"<v>") and content.endswith(b"</v>") and content.count(b"<") == 2:
            raw, formula = content[3:-4], None
        else:
            v = V.search(content)
            raw = v.group(1) if v else None
            f = F.search(content)
            formula = f.group(1) if f else None
            if kind == b"inlineStr":
                i = IS.search(content)
                value = _rich_text(i.group(1)) if i else ""
                if len(value) > max_text:
                    raise long_text(letters, number)
                return value or None
            if not raw:
                # A formula nobody calculated: its text, so the checks can say so.
                if f is not None:
                    return "=" + _unescape(formula or b"")
                return None
        if kind == b"s":
            try:
                value = strings[int(raw)]
            except (ValueError, IndexError):
                raise WorkbookError("Excel 文件内容不完整或已损坏：请重新导出后再上传。") from None
            if len(value) > max_text:
                raise long_text(letters, number)
            return value if value != "" else None
        if kind in (None, b"n"):
            try:
                value = excel_number(raw.decode())
            except (InvalidOperation, ValueError):
                return raw.decode()
            fmt = styles[int(style)] if style and int(style) < len(styles) else None
            if fmt == "percent":
                return Percent(Decimal(value))
            if fmt == "date":
                try:
                    return from_excel(float(value), epoch)
                except (ValueError, OverflowError):
                    return value
            return value
        if kind in (b"str", b"e"):
            value = _unescape(raw)
            if len(value) > max_text:
                raise long_text(letters, number)
            return value
        if kind == b"b":
            return raw == b"1"
        if kind == b"d":
            try:
                return datetime.datetime.fromisoformat(raw.decode())
            except ValueError:
                return raw.decode()
        return _unescape(raw)

    return value_of


def _expat_rows(book, title, data):
    """The same rows through expat, for sheets written in any other (valid) shape."""
    value_of = _value_reader(book, title)
    rows, state = [], {"row": 0, "values": None, "cell": None, "buf": [], "in": None}

    def start(name, attrs):
        name = name.rpartition(":")[2]
        if name == "row":
            state["row"] = int(attrs.get("r", state["row"] + 1))
            state["values"], state["col"] = [], -1
        elif name == "c" and state["values"] is not None:
            ref = attrs.get("r")
            if ref:
                _, col = parse_ref(ref)
            else:
                col = state["col"] + 1
            state["col"] = col
            state["cell"] = [col, attrs.get("s"), attrs.get("t"), None, None, []]
        elif name in ("v", "f", "t") and state["cell"] is not None:
            state["in"], state["buf"] = name, []
        elif name == "rPh":
            state["in"] = "rPh"

    def end(name):
        name = name.rpartition(":")[2]
        cell = state["cell"]
        if name in ("v", "f") and cell is not None and state["in"] == name:
            cell[3 if name == "v" else 4] = "".join(state["buf"])
            state["in"] = None
        elif name == "t" and cell is not None and state["in"] == "t":
            cell[5].append("".join(state["buf"]))
            state["in"] = None
        elif name == "rPh":
            state["in"] = None
        elif name == "c" and cell is not None:
            col, style, kind, raw, formula, texts = cell
            state["cell"] = None
            if kind == "inlineStr":
                value = "".join(texts) or None
            else:
                content = b""
                if formula is not None:
                    content += b"<f>" + html.escape(formula).encode() + b"</f>"
                if raw is not None:
                    content += b"<v>" + html.escape(raw).encode() + b"</v>"
                if not content:
                    return
                value = value_of(
                    column_letter(col),
                    style.encode() if style else None,
                    kind.encode() if kind else None,
                    content,
                    state["row"],
                )
            if value is None:
                return
            values = state["values"]
            if col >= LIMITS.columns:
                _column(title, column_letter(col), state["row"])
            if col >= len(values):
                values.extend([None] * (col + 1 - len(values)))
            values[col] = value
        elif name == "row" and state["values"] is not None:
            if state["values"]:
                rows.append((state["row"], state["values"]))
                if len(rows) > LIMITS.rows + 1:
                    raise too_many_rows(title, len(rows))
            state["values"] = None

    def chars(text):
        if state["in"] in ("v", "f", "t"):
            state["buf"].append(text)

    parser = xml.parsers.expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = chars

    def no_dtd(*args):
        raise WorkbookError(
            "Excel 文件中含有不允许的内容（DTD）：请在 Excel 中另存为 .xlsx 后重试。"
        )

    parser.StartDoctypeDeclHandler = no_dtd
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise WorkbookError("Excel 文件内容不完整或已损坏：请重新导出后再上传。") from exc
    return rows


def _apply_merges(rows, merges):
    """Every cell a merged range covers takes the range's top-left value (DOMAIN §8)."""
    if not merges:
        return rows
    by_number = {n: values for n, values in rows}
    last_row = max(by_number, default=0)
    for r1, c1, r2, c2 in merges:
        top = by_number.get(r1)
        value = top[c1] if top is not None and c1 < len(top) else None
        if value is None:
            continue
        # A merge never reaches past the cells the sheet fills (a whole-column merge would).
        r2 = min(r2, last_row)
        c2 = min(c2, LIMITS.columns - 1)
        for r in range(r1, r2 + 1):
            values = by_number.setdefault(r, [])
            if len(values) <= c2:
                values.extend([None] * (c2 + 1 - len(values)))
            for c in range(c1, c2 + 1):
                if values[c] is None:
                    values[c] = value
    return sorted(by_number.items())


@collector_paused  # millions of small tuples and lists, none in a cycle
def read_xlsx(data: bytes, wanted=None) -> list[Grid]:
    """The sheets of an .xlsx whose title `wanted(title)` accepts (every sheet by default)."""
    book = open_book(data)
    try:
        return [
            read_grid(book, title, part)
            for title, part in book.sheets
            if part and (wanted is None or wanted(title))
        ]
    finally:
        book.zip.close()


def sheet_titles(data: bytes) -> list[str]:
    book = open_book(data)
    book.zip.close()
    return [title for title, _ in book.sheets]
