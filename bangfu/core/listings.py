"""Listings: one declaration per model that pages, exports and the API all use.

A Listing names its model, the capability it needs, the base queryset (with the
joins its columns need), its table and its FilterSet. ``rows()`` is the single
path from a user and request parameters to the scoped, filtered, sorted queryset.
"""

from collections.abc import Callable
from dataclasses import dataclass

import django_filters.fields
from django.db.models import QuerySet
from django_filters import FilterSet

from .scoping import scope
from .tables import Table
from .widgets import WidgetRenderer

LISTINGS: dict[str, "Listing"] = {}


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
        return rows.order_by(*self.ordering(params.get("sort", "")))

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
