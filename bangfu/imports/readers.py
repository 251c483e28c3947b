"""Reading uploaded tables: xlsx (python-calamine) and CSV in UTF-8, UTF-8 with BOM, GBK/GB18030 or UTF-16.

A reader yields ``(row_number, [cell, …], merged)`` with row numbers as the user sees
them in Excel (1 is the first row of the sheet, wherever the table starts); ``merged``
says the row is part of merged cells. Cells are strings, numbers, dates or None; a
workbook cell that holds a formula comes as ``parsing.Formula`` (which every parser
refuses). Files that are not what they claim (a text file renamed .xlsx, a zip bomb,
binary junk, an empty file, an encoding we cannot tell) raise ReadError with a message
a user can act on.
"""

import codecs
import csv
import html
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .parsing import Formula

MAX_UNCOMPRESSED = 1 << 30  # 1 GiB of XML inside an xlsx
# calamine holds a whole sheet in memory (~1 KB per registry row); bigger sheets stream.
STREAM_ABOVE = 32 * 1024 * 1024  # unpacked bytes of the first sheet
MAX_RATIO = 200  # a real sheet compresses about 10:1; far more means a zip bomb
SNIFF = 64 * 1024
MAX_LINE = 1 << 20  # characters in one line of a CSV: more is junk, not a table
XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Row = tuple[int, list[Any], bool]


class ReadError(ValueError):
    """The file cannot be read as a table; the message says why."""


def detect_kind(path: Path) -> str:
    """ "xlsx" or "csv", from the content; a name that promises a workbook must hold one."""
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = path.suffix.lower()
    if not head:
        raise ReadError(_("文件是空的。"))
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(OLE_MAGIC[:4]):
        if suffix in XLSX_SUFFIXES:
            raise ReadError(_("这个Excel文件设置了打开密码(已加密),请取消密码后另存为.xlsx再导入。"))
        raise ReadError(_("这是旧版Excel(.xls)文件,请在Excel中另存为.xlsx或CSV后再导入。"))
    if suffix in XLSX_SUFFIXES or suffix == ".xls":
        raise ReadError(
            _(
                "文件名是%(suffix)s,但内容不是Excel工作簿(可能是改了扩展名的文本或网页文件)。"
                "请用Excel打开后另存为.xlsx,或另存为CSV。"
            )
            % {"suffix": suffix}
        )
    return "csv"


# xlsx ---------------------------------------------------------------------------------------------

_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet\s[^>]*>")
_REL_ID = re.compile(rb'\s(?:[\w.-]+:)id\s*=\s*"([^"]*)"')
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\s[^>]*>")
_ATTRIBUTE = {name: re.compile(rb"\s" + name + rb'\s*=\s*"([^"]*)"') for name in (b"Id", b"Target")}
_FORMULA_CELL = re.compile(
    rb"<(?:[\w.-]+:)?c\b([^>]*?)(?<!/)>\s*<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>([^<]{0,200}))"
)
_CELL_REF = re.compile(rb'\sr\s*=\s*"([A-Z]{1,3})([0-9]{1,7})"')
OVERLAP = 4096
MAX_FORMULAS = 10_000  # each is reported as a bad cell; a sheet of formulas is refused as a whole


def _first_sheet_part(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """The zip member of the workbook's first sheet (the one calamine reads), if it can be told."""
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    if max(archive.getinfo(n).file_size for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")) > 1 << 24:
        return None
    first = _SHEET_TAG.search(archive.read("xl/workbook.xml"))
    rel = _REL_ID.search(first.group(0)) if first else None
    if rel is None:
        return None
    for tag in _RELATIONSHIP.findall(archive.read("xl/_rels/workbook.xml.rels")):
        found = {name: pattern.search(tag) for name, pattern in _ATTRIBUTE.items()}
        if found[b"Id"] and found[b"Target"] and found[b"Id"].group(1) == rel.group(1):
            target = found[b"Target"].group(1).decode("utf-8", "replace")
            part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            return posixpath.normpath(part)
    return None


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _scan_formulas(data: bytes, found: dict[tuple[int, int], Formula]) -> None:
    if b"f" not in data or (b"<f" not in data and b":f" not in data):  # the first test is a fast memchr
        return
    for match in _FORMULA_CELL.finditer(data):
        ref = _CELL_REF.search(match.group(1))
        if ref is None:  # cells without a reference are rare; refuse rather than guess their place
            raise ReadError(_("工作表含有公式,请把公式转换为数值(复制后“选择性粘贴为数值”)后再导入。"))
        formula = html.unescape((match.group(2) or b"").decode("utf-8", "replace")) or "…"
        found[(int(ref.group(2)) - 1, _column_index(ref.group(1)))] = Formula(formula)
        if len(found) > MAX_FORMULAS:
            raise ReadError(_("工作表含有大量公式,请把公式转换为数值(复制后“选择性粘贴为数值”)后再导入。"))


@dataclass
class SheetScan:
    formulas: dict[tuple[int, int], Formula] = field(default_factory=dict)  # (row, column), 0-based
    merged_rows: set[int] = field(default_factory=set)  # 0-based rows inside merged cells
    part: str | None = None  # the first sheet's zip member
    size: int = 0  # its unpacked size


def check_zip(path: Path) -> dict[tuple[int, int], Formula]:
    """Refuse what is not a workbook or unpacks to far more than it weighs; the first sheet's formulas."""
    return scan_xlsx(path).formulas


def scan_xlsx(path: Path) -> SheetScan:
    """Refuse what is not a workbook or unpacks to far more than it weighs; scan the first sheet.

    The declared sizes are checked first, so an honest zip bomb is refused without unpacking
    it. Then every member is unpacked once, in chunks, counting what comes out (about 7% of
    calamine's own reading time): a member that unpacks to more than it declared fails its
    checksum and is refused as corrupt before calamine reads anything, and the first sheet
    is searched for formulas, which calamine would silently read as their cached values,
    and for merged cells (listed after the data, where a streaming read finds them too late).
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ReadError(_("文件已损坏,不是有效的xlsx文件。")) from error
    bomb = ReadError(_("文件解压后异常庞大(疑似压缩炸弹),已拒绝。"))
    scan = SheetScan()
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
            raise ReadError(_("压缩包中没有Excel工作表,不是有效的xlsx文件。"))
        packed = max(path.stat().st_size, 1)
        limit = min(MAX_UNCOMPRESSED, MAX_RATIO * packed)
        if sum(info.file_size for info in infos) > limit:
            raise bomb
        scan.part = _first_sheet_part(archive, names)
        unpacked = 0
        try:
            for info in infos:
                scanning = info.filename == scan.part
                tail = b""
                with archive.open(info) as member:
                    while chunk := member.read(1 << 20):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            raise bomb
                        if scanning:
                            scan.size += len(chunk)
                            _scan_formulas(tail + chunk, scan.formulas)
                            _scan_merged(tail + chunk, scan.merged_rows)
                            tail = chunk[-OVERLAP:]
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,  # zipfile: a compression method it cannot unpack
            RuntimeError,
        ) as error:
            raise ReadError(_("文件已损坏或加密,不是有效的xlsx文件。")) from error
    return scan


_MERGE = re.compile(
    rb'<(?:[\w.-]+:)?mergeCell\b[^>]*?\sref\s*=\s*"[A-Z]{1,3}([0-9]{1,7})(?::[A-Z]{1,3}([0-9]{1,7}))?"'
)


def _scan_merged(data: bytes, rows: set[int]) -> None:
    if b"mergeCell" not in data:
        return
    for match in _MERGE.finditer(data):
        top = int(match.group(1)) - 1
        bottom = int(match.group(2) or match.group(1)) - 1
        rows.update(range(top, min(bottom, top + 100_000) + 1))


def read_xlsx(path: Path) -> Iterator[Row]:
    scan = scan_xlsx(path)
    if scan.part is not None and scan.size > STREAM_ABOVE:
        yield from _read_xlsx_streaming(path, scan)
    else:
        yield from _read_xlsx_calamine(path, scan)


def _with_formulas(index: int, cells: list[Any], by_row: dict[int, list[tuple[int, Formula]]]) -> list[Any]:
    for column, formula in by_row.get(index, ()):
        if 0 <= column < len(cells):
            cells[column] = Formula(formula.formula, cells[column])
    return cells


def _formulas_by_row(scan: SheetScan, first_column: int) -> dict[int, list[tuple[int, Formula]]]:
    by_row: dict[int, list[tuple[int, Formula]]] = {}
    for (r, c), formula in scan.formulas.items():
        by_row.setdefault(r, []).append((c - first_column, formula))
    return by_row


def _read_xlsx_streaming(path: Path, scan: SheetScan) -> Iterator[Row]:
    from . import xlsx_stream

    try:
        with zipfile.ZipFile(path) as archive:
            by_row = _formulas_by_row(scan, xlsx_stream.first_column(archive, scan.part))
            for index, cells in xlsx_stream.read_rows(archive, scan.part):
                yield index + 1, _with_formulas(index, cells, by_row), index in scan.merged_rows
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as error:
        raise ReadError(_("无法读取Excel文件:%(error)s") % {"error": error}) from error


def _read_xlsx_calamine(path: Path, scan: SheetScan) -> Iterator[Row]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        merged = sheet.merged_cell_ranges or []
        start = sheet.start
    except (CalamineError, ValueError, OSError) as error:
        raise ReadError(_("无法读取Excel文件:%(error)s") % {"error": error}) from error
    if start is None:  # an empty sheet
        return
    merged_rows = {r for (top, _left), (bottom, _right) in merged for r in range(top, bottom + 1)}
    by_row = _formulas_by_row(scan, start[1])
    # calamine yields every row from the sheet's first (empty ones above the table included),
    # each starting at the table's first column.
    for index, row in enumerate(sheet.iter_rows()):
        yield index + 1, _with_formulas(index, list(row), by_row), index in merged_rows


# CSV ----------------------------------------------------------------------------------------------


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 without a byte-order mark: a NUL beside most ASCII characters, always on the same side."""
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if even + odd < len(sample) // 16:
        return None
    if odd > 9 * even:
        return "utf-16-le"
    if even > 9 * odd:
        return "utf-16-be"
    return None


def _decodes(sample: bytes, encoding: str, complete: bool) -> str | None:
    try:
        return codecs.getincrementaldecoder(encoding)().decode(sample, final=complete)
    except UnicodeDecodeError:
        return None


def _looks_chinese(text: str) -> bool:
    """Whether text decoded as GB18030 reads like Chinese rather than another encoding's bytes.

    Big5, Shift-JIS or UTF-8 bytes decode as GB18030 too, but into rare characters outside
    GB2312, private-use characters, kana, Greek and Cyrillic; real GBK files are almost all
    GB2312 characters (names with a rare character or two are fine).
    """
    odd = total = 0
    for char in text:
        if char < "\x80":
            continue
        total += 1
        try:
            lead = char.encode("gb2312")[0]
        except UnicodeEncodeError:
            odd += 1
            continue
        if 0xA4 <= lead <= 0xA9:  # kana, Greek, Cyrillic, pinyin letters, box drawing
            odd += 1
    return odd < 3 or odd <= total // 4


def detect_encoding(sample: bytes, complete: bool = False) -> str:
    """The text encoding of a CSV from its first bytes; ``complete`` when the sample is the whole file."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        encoding = _utf16_without_bom(sample)
        if encoding and _decodes(sample, encoding, complete) is not None:
            return encoding
        raise ReadError(_("文件含有二进制内容,不是CSV表格(也不是xlsx工作簿)。"))
    if _decodes(sample, "utf-8", complete) is not None:
        return "utf-8"
    text = _decodes(sample, "gb18030", complete)
    if text is not None and _looks_chinese(text):
        return "gb18030"
    raise ReadError(
        _(
            "无法识别文件编码(不是UTF-8或GBK,可能是Big5繁体、日文或其他编码):"
            "请在Excel或记事本中另存为“UTF-8”编码的CSV,或直接上传xlsx文件。"
        )
    )


def _lines(handle) -> Iterator[str]:
    """The file's lines, refusing one so long that it cannot be a row of a table."""
    while line := handle.readline(MAX_LINE):
        if len(line) >= MAX_LINE and not line.endswith(("\n", "\r")):
            raise ReadError(_("文件中有一行超过%(count)d个字符,不是正常的表格。") % {"count": MAX_LINE})
        if "\x00" in line:  # past the first 64 KB; no database stores it in text
            raise ReadError(_("文件含有二进制内容,不是CSV表格(也不是xlsx工作簿)。"))
        yield line


def read_csv(path: Path) -> Iterator[Row]:
    with path.open("rb") as handle:
        sample = handle.read(SNIFF)
        complete = not handle.read(1)
    encoding = detect_encoding(sample, complete)
    lines = (_decodes(sample, encoding, complete) or "").lstrip("\ufeff").splitlines()
    header = next((line for line in lines if line.strip(" \t,")), "")
    delimiter = "\t" if "\t" in header and "," not in header else ","  # Excel's "Unicode text" uses tabs
    with path.open("r", encoding=encoding, newline="", errors="strict") as handle:
        reader = csv.reader(_lines(handle), delimiter=delimiter, strict=True)
        try:
            for number, row in enumerate(reader, 1):
                yield number, row, False
        except UnicodeDecodeError as error:
            raise ReadError(_("文件中途出现无法识别的字符(编码不一致)。")) from error
        except csv.Error as error:
            raise ReadError(
                _("CSV格式错误(第%(row)d行附近):%(error)s。常见原因是单元格中的英文双引号不成对。")
                % {"row": reader.line_num, "error": error}
            ) from error


def open_table(path: Path) -> Iterator[Row]:
    kind = detect_kind(path)
    return read_xlsx(path) if kind == "xlsx" else read_csv(path)
