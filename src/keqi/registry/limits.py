"""The limits every spreadsheet is read within, and the look at a file before it is parsed.

A file is refused, with one Chinese message and before any parsing, when it is larger than the upload
limit, when it holds more rows, columns, cells (rows × columns of a sheet's used area) or characters
in a cell than the settings allow (``KEQI_MAX_*``, keqi.settings), and for an xlsx when its container
looks like a zip bomb (too many parts, parts that unpack to more than ``KEQI_MAX_UNPACKED_BYTES`` or
more than ``KEQI_MAX_ZIP_RATIO`` times their packed size) or when a sheet declares an area (its
``<dimension>``) beyond the limits. :mod:`keqi.registry.reading` then reads within them.

The sheet's own cells are looked at by :func:`scan_sheet` (a streamed pass over the sheet's XML with
numpy, no parsing of values): the area the cells really span (the reader allocates rows × columns of
it: a cell at XFD1048576 asks for 17 billion cells), the characters of each cell, and the formula
cells without a saved value.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

# Excel's own limits: 1,048,576 rows, 16,384 columns (XFD), 32,767 characters a cell.
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384


class UnreadableFile(ValueError):
    """The file cannot be read at all (wrong type, corrupt, over a limit, no sheet with our headers).

    Its text is the one Chinese message the user sees; nothing was changed."""


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 200 * 1024 * 1024
    rows: int = 1_000_000
    columns: int = 200
    cells: int = 10_000_000
    cell_chars: int = 32_767
    unpacked_bytes: int = 1024 * 1024 * 1024
    zip_ratio: int = 200
    zip_entries: int = 1_000


def current() -> Limits:
    """The limits in force (Django settings ``KEQI_MAX_*``; the defaults without Django)."""
    try:
        from django.conf import settings

        get = lambda name, default: int(getattr(settings, name, default))  # noqa: E731
        d = Limits()
        return Limits(
            file_bytes=get("KEQI_MAX_UPLOAD_BYTES", d.file_bytes), rows=get("KEQI_MAX_ROWS", d.rows),
            columns=get("KEQI_MAX_COLUMNS", d.columns), cells=get("KEQI_MAX_CELLS", d.cells),
            cell_chars=get("KEQI_MAX_CELL_CHARS", d.cell_chars),
            unpacked_bytes=get("KEQI_MAX_UNPACKED_BYTES", d.unpacked_bytes),
            zip_ratio=get("KEQI_MAX_ZIP_RATIO", d.zip_ratio), zip_entries=get("KEQI_MAX_ZIP_ENTRIES", d.zip_entries),
        )
    except Exception:  # noqa: BLE001 - settings not configured: the defaults
        return Limits()


# ------------------------------------------------------------------ the messages (one per limit)


def mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB" if n >= 1024 * 1024 else f"{max(n, 0) / 1024:,.1f} KB"


def too_big(size: int, limits: Limits) -> UnreadableFile:
    return UnreadableFile(f"文件过大（{mb(size)}），上限为 {mb(limits.file_bytes)}：请拆分为几个文件分别导入")


# ``at_least``: the file was refused while it was still being read, so the count is a lower bound.


def too_many_rows(sheet: str, rows: int, limits: Limits, *, at_least: bool = False) -> UnreadableFile:
    has = f"至少有 {rows:,} 行数据" if at_least else f"有 {rows:,} 行数据"
    return UnreadableFile(f"工作表“{sheet}”{has}，超过上限 {limits.rows:,} 行："
                          "请拆分为几个文件分别导入（或删除表格末尾的空行）")


def too_many_columns(sheet: str, columns: int, limits: Limits, *, at_least: bool = False) -> UnreadableFile:
    has = f"至少有 {columns:,} 列" if at_least else f"有 {columns:,} 列"
    return UnreadableFile(f"工作表“{sheet}”{has}，超过上限 {limits.columns:,} 列："
                          "请删除模板以外的列（或表格右侧的空列）后再导入")


def too_many_cells(sheet: str, rows: int, columns: int, limits: Limits, *, at_least: bool = False) -> UnreadableFile:
    area = "的数据区域至少为" if at_least else "的数据区域为"
    return UnreadableFile(f"工作表“{sheet}”{area} {rows:,} 行 × {columns:,} 列，超过上限 {limits.cells:,} 个单元格："
                          "请删除多余的行和列，或拆分为几个文件分别导入")


def declared_too_large(sheet: str, ref: str, rows: int, columns: int) -> UnreadableFile:
    return UnreadableFile(f"工作表“{sheet}”声明的数据区域 {ref} 为 {rows:,} 行 × {columns:,} 列，超出可读取的范围："
                          "请在 Excel 中删除空白的行和列、另存为 .xlsx 后再导入")


def cell_too_long(sheet: str, limits: Limits, row: int | None = None) -> UnreadableFile:
    where = f"第{row}行有" if row else "中有"
    return UnreadableFile(f"工作表“{sheet}”{where}单元格超过 {limits.cell_chars:,} 个字符（Excel 单个单元格的上限）："
                          "请检查该单元格的内容后重新保存")


def too_much_text(sheet: str, size: int, budget: int, *, at_least: bool = False) -> UnreadableFile:
    much = "至少" if at_least else ""
    return UnreadableFile(f"工作表“{sheet}”的单元格中文字{much}共 {mb(size)}，超过上限 {mb(budget)}："
                          "请拆分为几个文件分别导入")


def not_xlsx() -> UnreadableFile:
    return UnreadableFile("文件不是有效的 Excel 工作簿（.xlsx）：请在 Excel 或 WPS 中打开并另存为 .xlsx 后再导入")


def zip_bomb(reason: str) -> UnreadableFile:
    return UnreadableFile(f"文件结构异常（{reason}），不像正常的 Excel 工作簿，已拒绝读取："
                          "请在 Excel 或 WPS 中打开并另存为 .xlsx 后再导入")


# ------------------------------------------------------------------ cell references


def column_number(letters: str) -> int:
    """A → 1, Z → 26, AA → 27, XFD → 16,384."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(number: int) -> str:
    out = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def area_of(ref: str) -> tuple[int, int] | None:
    """(rows, columns) of a range such as ``A1:XFD1048576`` (or one cell); None when not a range."""
    corners = ref.strip().split(":")
    if not 1 <= len(corners) <= 2:
        return None
    parsed = [_REF.match(c.strip()) for c in corners]
    if not all(parsed):
        return None
    (c1, r1), (c2, r2) = [(column_number(m[1]), int(m[2])) for m in parsed] * (3 - len(parsed))
    return abs(r2 - r1) + 1, abs(c2 - c1) + 1


# ------------------------------------------------------------------ the xlsx container


@dataclass
class Workbook:
    """What the look at an xlsx found: its sheets in order (name → part) and the shared strings' part."""

    sheets: dict[str, str] = field(default_factory=dict)
    shared_strings: str | None = None


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_STRICT = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_SMALL_PART = 16 * 1024 * 1024  # workbook.xml and its relationships are parsed with ElementTree only below this
_RATIO_FLOOR = 1024 * 1024  # a part this small cannot hurt, whatever its ratio


def inspect_container(zf: zipfile.ZipFile, limits: Limits) -> Workbook:
    """Refuse a container that is not an xlsx, holds too many parts, or unpacks too far."""
    infos = zf.infolist()
    if len(infos) > limits.zip_entries:
        raise zip_bomb(f"包含 {len(infos):,} 个部件，上限 {limits.zip_entries:,} 个")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > _RATIO_FLOOR and info.file_size > limits.zip_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise zip_bomb(f"其中一个部件解压后是压缩时的 {ratio:,.0f} 倍，上限 {limits.zip_ratio:,} 倍")
    if total > limits.unpacked_bytes:
        raise zip_bomb(f"解压后共 {mb(total)}，上限 {mb(limits.unpacked_bytes)}")
    names = {i.filename: i for i in infos}
    if "xl/workbook.xml" not in names:
        raise not_xlsx()
    book = Workbook()
    rels = _relationships(zf, names, "xl/_rels/workbook.xml.rels")
    root = _small_xml(zf, names["xl/workbook.xml"])
    for ns in (_MAIN, _STRICT):
        for sheet in root.iter(f"{ns}sheet"):
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            target = rels.get(rid or "", ("", ""))[1]
            if target:
                book.sheets[sheet.get("name", "")] = target
    book.shared_strings = next((t for kind, t in rels.values() if kind.endswith("/sharedStrings")), None)
    for part in (*book.sheets.values(), book.shared_strings):
        if part is not None and part not in names:
            raise not_xlsx()
    return book


def _relationships(zf: zipfile.ZipFile, names: dict, part: str) -> dict[str, tuple[str, str]]:
    """Id → (type, part name inside the zip) of a relationships part."""
    if part not in names:
        return {}
    out = {}
    for rel in _small_xml(zf, names[part]).iter(f"{_REL}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External" or not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), path)
    return out


def _small_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> ElementTree.Element:
    if info.file_size > _SMALL_PART:
        raise zip_bomb(f"工作簿目录 {mb(info.file_size)}")
    try:
        return ElementTree.fromstring(zf.read(info))
    except ElementTree.ParseError:
        raise not_xlsx() from None


_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s+ref\s*=\s*[\"']([^\"']{1,40})[\"']")


def check_dimension(zf: zipfile.ZipFile, part: str, sheet: str, limits: Limits) -> None:
    """Refuse a sheet whose declared area (``<dimension ref=…>``, near its start) exceeds the limits
    (the reader reserves memory for it)."""
    with zf.open(part) as fh:
        head = fh.read(64 * 1024)
    found = _DIMENSION.search(head)
    if not found:
        return
    ref = found[1].decode("ascii", "replace")
    area = area_of(ref)
    if area is None:
        return
    rows, columns = area
    if rows > limits.rows + 1 or columns > limits.columns or rows * columns > limits.cells:
        raise declared_too_large(sheet, ref, rows, columns)


def cell_text_length(text: str) -> int:
    """Characters of a cell's XML text as Excel counts them (entities and ``_xHHHH_`` escapes are one)."""
    return len(re.sub(r"_x[0-9A-Fa-f]{4}_", "_", html.unescape(text)))


def check_path(path: Path, limits: Limits) -> None:
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise too_big(size, limits)


# ------------------------------------------------------------------ the sheet's cells, streamed


@dataclass
class SheetScan:
    """What the cells of a sheet really span, and where a formula has no saved value."""

    rows: int = 0  # the highest row number (bounded above when rows carry no number)
    columns: int = 0  # the highest column number (likewise)
    formulas: list[tuple[int, int]] = field(default_factory=list)  # (row, column) of formulas without a value
    text: int = 0  # bytes of text in the cells, shared strings counted once per cell that shows them
    lengths: object = None  # shared strings only: each string's bytes (a numpy array)


_CHUNK = 2 * 1024 * 1024  # bytes of XML looked at at once (numpy holds about 20 times that)
_WINDOW = 12  # bytes looked at after each "<" (a tag's name) and after each r="
_WS = (32, 9, 10, 13)


def _stops():
    import numpy as np

    table = np.zeros(256, bool)
    table[[32, 9, 10, 13, 62, 47]] = True
    return table


_STOPS = None


class _Tags:
    """The tags of a piece of XML: their positions and local names (whatever their prefix), as numpy arrays."""

    def __init__(self, a, np):
        self.a = a
        self.lt = np.flatnonzero(a == 60)
        self.gt = np.flatnonzero(a == 62)
        after = a[self.lt + 1]
        self.closing = after == 47
        self.other = (after == 63) | (after == 33)  # <? and <!
        name_from = self.lt + 1 + self.closing
        stops = np.flatnonzero(_STOPS[a])  # the byte that ends a tag's name: a blank, ">" or "/"
        self.end = stops[np.minimum(np.searchsorted(stops, name_from), len(stops) - 1)]
        self.start = name_from.copy()
        colons = np.flatnonzero(a == 58)
        tag = np.searchsorted(self.lt, colons) - 1
        inside = (tag >= 0) & (colons < self.end[np.maximum(tag, 0)]) & (colons >= name_from[np.maximum(tag, 0)])
        self.start[tag[inside]] = colons[inside] + 1  # a prefixed name: its local part
        self.length = self.end - self.start

    def named(self, name: bytes):
        ok = self.length == len(name)
        for j, ch in enumerate(name):
            ok &= self.a[self.start + j] == ch
        return ok


def scan_sheet(zf: zipfile.ZipFile, part: str, sheet: str, limits: Limits, *, shared: bool = False,
               shared_lengths=None, text_before: int = 0) -> SheetScan:
    """Stream the part's XML (a sheet, or with ``shared`` the shared strings) and refuse it when its cells
    span more rows, columns or cells than the limits, or when a cell holds far more than a cell may.

    Nothing is parsed: numpy finds the tags, the ``r="B12"`` positions of rows and cells, the text between
    tags, and formulas (``<f>``) in cells without a value (``<v>``). The text the cells show is counted
    (a shared string once per cell that shows it: the reader copies it into each, so one long string
    shown by 100,000 cells weighs gigabytes) and refused beyond a quarter of ``KEQI_MAX_UNPACKED_BYTES``
    (``text_before``: what other sheets of the file already hold).
    """
    import numpy as np

    global _STOPS
    if _STOPS is None:
        _STOPS = _stops()
    scan = SheetScan()
    seg_tag = b"si" if shared else b"c"
    row_end = b"si>" if shared else b"row>"
    max_text = limits.cell_chars * 10 + 65_536  # bytes: 10 is the longest escape of one character
    open_text = 0  # bytes of text of the cell (or string) still open at the end of the previous piece
    open_rless = 0  # cells without a position in the row still open
    rless_rows = 0
    widest_rless = 0
    carry = b""
    lengths: list = []  # shared strings: arrays of their byte lengths, piece by piece
    scan.text = text_before
    budget = limits.unpacked_bytes // 4
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            buf = carry + chunk if carry else chunk
            if not chunk:
                piece, carry = buf, b""
            else:
                cut = buf.rfind(b"/" + row_end)
                if cut < 0:
                    cut = buf.rfind(b":" + row_end)  # a prefixed end tag, </x:row>
                cut = buf.find(b">", cut) + 1 if cut >= 0 else buf.rfind(b">") + 1
                piece, carry = buf[:cut], buf[cut:]
                if len(carry) > max_text + _CHUNK:
                    raise cell_too_long(sheet, limits)
            if not piece:
                if not chunk:
                    break
                continue
            a = np.frombuffer(piece + b" " * 32, np.uint8)
            size = len(piece)
            t = _Tags(a, np)
            opening = ~t.closing & ~t.other
            cell = opening & t.named(seg_tag)
            cell_pos = t.lt[cell]

            # text between tags, summed per cell (or shared string)
            if len(t.gt):
                nxt = np.searchsorted(t.lt, t.gt)
                ends = np.where(nxt < len(t.lt), t.lt[np.minimum(nxt, len(t.lt) - 1)], size)
                runs = ends - t.gt - 1
                opened = np.concatenate(([0], np.cumsum(cell)))  # cells opened before each tag
                seg = opened[nxt]  # the cell each text belongs to; 0 = the one open before this piece
                sums = np.bincount(seg, weights=runs, minlength=len(cell_pos) + 1)
                lead = int(t.lt[0]) if len(t.lt) else size
                sums[0] += open_text + lead
                if sums.max(initial=0) > max_text:
                    raise cell_too_long(sheet, limits)
                open_text = int(sums[-1]) if len(cell_pos) else int(sums[0])
                scan.text += int(runs.sum()) + lead
                if shared:
                    if lengths:
                        lengths[-1][-1] = sums[0]  # the string left open by the previous piece, whole
                    if len(cell_pos):
                        lengths.append(sums[1:].astype(np.int64))
            elif len(piece) + open_text > max_text:
                raise cell_too_long(sheet, limits)
            else:
                open_text += len(piece)
                scan.text += len(piece)

            if shared:
                if scan.text > budget:
                    raise too_much_text(sheet, scan.text, budget, at_least=bool(chunk))
                if not chunk:
                    break
                continue

            # cells showing a shared string (t="s"): the string's bytes, once per cell
            if shared_lengths is not None and len(shared_lengths):
                eqs = np.flatnonzero(a[:size] == 61)
                j = eqs - 1
                k = eqs + 1
                for _ in range(3):
                    j = np.where(np.isin(a[j], _WS), j - 1, j)
                    k = np.where(np.isin(a[k], _WS), k + 1, k)
                q = a[k]
                is_s = ((a[j] == 116) & np.isin(a[np.maximum(j - 1, 0)], _WS) & ((q == 34) | (q == 39))
                        & (a[k + 1] == 115) & (a[k + 2] == q))
                starts = t.lt[np.maximum(np.searchsorted(t.lt, eqs[is_s]) - 1, 0)]
                v_pos = t.lt[opening & t.named(b"v")]
                vi = np.searchsorted(v_pos, starts)
                v_pos = v_pos[vi[vi < len(v_pos)]]
                if len(v_pos) and len(t.gt):
                    at = t.gt[np.minimum(np.searchsorted(t.gt, v_pos), len(t.gt) - 1)] + 1
                    index = np.zeros(len(at), np.int64)
                    going = np.ones(len(at), bool)
                    for i in range(10):
                        b = a[np.minimum(at + i, len(a) - 1)]
                        digit = going & (b >= 48) & (b <= 57)
                        index = np.where(digit, index * 10 + b - 48, index)
                        going &= digit
                    known = index < len(shared_lengths)
                    scan.text += int(shared_lengths[index[known]].sum())
            if scan.text > budget:
                raise too_much_text(sheet, scan.text, budget, at_least=bool(chunk))

            # r="…": a row's number or a cell's position. Also looked at outside what seems a tag (an attribute
            # value may hold a ">"): a position written there counts too; only a tag's must be well formed.
            eq = np.flatnonzero(a[:size] == 61)
            j = eq - 1
            for _ in range(3):
                j = np.where(np.isin(a[j], _WS), j - 1, j)
            is_r = (a[j] == 114) & np.isin(a[np.maximum(j - 1, 0)], _WS)
            eq = eq[is_r]
            ti = np.searchsorted(t.lt, eq) - 1
            gi = np.searchsorted(t.gt, eq) - 1
            in_tag = (ti >= 0) & ((gi < 0) | (t.gt[np.maximum(gi, 0)] < t.lt[np.maximum(ti, 0)]))
            k = eq + 1
            for _ in range(3):
                k = np.where(np.isin(a[k], _WS), k + 1, k)
            quote = a[k]
            # letters (at most 3: XFD), then digits (at most 7), then the closing quote: one byte at a time
            at = k + 1
            col = np.zeros(len(at), np.int64)
            n_letters = np.zeros(len(at), np.int64)
            going = np.ones(len(at), bool)
            for i in range(4):
                up = a[at + i] & 0xDF
                letter = going & (up >= 65) & (up <= 90)
                col = np.where(letter, col * 26 + up - 64, col)
                n_letters += letter
                going &= letter
            valid = ~going & ((quote == 34) | (quote == 39))
            at = at + n_letters
            row = np.zeros(len(at), np.int64)
            n_digits = np.zeros(len(at), np.int64)
            going = np.ones(len(at), bool)
            for i in range(8):
                b = a[at + i]
                digit = going & (b >= 48) & (b <= 57)
                row = np.where(digit, row * 10 + b - 48, row)
                n_digits += digit
                going &= digit
            valid &= ~going & (n_digits >= 1) & (a[at + n_digits] == quote)
            if (in_tag & ~valid).any():
                raise zip_bomb("有无法识别的单元格位置")
            ti, in_tag, row, col = ti[valid], in_tag[valid], row[valid], col[valid]
            ti, tag_row, tag_col = ti[in_tag], row[in_tag], col[in_tag]
            if len(row):
                scan.rows = max(scan.rows, int(row.max()))
                scan.columns = max(scan.columns, int(col.max()))

            # rows and cells without a position: the reader counts on from the last one
            has_r = np.zeros(len(t.lt), bool)
            has_r[ti] = True  # (ti: the tags that hold a well-formed position)
            row_tag = opening & t.named(b"row")
            rless_rows += int((row_tag & ~has_r).sum())
            row_pos = t.lt[row_tag]
            rless = t.lt[cell & ~has_r]
            if len(rless) or len(row_pos):
                per_row = np.bincount(np.searchsorted(row_pos, rless), minlength=len(row_pos) + 1)
                per_row[0] += open_rless
                widest_rless = max(widest_rless, int(per_row.max()))
                open_rless = int(per_row[-1])

            # formulas whose cell has no saved value
            f_pos = t.lt[opening & t.named(b"f")]
            if len(f_pos) and len(cell_pos):
                v_pos = t.lt[opening & t.named(b"v")]
                cell_end = t.lt[t.closing & t.named(b"c")]
                owner = np.searchsorted(cell_pos, f_pos) - 1
                owner = np.unique(owner[owner >= 0])
                starts = cell_pos[owner]
                stops = np.append(cell_end, size)[np.searchsorted(cell_end, starts)]
                valued = np.searchsorted(v_pos, stops) - np.searchsorted(v_pos, starts) > 0
                placed = t.lt[ti]  # the tags holding a position, in order
                lone = starts[~valued]
                at = np.minimum(np.searchsorted(placed, lone), max(len(placed) - 1, 0))
                for i in at[(placed[at] == lone) & (tag_col[at] > 0)] if len(placed) else ():
                    scan.formulas.append((int(tag_row[i]), int(tag_col[i])))

            rows_bound = scan.rows + rless_rows
            cols_bound = scan.columns + widest_rless
            partial = bool(chunk)  # refused before the end: the counts are lower bounds
            if rows_bound > limits.rows + 1:
                raise too_many_rows(sheet, rows_bound - 1, limits, at_least=partial)
            if cols_bound > limits.columns:
                raise too_many_columns(sheet, cols_bound, limits, at_least=partial)
            if rows_bound * cols_bound > limits.cells:
                raise too_many_cells(sheet, rows_bound, cols_bound, limits, at_least=partial)
            if not chunk:
                break
    scan.rows += rless_rows
    scan.columns += widest_rless
    if shared:
        scan.lengths = np.concatenate(lengths) if lengths else np.zeros(0, np.int64)
    return scan


def check_flat_parquet(path: Path | str, limits: Limits | None = None) -> None:
    """Before a flat Parquet file is streamed (``keqi screen FIRMS.parquet``): its size, its columns and
    each row group's uncompressed size (a row group is read whole). Its rows are not limited: they are
    judged batch by batch in bounded memory."""
    import pyarrow.parquet as pq

    limits = limits or current()
    path = Path(path)
    try:
        meta = pq.read_metadata(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow's errors are English
        raise UnreadableFile(f"无法读取文件“{path.name}”：不是有效的 Parquet 文件") from exc
    if meta.num_columns > limits.columns:
        raise too_many_columns("Parquet", meta.num_columns, limits)
    for i in range(meta.num_row_groups):
        size = meta.row_group(i).total_byte_size
        if size > limits.unpacked_bytes:
            raise UnreadableFile(f"Parquet 文件的一个行组解压后为 {mb(size)}，超过上限 {mb(limits.unpacked_bytes)}："
                                 "请以较小的行组重新写出（如每组 10 万行）")
