"""Hostile and careless spreadsheets, made on the fly (no binaries in the repository).

Each maker writes one file to ``path`` and returns it. The xlsx files are written with zipfile by hand,
so that they can say what no spreadsheet program would (a declared area of 17 billion cells, a cell at
XFD1048576, a part that unpacks a thousand times, a formula without its value). Sizes are small: the
tests lower the limits (``settings.KEQI_MAX_*``) rather than write gigabytes.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _book(sheet_name: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def column_letters(number: int) -> str:
    out = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


def cell(ref: str, value: object) -> str:
    """One cell: a number as a number, anything else as an inline string."""
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def rows_xml(rows: Sequence[Sequence[object]], first: int = 1) -> str:
    out = []
    for i, row in enumerate(rows, start=first):
        cells = "".join(cell(f"{column_letters(j)}{i}", v) for j, v in enumerate(row, start=1) if v is not None)
        out.append(f'<row r="{i}">{cells}</row>')
    return "".join(out)


def sheet_xml(body: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'{dim}<sheetData>{body}</sheetData></worksheet>')


def xlsx(path: Path, sheet: str, *, sheet_name: str = "企业年报", extra: dict[str, bytes] | None = None,
         compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """An xlsx of one sheet whose XML is ``sheet`` (parts in ``extra`` added as they are)."""
    with zipfile.ZipFile(path, "w", compression) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", _book(sheet_name))
        z.writestr("xl/_rels/workbook.xml.rels", BOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def table(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], **kw) -> Path:
    return xlsx(path, sheet_xml(rows_xml([list(header), *rows])), **kw)


# ------------------------------------------------------------------ the hostile ones


def declared_everything(path: Path, header: Sequence[str]) -> Path:
    """The issue's file (about 3 KB): the sheet declares A1:XFD1048576 and has a cell at XFD1048576."""
    body = rows_xml([list(header)]) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return xlsx(path, sheet_xml(body, dimension="A1:XFD1048576"))


def far_cell(path: Path, header: Sequence[str]) -> Path:
    """No declared area, the header in row 1 and one cell at XFD1048576 (the reader spans them both)."""
    body = rows_xml([list(header)]) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return xlsx(path, sheet_xml(body))


def far_cell_hidden(path: Path, header: Sequence[str]) -> Path:
    """The same, with the far position behind an attribute value holding ">" and single quotes."""
    body = rows_xml([list(header)]) + """<row r = '1048576'><c s=">" r = 'XFD1048576'><v>1</v></c></row>"""
    return xlsx(path, sheet_xml(body))


def positionless_wide_row(path: Path, header: Sequence[str], columns: int) -> Path:
    """A row of ``columns`` cells that give no position (the reader counts them from the left)."""
    body = rows_xml([list(header)]) + '<row r="2">' + "<c><v>1</v></c>" * columns + "</row>"
    return xlsx(path, sheet_xml(body))


def enormous_cell(path: Path, header: Sequence[str], chars: int, *, shared: bool = False) -> Path:
    """One cell of ``chars`` characters that do not compress (as a shared string with ``shared``)."""
    text = os.urandom(chars // 2 + 1).hex()[:chars]
    if not shared:
        return table(path, header, [[text]])
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
           f"<si><t>{text}</t></si></sst>")
    body = rows_xml([list(header)]) + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    path = xlsx(path, sheet_xml(body), extra={"xl/sharedStrings.xml": sst.encode()})
    _add_shared_strings_relation(path)
    return path


def _add_shared_strings_relation(path: Path) -> None:
    rels = BOOK_RELS.replace(
        "</Relationships>",
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = rels.encode() if info.filename == "xl/_rels/workbook.xml.rels" else src.read(info)
            dst.writestr(info.filename, data)
    tmp.replace(path)


def compressed_cell(path: Path, header: Sequence[str], megabytes: int) -> Path:
    """A cell of ``megabytes`` MB of one letter: a few KB packed (a zip bomb's ratio)."""
    body = rows_xml([list(header)]) + '<row r="2"><c r="A2" t="inlineStr"><is><t>'
    return xlsx(path, sheet_xml(body + "x" * (megabytes * 1024 * 1024) + "</t></is></c></row>"))


def many_parts(path: Path, header: Sequence[str], parts: int) -> Path:
    return table(path, header, [], extra={f"xl/media/p{i}.bin": b"" for i in range(parts)})


def many_rows(path: Path, header: Sequence[str], rows: int) -> Path:
    return table(path, header, [[f"r{i}"] for i in range(rows)])


def many_columns(path: Path, header: Sequence[str], columns: int) -> Path:
    return table(path, [*header, *(f"列{i}" for i in range(columns))], [])


def formula_without_value(path: Path, header: Sequence[str], row: Sequence[object], column: int) -> Path:
    """A data row whose cell in ``column`` (1-based) is a formula Excel never calculated (no ``<v>``)."""
    body = rows_xml([list(header), list(row)])
    ref = f"{column_letters(column)}2"
    body = body.replace(cell(ref, row[column - 1]), f'<c r="{ref}"><f>1+1</f></c>')
    return xlsx(path, sheet_xml(body))


def not_a_zip(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04 not really a workbook" * 10)
    return path


def oversized(path: Path, size: int) -> Path:
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


# ------------------------------------------------------------------ csv and parquet


def csv_huge_line(path: Path, header: Sequence[str], chars: int) -> Path:
    path.write_text(",".join(header) + "\n" + "y" * chars + "\n", encoding="utf-8")
    return path


def csv_many_rows(path: Path, header: Sequence[str], rows: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(header) + "\n")
        fh.writelines(f"r{i}\n" for i in range(rows))
    return path


def csv_many_columns(path: Path, header: Sequence[str], columns: int) -> Path:
    path.write_text(",".join([*header, *(f"c{i}" for i in range(columns))]) + "\n", encoding="utf-8")
    return path


def parquet_many_rows(path: Path, header: Sequence[str], rows: int) -> Path:
    pl.DataFrame({h: [f"r{i}" for i in range(rows)] for h in header[:1]}).write_parquet(path)
    return path


def parquet_many_columns(path: Path, header: Sequence[str], columns: int) -> Path:
    pl.DataFrame({**{h: ["x"] for h in header}, **{f"c{i}": ["x"] for i in range(columns)}}).write_parquet(path)
    return path


def parquet_compressed_cell(path: Path, header: Sequence[str], megabytes: int) -> Path:
    pl.DataFrame({header[0]: ["x" * (megabytes * 1024 * 1024)]}).write_parquet(path, compression="zstd")
    return path


def with_formula(path: Path, ref: str, sheet_part: str = "xl/worksheets/sheet1.xml") -> Path:
    """Turn cell ``ref`` of a written workbook into a formula without a saved value (as a program that
    writes formulas but never calculates them leaves it)."""
    import re

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == sheet_part:
                data, n = re.subn(rf'<c r="{ref}"(?: [^>]*)?(?:/>|>.*?</c>)'.encode(),
                                  f'<c r="{ref}"><f>1+1</f></c>'.encode(), data, count=1)
                assert n == 1, ref
            dst.writestr(info.filename, data)
    tmp.replace(path)
    return path


def csv_huge_quoted_cell(path: Path, header: Sequence[str], chars: int) -> Path:
    """One quoted cell of ``chars`` characters broken by commas and line breaks (no gap is long)."""
    path.write_text(",".join(header) + '\n"' + "ab,c\n" * (chars // 5) + '"\n', encoding="utf-8")
    return path


def shared_string_everywhere(path: Path, header: Sequence[str], chars: int, rows: int, columns: int) -> Path:
    """One shared string of ``chars`` characters shown by rows × columns cells (a few KB packed; the
    reader copies the string into every cell)."""
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
           f"<si><t>{'长' * chars}</t></si></sst>")
    body = rows_xml([list(header)]) + "".join(
        f'<row r="{i}">' + "".join(f'<c r="{column_letters(j)}{i}" t="s"><v>0</v></c>' for j in range(1, columns + 1))
        + "</row>" for i in range(2, rows + 2))
    path = xlsx(path, sheet_xml(body), extra={"xl/sharedStrings.xml": sst.encode()})
    _add_shared_strings_relation(path)
    return path
