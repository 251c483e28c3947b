"""The import engine end to end: modes, dry runs, idempotent re-runs, headers, scope, the registry's rules."""

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from bangfu.audit.models import Action, ChangeRecord
from bangfu.core import crypto, idnumber
from bangfu.imports import engine
from bangfu.imports.models import ImportRun, RunStatus
from bangfu.registry.models import Household, IncomeRecord, MemberHistory, Person, Relation

from .conftest import (
    HOUSEHOLD_HEADER,
    INCOME_HEADER,
    NEIGHBOUR_VILLAGE,
    OTHER_COUNTY_VILLAGE,
    PERSON_HEADER,
    VILLAGE,
    db_counts,
    issues,
    reasons,
)

PROJECT_DIR = Path(settings.BASE_DIR).parent


def household_rows(n: int, *, start: int = 1, village: str = VILLAGE) -> list[list]:
    return [
        [f"LS{i:05d}", village, f"下汤村{i}号", "是", "2014", "2019", "低保", "已脱贫"]
        for i in range(start, start + n)
    ]


# Modes -----------------------------------------------------------------------------------------------


def test_all_or_nothing_writes_nothing_and_reports_every_bad_row(run, write_csv, unchanged):
    rows = household_rows(6)
    rows[1][1] = OTHER_COUNTY_VILLAGE  # row 3: outside the importer's county
    rows[3][4] = "去年"  # row 5: not a year
    rows[4][6] = "五保"  # row 6: not a safety-net type
    path = write_csv([HOUSEHOLD_HEADER, *rows])
    with unchanged():
        result = run("households", path, mode="all")
    assert result.status == RunStatus.REJECTED
    assert result.total_rows == 6
    assert result.error_rows == 3
    assert (result.created_count, result.updated_count) == (0, 0)
    assert "3行有错误" in result.message
    found = {(row, column): (value, reason) for row, column, value, reason in issues(result)}
    assert set(found) == {(3, "村代码"), (5, "建档年度"), (6, "兜底保障")}
    assert found[(3, "村代码")] == (OTHER_COUNTY_VILLAGE, "村代码不存在或不在您的管辖范围内")
    assert found[(5, "建档年度")] == ("去年", "应为整数")
    assert found[(6, "兜底保障")][0] == "五保"
    assert "低保" in found[(6, "兜底保障")][1]


def test_skip_mode_writes_the_good_rows_only(run, write_csv):
    rows = household_rows(5)
    rows[2][1] = "410423999999"  # row 4: no such village
    result = run("households", write_csv([HOUSEHOLD_HEADER, *rows]), mode="skip")
    assert result.status == RunStatus.IMPORTED
    assert (result.total_rows, result.error_rows, result.created_count) == (5, 1, 4)
    assert sorted(Household.objects.values_list("code", flat=True)) == [
        "LS00001",
        "LS00002",
        "LS00004",
        "LS00005",
    ]
    assert ChangeRecord.objects.filter(action=Action.CREATE, object_repr__contains="LS000").count() == 4
    assert issues(result) == [(4, "村代码", "410423999999", "村代码不存在或不在您的管辖范围内")]


def test_a_dry_run_writes_nothing_and_counts_what_a_real_run_would(run, write_csv, unchanged):
    run("households", write_csv([HOUSEHOLD_HEADER, *household_rows(2)], name="first.csv"))
    rows = household_rows(5)
    rows[0][2] = "新住址"  # an update of LS00001
    rows[4][1] = "410423999999"  # a bad row
    path = write_csv([HOUSEHOLD_HEADER, *rows])
    with unchanged():
        dry = run("households", path, mode="skip", dry_run=True)
    assert dry.status == RunStatus.CHECKED
    assert (dry.created_count, dry.updated_count, dry.unchanged_count, dry.error_rows) == (2, 1, 1, 1)
    real = run("households", path, mode="skip")
    assert real.status == RunStatus.IMPORTED
    assert (real.created_count, real.updated_count, real.unchanged_count, real.error_rows) == (2, 1, 1, 1)


def test_rerunning_the_same_file_changes_nothing(run, write_csv, person_rows, seed_households):
    seed_households(["LS00001", "LS00002"])
    households = write_csv([HOUSEHOLD_HEADER, *household_rows(2)], name="households.csv")
    persons = write_csv([PERSON_HEADER, *person_rows("LS00001", 3), *person_rows("LS00002", 2)], name="p.csv")
    incomes = write_csv(
        [INCOME_HEADER, ["LS00001", "2023", "12000", "3000", "0", "2400", "1000"]], name="incomes.csv"
    )
    for kind, path, rows in (("households", households, 2), ("persons", persons, 5), ("incomes", incomes, 1)):
        first = run(kind, path)
        assert first.status == RunStatus.IMPORTED, reasons(first)
        before = db_counts()
        again = run(kind, path)
        assert again.status == RunStatus.IMPORTED, reasons(again)
        assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, rows), kind
        assert db_counts() == before, kind


def test_updating_one_cell_updates_one_row_with_one_change_record(run, write_csv):
    rows = household_rows(3)
    run("households", write_csv([HOUSEHOLD_HEADER, *rows], name="first.csv"))
    rows[1][2] = "下汤村新址88号"
    records = ChangeRecord.objects.count()
    result = run("households", write_csv([HOUSEHOLD_HEADER, *rows], name="second.csv"))
    assert (result.created_count, result.updated_count, result.unchanged_count) == (0, 1, 2)
    assert ChangeRecord.objects.count() == records + 1
    record = ChangeRecord.objects.latest("pk")
    household = Household.objects.get(code="LS00002")
    assert (record.action, record.object_id) == (Action.UPDATE, str(household.pk))
    assert record.changes["address"] == ["下汤村2号", "下汤村新址88号"]
    assert set(record.changes) <= {"address", "updated_at"}
    assert household.address == "下汤村新址88号"


# Headers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        ["户编号", "村代码", "住址", "兜底保障"],  # the Chinese labels
        ["户编号*", "村代码*", "住址", "兜底保障"],  # as the template marks required columns
        ["code", "village", "address", "safety_net"],  # the English names
        ["Household Code", "Village Code", "Address", "Safety Net"],  # English aliases, any case
        ["户码", "所在村代码", "家庭住址", "兜底保障"],  # Chinese aliases
        ["户编号（必填）", " 村代码 ", "住　址", "兜底保障＊"],  # full-width marks and spaces
        ["ｃｏｄｅ", "ＶＩＬＬＡＧＥ", "ａｄｄｒｅｓｓ", "ｓａｆｅｔｙ＿ｎｅｔ"],  # full-width letters
    ],
)
def test_headers_by_chinese_label_english_name_or_alias(run, write_csv, header):
    path = write_csv([header, ["LS00001", VILLAGE, "下汤村1号", "低保"]])
    result = run("households", path)
    assert result.status == RunStatus.IMPORTED, reasons(result)
    household = Household.objects.get(code="LS00001")
    assert (household.region_code, household.address, household.safety_net) == (VILLAGE, "下汤村1号", "dibao")


def test_columns_may_come_in_any_order_and_the_table_may_start_lower_down(run, write_xlsx):
    def edit(sheet):
        sheet.insert_rows(1, amount=2)  # two empty rows above the header
        sheet.insert_cols(1)  # and an empty column before it

    rows = [["村代码", "住址", "户编号"], [VILLAGE, "一号", "LS00001"], [VILLAGE, "二号", "410423999999x"]]
    rows[2] = ["410423999999", "二号", "LS00002"]
    result = run("households", write_xlsx(rows, edit=edit))
    assert result.status == RunStatus.REJECTED
    assert issues(result) == [(5, "村代码", "410423999999", "村代码不存在或不在您的管辖范围内")]


def test_a_title_above_the_header_is_passed_over(run, write_xlsx):
    """Many sheets carry a title merged across the top ("…花名册"); the header is the next row."""

    def title(sheet):
        sheet.merge_cells("A1:C1")

    rows = [
        ["鲁山县2024年建档立卡户花名册", None, None],
        ["户编号", "村代码", "住址"],
        ["LS00001", VILLAGE, "一号"],
    ]
    rows.append(["LS00002", "410423999999", "二号"])
    result = run("households", write_xlsx(rows, edit=title), mode="skip")
    assert (result.created_count, result.total_rows) == (1, 2)
    assert issues(result) == [(4, "村代码", "410423999999", "村代码不存在或不在您的管辖范围内")]


def test_a_single_cell_that_names_a_column_is_a_header_not_a_title(run, write_csv):
    result = run("households", write_csv([["户编号"], ["LS00001"]]))
    assert issues(result) == [(1, "村代码", "", "缺少必填列:村代码")]


def test_a_workbook_with_numbers_and_dates_as_excel_stores_them(run, write_xlsx, id_number):
    """calamine returns numbers as floats and date cells as dates: codes and years come out right."""
    households = [["户编号", "村代码", "建档年度", "建档立卡户"], ["LS00001", int(VILLAGE), 2014, True]]
    assert run("households", write_xlsx(households, name="h.xlsx")).written
    assert Household.objects.get().region_code == VILLAGE
    number = id_number(datetime.date(1979, 1, 1))
    persons = [[*PERSON_HEADER[:6]], ["LS00001", "周耀伟", number, "户主", "男", datetime.date(1979, 1, 1)]]
    result = run("persons", write_xlsx(persons, name="p.xlsx"))
    assert result.written, reasons(result)
    incomes = [["户编号", "年度", "工资性收入", "转移性收入"], ["LS00001", 2023, 12000.5, 2400]]
    assert run("incomes", write_xlsx(incomes, name="i.xlsx")).written
    assert IncomeRecord.objects.get().net_income == Decimal("14400.50")


# Scope -----------------------------------------------------------------------------------------------


def test_a_village_outside_the_importers_county_is_a_row_error(run, write_csv, unchanged):
    path = write_csv(
        [HOUSEHOLD_HEADER, *household_rows(1), *household_rows(1, start=2, village=OTHER_COUNTY_VILLAGE)]
    )
    with unchanged():
        result = run("households", path)
    assert issues(result) == [(3, "村代码", OTHER_COUNTY_VILLAGE, "村代码不存在或不在您的管辖范围内")]


def test_a_village_importer_cannot_reach_a_neighbouring_village(make_user, run, write_csv, unchanged):
    from bangfu.core.permissions import Role

    cadre = make_user(Role.CADRE, VILLAGE, username="cadre")
    path = write_csv(
        [HOUSEHOLD_HEADER, *household_rows(1), *household_rows(1, start=2, village=NEIGHBOUR_VILLAGE)]
    )
    with unchanged():
        result = run("households", path, user=cadre)
    assert result.status == RunStatus.REJECTED
    assert [row for row, *_ in issues(result)] == [3]


def test_persons_and_incomes_of_a_household_outside_the_scope_are_row_errors(
    make_user, run, write_csv, person_rows, seed_households, unchanged
):
    from bangfu.core.permissions import Role

    seed_households(["LS00001"])
    seed_households(["LS00002"], village=NEIGHBOUR_VILLAGE)
    cadre = make_user(Role.CADRE, VILLAGE, username="cadre")
    persons = write_csv([PERSON_HEADER, *person_rows("LS00001", 1), *person_rows("LS00002", 1)])
    incomes = write_csv(
        [
            ["户编号", "年度", "工资性收入", "家庭人口"],
            ["LS00001", "2023", "1", "3"],
            ["LS00002", "2023", "1", "3"],
        ],
        name="i.csv",
    )
    with unchanged():
        for kind, path in (("persons", persons), ("incomes", incomes)):
            result = run(kind, path, user=cadre)
            assert result.status == RunStatus.REJECTED
            assert [(row, column) for row, column, *_ in issues(result)] == [(3, "户编号")]


# Persons ---------------------------------------------------------------------------------------------


def test_persons_refresh_member_count_and_head_of_their_households(
    run, write_csv, person_rows, seed_households
):
    seed_households(["LS00001", "LS00002"])
    rows = [*person_rows("LS00001", 4), *person_rows("LS00002", 1)]
    result = run("persons", write_csv([PERSON_HEADER, *rows]))
    assert result.status == RunStatus.IMPORTED, reasons(result)
    assert result.created_count == 5
    first = Household.objects.get(code="LS00001")
    assert (first.members_count, first.head_name) == (4, rows[0][1])
    assert first.head.name == rows[0][1]
    assert Household.objects.get(code="LS00002").members_count == 1
    person = Person.objects.get(id_number_hash=crypto.lookup_hash(rows[1][2]))
    facts = idnumber.parse(rows[1][2])
    assert (person.gender, person.birth_date, person.relation) == (
        facts.gender,
        facts.birth_date,
        Relation.DAUGHTER,
    )
    assert person.id_number == rows[1][2]
    assert MemberHistory.objects.filter(person=person, household=first, left_on__isnull=True).count() == 1


def test_one_head_per_household_within_the_file(run, write_csv, person_rows, seed_households, unchanged):
    seed_households(["LS00001"])
    rows = person_rows("LS00001", 3)
    rows[2][3] = "户主"
    with unchanged():
        result = run("persons", write_csv([PERSON_HEADER, *rows]))
    assert result.status == RunStatus.REJECTED
    assert issues(result) == [(4, "与户主关系", "head", "与第2行重复:每户只能有一名户主")]


def test_one_head_per_household_against_the_database(run, write_csv, person_rows, seed_households, unchanged):
    seed_households(["LS00001"])
    assert run("persons", write_csv([PERSON_HEADER, *person_rows("LS00001", 2)], name="first.csv")).written
    second_head = person_rows("LS00001", 1)
    with unchanged():
        result = run("persons", write_csv([PERSON_HEADER, *second_head], name="second.csv"))
    assert issues(result) == [(2, "与户主关系", "head", "该户已有户主;每户只能有一名户主")]


def test_a_household_without_a_head_is_refused(run, write_csv, person_rows, seed_households, unchanged):
    seed_households(["LS00001"])
    rows = person_rows("LS00001", 3)[1:]  # the son and the daughter, no head
    with unchanged():
        result = run("persons", write_csv([PERSON_HEADER, *rows]))
    assert result.status == RunStatus.REJECTED
    assert [(row, column, reason) for row, column, _value, reason in issues(result)] == [
        (2, "与户主关系", "户LS00001没有户主")
    ]


def test_skipping_bad_rows_skips_the_household_whose_head_row_was_bad(
    run, write_csv, person_rows, seed_households
):
    seed_households(["LS00001", "LS00002"])
    bad = person_rows("LS00001", 3)
    bad[0][2] = bad[0][2][:17] + ("0" if bad[0][2][17] != "0" else "1")  # the head's check digit is wrong
    good = person_rows("LS00002", 2)
    result = run("persons", write_csv([PERSON_HEADER, *bad, *good]), mode="skip")
    assert result.status == RunStatus.IMPORTED
    assert (result.created_count, result.error_rows, result.total_rows) == (2, 3, 5)
    found = {(row, column) for row, column, _value, _reason in issues(result)}
    assert (2, "身份证号") in found  # the head's own error
    assert {(3, "与户主关系"), (4, "户编号")} <= found  # its household's other rows, set aside with it
    assert not Person.objects.filter(household__code="LS00001").exists()
    assert Household.objects.get(code="LS00002").members_count == 2
    assert Household.objects.get(code="LS00002").head is not None
    assert MemberHistory.objects.count() == 2
    assert ChangeRecord.objects.filter(content_type__model="person").count() == 2


def test_gender_and_birth_date_must_agree_with_the_id_number(
    run, write_csv, person_rows, seed_households, unchanged
):
    seed_households(["LS00001"])
    rows = person_rows("LS00001", 3)
    rows[1][4] = "男"  # row 3 is a daughter
    rows[2][5] = "1999-01-01"  # row 4: not the date inside the number
    with unchanged():
        result = run("persons", write_csv([PERSON_HEADER, *rows]))
    found = {(row, column): reason for row, column, _value, reason in issues(result)}
    assert found[(3, "性别")] == "性别与身份证号不符"
    birth = idnumber.parse(rows[2][2]).birth_date.isoformat()
    assert found[(4, "出生日期")] == f"出生日期与身份证号不符(身份证号为{birth})"


def test_gender_and_birth_date_may_be_left_out_and_come_from_the_id_number(
    run, write_csv, seed_households, id_number
):
    seed_households(["LS00001"])
    number = id_number(datetime.date(1980, 5, 17), male=False)
    result = run(
        "persons",
        write_csv([["户编号", "姓名", "身份证号", "与户主关系"], ["LS00001", "周小红", number, "户主"]]),
    )
    assert result.written, reasons(result)
    person = Person.objects.get()
    assert (person.gender, person.birth_date) == ("female", datetime.date(1980, 5, 17))


def test_an_id_number_in_lower_case_x_or_full_width_digits_is_the_same_person(
    run, write_csv, seed_households
):
    seed_households(["LS00001"])
    number = next(
        n for s in range(1000) if (n := idnumber.make("410423", datetime.date(1961, 6, 15), s)).endswith("X")
    )
    typed = number[:6].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + number[6:-1] + "x"
    header = ["户编号", "姓名", "身份证号", "与户主关系"]
    assert run("persons", write_csv([header, ["LS00001", "周耀伟", number, "户主"]], name="a.csv")).written
    again = run("persons", write_csv([header, ["LS00001", "周耀伟", typed, "户主"]], name="b.csv"))
    assert (again.created_count, again.unchanged_count) == (0, 1)


# Incomes ---------------------------------------------------------------------------------------------


def test_incomes_derive_the_per_capita_figure(run, write_csv, person_rows, seed_households):
    seed_households(["LS00001"])
    run("persons", write_csv([PERSON_HEADER, *person_rows("LS00001", 3)], name="p.csv"))
    rows = [
        INCOME_HEADER,
        ["LS00001", "2023", "12,000元", "3000", "200.5", "2400", "1000"],
        ["LS00001", "2024", "10000", "", "", "", ""],
    ]
    result = run("incomes", write_csv(rows))
    assert result.written, reasons(result)
    record = IncomeRecord.objects.get(year=2023)
    assert record.members == 3
    assert record.net_income == Decimal("16600.50")
    assert record.per_capita_net == Decimal("5533.50")
    assert IncomeRecord.objects.get(year=2024).per_capita_net == Decimal("3333.33")
    assert Household.objects.get().latest_per_capita == Decimal("3333.33")


def test_incomes_refuse_negative_amounts_and_unknown_households(run, write_csv, seed_households, unchanged):
    seed_households(["LS00001"])
    rows = [
        ["户编号", "年度", "工资性收入", "家庭人口"],
        ["LS00001", "2023", "-5", "3"],
        ["LS09999", "2023", "5", "3"],
        ["LS00001", "2023", "5", "3"],
        ["LS00001", "2024", "5", "0"],
    ]
    with unchanged():
        result = run("incomes", write_csv(rows))
    found = {(row, column): reason for row, column, _value, reason in issues(result)}
    assert found[(2, "工资性收入")] == "金额不能为负数"
    assert found[(3, "户编号")].startswith("户编号不存在")
    assert (4, "户编号+年度") not in found  # row 2 was bad, so row 4 is not a duplicate of it
    assert "家庭人口" in found[(5, "家庭人口")]


@pytest.fixture
def broken_kind():
    """An import kind whose write fails with a bug (not bad input), registered for one test."""
    from bangfu.imports.spec import SPECS, ImportSpec
    from bangfu.registry.imports import HOUSEHOLD_COLUMNS, households_check, households_write

    def write(rows, context):
        households_write(rows, context)  # writes, then fails: the rows must not stay
        raise RuntimeError("a bug in the write path")

    SPECS["test-broken"] = ImportSpec(
        kind="test-broken",
        title="broken",
        capability="registry.edit",
        columns=HOUSEHOLD_COLUMNS,
        key=("code",),
        check=households_check,
        write=write,
    )
    yield "test-broken"
    del SPECS["test-broken"]


def test_a_bug_in_the_write_path_rolls_back_and_ends_the_run(run, write_csv, broken_kind, unchanged):
    with unchanged(), pytest.raises(RuntimeError, match="a bug in the write path"):
        run(broken_kind, write_csv([HOUSEHOLD_HEADER, *household_rows(3)]))
    failed = ImportRun.objects.get(kind=broken_kind)
    assert (failed.status, failed.message) == (RunStatus.FAILED, "导入程序出错,已全部撤销。")
    assert failed.finished_at is not None


# The command line -------------------------------------------------------------------------------------


def test_the_import_command_prints_every_problem_and_fails(importer, write_csv, capsys, unchanged):
    from bangfu.cli import main

    rows = household_rows(3)
    rows[1][1] = OTHER_COUNTY_VILLAGE
    path = write_csv([HOUSEHOLD_HEADER, *rows])
    with unchanged():
        assert main(["import", "households", str(path), "--user", importer.username]) == 1
    out = capsys.readouterr().out
    assert f"row 3 [村代码] '{OTHER_COUNTY_VILLAGE}': 村代码不存在或不在您的管辖范围内" in out
    assert "有错误,未写入: 3 rows, 1 bad, 0 created" in out


def test_the_import_command_dry_run_and_skip_mode(importer, write_csv, capsys):
    from bangfu.cli import main

    rows = household_rows(3)
    rows[1][1] = OTHER_COUNTY_VILLAGE
    path = write_csv([HOUSEHOLD_HEADER, *rows])
    assert main(["import", "households", str(path), "--user", importer.username, "--dry-run"]) == 0
    assert "试运行完成: 3 rows, 1 bad, 2 created" in capsys.readouterr().out
    assert not Household.objects.exists()
    assert main(["import", "households", str(path), "--user", importer.username, "--mode", "skip"]) == 0
    assert "已导入: 3 rows, 1 bad, 2 created" in capsys.readouterr().out
    assert Household.objects.count() == 2


def test_the_import_command_refuses_an_unreadable_file(importer, write_bytes, capsys, unchanged):
    from bangfu.cli import main

    with unchanged():
        code = main(["import", "households", str(write_bytes(b"", "empty.csv")), "--user", importer.username])
    assert code == 1
    assert "文件是空的。" in capsys.readouterr().out


# Killing the process ---------------------------------------------------------------------------------


def _subprocess_env() -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "BANGFU_VAR_DIR": str(settings.VAR_DIR)}
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = quote(database["USER"] or "", safe="")
        if database.get("PASSWORD"):
            credentials += ":" + quote(database["PASSWORD"], safe="")
        host = f"{database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}"
        env["DATABASE_URL"] = f"postgres://{credentials}@{host}/{database['NAME']}"
    else:
        env.pop("DATABASE_URL", None)
        env["BANGFU_SQLITE_PATH"] = str(database["NAME"])
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "bangfu.cli", *args]


PERSONS = 12_000  # enough for the import to take a few seconds: it is killed after its first batch


@pytest.mark.django_db(transaction=True)
def test_killing_the_import_process_leaves_nothing_and_a_rerun_finishes(importer, run, write_csv, id_number):
    households = [f"K{i:04d}" for i in range(PERSONS // 10)]
    seeded = run("households", write_csv([["户编号", "村代码"], *([code, VILLAGE] for code in households)]))
    assert seeded.created_count == PERSONS // 10, reasons(seeded)
    rows = []
    for index in range(PERSONS):
        code = households[index // 10]
        rows.append([code, f"成员{index}", id_number(male=True), "户主" if index % 10 == 0 else "之子"])
    path = write_csv([["户编号", "姓名", "身份证号", "与户主关系"], *rows], name="persons.csv")
    before = db_counts()
    assert before["Person"] == 0

    process = subprocess.Popen(
        _cli("import", "persons", str(path), "--user", importer.username),
        cwd=PROJECT_DIR,
        env=_subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    progress = []
    reader = threading.Thread(target=lambda: progress.extend(iter(lambda: process.stderr.read(64), b"")))
    reader.start()
    deadline = time.monotonic() + 60
    bar = f"/{PERSONS}".encode()  # the progress bar shows rows done of all rows once a batch is written
    while bar not in b"".join(progress) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the import finished before it could be killed: make the file larger"
    assert bar in b"".join(progress)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    reader.join(timeout=30)
    assert process.returncode == -signal.SIGKILL

    killed = ImportRun.objects.filter(kind="persons").get()
    assert killed.status == RunStatus.RUNNING  # it never got to record its end
    assert killed.worker.endswith(f":{process.pid}")
    assert db_counts() == before  # no person, no member history, no change record
    # Its page (any page that lists it) sees the process is gone and says so.
    assert engine.runs_sweep(ImportRun.objects.all()) == 1
    killed.refresh_from_db()
    assert killed.status == RunStatus.FAILED and "中断" in killed.message

    finished = subprocess.run(
        _cli("import", "persons", str(path), "--user", importer.username),
        cwd=PROJECT_DIR,
        env=_subprocess_env(),
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout.decode() + finished.stderr.decode()
    assert f"{PERSONS} created".encode() in finished.stdout
    assert Person.objects.count() == PERSONS
    assert MemberHistory.objects.count() == PERSONS
    assert Household.objects.filter(members_count=10, head__isnull=False).count() == PERSONS // 10


def test_a_template_downloaded_in_english_imports(run, write_csv, regions):
    from django.utils import translation

    from bangfu.imports.spec import SPECS

    with translation.override("en"):
        header = [str(column.label) for column in SPECS["households"].columns[:3]]
    assert header[0] != "户编号"  # really the English labels
    path = write_csv([header, ["LSEN0001", "410423101001", "Village 1"]])
    result = run("households", path)
    assert result.status == "imported", list(result.issues.values_list("reason", flat=True))
    assert result.created_count == 1
