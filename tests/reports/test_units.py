"""One helper writes every figure with its unit, in Chinese as the seeds do and in English."""

from decimal import Decimal

import pytest

from bangfu.reports.scorecard import Period, code_prefix
from bangfu.reports.units import fmt, wan


@pytest.mark.parametrize(
    ("value", "unit", "zh", "en"),
    [
        (Decimal("53180000"), "yuan", "5318万元", "53.18 million yuan"),
        (Decimal("15953100.00"), "yuan", "1595.31万元", "15.95 million yuan"),
        (Decimal("3500"), "yuan", "3500元", "3,500 yuan"),
        (Decimal("12.50"), "yuan", "12.5元", "12.50 yuan"),
        (Decimal("10000"), "yuan", "1万元", "10,000 yuan"),
        (247, "household", "247户", "247 households"),
        (1, "household", "1户", "1 household"),
        (32118, "person_time", "32118人次", "32,118 person-times"),
        (5, "person", "5人", "5 persons"),
        (51, "item", "51个", "51"),
        (Decimal("81.8"), "percent", "81.8%", "81.8%"),
        (None, "percent", "—", "—"),
    ],
)
def test_fmt_writes_units_in_both_languages(value, unit, zh, en):
    assert fmt(value, unit, language="zh-hans") == zh
    assert fmt(value, unit, language="en") == en


def test_an_unknown_unit_is_an_error():
    with pytest.raises(ValueError):
        fmt(3, "kg")


def test_wan_matches_the_seeds():
    assert wan(Decimal("3500000")) == "350"
    assert wan(Decimal("43510000")) == "4351"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year": "2023"}, Period(2023, 2023)),
        ({"from": "2020", "to": "2022"}, Period(2020, 2022)),
        ({"since": "2014", "to": "2020"}, Period(2014, 2020, cumulative=True)),
    ],
)
def test_periods_parse(params, expected):
    assert Period.parse(params) == expected


@pytest.mark.parametrize("params", [{"year": "20x3"}, {"from": "2023", "to": "2020"}, {"since": "1800"}])
def test_bad_periods_are_refused(params):
    with pytest.raises(ValueError):
        Period.parse(params)


def test_code_prefix():
    assert code_prefix("410423000000") == "410423"
    assert code_prefix("410423101000") == "410423101"
    assert code_prefix("410423101001") == "410423101001"
    assert code_prefix("410000000000") == "41"
