"""Listings: one declaration per model that pages, exports and the API all use.

A Listing names its model, the capability it needs, the base queryset (with the
joins its columns need), its table and its FilterSet. ``rows()`` is the single
path from a user and request parameters to the scoped, filtered, sorted queryset.
"""

from collections.abc import Callable
from dataclasses import dataclass

import django_filters.fields
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy as _
from django_filters import FilterSet

from .scoping import CODE_LENGTH, scope, within
from .tables import Table
from .widgets import WidgetRenderer

LISTINGS: dict[str, "Listing"] = {}
NUMERIC_TYPES = {
    "DecimalField",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "BigIntegerField",
}


@dataclass(frozen=True)
class ExtraFilter:
    """A filter added to a listing from outside its FilterSet (a report's drill-down:
    "these purchases, in these years, within this region"). ``apply(queryset, value)``
    narrows the rows or raises ValueError for a value it cannot read, which empties the list."""

    name: str
    label: object
    apply: Callable[[QuerySet, str], QuerySet]


EXTRA_FILTERS: dict[str, dict[str, ExtraFilter]] = {}


def add_filter(key: str, name: str, label, apply: Callable[[QuerySet, str], QuerySet]) -> None:
    """Give listing ``key`` the parameter ``name``; every listing already understands ``within``."""
    EXTRA_FILTERS.setdefault(key, {})[name] = ExtraFilter(name, label, apply)


def _within(queryset: QuerySet, value: str) -> QuerySet:
    prefixes = [p.strip() for p in value.split(",") if p.strip()]
    if not prefixes or any(not p.isdigit() or len(p) > CODE_LENGTH for p in prefixes):
        raise ValueError(value)
    return within(queryset, prefixes)


WITHIN = ExtraFilter("within", _("区划范围"), _within)


@dataclass
class Listing:
    key: str
    model: type
    capability: str
    table: Table
    queryset: Callable[[], QuerySet]
    filterset_class: type[FilterSet] | None = None
    default_sort: str = "pk"
    title: str = ""

    def filterset(self, params, user) -> FilterSet | None:
        if self.filterset_class is None:
            return None
        base = scope(self.queryset(), user, self.capability)
        filterset = self.filterset_class(params, queryset=base, request=_UserRequest(user))
        _style(filterset.form)
        return filterset

    def rows(self, user, params, *, filterset: FilterSet | None = None) -> QuerySet:
        """The scoped, filtered, sorted rows; pass the ``filterset`` already built from the
        same user and parameters (a page shows its form) to not build it twice."""
        if filterset is None:
            filterset = self.filterset(params, user)
        if filterset is not None:
            rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        else:
            rows = scope(self.queryset(), user, self.capability)
        for extra, value in self.extra_values(params):
            try:
                rows = extra.apply(rows, value)
            except (ValueError, TypeError):
                rows = rows.none()
        return rows.order_by(*self.ordering(params.get("sort", "")))

    def sum_fields(self, names: str) -> list[str]:
        """The numeric model fields named in a comma-separated ``sum`` parameter (others are ignored)."""
        fields = []
        for name in (n.strip() for n in names.split(",")):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.concrete and field.get_internal_type() in NUMERIC_TYPES:
                fields.append(name)
        return fields

    def column_sum(self, rows: QuerySet, names: str):
        """The total of ``sum`` fields over ``rows`` (a figure's amount), None when none is asked."""
        fields = self.sum_fields(names)
        if not fields:
            return None
        totals = rows.order_by().aggregate(**{f"sum_{f}": Sum(f) for f in fields})
        return sum((v or 0 for v in totals.values()), 0)

    def extra_filters(self) -> list[ExtraFilter]:
        return [WITHIN, *EXTRA_FILTERS.get(self.key, {}).values()]

    def extra_values(self, params) -> list[tuple[ExtraFilter, str]]:
        """The extra filters present in ``params``, with their values."""
        return [(f, params.get(f.name)) for f in self.extra_filters() if params.get(f.name)]

    def ordering(self, sort: str) -> list[str]:
        keys = self.table.sort_keys()
        name = sort.lstrip("-")
        if name in keys:
            expression = keys[name]
            return [f"-{expression}" if sort.startswith("-") else expression, "pk"]
        return [self.default_sort, "pk"] if self.default_sort != "pk" else ["pk"]


class _UserRequest:
    """What a FilterSet needs of a request when there is none (exports in a worker)."""

    def __init__(self, user):
        self.user = user
        self.GET = {}


def register(listing: Listing) -> Listing:
    LISTINGS[listing.key] = listing
    return listing


def _style(form) -> None:
    """Tabler classes on a filter form's widgets (FilterSets build their forms themselves),
    widgets written by ``WidgetRenderer``, and model choices read by one plain query."""
    from django import forms

    form.renderer = WidgetRenderer(form.renderer)
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and isinstance(field.widget, forms.Select):
            field.widget.choices = _ListedChoices(field)
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select form-select-sm"
        else:
            css = "form-control form-control-sm"
        widget.attrs.setdefault("class", css)


class _ListedChoices(django_filters.fields.ModelChoiceIterator):
    """A model choice list read with one ordinary query.

    Django reads model choices through ``QuerySet.iterator()``, which on PostgreSQL is a
    server-side cursor (DECLARE, FETCH, CLOSE) — three round trips for a code list of a
    few dozen rows. Filter choice lists are short: read them as a list.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if getattr(self.field, "null_label", None) is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in list(self.queryset.all()):
            yield self.choice(obj)
