"""Reading a big worksheet row by row, in bounded memory.

python-calamine reads a whole sheet into memory before it yields the first row (about
1 KB per row of a registry file: a million rows would take a gigabyte). Sheets larger
than ``readers.STREAM_ABOVE`` are read here instead: the sheet's XML is unpacked in
chunks and scanned one ``<row>`` at a time, so memory holds the shared strings, the
styles and one chunk. Cells come out as calamine gives them — text, floats, booleans,
dates or datetimes (by the cell's number format), ``""`` for an empty cell — so the
engine cannot tell the two readers apart (tests compare them on the same files).
"""

import datetime
import html
import re
import zipfile
from collections.abc import Iterator
from typing import Any

CHUNK = 1 << 20
EPOCH_1900 = datetime.datetime(1899, 12, 30)  # noqa: DTZ001 - Excel times are wall-clock, as calamine gives them
EPOCH_1904 = datetime.datetime(1904, 1, 1)  # noqa: DTZ001 - likewise
# Built-in number formats that show dates or times (ECMA-376 18.8.30, plus the East Asian ones).
BUILTIN_DATE_FORMATS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)}

_ROW = re.compile(rb"<(?:[\w.-]+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?row>)", re.DOTALL)
_CELL = re.compile(rb"<(?:[\w.-]+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", re.DOTALL)
_ATTR = re.compile(rb'\s([\w:]+)\s*=\s*"([^"]*)"')
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>(.*?)</(?:[\w.-]+:)?v>", re.DOTALL)
_TEXT = re.compile(rb"<(?:[\w.-]+:)?t\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?t>)", re.DOTALL)
_PHONETIC = re.compile(rb"<(?:[\w.-]+:)?rPh\b.*?</(?:[\w.-]+:)?rPh>", re.DOTALL)
_SHARED = re.compile(rb"<(?:[\w.-]+:)?si\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?si>)", re.DOTALL)
_REF = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")
_NUMFMT = re.compile(rb"<(?:[\w.-]+:)?numFmt\b[^>]*>")
_CELLXFS = re.compile(rb"<(?:[\w.-]+:)?cellXfs\b.*?</(?:[\w.-]+:)?cellXfs>", re.DOTALL)
_XF = re.compile(rb"<(?:[\w.-]+:)?xf\b[^>]*>")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*>")
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _attributes(raw: bytes) -> dict[bytes, bytes]:
    return {name.split(b":")[-1]: value for name, value in _ATTR.findall(raw)}


def _text(raw: bytes) -> str:
    """The text of a string item: its ``<t>`` runs, phonetic guides (rPh) left out."""
    if b"rPh" in raw:
        raw = _PHONETIC.sub(b"", raw)
    text = b"".join(part for part in _TEXT.findall(raw)).decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


def column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _chunks(member, tag_end: re.Pattern) -> Iterator[bytes]:
    """The member's bytes in pieces that end after a complete element matched by ``tag_end``."""
    tail = b""
    while data := member.read(CHUNK):
        data = tail + data
        cut = max((m.end() for m in tag_end.finditer(data)), default=-1)
        if cut < 0:
            tail = data
            continue
        yield data[:cut]
        tail = data[cut:]
    if tail:
        yield tail


_ROW_END = re.compile(rb"</(?:[\w.-]+:)?row>|<(?:[\w.-]+:)?row\b[^>]*/>")
_SI_END = re.compile(rb"</(?:[\w.-]+:)?si>|<(?:[\w.-]+:)?si\b[^>]*/>")


def shared_strings(archive: zipfile.ZipFile, names: set[str]) -> list[str]:
    if "xl/sharedStrings.xml" not in names:
        return []
    strings: list[str] = []
    with archive.open("xl/sharedStrings.xml") as member:
        for chunk in _chunks(member, _SI_END):
            strings.extend(_text(body or b"") for body in _SHARED.findall(chunk))
    return strings


def _is_date_format(code: str) -> bool:
    """A custom number format shows a date or time when it has y, m, d, h or s outside quotes."""
    bare = _QUOTED.sub("", code).lower()
    if "general" in bare:
        return False
    return any(letter in bare for letter in "ymdhs")


def date_styles(archive: zipfile.ZipFile, names: set[str]) -> list[bool]:
    """For each cell style (``s`` index), whether its number format is a date or time."""
    if "xl/styles.xml" not in names or archive.getinfo("xl/styles.xml").file_size > 1 << 26:
        return []
    data = archive.read("xl/styles.xml")
    custom = {}
    for tag in _NUMFMT.findall(data):
        found = _attributes(tag)
        if b"numFmtId" in found and found[b"numFmtId"].isdigit():
            code = html.unescape(found.get(b"formatCode", b"").decode("utf-8", "replace"))
            custom[int(found[b"numFmtId"])] = _is_date_format(code)
    xfs = _CELLXFS.search(data)
    styles = []
    for tag in _XF.findall(xfs.group(0)) if xfs else []:
        number = _attributes(tag).get(b"numFmtId", b"0")
        fmt = int(number) if number.isdigit() else 0
        styles.append(custom.get(fmt, fmt in BUILTIN_DATE_FORMATS))
    return styles


def _date1904(archive: zipfile.ZipFile, names: set[str]) -> bool:
    if "xl/workbook.xml" not in names or archive.getinfo("xl/workbook.xml").file_size > 1 << 24:
        return False
    found = re.search(rb'date1904\s*=\s*"(1|true)"', archive.read("xl/workbook.xml"))
    return found is not None


def _as_date(serial: float, epoch: datetime.datetime) -> Any:
    if serial == int(serial):
        return (epoch + datetime.timedelta(days=int(serial))).date()
    # to the millisecond, as calamine does: 43896.35416666666 is 08:30, not 08:29:59.999
    return epoch + datetime.timedelta(milliseconds=round(serial * 86_400_000))


def first_column(archive: zipfile.ZipFile, part: str) -> int:
    """The sheet's first used column from its ``<dimension>`` (0 when it has none)."""
    with archive.open(part) as member:
        head = member.read(8192)
    tag = _DIMENSION.search(head)
    ref = _REF.search(_attributes(tag.group(0)).get(b"ref", b"")) if tag else None
    return column_index(ref.group(1)) if ref else 0


def read_rows(archive: zipfile.ZipFile, part: str) -> Iterator[tuple[int, list[Any]]]:
    """``(row index from 0, cells from the first used column)`` for every row up to the last."""
    names = set(archive.namelist())
    strings = shared_strings(archive, names)
    dates = date_styles(archive, names)
    epoch = EPOCH_1904 if _date1904(archive, names) else EPOCH_1900
    start = first_column(archive, part)
    expected = 0
    with archive.open(part) as member:
        for chunk in _chunks(member, _ROW_END):
            for attrs, body in _ROW.findall(chunk):
                number = _attributes(attrs).get(b"r")
                index = int(number) - 1 if number and number.isdigit() else expected
                while expected < index:  # rows the file leaves out are empty rows
                    yield expected, []
                    expected += 1
                yield index, _cells(body or b"", start, strings, dates, epoch)
                expected = index + 1


# The common spelling (Excel, openpyxl and xlsxwriter write attributes in this order, without a
# namespace prefix): one regex match per cell. A row written otherwise takes the general path.
_PLAIN_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})[0-9]{1,7}"(?: s="([0-9]{1,6})")?(?: t="([a-zA-Z]{1,9})")?\s*(?:/>|>(.*?)</c>)',
    re.DOTALL,
)
_PLAIN_INLINE = re.compile(rb'<is><t(?: xml:space="preserve")?>([^<&]*)</t></is>')


def _cells(body: bytes, start: int, strings: list[str], dates: list[bool], epoch) -> list[Any]:
    plain = _PLAIN_CELL.findall(body)
    if len(plain) != body.count(b"<c ") + body.count(b"<c>") or b":c" in body:
        return _cells_general(body, start, strings, dates, epoch)
    cells: list[Any] = []
    for letters, style, kind, content in plain:
        column = column_index(letters) - start
        if column < 0:
            continue
        if column > len(cells):
            cells.extend([""] * (column - len(cells)))
        if kind == b"inlineStr":
            simple = _PLAIN_INLINE.fullmatch(content)
            cells.append(simple.group(1).decode("utf-8", "replace") if simple else _text(content))
        else:
            found = {b"t": kind or b"n", b"s": style or b"0"}
            cells.append(_value(found, content, strings, dates, epoch))
    return cells


def _cells_general(body: bytes, start: int, strings: list[str], dates: list[bool], epoch) -> list[Any]:
    cells: list[Any] = []
    for attrs, content in _CELL.findall(body):
        found = _attributes(attrs)
        ref = _REF.match(found.get(b"r", b""))
        column = column_index(ref.group(1)) - start if ref else len(cells)
        if column < 0:
            continue
        if column > len(cells):
            cells.extend([""] * (column - len(cells)))
        cells.append(_value(found, content or b"", strings, dates, epoch))
    return cells


def _value(found: dict[bytes, bytes], content: bytes, strings: list[str], dates: list[bool], epoch) -> Any:
    kind = found.get(b"t", b"n")
    if kind == b"inlineStr":
        return _text(content)
    match = _VALUE.search(content)
    if match is None:
        return ""
    raw = match.group(1)
    if kind == b"s":
        position = int(raw) if raw.strip().isdigit() else -1
        return strings[position] if 0 <= position < len(strings) else ""
    if kind == b"b":
        return raw.strip() in (b"1", b"true")
    if kind in (b"str", b"e"):
        text = raw.decode("utf-8", "replace")
        return html.unescape(text) if "&" in text else text
    if kind == b"d":
        try:
            return datetime.datetime.fromisoformat(raw.decode())
        except ValueError:
            return raw.decode("utf-8", "replace")
    try:
        number = float(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")
    style = found.get(b"s", b"0")
    position = int(style) if style.isdigit() else 0
    if 0 <= position < len(dates) and dates[position] and 0 <= number < 2958466:
        return _as_date(number, epoch)
    return number
