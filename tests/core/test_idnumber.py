"""GB 11643 resident ID numbers: parsing, every error code, normalisation, masking."""

import csv
import datetime
import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.core import idnumber
from bangfu.core.idnumber import IDNumberError

# Worked by hand with the weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
#   4*7 + 1*9 + 0*10 + 4*5 + 2*8 + 3*4 + 1*2 + 9*1 + 9*6 + 0*3 + 0*7 + 1*9 + 0*10 + 6*5
#   + 1*8 + 2*4 + 3*2 = 211; 211 mod 11 = 2 -> "X"
LUSHAN_MAN = "41042319900106123X"  # 鲁山县, born 1990-01-06, sequence 123 (odd: male)
# The example printed in GB 11643-1999 itself: 1*7 + 1*9 + ... + 2*2 = 167; 167 mod 11 = 2 -> "X"
STANDARD_EXAMPLE = "11010519491231002X"  # 北京市朝阳区, 1949-12-31, sequence 002 (even: female)
# The standard's second example: sum 195; 195 mod 11 = 8 -> "4". 440524 (潮阳县) existed 1983-1992.
STANDARD_OLD_COUNTY = "440524188001010014"


def error_code(value: str, **kwargs) -> str:
    with pytest.raises(IDNumberError) as caught:
        idnumber.parse(value, **kwargs)
    return caught.value.code


def with_check(first17: str) -> str:
    """Complete 17 digits with their correct check character (to reach the later rules)."""
    return first17 + idnumber.check_char(first17)


# Valid numbers ---------------------------------------------------------------------------------


def test_hand_checked_number_ending_in_x():
    parsed = idnumber.parse(LUSHAN_MAN)
    assert parsed.number == LUSHAN_MAN
    assert parsed.region_code == "410423"
    assert parsed.birth_date == datetime.date(1990, 1, 6)
    assert parsed.gender == "male"


def test_standard_examples():
    example = idnumber.parse(STANDARD_EXAMPLE)
    assert (example.region_code, example.birth_date, example.gender) == (
        "110105",
        datetime.date(1949, 12, 31),
        "female",
    )
    old = idnumber.parse(STANDARD_OLD_COUNTY)
    assert (old.region_code, old.birth_date, old.gender) == ("440524", datetime.date(1880, 1, 1), "male")


def test_make_builds_the_hand_checked_number():
    assert idnumber.make("410423", datetime.date(1990, 1, 6), 123) == LUSHAN_MAN
    assert idnumber.check_char("11010519491231002") == "X"
    assert idnumber.check_char("44052418800101001") == "4"


def test_even_sequence_is_female():
    number = idnumber.make("410423", datetime.date(2001, 2, 28), 42)
    assert idnumber.parse(number).gender == "female"
    assert number[14:17] == "042"


def test_surrounding_spaces_are_ignored():
    assert idnumber.parse(f"  {LUSHAN_MAN}\t").number == LUSHAN_MAN


def test_full_width_digits_and_letters_are_normalised():
    full_width = "４１０４２３１９９００１０６１２３Ｘ"
    assert idnumber.parse(full_width).number == LUSHAN_MAN
    assert idnumber.parse(LUSHAN_MAN[:17] + "ｘ").number == LUSHAN_MAN
    assert idnumber.parse(LUSHAN_MAN[:17] + "Ⅹ").number == LUSHAN_MAN  # Roman numeral ten


def test_lower_case_x_is_normalised():
    parsed = idnumber.parse(LUSHAN_MAN.lower())
    assert parsed.number == LUSHAN_MAN
    assert parsed.number.endswith("X")


def test_historical_region_code_is_accepted():
    with gzip.open(idnumber.DATA_FILE, "rt", encoding="utf-8") as handle:
        rows = {row["code"]: row for row in csv.DictReader(handle)}
    assert rows["410412"]["current"] == "0"  # 舞钢区, 1982-1989, since merged away
    assert rows["440524"]["current"] == "0"
    number = idnumber.make("410412", datetime.date(1985, 6, 15), 42)
    parsed = idnumber.parse(number)
    assert parsed.region_code == "410412"
    assert idnumber.is_valid(STANDARD_OLD_COUNTY)


def test_birth_today_is_accepted():
    number = idnumber.make("410423", datetime.date(2020, 5, 2), 1)
    assert idnumber.parse(number, today=datetime.date(2020, 5, 2)).birth_date == datetime.date(2020, 5, 2)


def test_is_valid():
    assert idnumber.is_valid(LUSHAN_MAN)
    assert not idnumber.is_valid(LUSHAN_MAN[:17] + "1")
    assert not idnumber.is_valid("")
    assert not idnumber.is_valid(None)


# Every error code -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "4104231990010612", LUSHAN_MAN[:17], LUSHAN_MAN + "1", " 4104 "])
def test_length(value):
    expected = len(value.strip())
    with pytest.raises(IDNumberError) as caught:
        idnumber.parse(value)
    assert caught.value.code == "length"
    assert caught.value.params == {"length": expected}


@pytest.mark.parametrize(
    "value",
    [
        "41042319900106123A",  # a letter other than X at the end
        "4104231990010612X3",  # X anywhere but the end
        "41042319900106-23X",
        "41042319900106 23X",
        "41042319900106¹23X",  # superscript one: isdigit() is true, int() fails
        "41042319900106١٢٣X",  # Arabic-Indic digits: not an ID number either
    ],
)
def test_format(value):
    assert error_code(value) == "format"


def test_checksum():
    wrong = LUSHAN_MAN[:17] + "5"
    with pytest.raises(IDNumberError) as caught:
        idnumber.parse(wrong)
    assert caught.value.code == "checksum"
    assert caught.value.params == {"expected": "X"}


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900001", "00000101", "18791231"])
def test_birth_date(birth):
    assert error_code(with_check(f"410423{birth}123")) == "birth_date"


def test_birth_future():
    number = idnumber.make("410423", datetime.date(2020, 5, 2), 1)
    assert error_code(number, today=datetime.date(2020, 5, 1)) == "birth_future"
    assert error_code(idnumber.make("410423", datetime.date(2999, 1, 1), 1)) == "birth_future"


@pytest.mark.parametrize("region", ["000000", "999999", "410499", "410409"])
def test_region(region):
    with pytest.raises(IDNumberError) as caught:
        idnumber.parse(idnumber.make(region, datetime.date(1990, 1, 6), 123))
    assert caught.value.code == "region"
    assert caught.value.params == {"code": region}


def test_errors_are_validation_errors_with_a_message():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        idnumber.parse("123")
    assert "18" in caught.value.messages[0]


# Masking ----------------------------------------------------------------------------------------


def test_mask_shape():
    assert idnumber.mask(LUSHAN_MAN) == "4104**********123X"
    assert idnumber.parse(LUSHAN_MAN).masked == "4104**********123X"


def test_mask_short_and_empty_values():
    assert idnumber.mask("") == ""
    assert idnumber.mask(None) == ""
    assert idnumber.mask("12345678") == "********"
    assert idnumber.mask("123456789") == "1234*6789"


# Properties -------------------------------------------------------------------------------------

REGIONS = sorted(idnumber.known_region_codes())
births = st.dates(min_value=datetime.date(1880, 1, 1), max_value=datetime.date(2024, 12, 31))


def test_region_codes_are_six_digits():
    assert len(REGIONS) > 3000
    assert all(len(code) == 6 and code.isdigit() for code in REGIONS)


@given(region=st.sampled_from(REGIONS), birth=births, sequence=st.integers(0, 999))
def test_make_parses_back_to_its_parts(region, birth, sequence):
    number = idnumber.make(region, birth, sequence)
    parsed = idnumber.parse(number)
    assert parsed.number == number
    assert parsed.region_code == region
    assert parsed.birth_date == birth
    assert parsed.gender == ("male" if sequence % 2 else "female")
    assert int(number[14:17]) == sequence


@given(
    region=st.sampled_from(REGIONS),
    birth=births,
    sequence=st.integers(0, 999),
    position=st.integers(0, 17),
    data=st.data(),
)
def test_changing_any_single_character_invalidates(region, birth, sequence, position, data):
    number = idnumber.make(region, birth, sequence)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    assert not idnumber.is_valid(changed)
    # MOD 11-2 catches every single substitution before any other rule is looked at.
    assert error_code(changed) == "checksum"
