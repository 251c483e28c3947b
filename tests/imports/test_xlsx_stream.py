"""The streaming xlsx reader gives exactly what calamine gives, on every kind of cell."""

import datetime
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from bangfu.imports import readers
from bangfu.imports.models import RunStatus
from bangfu.imports.parsing import Formula
from bangfu.registry.models import Household

from .conftest import VILLAGE, issues


def wall(*parts: int) -> datetime.datetime:
    """A time as Excel holds it: wall-clock, no zone (calamine gives it so too)."""
    return datetime.datetime(*parts)  # noqa: DTZ001


MAIN_NAMESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _both(path: Path) -> tuple[list, list]:
    scan = readers.scan_xlsx(path)
    return list(readers._read_xlsx_calamine(path, scan)), list(readers._read_xlsx_streaming(path, scan))


def _normal(rows) -> list:
    """Rows as the engine sees them: trailing empty cells and trailing empty rows carry nothing."""
    result = []
    for number, cells, merged in rows:
        cells = [(type(c).__name__, c.formula, c.value) if isinstance(c, Formula) else c for c in cells]
        while cells and cells[-1] == "":
            cells.pop()
        result.append((number, cells, merged))
    while result and not result[-1][1] and not result[-1][2]:
        result.pop()
    return result


def _assert_same(path: Path) -> list:
    calamine, streamed = _both(path)
    assert _normal(streamed) == _normal(calamine)
    assert _normal(calamine), "the workbook should hold something"
    return _normal(streamed)


def _rewrite_sheet(path: Path, edit) -> None:
    """Replace the first sheet's XML of a saved workbook by ``edit(xml text)``."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = edit(parts["xl/worksheets/sheet1.xml"].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def test_every_kind_of_cell_written_by_xlsxwriter(tmp_path):
    path = tmp_path / "types.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    formats = {
        "iso": book.add_format({"num_format": "yyyy-mm-dd"}),
        "chinese": book.add_format({"num_format": 'yyyy"年"m"月"d"日"'}),
        "builtin31": book.add_format({"num_format": 31}),
        "time": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "percent": book.add_format({"num_format": "0.00%"}),
        "quoted": book.add_format({"num_format": '0.00"元"'}),
    }
    sheet.write_row(1, 1, ["户编号", "姓名", "数量", "比例", "是否", "日期"])
    sheet.write(2, 1, "41042310100100001")
    sheet.write(2, 2, "A&B <周耀伟>")
    sheet.write_number(2, 3, 12)
    sheet.write_number(2, 4, 0.125, formats["percent"])
    sheet.write_boolean(2, 5, False)
    sheet.write_datetime(2, 6, wall(2020, 3, 6), formats["iso"])
    sheet.write_datetime(3, 6, wall(2019, 12, 31), formats["chinese"])
    sheet.write_number(4, 6, 43896, formats["builtin31"])
    sheet.write_datetime(5, 6, wall(2020, 3, 6, 8, 30), formats["time"])
    sheet.write_number(6, 3, 1234.5, formats["quoted"])  # a number whose format quotes text: no date
    sheet.write_formula(7, 3, "=1+1", None, 2)
    sheet.merge_range(9, 1, 10, 3, "合并")
    sheet.write(12, 8, "far right")  # a gap of rows, and cells after a gap of columns
    book.close()
    rows = _assert_same(path)
    assert rows[2][1][5] == datetime.date(2020, 3, 6)
    assert rows[5][1][5] == wall(2020, 3, 6, 8, 30)
    assert rows[7][1][2][0] == "Formula"
    assert [number for number, _cells, merged in rows if merged] == [10, 11]


def test_openpyxl_workbooks_with_inline_and_rich_text(tmp_path):
    path = tmp_path / "inline.xlsx"
    book = openpyxl.Workbook(write_only=True)  # write-only mode writes inline strings
    sheet = book.create_sheet()
    sheet.append(["户编号", "姓名", "出生日期"])
    sheet.append(["LS1", "  单田芳 ", datetime.date(1979, 1, 1)])
    sheet.append([None, None, None])
    sheet.append(["LS2", "曾 & 单", 3.0])
    book.save(path)
    _assert_same(path)


def test_phonetic_guides_are_not_part_of_the_text(tmp_path):
    """Japanese and some Chinese Excel builds store ruby text (rPh) beside a string."""
    path = tmp_path / "ruby.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名"])
    workbook.active.append(["占位"])
    workbook.save(path)
    ruby = '<c r="A2" t="inlineStr"><is><r><t>周</t></r><r><t>耀伟</t></r><rPh sb="0" eb="1"><t>ZHOU</t></rPh></is></c>'
    _rewrite_sheet(path, lambda xml: xml.replace('<c r="A2" t="inlineStr"><is><t>占位</t></is></c>', ruby))
    with zipfile.ZipFile(path) as archive:
        assert b"rPh" in archive.read("xl/worksheets/sheet1.xml")
    rows = _assert_same(path)
    assert rows[1][1] == ["周耀伟"]


def test_the_1904_date_system(tmp_path):
    path = tmp_path / "mac.xlsx"
    book = xlsxwriter.Workbook(path, {"date_1904": True})
    sheet = book.add_worksheet()
    sheet.write_datetime(0, 0, wall(2020, 3, 6), book.add_format({"num_format": "yyyy-mm-dd"}))
    book.close()
    rows = _assert_same(path)
    assert rows[0][1] == [datetime.date(2020, 3, 6)]


def test_a_sheet_with_a_namespace_prefix_takes_the_general_path(tmp_path):
    path = tmp_path / "prefixed.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["户编号", "数量"])
    workbook.active.append(["LS1", 7])
    workbook.save(path)

    def prefix(xml: str) -> str:
        for plain, prefixed in (
            ("<c ", "<x:c "),
            ("</c>", "</x:c>"),
            ("<row ", "<x:row "),
            ("</row>", "</x:row>"),
        ):
            xml = xml.replace(plain, prefixed)
        xml = xml.replace("<v>", "<x:v>").replace("</v>", "</x:v>")
        return xml.replace("<worksheet ", f'<worksheet xmlns:x="{MAIN_NAMESPACE}" ')

    _rewrite_sheet(path, prefix)
    scan = readers.scan_xlsx(path)
    streamed = _normal(readers._read_xlsx_streaming(path, scan))
    assert streamed[:2] == [(1, ["户编号", "数量"], False), (2, ["LS1", 7.0], False)]


def test_a_big_sheet_is_streamed_and_imports_the_same(tmp_path, monkeypatch, run, write_xlsx, regions):
    rows = [["户编号", "村代码", "住址"], *([f"ST{i:05d}", VILLAGE, f"下汤村{i}号"] for i in range(300))]
    path = write_xlsx(rows)
    used = []
    original = readers._read_xlsx_streaming

    def spy(*args):
        used.append(True)
        yield from original(*args)

    monkeypatch.setattr(readers, "_read_xlsx_streaming", spy)
    monkeypatch.setattr(readers, "STREAM_ABOVE", 0)
    result = run("households", path)
    assert used, "the sheet is above the limit: it must be streamed"
    assert result.status == RunStatus.IMPORTED, issues(result)
    assert Household.objects.filter(code__startswith="ST").count() == 300


@pytest.mark.parametrize("limit", [0, readers.STREAM_ABOVE])
def test_merged_rows_are_refused_by_both_readers(limit, monkeypatch, run, write_xlsx, regions):
    monkeypatch.setattr(readers, "STREAM_ABOVE", limit)
    path = write_xlsx(
        [["户编号", "村代码"], ["MG001", VILLAGE], ["MG002", VILLAGE]], edit=lambda s: s.merge_cells("A2:A3")
    )
    result = run("households", path)
    assert result.status == RunStatus.REJECTED
    assert {row for row, *_ in issues(result)} == {2, 3}
