"""Figures for docs/security.md "Files": how fast each hostile file is refused, and the peak memory of
reading the largest files the default limits allow.

    .venv/bin/python benchmarks/hostile_files.py [--folder /tmp/keqi-hostile] [--only NAME …]

Writes each file (streamed: the generator itself stays small), then reads it with the one reader
every door uses (``keqi.registry.reading.read_tables``) in a fresh process, at the default limits
(``KEQI_MAX_*``), and reports the wall time and the process's peak resident memory (``VmHWM``)
with what the reader said. Never a test; the figures go to docs/security.md with the machine's load.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import hostile  # noqa: E402  (tests/hostile.py: the same makers as the tests)

HEADER_XML = hostile.CONTENT_TYPES


def _stream_sheet(path: Path, rows, *, dimension: str | None = None) -> Path:
    """An xlsx whose one sheet is written row by row (``rows`` yields each row's XML)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", hostile.CONTENT_TYPES)
        z.writestr("_rels/.rels", hostile.ROOT_RELS)
        z.writestr("xl/workbook.xml", hostile._book("企业年报"))
        z.writestr("xl/_rels/workbook.xml.rels", hostile.BOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            dim = f'<dimension ref="{dimension}"/>' if dimension else ""
            fh.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet '
                      f'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dim}<sheetData>').encode())
            buf = []
            for i, row in enumerate(rows):
                buf.append(row)
                if i % 10_000 == 0:
                    fh.write("".join(buf).encode())
                    buf.clear()
            fh.write("".join(buf).encode())
            fh.write(b"</sheetData></worksheet>")
    return path


def _gib_cell(path: Path) -> Path:
    """The issue's "1 MB xlsx holding one 1 GiB cell"."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", hostile.CONTENT_TYPES)
        z.writestr("_rels/.rels", hostile.ROOT_RELS)
        z.writestr("xl/workbook.xml", hostile._book("企业年报"))
        z.writestr("xl/_rels/workbook.xml.rels", hostile.BOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                     b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
            block = b"x" * (16 * 1024 * 1024)
            for _ in range(64):
                fh.write(block)
            fh.write(b"</t></is></c></row></sheetData></worksheet>")
    return path


HEAD = ["统一社会信用代码", "企业名称", "所属区县"]


def _wide_row(i: int, columns: int) -> str:
    cells = []
    for j in range(1, columns + 1):
        ref = f"{hostile.column_letters(j)}{i}"
        if j % 3 == 1:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>91500000MA{i:08d}</t></is></c>')
        else:
            cells.append(f'<c r="{ref}"><v>{i * 1.5 + j}</v></c>')
    return f'<row r="{i}">' + "".join(cells) + "</row>"


def _largest_xlsx(path: Path, cells: int = 10_000_000, columns: int = 73) -> Path:
    rows = cells // columns - 1
    head = '<row r="1">' + "".join(hostile.cell(f"{hostile.column_letters(j)}1", f"列{j}")
                                   for j in range(1, columns + 1)) + "</row>"
    return _stream_sheet(path, (head if i == 1 else _wide_row(i, columns) for i in range(1, rows + 2)))


def _largest_csv(path: Path, cells: int = 10_000_000, columns: int = 73) -> Path:
    rows = cells // columns - 1
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(f"列{j}" for j in range(columns)) + "\n")
        for i in range(rows):
            fh.write(",".join(f"91500000MA{i:08d}" if j % 3 == 0 else f"{i * 1.5 + j}" for j in range(columns)) + "\n")
    return path


def _csv_rows(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(HEAD) + "\n")
        for i in range(rows):
            fh.write(f"91500000MA{i:08d},企业{i},渝北区\n")
    return path


def _csv_line(path: Path, megabytes: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(HEAD) + "\n")
        for _ in range(megabytes):
            fh.write(os.urandom(512 * 1024).hex())
        fh.write("\n")
    return path


def _parquet_rows(path: Path, rows: int) -> Path:
    import polars as pl

    pl.DataFrame({"统一社会信用代码": [f"91500000MA{i:08d}" for i in range(rows)]}).write_parquet(path)
    return path


def _parquet_cell(path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"统一社会信用代码": pa.array(["x" * (1024 * 1024 * 1024)], pa.large_string())}), path,
                   compression="zstd")
    return path


FILES = {  # name → (file name, maker, what it is)
    "dimension": ("dimension.xlsx", lambda p: hostile.declared_everything(p, HEAD),
                  "the issue's xlsx: declared A1:XFD1048576, a cell at XFD1048576"),
    "far-cell": ("far-cell.xlsx", lambda p: hostile.far_cell(p, HEAD), "no declared area, a cell at XFD1048576"),
    "gib-cell": ("gib-cell.xlsx", _gib_cell, "one cell of 1 GiB, packed to about 1 MB"),
    "rows-2m": ("rows-2m.xlsx", lambda p: _stream_sheet(p, (f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>'
                                                             for i in range(1, 2_000_001))),
                "2,000,000 rows"),
    "csv-rows-2m": ("rows-2m.csv", lambda p: _csv_rows(p, 2_000_000), "csv of 2,000,000 rows"),
    "csv-line": ("line.csv", lambda p: _csv_line(p, 150), "csv whose one line is 150 MB"),
    "parquet-rows-2m": ("rows-2m.parquet", lambda p: _parquet_rows(p, 2_000_000), "Parquet of 2,000,000 rows"),
    "parquet-gib-cell": ("gib-cell.parquet", _parquet_cell, "Parquet with one cell of 1 GiB"),
    "shared-everywhere": ("shared.xlsx", lambda p: hostile.shared_string_everywhere(p, HEAD, 32_000, 10_000, 10),
                          "one shared string of 32,000 characters shown by 100,000 cells"),
    "largest-xlsx": ("largest.xlsx", _largest_xlsx, "largest allowed xlsx: 10,000,000 cells (136,985 rows × 73)"),
    "largest-csv": ("largest.csv", _largest_csv, "largest allowed csv: 10,000,000 cells (136,985 rows × 73)"),
}

READ = """
import sys, time
import django
django.setup()
from keqi.registry.reading import UnreadableFile, read_tables
t = time.perf_counter()
try:
    raw = read_tables(sys.argv[1])
    said = f"read: {raw.reports.height:,} rows × {raw.reports.width} columns"
except UnreadableFile as exc:
    said = "refused: " + str(exc)
took = time.perf_counter() - t
# VmHWM: this process's own peak (ru_maxrss keeps the parent's across exec on Linux)
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024
print(f"{took:.2f}\\t{peak:.0f}\\t{said}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default=os.path.join(tempfile.gettempdir(), "keqi-hostile"))
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "keqi.settings", "KEQI_HOME": str(folder / "home")}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| file | size | refused or read in | peak memory | what the reader said |")
    print("|---|---|---|---|---|")
    for name, (file_name, maker, what) in FILES.items():
        if args.only and name not in args.only:
            continue
        path = folder / file_name
        if not path.exists():
            maker(path)
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", READ, str(path)], capture_output=True, text=True, env=env)
        if out.returncode != 0:
            line = f"{time.perf_counter() - started:.2f}\t-\tthe process died ({out.returncode}): {out.stderr[-200:]!r}"
        else:
            line = out.stdout.strip().splitlines()[-1]
        took, peak, said = line.split("\t", 2)
        print(f"| {what} | {hostile_size(path)} | {took} s | {peak} MB | {said} |", flush=True)


def hostile_size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024 / 1024:,.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:,.1f} KB"


if __name__ == "__main__":
    main()
