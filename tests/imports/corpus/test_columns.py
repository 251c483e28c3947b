"""Headers that do not fit: missing required columns, unknown columns, the same column twice."""

from bangfu.imports.models import RunStatus

from ..conftest import PERSON_HEADER, VILLAGE, issues


def test_missing_required_columns_are_named(refused, write_csv):
    path = write_csv([["户编号", "住址"], ["LS00001", "下汤村1号"]])
    result = refused("households", path)
    assert result.status == RunStatus.REJECTED
    assert issues(result) == [(1, "村代码", "", "缺少必填列:村代码")]


def test_missing_required_columns_of_persons_are_all_named(refused, write_csv):
    result = refused("persons", write_csv([["姓名", "性别"], ["周耀伟", "男"]]))
    (row, column, _value, reason), *_ = issues(result)
    assert row == 1
    assert reason == "缺少必填列:户编号、身份证号、与户主关系"


def test_unknown_columns_are_named_with_the_columns_allowed(refused, write_csv):
    path = write_csv([["户编号", "村代码", "户主电话号", "Remark"], ["LS00001", VILLAGE, "13800000000", "x"]])
    result = refused("households", path)
    [(row, column, _value, reason)] = issues(result)
    assert (row, column) == (1, "户主电话号、Remark")
    assert reason.startswith("无法识别的列:户主电话号、Remark。可用的列:户编号、村代码、住址、联系电话")


def test_the_same_column_twice_is_refused(refused, write_csv):
    path = write_csv([["户编号", "村代码", "户码"], ["LS00001", VILLAGE, "LS00002"]])
    result = refused("households", path)
    assert issues(result) == [(1, "户码", "", "重复的列")]


def test_header_problems_are_reported_on_the_header_row_wherever_it_is(refused, write_csv):
    path = write_csv([[], ["", ""], ["户编号", "住址"], ["LS00001", "x"]])
    result = refused("households", path)
    assert [(row, reason) for row, _column, _value, reason in issues(result)] == [(3, "缺少必填列:村代码")]


def test_a_person_file_given_as_households_is_refused_by_its_columns(refused, write_csv):
    result = refused("households", write_csv([PERSON_HEADER, ["LS00001", "周耀伟", "x", "户主", "", "", ""]]))
    assert "无法识别的列:姓名、身份证号、与户主关系、性别、出生日期、健康状况" in issues(result)[0][3]


def test_a_running_number_column_is_ignored(run, write_csv):
    path = write_csv([["序号", "户编号", "村代码"], ["1", "LSNUM0001", VILLAGE], ["2", "LSNUM0002", VILLAGE]])
    result = run("households", path)
    assert result.status == RunStatus.IMPORTED, issues(result)
    assert result.created_count == 2
