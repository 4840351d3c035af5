"""What an attachment really is: its type read from its first bytes, not from its name.

A progress report takes PDF, PNG, JPEG, Word and Excel files (`Attachment.EXTENSIONS`). The
name's extension says what the uploader claims; the content must agree, so a program renamed
`验收单.pdf` is refused before it is stored and later downloaded by a colleague. Old Office files
(.doc, .xls) are OLE compound files; new ones (.docx, .xlsx) are zip packages whose members
name the application (`word/document.xml`, `xl/workbook.xml`). Only the zip's directory is read,
never its contents.
"""

import zipfile
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
# Magic numbers of what the form takes: (first bytes, kind).
SIGNATURES = [
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (OLE, "ole"),
]
# Names of things people rename by mistake or on purpose, for a clearer message.
PROGRAM = gettext_noop("可执行程序")
OTHERS = [(b"MZ", PROGRAM), (b"\x7fELF", PROGRAM), (b"Rar!", "RAR"),
          (b"7z\xbc\xaf\x27\x1c", "7z"), (b"GIF8", "GIF")]  # fmt: skip
# The kind of content each accepted extension must have.
EXPECTED = {
    "pdf": "pdf",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "doc": "ole",
    "xls": "ole",
    "docx": "docx",
    "xlsx": "xlsx",
}
# The MIME type an attachment is served and recorded with, by its checked kind.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
WORDS = {"pdf": "PDF", "png": "PNG", "jpeg": "JPEG", "ole": "Word/Excel（97-2003）",
         "docx": "Word（.docx）", "xlsx": "Excel（.xlsx）"}  # fmt: skip


def extension(name: str) -> str:
    return Path(name).suffix.lower().lstrip(".")


def sniff(upload) -> str | None:
    """The kind of file `upload` holds ("pdf", "png", "jpeg", "ole", "docx", "xlsx"), or None.

    Reads the first bytes and, for a zip, its directory; the upload is left at its start.
    """
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, kind in SIGNATURES:
        if head.startswith(magic):
            return kind
    if head.startswith(ZIP):
        try:
            with zipfile.ZipFile(upload) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    return None


def problem(upload) -> str | None:
    """Why `upload` may not be attached (its type, by name and by content), or None."""
    suffix = extension(upload.name)
    expected = EXPECTED.get(suffix)
    if expected is None:
        return None  # the form's list of extensions says so, with the allowed types
    if sniff(upload) == expected:
        return None
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    actual = next((word for magic, word in OTHERS if head.startswith(magic)), None)
    if actual is not None:
        return _("「%(name)s」的扩展名是 .%(suffix)s，内容却是%(actual)s，不能上传。") % {
            "name": upload.name,
            "suffix": suffix,
            "actual": _(actual),
        }
    return _(
        "「%(name)s」的内容不是 %(type)s 文件（文件可能已损坏，或被改了扩展名）：请上传原始的 PDF、图片、Word 或 Excel 文件。"
    ) % {"name": upload.name, "type": WORDS[expected]}
