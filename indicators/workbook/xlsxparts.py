"""The parts of an .xlsx other than its sheets: the zip looked into before anything is parsed
(sizes, compression, member and sheet counts), the workbook's sheet list and date epoch, the
shared strings and the cell styles' number formats. `xlsx.py` reads the sheets with them.
"""

import datetime
import html
import re
import zipfile
from dataclasses import dataclass
from itertools import repeat
from posixpath import join, normpath
from xml.etree import ElementTree

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

from .limits import LIMITS, WorkbookError

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
            f"文件解压后有{total / 1024 / 1024:,.0f}MB，超过{LIMITS.uncompressed_bytes / 1024 / 1024:g}MB的上限"
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
