"""CSV encodings: UTF-8 (with or without BOM), GBK/GB18030 and UTF-16 import; what cannot be decoded is refused."""

import codecs

import pytest

from bangfu.imports import readers
from bangfu.imports.models import RunStatus
from bangfu.registry.models import Household

from ..conftest import HOUSEHOLD_HEADER, VILLAGE, csv_bytes, reasons

ROWS = [
    HOUSEHOLD_HEADER,
    ["LS00001", VILLAGE, "下汤镇下汤村东街12号", "是", "2014", "2019", "低保", "已脱贫"],
    ["LS00002", VILLAGE, "下汤镇下汤村西街3号", "否", "", "", "", "未脱贫"],
]
UNREADABLE = "无法识别文件编码"


def _imported(run, path) -> None:
    result = run("households", path)
    assert result.status == RunStatus.IMPORTED, reasons(result)
    assert result.created_count == 2
    assert dict(Household.objects.values_list("code", "address")) == {
        "LS00001": "下汤镇下汤村东街12号",
        "LS00002": "下汤镇下汤村西街3号",
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_the_usual_encodings_import(run, write_csv, encoding):
    _imported(run, write_csv(ROWS, encoding=encoding))


def test_gb18030_characters_beyond_gbk_import(run, write_csv):
    rows = [row[:] for row in ROWS]
    rows[1][2] = "下汤村䶮家12号"  # 䶮 (U+4DAE) takes four bytes in GB18030 and is not in GBK
    path = write_csv(rows, encoding="gb18030")
    result = run("households", path)
    assert result.written, reasons(result)
    assert Household.objects.get(code="LS00001").address == "下汤村䶮家12号"


def test_utf16_without_a_byte_order_mark_imports(run, write_bytes):
    _imported(run, write_bytes(csv_bytes(ROWS, encoding="utf-16-le"), "no-bom.csv"))


def test_excel_unicode_text_with_tabs_imports(run, write_bytes):
    """Excel's "Unicode text (*.txt)": UTF-16 with a BOM, columns separated by tabs."""
    _imported(run, write_bytes(csv_bytes(ROWS, encoding="utf-16", delimiter="\t"), "unicode.txt"))


def test_a_gbk_file_whose_first_64kb_end_inside_a_character_imports(run, write_bytes):
    """The encoding is guessed from the first 64 KB; a two-byte character cut there is not an error."""
    rows = [HOUSEHOLD_HEADER]
    for i in range(1, 2000):
        rows.append([f"LS{i:05d}", VILLAGE, f"下汤镇下汤村东街{i}号院", "是", "2014", "", "", "未脱贫"])
    data = csv_bytes(rows, encoding="gbk")
    for _ in range(80):  # shift the text a byte at a time until the cut falls inside a character
        if _cut_inside_a_character(data):
            break
        rows[1][2] = "A" + rows[1][2]
        data = csv_bytes(rows, encoding="gbk")
    assert _cut_inside_a_character(data)
    result = run("households", write_bytes(data, "big-gbk.csv"))
    assert result.written, reasons(result)
    assert result.created_count == 1999


def _cut_inside_a_character(data: bytes) -> bool:
    try:
        data[: readers.SNIFF].decode("gbk")
    except UnicodeDecodeError:
        return True
    return False


def test_a_big5_file_is_refused_with_a_clear_message(refused, write_bytes):
    """Traditional Chinese in Big5 decodes as GBK into nonsense: it must not be imported as such."""
    rows = [
        ["戶編號", "村代碼", "住址", "建檔立卡戶", "當前狀態"],
        ["LS00001", VILLAGE, "下湯鎮下湯村東街12號", "是", "已脫貧"],
        ["LS00002", VILLAGE, "下湯鎮下湯村西街3號", "否", "未脫貧"],
    ]
    result = refused("households", write_bytes(csv_bytes(rows, encoding="big5"), "big5.csv"))
    assert result.status == RunStatus.FAILED
    assert UNREADABLE in result.message
    assert "UTF-8" in result.message


def test_a_shift_jis_file_is_refused_with_a_clear_message(refused, write_bytes):
    rows = [["世帯番号", "村コード", "住所"], ["LS00001", VILLAGE, "東京都千代田区丸の内一丁目"]]
    result = refused("households", write_bytes(csv_bytes(rows, encoding="shift_jis"), "sjis.csv"))
    assert UNREADABLE in result.message


def test_a_file_that_changes_encoding_half_way_is_refused(refused, write_bytes):
    rows = [HOUSEHOLD_HEADER]
    for i in range(1, 3000):
        rows.append([f"LS{i:05d}", VILLAGE, f"下汤村{i}号", "是", "2014", "", "", "未脱贫"])
    head = csv_bytes(rows, encoding="utf-8")
    assert len(head) > readers.SNIFF
    tail = csv_bytes([["LS09999", VILLAGE, "下汤村末尾", "是", "2014", "", "", "未脱贫"]], encoding="gbk")
    result = refused("households", write_bytes(head + tail, "mixed.csv"))
    assert "编码不一致" in result.message


def test_a_utf8_bom_file_keeps_its_first_header(run, write_bytes):
    """The BOM is not part of the first header (which would then not be recognised)."""
    path = write_bytes(codecs.BOM_UTF8 + csv_bytes([["户编号", "村代码"], ["LS00001", VILLAGE]]), "bom.csv")
    assert run("households", path).written
