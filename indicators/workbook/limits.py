"""What a file may hold before it is read (DOMAIN §8; the upload limits of the security issue).

One set of limits for the web pages, the entry-sheet upload and the commands: a file's size, its
uncompressed size (an .xlsx is a zip), its sheets, rows, columns and the length of a text cell.
Each is checked before the part it limits is parsed, and each refusal says what to do.
"""

import functools
import gc
from dataclasses import dataclass


class WorkbookError(Exception):
    """The file as a whole cannot be read (wrong type, truncated, too large, unknown encoding)."""


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 20 * 1024 * 1024  # what is uploaded (an .xlsx is compressed)
    # Every part of the zip, inflated: LibreOffice writes about 450 bytes per row of six cells,
    # so 100,000 real rows inflate to 45–80 MB; but it also writes a font run at every change of
    # script inside a text ("含新增企业" "12" "家"), and 100,000 such 备注 inflate to 130–170 MB
    # (a 4.8 MB file; its preview peaks at about 220 MB more memory). A bomb inflates far more
    # steeply: the ratio below stops it first.
    uncompressed_bytes: int = 256 * 1024 * 1024
    ratio: int = 500  # inflated ÷ compressed of one part; real parts 10–150, deflate bombs ~1,000
    zip_members: int = 2000
    sheets: int = 50
    rows: int = 100_000  # data rows of one sheet, below its header
    columns: int = 256
    text_chars: int = 2000


LIMITS = Limits()


def too_many_rows(title: str, rows: int) -> WorkbookError:
    return WorkbookError(
        f"工作表「{title}」有{rows:,}行，超过每张表{LIMITS.rows:,}行数据的上限："
        "请分成几个文件分批导入。"
    )


def too_large(size: int) -> WorkbookError:
    return WorkbookError(
        f"文件有{size / 1024 / 1024:,.1f}MB，超过{LIMITS.file_bytes // 1024 // 1024}MB的上限："
        "请只保留需要导入的表，或分成几个文件上传。"
    )


def collector_paused(fn):
    """Run `fn` with Python's cyclic garbage collector paused.

    Reading and checking a sheet builds hundreds of thousands of objects that all stay alive
    (cells, rows, parsed values): each generation-2 pass would walk them again for nothing, a
    tenth of a large preview's time. Nothing made there forms reference cycles worth
    collecting early, and the limits above bound the memory; the collector resumes after.
    """

    @functools.wraps(fn)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return paused
