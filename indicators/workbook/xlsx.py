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
import gc
import html
import re
import xml.parsers.expat
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import accumulate, chain, repeat
from operator import ne
from posixpath import join, normpath
from xml.etree import ElementTree

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from ..cells import Percent, excel_number
from .limits import LIMITS, WorkbookError, too_many_rows


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


# ---------------------------------------------------------------------------- the zip


def open_zip(data: bytes) -> zipfile.ZipFile:
    """The .xlsx as a zip, its members checked (sizes, methods) before any is inflated."""
    import io

    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        members = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookError(
            "无法读取该 Excel 文件（文件可能已损坏或不是 .xlsx 格式）：请在 Excel 中另存为 .xlsx 后重试。"
        ) from exc
    total = sum(m.file_size for m in members)
    if total > LIMITS.uncompressed_bytes or len(members) > LIMITS.zip_members:
        raise WorkbookError(
            f"文件解压后有{total / 1024 / 1024:,.0f}MB，超过{LIMITS.uncompressed_bytes // 1024 // 1024}MB的上限"
            "（可能是异常文件）：请只保留需要导入的表，另存为 .xlsx 后重新上传。"
        )
    steep = [
        m
        for m in members
        if m.file_size > 1024 * 1024 and m.file_size > LIMITS.ratio * max(m.compress_size, 1)
    ]
    if steep:
        raise WorkbookError(
            f"文件中的「{steep[0].filename}」解压后是压缩时的{steep[0].file_size // max(steep[0].compress_size, 1):,}倍"
            "（正常的表格不超过几百倍，可能是异常文件）：请在 Excel 或 WPS 中另存为 .xlsx 后重新上传。"
        )
    # Excel, WPS and LibreOffice write stored or deflated parts only; bzip2/lzma zips are made
    # by hand, and Python would inflate them as willingly as a bomb.
    odd = [m for m in members if m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)]
    if odd:
        raise WorkbookError(
            "文件使用了 Excel 不会使用的压缩方式（可能是异常文件）：请在 Excel 或 WPS 中另存为 .xlsx 后重新上传。"
        )
    return book


def _xml(book, name: str) -> bytes:
    try:
        data = book.read(name)
    except KeyError:
        return b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise WorkbookError("Excel 文件内容不完整或已损坏：请重新导出后再上传。") from exc
    # No spreadsheet part has a DTD: refusing one keeps entity expansion out altogether.
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
        raise WorkbookError(
            "Excel 文件中含有不允许的内容（DTD）：请在 Excel 中另存为 .xlsx 后重试。"
        )
    return data


def _tree(data: bytes):
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise WorkbookError("Excel 文件内容不完整或已损坏：请重新导出后再上传。") from exc


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


@dataclass
class Book:
    """What every sheet needs: the shared strings, each style's kind and the sheets' parts."""

    zip: zipfile.ZipFile
    sheets: list  # [(title, part name)]
    strings: list
    styles: list  # per cellXfs index: "percent", "date" or None
    epoch: datetime.datetime


def open_book(data: bytes) -> Book:
    book = open_zip(data)
    workbook = _xml(book, "xl/workbook.xml")
    if not workbook:
        raise WorkbookError(
            "文件中没有工作表（不是 Excel 工作簿）：请在 Excel 中另存为 .xlsx 后重试。"
        )
    root = _tree(workbook)
    rels = {}
    rels_xml = _xml(book, "xl/_rels/workbook.xml.rels")
    if rels_xml:
        for rel in _tree(rels_xml):
            target = rel.get("Target", "")
            target = target[1:] if target.startswith("/") else normpath(join("xl", target))
            rels[rel.get("Id")] = target
    sheets, epoch = [], CALENDAR_WINDOWS_1900
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            sheets.append((el.get("name", ""), rels.get(rid, "")))
        elif tag == "workbookPr" and el.get("date1904") in ("1", "true"):
            epoch = CALENDAR_MAC_1904
    if len(sheets) > LIMITS.sheets:
        raise WorkbookError(
            f"工作簿有{len(sheets)}张工作表，超过{LIMITS.sheets}张的上限：请只保留需要导入的表。"
        )
    return Book(book, sheets, _strings(book, rels), _styles(book), epoch)


SI_FAST = re.compile(
    rb"<(?:\w+:)?si>(?:<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)</(?:\w+:)?t>|(.*?))</(?:\w+:)?si>"
    rb"|<(?:\w+:)?si\s*/>",
    re.S,
)
T = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>|<(?:\w+:)?t\s*/>", re.S)
PHONETIC = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)


def _unescape(raw: bytes) -> str:
    value = raw.decode("utf-8")
    return html.unescape(value) if "&" in value else value


def _rich_text(raw: bytes) -> str:
    """The text of an <si> or <is>: its runs joined, phonetic guides (rPh) left out."""
    if b"<rPh" in raw:
        raw = PHONETIC.sub(b"", raw)
    return "".join(_unescape(t) for t in T.findall(raw))


def _strings(book, rels):
    name = next((t for t in rels.values() if t.endswith("sharedStrings.xml")), None)
    data = _xml(book, name or "xl/sharedStrings.xml")
    if b"<![CDATA[" in data:
        return ["".join(si.itertext()) for si in _tree(data) if _local(si.tag) == "si"]
    items = data.split(b"</si>")
    if not any(mark in data for mark in ODD_STRINGS) and items[-1].count(b"<si>") == 0:
        counts = list(map(bytes.count, items, repeat(b"<si>", len(items) - 1)))
        if counts.count(1) == len(counts):
            return SharedStrings(items[:-1])
    # Most items are one plain <t>: taken at once; rich text and phonetics go through _rich_text.
    return [
        (_unescape(plain) if plain else "") if not rich else _rich_text(rich)
        for plain, rich in SI_FAST.findall(data)
    ]


# Shapes the split below does not take: empty or prefixed items, comments. They are rare; the
# pattern above reads them.
ODD_STRINGS = (b"<si/", b"<si ", b":si>", b":t>", b"<!--")
PLAIN_T = re.compile(rb'<t(?: xml:space="preserve")?>([^<]*)</t>')


class SharedStrings:
    """The shared strings as the items of the part, each read when a cell first asks for it.

    LibreOffice writes a font run around every change of script ("第" 2 "行"): 100,000 such
    strings took seconds through the patterns above, while a split at </si> and one small
    pattern per item asked for takes a tenth of that. An item with any other shape (phonetic
    guides, other attributes on <t>) is read by `_rich_text`, as before.
    """

    __slots__ = ("items", "values")

    def __init__(self, items):
        self.items, self.values = items, [None] * len(items)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        value = self.values[index]
        if value is None:
            item = self.items[index]
            texts = PLAIN_T.findall(item)
            if b"<rPh" in item or item.count(b"<t") != len(texts):
                value = _rich_text(item[item.find(b"<si>") + 4 :])
            else:
                value = b"".join(texts).decode("utf-8")
                if "&" in value:  # each run unescaped on its own, as _rich_text does
                    value = "".join(map(_unescape, texts))
            self.values[index] = value
        return value


def _styles(book) -> list:
    data = _xml(book, "xl/styles.xml")
    if not data:
        return []
    root = _tree(data)
    formats = dict(BUILTIN_FORMATS)
    kinds = []
    for el in root:
        if _local(el.tag) == "numFmts":
            for fmt in el:
                try:
                    formats[int(fmt.get("numFmtId", -1))] = fmt.get("formatCode", "")
                except ValueError:
                    continue
    for el in root:
        if _local(el.tag) == "cellXfs":
            for xf in el:
                try:
                    code = formats.get(int(xf.get("numFmtId", 0)), "General")
                except ValueError:
                    code = "General"
                kinds.append(_format_kind(code))
    return kinds


QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def _format_kind(code: str) -> str | None:
    """ "percent" for 0.0%, "date" for yyyy-mm-dd and the like, else None (a plain number)."""
    code = code or ""
    bare = QUOTED.sub("", code)
    if "%" in bare:
        return "percent"
    if is_date_format(code):
        return "date"
    return None


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


def read_xlsx(data: bytes, wanted=None) -> list[Grid]:
    """The sheets of an .xlsx whose title `wanted(title)` accepts (every sheet by default)."""
    book = open_book(data)
    # A large sheet makes millions of small tuples and lists, none of them in a cycle; the
    # collector walking them again and again took as long as the reading itself.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return [
            read_grid(book, title, part)
            for title, part in book.sheets
            if part and (wanted is None or wanted(title))
        ]
    finally:
        book.zip.close()
        if collecting:
            gc.enable()


def sheet_titles(data: bytes) -> list[str]:
    book = open_book(data)
    book.zip.close()
    return [title for title, _ in book.sheets]
