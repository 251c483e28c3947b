"""Values longer or larger than the ledger holds are cell errors, the same on SQLite and PostgreSQL."""

from ..conftest import HOUSEHOLD_HEADER, VILLAGE, issues


def by_cell(result) -> dict[tuple[int, str], str]:
    return {(row, column): reason for row, column, _value, reason in issues(result)}


def test_text_longer_than_its_column_is_a_cell_error(refused, write_csv, seed_households, id_number):
    seed_households(["LS00001"])
    rows = [
        ["户编号", "姓名", "身份证号", "与户主关系", "务工地点/单位"],
        ["LS00001", "周" * 51, id_number(), "户主", "厂" * 101],
    ]
    result = refused("persons", write_csv(rows))
    found = by_cell(result)
    assert found[(2, "姓名")] == "最多50个字符"
    assert found[(2, "务工地点/单位")] == "最多100个字符"


def test_household_codes_and_addresses_longer_than_their_columns(refused, write_csv):
    rows = [HOUSEHOLD_HEADER[:3], ["L" * 31, VILLAGE, "一号"], ["LS00002", VILLAGE, "址" * 201]]
    result = refused("households", write_csv(rows))
    assert by_cell(result) == {(2, "户编号"): "最多30个字符", (3, "住址"): "最多200个字符"}


def test_a_household_of_a_hundred_thousand_members_is_a_cell_error(refused, write_csv, seed_households):
    seed_households(["LS00001"])
    result = refused(
        "incomes",
        write_csv([["户编号", "年度", "工资性收入", "家庭人口"], ["LS00001", "2023", "1000", "100000"]]),
    )
    assert (2, "家庭人口") in by_cell(result)


def test_money_beyond_the_ledgers_digits_is_a_cell_error(refused, write_csv, seed_households):
    seed_households(["LS00001"])
    result = refused(
        "incomes",
        write_csv([["户编号", "年度", "工资性收入", "家庭人口"], ["LS00001", "2023", "1" * 13, "3"]]),
    )
    assert by_cell(result) == {(2, "工资性收入"): "金额过大"}
