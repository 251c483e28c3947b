"""Turning cells as people type them into values: numbers, money, dates, yes/no, choices.

Every parser takes the raw cell (str, int, float, date, datetime or None) and returns
the value or raises CellError with a message that names what was expected.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from bangfu.core.text import join_list

# Full-width digits, Latin letters and the punctuation of numbers and dates, as Chinese input methods type them.
FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): chr(0x30 + i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        **dict(zip("．－／，：＋　", ".-/,:+ ", strict=True)),
    }
)
_TIME = r"(?:[ T]+(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?)?"  # a time of day, ignored
DATE_PATTERNS = [
    re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}$"),
    re.compile(rf"^(\d{{4}})/(\d{{1,2}})/(\d{{1,2}}){_TIME}$"),
    re.compile(rf"^(\d{{4}})\.(\d{{1,2}})\.(\d{{1,2}}){_TIME}$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_DIGITS = (
    15  # Excel keeps 15 significant digits of a number; longer codes typed as numbers lose their tail
)
YES = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
NO = {"否", "n", "no", "false", "0", "×", "无", ""}
SERIAL = re.compile(r"[0-9]{1,5}")
SCIENTIFIC = re.compile(r"[0-9]+(?:\.[0-9]*)?[eE][+-]?[0-9]+")
PHONE_LIKE = re.compile(r"\+[0-9 ()-]+")  # "+86 138…" starts with + but is no formula
CENT = Decimal("0.01")
MAX_MONEY = Decimal(10) ** 12  # money columns hold 14 digits, 2 after the point


class CellError(ValueError):
    pass


@dataclass(frozen=True)
class Formula:
    """A workbook cell that holds a formula (the reader marks it; every parser refuses it)."""

    formula: str
    value: Any = None  # the result Excel cached, if any

    def __str__(self) -> str:
        return f"={self.formula}"


def _refuse_formula() -> CellError:
    return CellError(_("不允许公式:请复制后“选择性粘贴为数值”,或去掉开头的=、+、@"))


def text(value: Any) -> str:
    """A cell as clean text: full-width ASCII folded, whitespace trimmed, floats like 12.0 as 12."""
    if value is None:
        return ""
    if type(value) is str:  # the common case, first
        result = value.translate(FULL_WIDTH).strip()
        if len(result) > 1 and result[0] in "=@+" and not PHONE_LIKE.fullmatch(result):
            raise _refuse_formula()
        return result
    if isinstance(value, Formula):
        raise _refuse_formula()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    result = str(value).translate(FULL_WIDTH).strip()
    if len(result) > 1 and (result[0] in "=@" or (result[0] == "+" and not PHONE_LIKE.fullmatch(result))):
        raise _refuse_formula()
    return result


def code(value: Any) -> str:
    """Codes and ID numbers: text without inner spaces; numbers never in scientific notation."""
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("编号不应带小数"))
        if abs(value) >= 10**EXCEL_DIGITS:
            raise CellError(
                _("超过15位的编号存成了数字,Excel已丢失末尾几位:请把该列设为“文本”格式后重新输入")
            )
        value = int(value)
    result = text(value).replace(" ", "")
    if SCIENTIFIC.fullmatch(result):
        raise CellError(_("编号写成了科学计数法(如4.1E+17):请把该列设为“文本”格式后重新输入完整编号"))
    return result


def integer(value: Any) -> int | None:
    raw = text(value).replace(",", "")
    if raw == "":
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation as error:
        raise CellError(_("应为整数")) from error
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError(_("应为整数"))
    return int(number)


def money(value: Any) -> Decimal | None:
    raw = text(value).replace(",", "").replace("元", "").replace("¥", "").replace("￥", "").strip()
    if raw == "":
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation as error:
        raise CellError(_("应为金额(数字)")) from error
    if not amount.is_finite():
        raise CellError(_("应为金额(数字)"))
    if abs(amount) >= MAX_MONEY:
        raise CellError(_("金额过大"))
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _ymd(year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError as error:
        raise CellError(_("日期不存在")) from error


def date(value: Any) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value == int(value) and 10_000_000 <= value <= 99_999_999:  # 20200306 typed as a number
            number = int(value)
            return _ymd(number // 10000, number // 100 % 100, number % 100)
        if not 1 <= value < 2958466:
            raise CellError(_("日期数值超出范围"))
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    raw = text(value)
    if raw == "":
        return None
    if SERIAL.fullmatch(raw):
        return EXCEL_EPOCH + datetime.timedelta(days=int(raw))
    for pattern in DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            return _ymd(*(int(part) for part in match.groups()))
    raise CellError(_("无法识别的日期,请写成2020-03-06、2020/3/6、2020.3.6或2020年3月6日"))


def boolean(value: Any) -> bool | None:
    raw = text(value).lower()
    if raw in YES:
        return True
    if raw in NO:
        return None if raw == "" else False
    raise CellError(_("应为“是”或“否”"))


class Choice:
    """A parser for one set of choices, matching the stored value or the label in any language."""

    def __init__(self, choices):
        self.choices = choices
        self._lookup: dict[str, str] | None = None
        self._seen: dict[str, str] = {}  # cell text -> stored value (the table is the same in every language)

    def lookup(self) -> dict[str, str]:
        if self._lookup is None:
            from django.conf import settings
            from django.utils import translation

            table: dict[str, str] = {}
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    for stored, label in self.choices:
                        table.setdefault(str(label).lower(), stored)
            for stored, _label in self.choices:
                table[str(stored).lower()] = stored
            self._lookup = table
        return self._lookup

    def __call__(self, value: Any) -> str | None:
        raw = text(value)
        if raw == "":
            return None
        known = self._seen.get(raw)
        if known is not None:
            return known
        found = self._match(raw)
        if len(self._seen) < 10_000:
            self._seen[raw] = found
        return found

    def _match(self, raw: str) -> str:
        table = self.lookup()
        found = table.get(raw.lower())
        if found is not None:
            return found
        if len(raw) >= 2:  # "慢性病" for "长期慢性病"
            matches = {stored for label, stored in table.items() if raw in label}
            if len(matches) == 1:
                return matches.pop()
        allowed = join_list(str(label) for stored, label in self.choices if stored != "")
        raise CellError(_("应为以下之一:%(allowed)s") % {"allowed": allowed})


def choice(value: Any, choices) -> str | None:
    return Choice(choices)(value)
