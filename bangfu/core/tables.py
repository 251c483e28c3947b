"""Declarative tables: which columns a list shows and exports, and how values are read."""

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils import formats, timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
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
        parts = accessor.split(".")
        last = len(parts) - 1
        for index, part in enumerate(parts):
            if value is None:
                return None
            if index == last and isinstance(value, Model):
                labels = _choice_labels(type(value), part)
                if labels is not None:
                    attname, by_value = labels
                    stored = getattr(value, attname)
                    return force_str(by_value.get(make_hashable(stored), stored), strings_only=True)
            display = getattr(value, f"get_{part}_display", None)
            value = display() if display is not None and index == last else getattr(value, part)
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


_CHOICE_LABELS: dict[tuple[type, str], tuple[str, dict] | None] = {}


def _choice_labels(model: type[Model], name: str) -> tuple[str, dict] | None:
    """(attname, {value: label}) for a field whose ``get_<name>_display`` is Django's own.

    What ``get_<name>_display()`` returns, without rebuilding the choices dict (and
    translating every label to hash it) for every cell. None when the model defines
    its own display method or the field's choices are callable (they may change).
    """
    key = (model, name)
    if key not in _CHOICE_LABELS:
        labels = None
        method = inspect.getattr_static(model, f"get_{name}_display", None)
        field = method.keywords.get("field") if isinstance(method, functools.partialmethod) else None
        if field is not None and isinstance(field.choices, list | tuple):
            labels = (field.attname, dict(make_hashable(field.flatchoices)))
        _CHOICE_LABELS[key] = labels
    return _CHOICE_LABELS[key]


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


def rows_html(rows) -> SafeString:
    """A list page's table rows (``(obj, [(column, text), …])`` pairs) as ``<tr>`` markup.

    Written here rather than cell by cell in the template: fifty rows of nine cells
    took the template engine longer than the query that read them. Each row's link
    is asked of the object once, not once per linked cell.
    """
    parts = []
    for obj, cells in rows:
        url = None
        if any(column.link for column, _text in cells):
            get_url = getattr(obj, "get_absolute_url", None)
            url = conditional_escape(get_url()) if get_url is not None else None
        parts.append("\n        <tr>")
        for column, text in cells:
            css = "numeric" if column.numeric else ""
            content = conditional_escape(formats.localize(text))
            if column.link and url:
                content = f'<a href="{url}">{content}</a>'
            parts.append(f'\n          <td class="{css}">{content}</td>')
        parts.append("\n        </tr>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above passed through conditional_escape
