"""One way to write a figure with its unit, in Chinese the way the seeds do and in English.

``fmt(value, unit)`` is the only place a scorecard turns a number into text:
amounts of 10,000 yuan and more are written in 万元 ("1595.31万元"), smaller ones in
元; counts carry 户 (households), 人 (persons), 人次 (person-times) or 个 (items).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language

YUAN = "yuan"
HOUSEHOLD = "household"
PERSON = "person"
PERSON_TIME = "person_time"
ITEM = "item"
PERCENT = "percent"
UNITS = (YUAN, HOUSEHOLD, PERSON, PERSON_TIME, ITEM, PERCENT)

_ZH = {HOUSEHOLD: "户", PERSON: "人", PERSON_TIME: "人次", ITEM: "个", PERCENT: "%"}
_EN = {
    HOUSEHOLD: ("household", "households"),
    PERSON: ("person", "persons"),
    PERSON_TIME: ("person-time", "person-times"),
    ITEM: ("", ""),
}
WAN = Decimal(10000)


def _plain(value: Decimal, places: int = 2) -> str:
    text = format(Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def wan(value) -> str:
    """Yuan as 万元 figures: 3500000 -> "350", 15953100 -> "1595.31"."""
    return _plain(Decimal(value) / WAN)


def chinese(language: str | None = None) -> bool:
    return (language or get_language() or "zh-hans").lower().startswith("zh")


def fmt(value, unit: str, *, language: str | None = None) -> str:
    """``value`` with its unit in the active (or given) language."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    if value is None:
        return "—"
    if chinese(language):
        if unit == YUAN:
            amount = Decimal(value)
            return f"{wan(amount)}万元" if abs(amount) >= WAN else f"{_plain(amount)}元"
        if unit == PERCENT:
            return f"{_plain(Decimal(value), 1)}%"
        return f"{int(value)}{_ZH[unit]}"
    if unit == YUAN:
        amount = Decimal(value)
        if abs(amount) >= 1_000_000:
            return f"{_plain(amount / 1_000_000)} million yuan"
        return f"{int(amount):,} yuan" if amount == amount.to_integral() else f"{amount:,.2f} yuan"
    if unit == PERCENT:
        return f"{_plain(Decimal(value), 1)}%"
    one, many = _EN[unit]
    count = int(value)
    word = one if count == 1 else many
    return f"{count:,} {word}".rstrip()
