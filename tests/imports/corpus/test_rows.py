"""Rows that cannot be imported: duplicate or bad ID numbers, impossible dates, merged cells, formulas."""

import datetime

import xlsxwriter
from django.utils import timezone

from bangfu.core import idnumber
from bangfu.imports.models import RunStatus
from bangfu.registry.models import Household

from ..conftest import COUNTY6, HOUSEHOLD_HEADER, PERSON_HEADER, VILLAGE, issues, reasons

HEADER4 = ["户编号", "姓名", "身份证号", "与户主关系"]


def by_cell(result) -> dict[tuple[int, str], str]:
    return {(row, column): reason for row, column, _value, reason in issues(result)}


def test_duplicate_id_numbers_inside_the_file(refused, write_csv, seed_households, person_rows):
    seed_households(["LS00001", "LS00002"])
    rows = [*person_rows("LS00001", 2), *person_rows("LS00002", 2)]
    rows[3][2] = rows[1][2]  # row 5 repeats the number of row 3
    result = refused("persons", write_csv([PERSON_HEADER, *rows]))
    assert issues(result) == [(5, "身份证号", rows[1][2], "与第3行重复")]


def test_the_same_id_number_written_two_ways_is_a_duplicate(refused, write_csv, seed_households):
    seed_households(["LS00001"])
    number = next(
        n for s in range(1000) if (n := idnumber.make(COUNTY6, datetime.date(1961, 6, 15), s)).endswith("X")
    )
    rows = [HEADER4, ["LS00001", "周耀伟", number, "户主"], ["LS00001", "周耀伟", number.lower(), "户主"]]
    result = refused("persons", write_csv(rows))
    assert issues(result) == [(3, "身份证号", number, "与第2行重复")]


def test_an_id_number_already_in_another_household(refused, run, write_csv, seed_households, person_rows):
    seed_households(["LS00001", "LS00002"])
    first = person_rows("LS00001", 2)
    assert run("persons", write_csv([PERSON_HEADER, *first], name="first.csv")).written
    moved = person_rows("LS00002", 2)
    moved[1][2] = first[1][2]  # the daughter of LS00001 listed again in LS00002
    moved[1][5] = first[1][5]
    result = refused("persons", write_csv([PERSON_HEADER, *moved], name="second.csv"))
    assert by_cell(result) == {(3, "身份证号"): "该身份证号已登记在户LS00001,迁户请使用“成员迁移”"}


def test_bad_checksums_say_which_check_character_is_right(refused, write_csv, seed_households, id_number):
    seed_households(["LS00001"])
    good = id_number()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [HEADER4, ["LS00001", "周耀伟", wrong, "户主"], ["LS00001", "周小红", good[:16] + "5", "之女"]]
    result = refused("persons", write_csv(rows))
    found = by_cell(result)
    assert found[(2, "身份证号")] == f"身份证号校验位错误:最后一位应为{good[17]}。"
    assert found[(3, "身份证号")] == "身份证号应为18位,实际为17位。"


def test_impossible_dates(refused, write_csv, seed_households, id_number):
    seed_households(["LS00001"])
    header = [*HEADER4, "出生日期"]
    rows = [
        header,
        ["LS00001", "周耀伟", id_number(), "户主", "2020-02-30"],
        ["LS00001", "周小红", id_number(male=False), "之女", "2021年13月1日"],
        ["LS00001", "周小明", id_number(), "之子", "2019/2/29"],
    ]
    result = refused("persons", write_csv(rows))
    assert by_cell(result) == {
        (2, "出生日期"): "日期不存在",
        (3, "出生日期"): "日期不存在",
        (4, "出生日期"): "日期不存在",
    }


def test_an_id_number_born_in_the_future(refused, write_csv, seed_households):
    seed_households(["LS00001"])
    future = idnumber.make(COUNTY6, timezone.localdate() + datetime.timedelta(days=30), 11)
    impossible = idnumber.make(COUNTY6, datetime.date(1990, 1, 1), 11)[:10] + "0230" + "011"
    impossible += idnumber.check_char(impossible)
    rows = [HEADER4, ["LS00001", "周耀伟", future, "户主"], ["LS00001", "周小红", impossible, "之女"]]
    result = refused("persons", write_csv(rows))
    found = by_cell(result)
    assert found[(2, "身份证号")] == "身份证号中的出生日期晚于今天。"
    assert found[(3, "身份证号")] == "身份证号中的出生日期不存在。"


def test_blank_rows_are_ignored_and_counted(run, write_csv):
    rows = [
        [],
        HOUSEHOLD_HEADER[:2],
        ["LS00001", VILLAGE],
        [],
        ["", ""],
        ["  ", "\t"],
        ["LS00002", VILLAGE],
        [""],
    ]
    result = run("households", write_csv(rows))
    assert result.written, reasons(result)
    assert (result.total_rows, result.blank_rows, result.created_count) == (2, 4, 2)


def test_merged_cells_in_a_workbook_are_row_errors(refused, write_xlsx):
    def merge(sheet):
        sheet.merge_cells("B3:B4")  # one village code for two households, as people like to lay it out

    rows = [
        HOUSEHOLD_HEADER[:3],
        ["LS00001", VILLAGE, "一号"],
        ["LS00002", VILLAGE, "二号"],
        ["LS00003", None, "三号"],
    ]
    result = refused("households", write_xlsx(rows, edit=merge))
    message = "含有合并单元格,请取消合并后逐行填写"
    assert [(row, reason) for row, _column, _value, reason in issues(result)] == [(3, message), (4, message)]


def test_merged_cells_are_skipped_in_skip_mode(run, write_xlsx):
    def merge(sheet):
        sheet.merge_cells("C3:D3")

    rows = [HOUSEHOLD_HEADER[:4], ["LS00001", VILLAGE, "一号", "是"], ["LS00002", VILLAGE, "二号", None]]
    result = run("households", write_xlsx(rows, edit=merge), mode="skip")
    assert (result.created_count, result.error_rows) == (1, 1)
    assert list(Household.objects.values_list("code", flat=True)) == ["LS00001"]


def test_a_formula_in_a_csv_cell(refused, write_csv):
    rows = [
        HOUSEHOLD_HEADER[:3],
        ["LS00001", VILLAGE, "=1+1"],
        ["LS00002", VILLAGE, '=HYPERLINK("http://x","y")'],
    ]
    result = refused("households", write_csv(rows))
    found = by_cell(result)
    assert set(found) == {(2, "住址"), (3, "住址")}
    assert found[(2, "住址")].startswith("不允许公式")


def test_formula_cells_in_a_workbook(refused, write_xlsx):
    """openpyxl writes formulas without a cached result: calamine would read them as empty cells."""

    def formulas(sheet):
        sheet["A3"] = '="LS0000"&"2"'
        sheet["C2"] = "=1+1"

    rows = [HOUSEHOLD_HEADER[:3], ["LS00001", VILLAGE, "x"], [None, VILLAGE, "y"]]
    result = refused("households", write_xlsx(rows, edit=formulas))
    values = {(row, column): (value, reason) for row, column, value, reason in issues(result)}
    assert set(values) == {(2, "住址"), (3, "户编号")}
    assert values[(2, "住址")][0] == "=1+1"
    assert values[(3, "户编号")][1].startswith("不允许公式")


def test_formula_cells_with_a_cached_result_are_refused_too(refused, tmp_path):
    """Excel saves a formula's last result; the result may be stale, so the cell is still refused."""
    path = tmp_path / "cached.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["户编号", "村代码"])
    sheet.write_string(1, 0, "LS00001")
    sheet.write_formula(1, 1, '="4104231010"&"01"', None, VILLAGE)
    workbook.close()
    result = refused("households", path)
    assert issues(result)[0][:3] == (2, "村代码", '="4104231010"&"01"')


def test_codes_that_excel_stored_as_numbers_lose_digits_and_are_refused(refused, write_xlsx, seed_households):
    seed_households(["LS00001"])
    numbers = (idnumber.make(COUNTY6, datetime.date(1979, 1, 1), sequence) for sequence in range(1, 99, 2))
    number = next(n for n in numbers if not n.endswith("X"))
    rows = [HEADER4, ["LS00001", "周耀伟", int(number), "户主"]]  # typed into a cell formatted as a number
    result = refused("persons", write_xlsx(rows))
    [(row, column, _value, reason)] = issues(result)
    assert (row, column) == (2, "身份证号")
    assert "15位" in reason


def test_codes_in_scientific_notation_from_a_csv(refused, write_csv, seed_households):
    seed_households(["LS00001"])
    result = refused("persons", write_csv([HEADER4, ["LS00001", "周耀伟", "4.10423E+17", "户主"]]))
    assert "科学计数法" in issues(result)[0][3]


def test_all_or_nothing_reports_rows_bad_for_several_reasons_once_each(refused, write_csv, seed_households):
    seed_households(["LS00001"])
    rows = [[*HEADER4, "性别", "出生日期"], ["LS00009", "", "123", "老板", "不详", "明天"]]
    result = refused("persons", write_csv(rows))
    assert result.status == RunStatus.REJECTED
    assert result.error_rows == 1
    assert {column for _row, column, _value, _reason in issues(result)} == {
        "姓名",
        "身份证号",
        "与户主关系",
        "性别",
        "出生日期",
    }
