"""Cells as people type them: dates in every usual form, full-width digits, money, yes/no, choices, codes."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.imports import parsing
from bangfu.imports.parsing import CellError
from bangfu.imports.spec import normalize_header
from bangfu.registry.models import Gender, Relation, SafetyNet

MARCH_6 = datetime.date(2020, 3, 6)


@pytest.mark.parametrize(
    "cell",
    [
        43896,  # an Excel serial as calamine returns it
        43896.0,
        "43896",
        "2020-03-06",
        "2020-3-6",
        "2020/3/6",
        "2020/03/06",
        "2020.3.6",
        "2020年3月6日",
        "2020年03月06日",
        "2020年3月6",
        "20200306",
        "２０２０年３月６日",  # full-width digits
        "２０２０－０３－０６",
        " 2020-03-06 ",
        "2020-03-06 00:00:00",  # what many systems export
        "2020/3/6 0:00",
        20200306,  # typed as a number in Excel
        20200306.0,
        datetime.date(2020, 3, 6),
        datetime.datetime(2020, 3, 6, 0, 0),  # noqa: DTZ001 - what calamine returns for a date cell
    ],
)
def test_dates_in_every_usual_form(cell):
    assert parsing.date(cell) == MARCH_6


@pytest.mark.parametrize("cell", [None, "", "   "])
def test_an_empty_date_is_none(cell):
    assert parsing.date(cell) is None


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("2020-02-30", "日期不存在"),
        ("2021年13月1日", "日期不存在"),
        ("2019.2.29", "日期不存在"),
        ("2020-00-10", "日期不存在"),
        ("3/6/2020", "无法识别的日期"),
        ("去年", "无法识别的日期"),
        (-5, "日期数值超出范围"),
        (0, "日期数值超出范围"),
        (99999999, "日期不存在"),
        (3000000, "日期数值超出范围"),
        ("2020-03-06 25:00", "无法识别的日期"),
        (True, "无法识别的日期"),
    ],
)
def test_impossible_or_unreadable_dates_say_why(cell, message):
    with pytest.raises(CellError, match=message):
        parsing.date(cell)


def test_excel_serials_count_from_the_1900_system():
    assert parsing.date(1) == datetime.date(1899, 12, 31)
    assert parsing.date(61) == datetime.date(1900, 3, 1)
    assert parsing.date(45658) == datetime.date(2025, 1, 1)


@given(
    day=st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2099, 12, 31)),
    form=st.sampled_from(
        [
            "{d:%Y-%m-%d}",
            "{d.year}-{d.month}-{d.day}",
            "{d.year}/{d.month}/{d.day}",
            "{d:%Y/%m/%d}",
            "{d.year}.{d.month}.{d.day}",
            "{d:%Y.%m.%d}",
            "{d.year}年{d.month}月{d.day}日",
            "{d:%Y年%m月%d日}",
            "{d:%Y%m%d}",
            "serial",
            "serial-float",
            "full-width",
        ]
    ),
)
def test_any_date_written_in_any_accepted_form_reads_back(day, form):
    if form == "serial":
        cell = (day - datetime.date(1899, 12, 30)).days
    elif form == "serial-float":
        cell = float((day - datetime.date(1899, 12, 30)).days)
    elif form == "full-width":
        cell = f"{day.year}年{day.month}月{day.day}日".translate(
            str.maketrans("0123456789", "０１２３４５６７８９")
        )
    else:
        cell = form.format(d=day)
    assert parsing.date(cell) == day


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("１２３４５", 12345),
        ("12,345", 12345),
        (12345.0, 12345),
        ("  7 ", 7),
        ("", None),
        (None, None),
    ],
)
def test_integers(cell, expected):
    assert parsing.integer(cell) == expected


@pytest.mark.parametrize("cell", ["1.5", "七", "1e400x", 2.5])
def test_not_an_integer(cell):
    with pytest.raises(CellError, match="应为整数"):
        parsing.integer(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("12,000", Decimal("12000.00")),
        ("12,000元", Decimal("12000.00")),
        ("¥1,234.5", Decimal("1234.50")),
        ("￥ 8", Decimal("8.00")),
        ("１２３４．５６元", Decimal("1234.56")),
        ("12.345", Decimal("12.35")),  # 四舍五入, as accountants round
        ("12.344", Decimal("12.34")),
        (1234.5, Decimal("1234.50")),
        (1500, Decimal("1500.00")),
        ("0", Decimal("0.00")),
        ("", None),
        (None, None),
    ],
)
def test_money(cell, expected):
    assert parsing.money(cell) == expected


@pytest.mark.parametrize("cell", ["一千", "12元5角", "NaN", "Infinity", "1e400", "1" * 30])
def test_not_money(cell):
    with pytest.raises(CellError, match="金额"):
        parsing.money(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("no", False),
        (" 是 ", True),
        (1, True),
        (0.0, False),
        (True, True),
        (False, False),
        ("", None),
        (None, None),
    ],
)
def test_booleans(cell, expected):
    assert parsing.boolean(cell) is expected


def test_not_a_boolean():
    with pytest.raises(CellError, match="是.*否"):
        parsing.boolean("也许")


@pytest.mark.parametrize(
    ("cell", "choices", "expected"),
    [
        ("户主", Relation, Relation.HEAD),
        ("head", Relation, Relation.HEAD),
        ("HEAD", Relation, Relation.HEAD),
        ("之子", Relation, Relation.SON),
        ("son", Relation, Relation.SON),
        ("女", Gender, Gender.FEMALE),
        ("female", Gender, Gender.FEMALE),
        ("低保", SafetyNet, SafetyNet.DIBAO),
        ("特困供养", SafetyNet, SafetyNet.TEKUN),
        ("特困", SafetyNet, SafetyNet.TEKUN),  # a label's beginning, as people shorten it
        ("tekun", SafetyNet, SafetyNet.TEKUN),
        ("", SafetyNet, None),
    ],
)
def test_choices_by_chinese_label_or_english_value(cell, choices, expected):
    assert parsing.choice(cell, choices.choices) == expected


def test_an_unknown_choice_lists_the_allowed_labels():
    with pytest.raises(CellError) as caught:
        parsing.choice("老板", Relation.choices)
    assert "户主" in str(caught.value)
    assert "配偶" in str(caught.value)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (410423101001.0, "410423101001"),  # calamine returns numbers as floats
        (410423101001, "410423101001"),
        ("410423101001", "410423101001"),
        ("4104 2310 1001", "410423101001"),
        ("４１０４２３１０１００１", "410423101001"),
        (" LS00001 ", "LS00001"),
        (None, ""),
    ],
)
def test_codes(cell, expected):
    assert parsing.code(cell) == expected


def test_a_code_with_decimals_is_refused():
    with pytest.raises(CellError, match="小数"):
        parsing.code(4104.5)


@pytest.mark.parametrize("cell", [41042310100100001.0, 4.10423197901010e17, 1e16])
def test_a_code_that_excel_kept_as_a_number_of_more_than_15_digits_is_refused(cell):
    """Excel keeps 15 significant digits: a 17-digit household code typed as a number has lost its tail."""
    with pytest.raises(CellError, match="15位"):
        parsing.code(cell)


@pytest.mark.parametrize("cell", ["4.10423E+17", "4.10423e+17", "４．１０４２３Ｅ＋１７"])
def test_a_code_in_scientific_notation_is_refused(cell):
    with pytest.raises(CellError, match="科学计数法"):
        parsing.code(cell)


@pytest.mark.parametrize("cell", ["=1+1", '=HYPERLINK("http://x")', "@SUM(A1)", "+1+1", " =1+1"])
def test_formulas_are_refused(cell):
    with pytest.raises(CellError, match="公式"):
        parsing.text(cell)


@pytest.mark.parametrize("cell", ["+86 138 0000 0000", "+8613800000000", "=", "a=b", "-5"])
def test_text_that_only_looks_like_a_formula_is_kept(cell):
    assert parsing.text(cell) == cell


def test_a_formula_cell_from_a_workbook_is_refused_whatever_its_cached_value():
    with pytest.raises(CellError, match="公式"):
        parsing.code(parsing.Formula("A1&B1", "410423101001"))
    with pytest.raises(CellError, match="公式"):
        parsing.date(parsing.Formula("DATE(2020,3,6)", 43896.0))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("户编号*", "户编号"),
        ("*户编号", "户编号"),
        ("户编号＊", "户编号"),
        ("  户 编 号 ", "户编号"),
        ("户编号(必填)", "户编号"),
        ("户编号（必填）", "户编号"),
        ("Household Code", "householdcode"),
        ("ＩＤ　Ｎｕｍｂｅｒ", "idnumber"),
    ],
)
def test_headers_are_normalized(header, expected):
    assert normalize_header(header) == expected
