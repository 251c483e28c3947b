"""Scorecards (成绩单): every published figure derived from the records and linked to them.

Each domain app contributes one section by writing ``<app>/scorecard.py`` with a function
decorated ``@section(...)``; ``autodiscover()`` (run when the reports app is ready)
imports every installed app's ``scorecard`` module, so a new section is one new file.

A section function receives a ``Card`` (the user, the scope, the period) and returns a
``Section``: its figures, its charts (whose bars are figures too) and its narrative.
Every ``Figure`` names the listing whose rows make it up, the filter parameters that
select them and how the rows add up to the figure (``count``, ``sum:field`` or
``distinct:field``); the card adds the scope (``within``) and the period
(``year_from``/``year_to``) to build the link. ``tests/reports`` checks, for every
figure of every registered section, that the linked list's total equals the figure.
"""

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.listings import LISTINGS, add_filter
from bangfu.core.scoping import NATIONWIDE, collapse, scope, within

from . import units

FIRST_YEAR = 2013  # 精准扶贫 and the registry of 建档立卡 households began in 2013-2014
COUNT = "count"


# Period ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole calendar years ``first``..``last``; ``cumulative`` when counted since a start year."""

    first: int
    last: int
    cumulative: bool = False

    def __post_init__(self):
        if not (1949 <= self.first <= self.last <= 2100):
            raise ValueError(_("年度范围无效:%(first)s—%(last)s") % {"first": self.first, "last": self.last})

    @property
    def years(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    @property
    def date_from(self) -> datetime.date:
        return datetime.date(self.first, 1, 1)

    @property
    def date_to(self) -> datetime.date:
        return datetime.date(self.last, 12, 31)

    def params(self) -> dict[str, str]:
        return {"year_from": str(self.first), "year_to": str(self.last)}

    def query(self) -> dict[str, str]:
        """The scorecard page's own parameters for this period."""
        if self.cumulative:
            return {"since": str(self.first), "to": str(self.last)}
        if self.first == self.last:
            return {"year": str(self.first)}
        return {"from": str(self.first), "to": str(self.last)}

    def label(self) -> str:
        if self.cumulative:
            return _("%(first)d年以来累计") % {"first": self.first}
        if self.first == self.last:
            return _("%(year)d年") % {"year": self.first}
        return _("%(first)d—%(last)d年") % {"first": self.first, "last": self.last}

    @classmethod
    def parse(cls, params, today: datetime.date | None = None) -> "Period":
        """From ``year=2020``, ``from=2018&to=2020`` or ``since=2014`` (to this year); raises ValueError."""
        this_year = (today or timezone.localdate()).year

        def year(name: str, default: int | None = None) -> int:
            raw = (params.get(name) or "").strip()
            if not raw:
                if default is None:
                    raise ValueError(_("缺少年度"))
                return default
            if not raw.isdigit():
                raise ValueError(_("年度应为四位数字:%(value)s") % {"value": raw})
            return int(raw)

        if params.get("year"):
            value = year("year")
            return cls(value, value)
        if params.get("from"):
            return cls(year("from"), year("to", this_year))
        return cls(year("since", FIRST_YEAR), year("to", this_year), cumulative=True)


def period_q(field_name: str, kind: str, first: int, last: int) -> Q:
    """Rows whose ``field_name`` (a date, a datetime or a year number) falls in years first..last."""
    if kind == "date":
        return Q(
            **{
                f"{field_name}__gte": datetime.date(first, 1, 1),
                f"{field_name}__lte": datetime.date(last, 12, 31),
            }
        )
    if kind == "datetime":
        zone = timezone.get_current_timezone()
        start = datetime.datetime(first, 1, 1, tzinfo=zone)
        end = datetime.datetime(last + 1, 1, 1, tzinfo=zone)
        return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})
    if kind == "year":
        return Q(**{f"{field_name}__gte": first, f"{field_name}__lte": last})
    raise ValueError(kind)


def _year_value(value: str) -> int:
    value = value.strip()
    if not value.isdigit() or not 1900 <= int(value) <= 2100:
        raise ValueError(value)
    return int(value)


def add_period(listing_key: str, field_name: str, kind: str = "date") -> None:
    """Let listing ``listing_key`` take ``year_from``/``year_to`` on ``field_name``: the filter a
    figure's link uses is the very condition the figure was computed with (``period_q``)."""

    def after(queryset, value):
        year = _year_value(value)
        return queryset.filter(period_q(field_name, kind, year, 2100))

    def before(queryset, value):
        year = _year_value(value)
        return queryset.filter(period_q(field_name, kind, 1900, year))

    add_filter(listing_key, "year_from", gettext_lazy("起始年度"), after)
    add_filter(listing_key, "year_to", gettext_lazy("截止年度"), before)


def span_q(start: str, end: str, kind: str, first: int, last: int) -> Q:
    """Rows whose span [start, end] (end empty: still running) overlaps years first..last."""
    if kind == "date":
        low, high = datetime.date(first, 1, 1), datetime.date(last, 12, 31)
    elif kind == "year":
        low, high = first, last
    else:
        raise ValueError(kind)
    return Q(**{f"{start}__lte": high}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": low}))


def add_span(listing_key: str, start: str, end: str, kind: str = "date") -> None:
    """Like ``add_period`` for rows that last a while (a team's stint, a partnership): the rows
    whose span overlaps ``year_from``..``year_to``."""

    def after(queryset, value):
        return queryset.filter(span_q(start, end, kind, _year_value(value), 2100))

    def before(queryset, value):
        return queryset.filter(span_q(start, end, kind, 1900, _year_value(value)))

    add_filter(listing_key, "year_from", gettext_lazy("起始年度"), after)
    add_filter(listing_key, "year_to", gettext_lazy("截止年度"), before)


# Scope -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Region prefixes the card is narrowed to (empty: everything the user may see)."""

    prefixes: tuple[str, ...] = ()
    label: str = ""
    organization_id: int | None = None

    def params(self) -> dict[str, str]:
        prefixes = [p for p in self.prefixes if p != NATIONWIDE]
        return {"within": ",".join(prefixes)} if prefixes else {}

    def query(self) -> dict[str, str]:
        if self.organization_id:
            return {"organization": str(self.organization_id)}
        return {"region": self.prefixes[0]} if len(self.prefixes) == 1 else {}


def code_prefix(code: str) -> str:
    """The prefix a full 12-digit code stands for: 410423000000 -> 410423, 410423101001 -> itself."""
    for length in (2, 4, 6, 9):
        if code[length:].strip("0") == "":
            return code[:length]
    return code


# Figures, charts, sections ---------------------------------------------------------------------------


@dataclass
class Figure:
    key: str
    label: Any
    value: Any
    unit: str
    listing: str | None = None  # the listing whose rows make up the figure
    params: dict[str, str] = field(default_factory=dict)
    measure: str = COUNT  # "count", "sum:field[,field]" or "distinct:field"
    in_period: bool = True  # False for figures of the present state (households on the register)
    derived_from: tuple[str, str] | None = None  # a percentage: (part, whole) figure keys
    url: str = ""
    # a figure shown on a page that is not a listing (a report): what that page adds up to
    check: Callable[[], Any] | None = None

    def __post_init__(self):
        if self.unit not in units.UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")

    def text(self, language: str | None = None) -> str:
        return units.fmt(self.value, self.unit, language=language)

    def number(self):
        """The value as a plain number (an xlsx cell, a JSON figure)."""
        if isinstance(self.value, Decimal):
            return float(self.value) if self.unit == units.PERCENT else self.value
        return self.value

    def drill_params(self, card: "Card") -> dict[str, str]:
        params = dict(card.scope.params())
        if self.in_period:
            params.update(card.period.params())
        params.update(self.params)  # a bar's own region or year narrows the card's
        if self.measure.startswith("sum:"):
            params["sum"] = self.measure[4:]
        return params


@dataclass
class Chart:
    key: str
    title: Any
    kind: str  # "trend" (by year) or "breakdown" (by type or region)
    unit: str
    bars: list[Figure] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: Any
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    narrate: Callable[["Section", "Card"], list[str]] | None = None
    note: Any = ""
    sentences: dict[str, list[str]] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Figure:
        for figure in self.figures:
            if figure.key == key:
                return figure
        raise KeyError(key)

    @property
    def narrative(self) -> list[str]:
        """The sentences in the active language."""
        return self.sentences.get("zh-hans" if units.chinese() else "en", [])

    def all_figures(self) -> list[Figure]:
        return [*self.figures, *(bar for chart in self.charts for bar in chart.bars)]


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: Any
    capability: str
    order: int
    build: Callable[["Card"], Section]


SECTIONS: dict[str, SectionSpec] = {}


def section(key: str, *, title, capability: str, order: int = 100):
    """Register a scorecard section builder: ``@section("registry", title=…, capability=Cap.…)``."""

    def register(function: Callable[["Card"], Section]):
        SECTIONS[key] = SectionSpec(key, title, capability, order, function)
        return function

    return register


def autodiscover() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("scorecard")


# The card ------------------------------------------------------------------------------------------


@dataclass
class Card:
    user: Any
    scope: Scope
    period: Period
    today: datetime.date

    def rows(self, queryset: QuerySet, capability: str) -> QuerySet:
        """``queryset`` narrowed to the user's scope, then to the card's scope."""
        rows = scope(queryset, self.user, capability)
        return within(rows, self.scope.prefixes) if self.scope.prefixes else rows

    def period_q(self, field_name: str, kind: str = "date") -> Q:
        return period_q(field_name, kind, self.period.first, self.period.last)

    def span_q(self, start: str, end: str, kind: str = "date") -> Q:
        return span_q(start, end, kind, self.period.first, self.period.last)


@dataclass
class Scorecard:
    scope: Scope
    period: Period
    sections: list[Section]
    generated_at: datetime.datetime

    def figures(self) -> dict[str, Any]:
        """Every figure as ``{"section.figure": number}``: what a snapshot freezes."""
        result = {}
        for sec in self.sections:
            for figure in sec.all_figures():
                result[f"{sec.key}.{figure.key}"] = _jsonable(figure.value)
        return result

    def digest(self) -> str:
        return figures_digest(self.figures())


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def figures_digest(figures: dict) -> str:
    return hashlib.sha256(json.dumps(figures, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def build_scorecard(
    *, user, scope: Scope, period: Period, keys: Iterable[str] | None = None, today=None, progress=None
) -> Scorecard:
    card = Card(user=user, scope=scope, period=period, today=today or timezone.localdate())
    wanted = set(keys) if keys is not None else None
    sections = []
    specs = [
        spec
        for spec in sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))
        if (wanted is None or spec.key in wanted) and user.has_capability(spec.capability)
    ]
    for done, spec in enumerate(specs, start=1):
        built = spec.build(card)
        built.key = spec.key
        for figure in built.all_figures():
            figure.url = figure_url(figure, card)
        for language in ("zh-hans", "en"):
            with translation.override(language):
                built.sentences[language] = built.narrate(built, card) if built.narrate else []
        sections.append(built)
        if progress:
            progress(done, len(specs))
    return Scorecard(scope=scope, period=period, sections=sections, generated_at=timezone.now())


# Links ---------------------------------------------------------------------------------------------


_LIST_URLS: dict[str, str] = {}


def _collect(patterns, namespace: str = "") -> None:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            _collect(pattern.url_patterns, f"{namespace}{inner}:" if inner else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            view_class = getattr(pattern.callback, "view_class", None)
            listing = getattr(view_class, "listing", None)
            key = getattr(listing, "key", None)
            if key and key not in _LIST_URLS and not pattern.pattern.converters:
                _LIST_URLS[key] = f"{namespace}{pattern.name}"


def list_url(listing_key: str) -> str:
    """The page of a listing: its app's list page, or the generic records page when it has none."""
    if not _LIST_URLS:
        _collect(get_resolver().url_patterns)
    name = _LIST_URLS.get(listing_key)
    if name:
        try:
            return reverse(name)
        except NoReverseMatch:
            pass
    if listing_key not in LISTINGS:
        raise KeyError(listing_key)
    return reverse("reports:records", args=[listing_key])


def figure_url(figure: Figure, card: Card) -> str:
    if not figure.listing:
        return figure.url
    return f"{list_url(figure.listing)}?{urlencode(figure.drill_params(card))}"


def drill_total(figure: Figure, card: Card):
    """What the figure's list adds up to: the number its page shows (test and snapshot use)."""
    if figure.check is not None:
        return figure.check()
    listing = LISTINGS[figure.listing]
    rows = listing.rows(card.user, figure.drill_params(card))
    if figure.measure == COUNT:
        return rows.count()
    kind, _sep, names = figure.measure.partition(":")
    if kind == "sum":
        return listing.column_sum(rows, names)
    if kind == "distinct":
        return rows.order_by().values(names).distinct().count()
    raise ValueError(figure.measure)


def share(part, whole) -> Decimal | None:
    """``part`` as a percentage of ``whole`` with one decimal, None when whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def by_year(rows: Iterable[tuple[int, Any]], years: Iterable[int], zero=0) -> dict[int, Any]:
    found = dict(rows)
    return {year: found.get(year) or zero for year in years}


NEXT_LEVEL = {0: 2, 2: 4, 4: 6, 6: 9, 9: 12}


def base_prefix(card: Card, capability: str) -> str | None:
    """The one prefix a region breakdown divides (the card's or the user's), None when there are several."""
    prefixes = list(card.scope.prefixes) or collapse(card.user.scope_prefixes(capability))
    if len(prefixes) != 1 or len(prefixes[0]) not in NEXT_LEVEL:
        return None
    return prefixes[0]


def region_bars(
    card: Card,
    source,
    capability: str,
    *,
    listing: str,
    unit: str,
    measure: str = COUNT,
    field_name: str = "region_code",
    params: dict | None = None,
    in_period: bool = True,
    where: dict | None = None,
) -> list[Figure]:
    """``source`` (a queryset already narrowed by the card, or a rollup cube read for the card's
    period when ``in_period``) counted or summed per region one level below the card's prefix,
    in one grouped query; each bar links to its list ``within`` that region."""
    from django.db.models import Count, Sum
    from django.db.models.functions import Substr

    from bangfu.regions.models import Region

    from .rollups import Cube

    prefix = base_prefix(card, capability)
    if prefix is None:
        return []
    length = NEXT_LEVEL[len(prefix)]
    if isinstance(source, Cube):
        years = (card.period.first, card.period.last) if in_period else None
        read = source.read(card, capability, group=(f"region:{length}",), years=years, where=where)
        rows = [(part, n if measure == COUNT else a + b) for part, n, a, b in read]
    else:
        if measure == COUNT:
            aggregate = Count("pk")
        else:
            names = measure.partition(":")[2].split(",")
            aggregate = sum((Sum(n) for n in names[1:]), Sum(names[0])) if len(names) > 1 else Sum(names[0])
        rows = (
            source.order_by()
            .annotate(part=Substr(field_name, 1, length))
            .values("part")
            .annotate(value=aggregate)
            .values_list("part", "value")
        )
    found = {part: value for part, value in rows if value}
    names = dict(
        Region.objects.filter(code__in=[p.ljust(12, "0") for p in found]).values_list("code", "name")
    )
    return [
        Figure(
            key=f"region_{part}",
            label=names.get(part.ljust(12, "0"), part),
            value=value,
            unit=unit,
            listing=listing,
            params={**(params or {}), "within": part},
            measure=measure,
            in_period=in_period,
        )
        for part, value in sorted(found.items())
    ]


# The scope a page asks for ---------------------------------------------------------------------------


def region_label(prefix: str) -> str:
    from bangfu.regions.models import Region

    if prefix == NATIONWIDE:
        return _("全国")
    name = Region.objects.filter(code=prefix.ljust(12, "0")).values_list("name", flat=True).first()
    return name or prefix


def resolve_scope(*, user, params, capability: str) -> Scope:
    """The card's scope from ``region=<prefix>`` or ``organization=<id>``, else the user's own.

    A region outside the user's scope, or an organisation the user cannot see, is refused
    (ValueError, Http404): a scorecard never claims a scope it does not cover."""
    from bangfu.accounts.models import Organization
    from bangfu.assistance.models import Partnership
    from bangfu.core.permissions import Cap
    from bangfu.core.scoping import get_scoped_or_404, user_prefixes

    region = (params.get("region") or "").strip()
    organization = (params.get("organization") or "").strip()
    own = collapse(user_prefixes(user, capability))
    if region:
        if not region.isdigit() or len(region) > 12 or len(region) not in (2, 4, 6, 9, 12):
            raise ValueError(_("区划代码应为2、4、6、9或12位数字:%(value)s") % {"value": region})
        if not any(region.startswith(prefix) for prefix in own):
            raise ValueError(_("区划 %(value)s 不在您的管辖范围内") % {"value": region})
        return Scope(prefixes=(region,), label=region_label(region))
    if organization:
        if not organization.isdigit():
            raise ValueError(_("单位编号应为数字"))
        org = get_scoped_or_404(Organization.objects.all(), user, Cap.ORGANIZATION_VIEW, pk=int(organization))
        # what an organisation is responsible for: the counties and villages it is paired with
        covered = [
            code_prefix(code)
            for code in Partnership.objects.filter(organization=org).values_list("region_code", flat=True)
        ]
        prefixes = tuple(collapse(covered or [code_prefix(org.region_code)]))
        return Scope(prefixes=prefixes, label=org.name, organization_id=org.pk)
    label = "、".join(region_label(p) for p in own) if own else ""
    return Scope(prefixes=(), label=label)
