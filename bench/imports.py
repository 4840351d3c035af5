"""Benchmark: importing a 100,000-row 数据 sheet (read, check, write with history), the preview
of a ~5 MB workbook saved by LibreOffice, and the refusal of a zip bomb. Prints; asserts nothing.

Each figure is given as wall time and as this process's CPU time: on a shared machine the wall
time grows with the load, while on SQLite (in-process) the CPU time is the work itself. The
ratios compare with issue 11's targets (≥ 20,000 rows/s; the preview under 3 s).

    python bench/imports.py [--rows 100000] [--repeat 3]
"""

import argparse
import io
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _setup import ROOT, setup_django

TARGET_ROWS_PER_S = 20_000  # issue 11: import
TARGET_PREVIEW_S = 3.0  # issue 11: the preview of a 5 MB real workbook


def build(rows: int):
    from indicators.models import Area, Category, Indicator

    town = Area.objects.create(code="IT", name="导入镇", level="town")
    Indicator.objects.create(
        code="IMP",
        name="导入指标",
        unit="万元",
        kind="stock",
        entry_level="village",
        category=Category.objects.get_or_create(name="导入")[0],
    )
    villages = [f"IT{i:04d}" for i in range(rows // 120 + 1)]
    Area.objects.bulk_create([Area(code=c, name=c, level="village", parent=town) for c in villages])
    return villages


def workbook(villages, rows: int, note: str = "", varied: bool = False) -> bytes:
    """A 数据 sheet of `rows` rows; with `note`, every row's 备注 is that text and its number.

    `varied`: every value a different amount in cents and every 备注 a different sentence (a
    count of firms, a date, a sum), as a real year of village figures is: such a sheet
    compresses far less, so the same rows make a file about twice the size."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet("数据")
    ws.append(["指标编码", "区域编码", "年度", "月份", "数值", "备注"])
    n = 0
    for code in villages:
        for year in range(2016, 2026):
            for month in range(1, 13):
                if n < rows:
                    value = 100 + month + n % 7 / 4
                    remark = f"{note}第{n + 2}行" if note else None
                    if varied:
                        mixed = n * 7919 % 99991
                        value = 100 + month * 10 + mixed / 100
                        remark = (
                            f"{note}含新增企业{mixed % 17}家，{month}月{mixed % 28 + 1}日核实，"
                            f"其中村办企业{mixed % 9973 / 100:.2f}万元"
                        )
                    ws.append(["IMP", code, year, month, value, remark])
                    n += 1
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def import_once(data: bytes):
    from django.db import connection

    from indicators.models import Figure, TownMonth
    from indicators.workbook import read_file, workbook_import

    # Emptied in plain SQL: a delete through the ORM records a "-" history row per figure.
    with connection.cursor() as cursor:
        for model in (Figure, Figure.history.model, TownMonth):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    start, cpu = time.perf_counter(), time.process_time()
    sheets = read_file(io.BytesIO(data), name="bench.xlsx")
    read = time.perf_counter() - start
    plan = workbook_import(sheets)
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert plan.ok, plan.errors[:3]
    assert Figure.history.count() == Figure.objects.count()
    return read, total, cpu


def libreoffice_copy(data: bytes) -> bytes | None:
    """The same workbook saved by LibreOffice, as staff's files are (shared strings, styles)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.xlsx"
        source.write_bytes(data)
        out = Path(tmp) / "out"
        try:
            subprocess.run(
                [
                    "soffice",
                    "-env:UserInstallation=file:///tmp/lo-excel",
                    "--headless",
                    "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML",
                    "--outdir",
                    str(out),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return (out / "in.xlsx").read_bytes()


def preview(data: bytes):
    """What the import page does before it shows the preview: read, check, count."""
    from indicators.workbook import read_file
    from indicators.workbook.plan import check
    from indicators.workbook.plan import preview as counted

    start, cpu = time.perf_counter(), time.process_time()
    plan = counted(check(read_file(io.BytesIO(data), name="preview.xlsx")))
    return time.perf_counter() - start, time.process_time() - cpu, plan


def bomb():
    from indicators.workbook import WorkbookError, read_file

    path = ROOT / "tests" / "fixtures" / "real" / "13b_zip_bomb_bzip2.xlsx"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        read_file(path)
    except WorkbookError:
        pass
    took = time.perf_counter() - start
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    return took, grew


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    took, grew = bomb()
    print(f"zip bomb (13b) refused in {took * 1000:.1f} ms, peak memory grew {grew / 1024:.1f} MB")
    villages = build(args.rows)
    data = workbook(villages, args.rows)
    runs = [import_once(data) for _ in range(args.repeat)]
    best = min(runs, key=lambda r: r[1])
    median = statistics.median(r[1] for r in runs)
    cpu = min(r[2] for r in runs)
    print(
        f"database: {connection.vendor}; import {args.rows:,} rows into an empty sheet:"
        f" best {best[1]:.2f}s (read {best[0]:.2f}s), median {median:.2f}s,"
        f" {args.rows / best[1]:,.0f} rows/s (median {args.rows / median:,.0f});"
        f" CPU {cpu:.2f}s, {args.rows / cpu:,.0f} rows/s of CPU"
    )
    print(
        f"  against the target of {TARGET_ROWS_PER_S:,} rows/s:"
        f" ×{args.rows / best[1] / TARGET_ROWS_PER_S:.2f} (wall), ×{args.rows / cpu / TARGET_ROWS_PER_S:.2f} (CPU)"
    )
    # Importing the same file again changes nothing: every row is read, checked, found equal.
    from indicators.workbook import read_file, workbook_import

    start, cpu = time.perf_counter(), time.process_time()
    plan = workbook_import(read_file(io.BytesIO(data), name="again.xlsx"))
    again, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"the same {args.rows:,} rows again (all unchanged): {again:.2f}s (CPU {cpu:.2f}s),"
        f" {plan.counts}"
    )
    # Two workbooks as LibreOffice saves them: one 备注 sentence numbered per row (≈2.9 MB), and
    # every value and 备注 different (≈4.7 MB: LibreOffice writes a font run at each change of
    # script, so its shared strings inflate to about 130 MB).
    for label, varied in (("numbered notes", False), ("varied values and notes", True)):
        real = libreoffice_copy(
            workbook(villages, args.rows, note="（快报数）区统计局口径，含新增企业", varied=varied)
        )
        if real is None:
            print("preview: LibreOffice (soffice) not found, skipped")
            return
        runs = [preview(real) for _ in range(args.repeat)]
        took, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
        plan = runs[0][2]
        print(
            f"preview of a {len(real) / 1024 / 1024:.1f} MB workbook saved by LibreOffice"
            f" ({args.rows:,} rows, {label}): best {took:.2f}s (CPU {cpu:.2f}s), ok={plan.ok};"
            f" target {TARGET_PREVIEW_S:.0f}s: ×{took / TARGET_PREVIEW_S:.2f} (wall),"
            f" ×{cpu / TARGET_PREVIEW_S:.2f} (CPU) of the allowed time"
        )


if __name__ == "__main__":
    main()
