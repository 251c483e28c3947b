"""Declarative tables: which columns a list shows and exports, and how values are read."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils import formats, timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext

from .idnumber import mask as mask_id


@dataclass
class Column:
    name: str
    label: Any
    accessor: str | Callable[[Any], Any] | None = None
    sort: str | None = None  # ORDER BY expression, or None when the column is not sortable
    link: bool = False  # link the cell to the object's page
    sensitive: bool = False  # masked unless the user reveals it
    masker: Callable[[str], str] | None = mask_id  # None: the accessor already reads a masked copy
    numeric: bool = False
    reveal_accessor: str | None = None  # where the clear value is, when the accessor reads a masked copy

    def raw(self, obj: Any, accessor: str | Callable[[Any], Any] | None = None) -> Any:
        accessor = accessor or self.accessor or self.name
        if callable(accessor):
            return accessor(obj)
        value = obj
        for part in accessor.split("."):
            if value is None:
                return None
            display = getattr(value, f"get_{part}_display", None)
            value = (
                display() if display is not None and part == accessor.split(".")[-1] else getattr(value, part)
            )
            if callable(value) and not isinstance(value, Model):
                value = value()
        return value

    def value(self, obj: Any, *, reveal: bool = False) -> Any:
        if self.sensitive and reveal and self.reveal_accessor:
            return self.raw(obj, self.reveal_accessor)
        value = self.raw(obj)
        if self.sensitive and not reveal and value and self.masker is not None:
            return self.masker(force_str(value))
        return value


@dataclass
class Table:
    columns: list[Column] = field(default_factory=list)

    def sort_keys(self) -> dict[str, str]:
        return {c.name: c.sort for c in self.columns if c.sort}

    def headers(self) -> list[Column]:
        return self.columns

    def has_sensitive(self) -> bool:
        return any(c.sensitive for c in self.columns)


def display(value: Any) -> str:
    """A cell's text for pages and CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else "—"
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value, 2, force_grouping=True)
    return force_str(value)


def excel_value(value: Any) -> Any:
    """A cell's value for xlsx: numbers stay numbers, dates stay dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, int | float | date):
        return value
    return force_str(value)
