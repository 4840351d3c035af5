"""A brief as a .docx in the 党政机关公文格式 of GB/T 9704-2012 (DOMAIN §8), and the brief's
indicator table as .xlsx.

The layout: A4; margins top 37 mm and left 28 mm, so the text block is 156 × 225 mm; 22 lines
of 28 characters (a document grid of 28.95 pt lines); the title in 2号 (22 pt) 方正小标宋简体,
the body in 3号 (16 pt) 仿宋_GB2312, headings 一、 in 黑体 and （一） in 楷体_GB2312, the page
number in 4号 (14 pt) 宋体 as "— 1 —" below the block. Each font names a fallback in the
document's font table (宋体, 仿宋, 楷体), which Word and LibreOffice use where the GB font is
not installed.
"""

import io
import re

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from indicators import formatting as fmt
from indicators.excel import append_row

from .briefs import Block

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT, PAGE_FONT = (
    "方正小标宋简体",
    "仿宋_GB2312",
    "黑体",
    "楷体_GB2312",
    "宋体",
)
FALLBACKS = {"方正小标宋简体": "宋体", "仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体"}
LATIN_FONT = "Times New Roman"
BODY_PT, TITLE_PT, PAGE_PT = 16, 22, 14
LINE_PT = 28.95  # 225 mm ÷ 22 lines
LINES, CHARS = 22, 28
BLOCK_WIDTH_MM, BLOCK_HEIGHT_MM = 156, 225


def brief_docx(brief) -> bytes:
    """The brief's blocks, in the GB/T 9704 layout, as .docx bytes."""
    document = Document()
    _page(document.sections[0])
    _styles(document)
    _font_table(document)
    for block in [Block("title", brief.title), *brief.blocks]:
        _paragraph(document, block)
    _page_numbers(document.sections[0])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _page(section) -> None:
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.left_margin = Mm(37), Mm(28)
    section.right_margin = Mm(210 - 28 - BLOCK_WIDTH_MM)
    section.bottom_margin = Mm(297 - 37 - BLOCK_HEIGHT_MM)
    section.footer_distance = Mm(297 - 37 - BLOCK_HEIGHT_MM - 7)  # "— 1 —" 7 mm below the block
    # 22 lines: Word's line grid (the pitch in twips). The 28 characters come from the body
    # text's spacing: 156 mm ÷ 28 = 15.79 pt a character, 0.2 pt less than 3号 (see _styles).
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))


def char_spacing_twips() -> int:
    """The condensing that puts 28 characters of 3号 in 156 mm, in 1/20 pt (w:spacing)."""
    return round((Mm(BLOCK_WIDTH_MM).pt / CHARS - BODY_PT) * 20)


def _fonts(run_or_style, east_asia: str, size: float) -> None:
    font = run_or_style.font
    font.name = LATIN_FONT
    font.size = Pt(size)
    element = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def _styles(document) -> None:
    normal = document.styles["Normal"]
    _fonts(normal, BODY_FONT, BODY_PT)
    condensed = OxmlElement("w:spacing")
    condensed.set(qn("w:val"), str(char_spacing_twips()))
    normal.element.get_or_add_rPr().append(condensed)
    spacing = normal.paragraph_format
    spacing.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    spacing.line_spacing = Pt(LINE_PT)
    spacing.space_before = spacing.space_after = Pt(0)


def _font_table(document) -> None:
    """Name each GB font's fallback (w:altName), so a machine without it shows the nearest."""
    part = document.part.part_related_by(RT.FONT_TABLE)
    xml = part.blob.decode("utf-8")
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
        for name, alt in FALLBACKS.items()
    )
    part._blob = re.sub(r"</w:fonts>\s*$", entries + "</w:fonts>", xml).encode("utf-8")


def _paragraph(document, block) -> None:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(block.text)
    if block.kind == "title":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(run, TITLE_FONT, TITLE_PT)
        paragraph.paragraph_format.line_spacing = Pt(LINE_PT * 1.25)
        paragraph.paragraph_format.space_after = Pt(LINE_PT)  # one blank line below the title
    elif block.kind == "meta":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(run, H2_FONT, BODY_PT)
    elif block.kind == "h1":
        paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        _fonts(run, H1_FONT, BODY_PT)
    elif block.kind == "h2":
        paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        _fonts(run, H2_FONT, BODY_PT)
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        _fonts(run, BODY_FONT, BODY_PT)


def _page_numbers(section) -> None:
    """ "— 1 —" in 4号宋体, centred below the text block."""
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in ("— ", None, " —"):
        run = footer.add_run(text or "")
        _fonts(run, PAGE_FONT, PAGE_PT)
        if text is None:
            for kind, instruction in (("begin", None), (None, " PAGE "), ("end", None)):
                if kind:
                    mark = OxmlElement("w:fldChar")
                    mark.set(qn("w:fldCharType"), kind)
                    run._r.append(mark)
                else:
                    code = OxmlElement("w:instrText")
                    code.set(qn("xml:space"), "preserve")
                    code.text = instruction
                    run._r.append(code)


# ---------------------------------------------------------------------------- the table


TABLE_COLUMNS = ["指标", "单位", "目标", "累计/期末", "当月/当季", "完成进度", "进度差（个百分点）",
                 "同比", "亮灯", "牵头部门"]  # fmt: skip


def brief_xlsx(view, title: str) -> Workbook:
    """The brief's indicator table: the overview's rows, as the brief states them."""
    book = Workbook()
    ws = book.active
    ws.title = "主要指标"
    append_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    append_row(ws, TABLE_COLUMNS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for group in view.categories:
        append_row(ws, [group.name])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        for row in group.rows:
            ind = row.indicator
            append_row(
                ws,
                [
                    ind.name,
                    ind.unit,
                    _number(row.target, ind),
                    _number(row.actual, ind),
                    _number(row.month_value, ind),
                    None if row.progress_pct is None else float(fmt.rounded(row.progress_pct, 1)),
                    None if row.gap_pp is None else float(fmt.rounded(row.gap_pp, 1)),
                    fmt.points(row.yoy_change) if ind.is_rate else fmt.percent(row.yoy_pct),
                    fmt.light_word(row.light),
                    ind.department.name if ind.department else "",
                ],
            )
    for letter, width in zip("ABCDEFGHIJ", (28, 7, 12, 12, 12, 10, 12, 16, 10, 16), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "B3"
    return book


def _number(value, ind):
    if value is None:
        return None
    places = 1 if ind.unit == "%" else ind.decimals
    value = fmt.rounded(value, places)
    return int(value) if places == 0 else float(value)
