"""Files that are not tables: renamed, empty, header only, junk, zip bombs, old .xls, too big, broken CSV."""

import os
import zipfile

import pytest

from bangfu.imports import engine, readers
from bangfu.imports.models import ImportRun, RunStatus
from bangfu.imports.readers import ReadError

from ..conftest import HOUSEHOLD_HEADER, VILLAGE, csv_bytes, db_counts
from .conftest import zip_bytes

OLE_HEADER = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)  # the first sector of an OLE2 compound file
SHEET = "xl/worksheets/sheet1.xml"


def failed_with(refused, kind: str, path, message: str, *, rows_read: int = 0) -> ImportRun:
    result = refused(kind, path)
    assert result.status == RunStatus.FAILED
    assert message in result.message, result.message
    assert (result.total_rows, result.error_rows) == (rows_read, 0)
    return result


def test_a_text_file_renamed_xlsx(refused, write_bytes):
    path = write_bytes(csv_bytes([HOUSEHOLD_HEADER[:2], ["LS00001", VILLAGE]]), "households.xlsx")
    failed_with(refused, "households", path, "文件名是.xlsx,但内容不是Excel工作簿")


def test_a_web_page_saved_as_xls(refused, write_bytes):
    """Many systems' "export to Excel" writes an HTML table named .xls."""
    path = write_bytes("<html><table><tr><td>户编号</td></tr></table></html>".encode(), "export.xls")
    failed_with(refused, "households", path, "内容不是Excel工作簿")


def test_an_empty_file(refused, write_bytes):
    failed_with(refused, "households", write_bytes(b"", "empty.csv"), "文件是空的")


def test_an_empty_workbook(refused, write_xlsx):
    failed_with(refused, "households", write_xlsx([]), "文件中没有表头和数据")


def test_a_file_of_blank_lines(refused, write_bytes):
    failed_with(refused, "households", write_bytes(b"\r\n,,\r\n\r\n", "blank.csv"), "文件中没有表头和数据")


@pytest.mark.parametrize("name", ["header.csv", "header.xlsx"])
def test_a_header_only_file(refused, write_csv, write_xlsx, name):
    rows = [HOUSEHOLD_HEADER, [], []]
    path = write_csv(rows, name=name) if name.endswith(".csv") else write_xlsx(rows, name=name)
    failed_with(refused, "households", path, "文件只有表头,没有数据行")


def test_fifty_megabytes_of_junk(refused, write_bytes):
    path = write_bytes(os.urandom(50 * 1024 * 1024), "junk.csv")
    result = failed_with(refused, "households", path, "文件含有二进制内容,不是CSV表格")
    assert result.size == 50 * 1024 * 1024
    for big in (path, engine.imports_dir() / result.stored_name):  # 100 MB that nobody needs to keep
        big.unlink()


def test_junk_named_xlsx(refused, write_bytes):
    path = write_bytes(os.urandom(1024 * 1024), "junk.xlsx")
    failed_with(refused, "households", path, "内容不是Excel工作簿")


def test_a_broken_zip_named_xlsx(refused, write_bytes):
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", SHEET: b"<worksheet/>"})
    path = write_bytes(data[: len(data) // 2], "broken.xlsx")  # cut in half: no central directory
    failed_with(refused, "households", path, "文件已损坏")


def test_a_zip_that_is_not_a_workbook(refused, write_bytes):
    path = write_bytes(zip_bytes({"readme.txt": b"hello"}), "archive.xlsx")
    failed_with(refused, "households", path, "压缩包中没有Excel工作表")


def test_a_zip_bomb_of_300_megabytes_is_refused_without_unpacking_it(refused, write_bytes):
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", SHEET: (bytes(8 << 20), 38)})  # 304 MiB of zeros
    assert len(data) < 400_000
    path = write_bytes(data, "bomb.xlsx")
    failed_with(refused, "households", path, "文件解压后异常庞大(疑似压缩炸弹)")


def test_a_zip_bomb_that_lies_about_its_size_is_stopped_while_unpacking(refused, write_xlsx, write_bytes):
    """The sizes in a zip's headers are the sender's word: a workbook whose sheet says "1 KB" but
    unpacks to 300 MB is caught by the checksum of what came out, before calamine reads it."""
    with zipfile.ZipFile(write_xlsx([["户编号", "村代码"], ["LS00001", VILLAGE]])) as genuine:
        members = {name: genuine.read(name) for name in genuine.namelist()}
    head, tail = members[SHEET].split(b"<sheetData>")
    members[SHEET] = (
        head + b"<sheetData>",
        b"<!-- " + b"padding " * 1024 + b"-->",
        38_000,
        b"</sheetData>" + tail.split(b"</sheetData>")[1],
    )
    path = write_bytes(zip_bytes(members, declared={SHEET: 1024}), "liar.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(SHEET).file_size == 1024
        assert archive.getinfo(SHEET).compress_size < 2_000_000
    failed_with(refused, "households", path, "文件已损坏")


def test_the_real_ratio_limit_on_a_modest_file(write_bytes):
    """A sheet that compresses 1000:1 is refused by the real limits; one at 10:1 is read."""
    bomb = write_bytes(zip_bytes({"[Content_Types].xml": b"<Types/>", SHEET: (bytes(1 << 20), 8)}), "b.xlsx")
    with pytest.raises(ReadError, match="疑似压缩炸弹"):
        readers.check_zip(bomb)
    assert readers.MAX_RATIO == 200 and readers.MAX_UNCOMPRESSED == 1 << 30


def test_the_uncompressed_limit(monkeypatch, refused, write_xlsx):
    rows = [HOUSEHOLD_HEADER[:2], *([f"LS{i:05d}", VILLAGE] for i in range(1, 200))]
    path = write_xlsx(rows)
    readers.check_zip(path)  # within the real limits
    monkeypatch.setattr(readers, "MAX_UNCOMPRESSED", 4096)
    failed_with(refused, "households", path, "疑似压缩炸弹")


def test_an_old_xls_file(refused, write_bytes):
    failed_with(refused, "households", write_bytes(OLE_HEADER, "old.xls"), "这是旧版Excel(.xls)文件")


def test_a_password_protected_xlsx(refused, write_bytes):
    """Excel stores an encrypted workbook in an OLE2 container, whatever its name says."""
    failed_with(refused, "households", write_bytes(OLE_HEADER, "secret.xlsx"), "设置了打开密码")


def test_a_file_over_the_size_limit_is_refused_before_it_is_stored(monkeypatch, importer, write_csv):
    monkeypatch.setattr(engine, "MAX_FILE_BYTES", 1024 * 1024)
    path = write_csv([HOUSEHOLD_HEADER[:2], *([f"LS{i:06d}", VILLAGE] for i in range(80_000))])
    assert path.stat().st_size > 1024 * 1024
    stored = set(engine.imports_dir().iterdir())
    before = db_counts()
    with pytest.raises(ReadError, match="文件超过1MB,请拆分后导入"):
        engine.import_create(user=importer, kind="households", source=path, original_name=path.name)
    assert set(engine.imports_dir().iterdir()) == stored  # the partial copy is removed
    assert not ImportRun.objects.exists()
    assert db_counts() == before


def test_a_file_at_the_size_limit_is_accepted(monkeypatch, importer, write_csv):
    path = write_csv([HOUSEHOLD_HEADER[:2], ["LS00001", VILLAGE]])
    monkeypatch.setattr(engine, "MAX_FILE_BYTES", path.stat().st_size)
    run = engine.import_create(user=importer, kind="households", source=path, original_name=path.name)
    assert run.size == path.stat().st_size


def test_an_unclosed_quote_is_refused_rather_than_swallowing_the_rows_after_it(refused, write_bytes):
    text = f'户编号,村代码,住址\r\nLS00001,{VILLAGE},"下汤村1号\r\nLS00002,{VILLAGE},二号\r\n'
    result = failed_with(refused, "households", write_bytes(text.encode(), "quote.csv"), "CSV格式错误")
    assert "英文双引号不成对" in result.message


def test_one_endless_line_is_refused(refused, write_bytes):
    data = "户编号,村代码\r\n".encode() + b"LS00001," * (readers.MAX_LINE // 8 + 10)
    failed_with(refused, "households", write_bytes(data, "endless.csv"), "不是正常的表格")


def test_binary_content_after_the_first_64kb(refused, write_bytes):
    rows = [HOUSEHOLD_HEADER[:3], *([f"LS{i:05d}", VILLAGE, f"下汤村{i}号"] for i in range(1, 3000))]
    data = csv_bytes(rows)
    assert len(data) > readers.SNIFF
    path = write_bytes(data + b"LS09999," + VILLAGE.encode() + b",\x00\x01\x02\r\n", "late-junk.csv")
    failed_with(refused, "households", path, "文件含有二进制内容", rows_read=2999)
