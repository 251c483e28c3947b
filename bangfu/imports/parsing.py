"""Turning cells as people type them into values: numbers, money, dates, yes/no, choices.

Every parser takes the raw cell (str, int, float, date, datetime or None) and returns
the value or raises CellError with a message that names what was expected.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９．－／，：　ＸｘＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＹＺ",
    "0123456789.-/,: XxABCDEFGHIJKLMNOPQRSTUVWYZ",
)
DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
EXCEL_EPOCH = datetime.date(1899, 12, 30)
YES = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
NO = {"否", "n", "no", "false", "0", "×", "无", ""}
FORMULA_START = ("=", "+", "@")


class CellError(ValueError):
    pass


def text(value: Any) -> str:
    """A cell as clean text: full-width ASCII folded, whitespace trimmed, floats like 12.0 as 12."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    result = str(value).translate(FULL_WIDTH).strip()
    if result.startswith(FORMULA_START) and len(result) > 1:
        raise CellError(_("不允许公式或以=、+、@开头的内容"))
    return result


def code(value: Any) -> str:
    """Codes and ID numbers: text without inner spaces; numbers never in scientific notation."""
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("编号不应带小数"))
        value = int(value)
    return text(value).replace(" ", "")


def integer(value: Any) -> int | None:
    raw = text(value).replace(",", "")
    if raw == "":
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation as error:
        raise CellError(_("应为整数")) from error
    if number != number.to_integral_value():
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
    return amount.quantize(Decimal("0.01"))


def date(value: Any) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise CellError(_("日期数值超出范围"))
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    raw = text(value)
    if raw.isdigit() and len(raw) <= 5:
        return EXCEL_EPOCH + datetime.timedelta(days=int(raw))
    for pattern in DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError as error:
                raise CellError(_("日期不存在")) from error
    raise CellError(_("无法识别的日期,请写成2020-03-06、2020/3/6、2020.3.6或2020年3月6日"))


def boolean(value: Any) -> bool | None:
    raw = text(value).lower()
    if raw in YES:
        return True
    if raw in NO:
        return None if raw == "" else False
    raise CellError(_("应为“是”或“否”"))


def choice(value: Any, choices) -> str | None:
    """Match a choice by its stored value or by its label in any language."""
    raw = text(value)
    if raw == "":
        return None
    lowered = raw.lower()
    for stored, label in choices:
        if lowered in (str(stored).lower(), str(label).lower()):
            return stored
    for stored, label in choices:
        if raw in str(label) and len(raw) >= 2:
            return stored
    allowed = "、".join(str(label) for stored, label in choices if stored != "")
    raise CellError(_("应为以下之一:%(allowed)s") % {"allowed": allowed})
