"""Reading uploaded tables: xlsx (python-calamine) and CSV in UTF-8, UTF-8 with BOM or GBK/GB18030.

A reader yields ``(row_number, [cell, …], merged)`` with row numbers as the user sees
them in Excel (the header is row 1); ``merged`` says the row is part of merged cells. Cells are strings, numbers, dates or None. Files that are
not what they claim (a text file renamed .xlsx, a zip bomb, binary junk, an empty
file) raise ReadError with a message a user can act on.
"""

import codecs
import csv
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

MAX_UNCOMPRESSED = 1 << 30  # 1 GiB of XML inside an xlsx
MAX_RATIO = 200  # a real sheet compresses about 10:1; far more means a zip bomb
SNIFF = 64 * 1024


class ReadError(ValueError):
    """The file cannot be read as a table; the message says why."""


def detect_kind(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise ReadError(_("文件是空的。"))
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(_("这是旧版Excel(.xls)文件,请在Excel中另存为.xlsx或CSV后再导入。"))
    return "csv"


def check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            infos = archive.infolist()
    except zipfile.BadZipFile as error:
        raise ReadError(_("文件已损坏,不是有效的xlsx文件。")) from error
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
        raise ReadError(_("压缩包中没有Excel工作表,不是有效的xlsx文件。"))
    unpacked = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if unpacked > MAX_UNCOMPRESSED or unpacked / packed > MAX_RATIO:
        raise ReadError(_("文件解压后异常庞大(疑似压缩炸弹),已拒绝。"))


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start > len(sample) - 4:  # a character cut by the end of the sample
            return "utf-8"
    try:
        sample.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as error:
        raise ReadError(_("无法识别文件编码:请保存为UTF-8或GBK编码的CSV,或xlsx文件。")) from error


def _looks_binary(sample: bytes, encoding: str) -> bool:
    if encoding == "utf-16":
        return False
    return sample.count(b"\x00") > 0


def read_csv(path: Path) -> Iterator[tuple[int, list[Any], bool]]:
    with path.open("rb") as handle:
        sample = handle.read(SNIFF)
    encoding = detect_encoding(sample)
    if _looks_binary(sample, encoding):
        raise ReadError(_("文件含有二进制内容,不是CSV表格。"))
    with path.open("r", encoding=encoding, newline="", errors="strict") as handle:
        try:
            for number, row in enumerate(csv.reader(handle), 1):
                yield number, row, False
        except UnicodeDecodeError as error:
            raise ReadError(_("文件中途出现无法识别的字符(编码不一致)。")) from error
        except csv.Error as error:
            raise ReadError(_("CSV格式错误:%(error)s") % {"error": error}) from error


def read_xlsx(path: Path) -> Iterator[tuple[int, list[Any], bool]]:
    from python_calamine import CalamineError, CalamineWorkbook

    check_zip(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        merged = sheet.merged_cell_ranges or []
    except (CalamineError, ValueError, OSError) as error:
        raise ReadError(_("无法读取Excel文件:%(error)s") % {"error": error}) from error
    merged_rows = {r for (start, end) in merged for r in range(start[0], end[0] + 1)}
    first = sheet.start[0] if sheet.start else 0
    for index, row in enumerate(sheet.iter_rows()):
        yield first + index + 1, list(row), (first + index) in merged_rows


def open_table(path: Path) -> Iterator[tuple[int, list[Any], bool]]:
    kind = detect_kind(path)
    return read_xlsx(path) if kind == "xlsx" else read_csv(path)
