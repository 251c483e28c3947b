"""Reads of love supermarkets: scoped stores, the counter's household search, the honour
board and the yearly figures the county publishes."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope
from bangfu.registry.models import Person

from .models import (
    Donation,
    DonorKind,
    Enrolment,
    PointEntry,
    PointKind,
    Redemption,
    StockBalance,
    StockMove,
    Store,
)

ZERO = Decimal("0.00")


def store_list(*, user, capability: str = Cap.SUPERMARKET_VIEW) -> QuerySet[Store]:
    return scope(Store.objects.select_related("region", "organization"), user, capability)


def counter_stores(*, user) -> QuerySet[Store]:
    """The stores whose counter ``user`` serves: their own as keeper, any in reach for the office."""
    stores = store_list(user=user, capability=Cap.SUPERMARKET_COUNTER)
    if user.is_superuser or user.has_capability(Cap.SUPERMARKET_MANAGE):
        managed = store_list(user=user, capability=Cap.SUPERMARKET_MANAGE).values("pk")
        return stores.filter(Q(keepers=user) | Q(pk__in=managed)).distinct()
    return stores.filter(keepers=user)


def counter_search(*, store: Store, query: str, limit: int = 20) -> list[Enrolment]:
    """Enrolled households of ``store`` by name, pinyin initials, household code or the last
    digits of an ID number (which the masked copy keeps)."""
    query = (query or "").strip()
    enrolments = Enrolment.objects.filter(store=store, is_active=True).select_related("household")
    if not query:
        return []
    if query.isascii() and query.isalpha():
        people = Person.objects.filter(name_initials__startswith=query.lower(), is_active=True)
        match = Q(household__in=people.values("household_id"))
    elif query[-1:].isdigit() or query[-1:] in "xX":
        people = Person.objects.filter(id_number_masked__endswith=query.upper(), is_active=True)
        match = Q(household__code__icontains=query) | Q(household__in=people.values("household_id"))
    else:
        people = Person.objects.filter(name__contains=query, is_active=True)
        match = Q(household__head_name__contains=query) | Q(household__in=people.values("household_id"))
    return list(enrolments.filter(match).order_by("household__code")[:limit])


@dataclass
class BoardRow:
    donor: str
    donations: int
    value: Decimal
    last_date: datetime.date


def honour_board(*, stores: QuerySet[Store]) -> list[BoardRow]:
    """Donors who agreed to be shown, with what they gave in all: anonymous gifts never appear."""
    rows = (
        Donation.objects.filter(
            store__in=stores, show_on_board=True, reverses__isnull=True, reversed_by__isnull=True
        )
        .exclude(donor_kind=DonorKind.ANONYMOUS)
        .values("donor_name")
        .annotate(
            donations=Count("pk"),
            value=Sum(F("cash") + F("goods_value")),
            last_date=_max("date"),
        )
        .order_by("-value", "donor_name")
    )
    return [BoardRow(r["donor_name"], r["donations"], r["value"] or ZERO, r["last_date"]) for r in rows]


def _max(name):
    from django.db.models import Max

    return Max(name)


# Figures ---------------------------------------------------------------------------------------------


@dataclass
class YearFigures:
    year: int
    stores_operating: int = 0
    stores_new: int = 0
    donation_value: Decimal = ZERO
    households_served: int = 0
    person_times: int = 0
    points_issued: int = 0
    points_spent: int = 0
    stock_value: Decimal = ZERO
    sentence: str = ""


@dataclass
class Figures:
    scope_label: str
    years: list[YearFigures] = field(default_factory=list)
    total: YearFigures | None = None
    sentence: str = ""


def wan(value: Decimal) -> str:
    """Yuan as 万元 the way the county writes it: 3500000 -> 350, 15953100 -> 1595.31."""
    text = format((Decimal(value) / 10000).quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def figures(*, stores: QuerySet[Store], scope_label: str, today: datetime.date | None = None) -> Figures:
    """Per year and in all: stores operating and new, donations, households and person-times
    served, points issued and spent, stock value at the year's end. A handful of grouped
    queries, whatever the number of records."""
    today = today or datetime.date.today()  # noqa: DTZ011 - a calendar year, not an instant
    store_rows = list(stores.values_list("pk", "opened_on", "closed_on"))
    store_ids = stores.values("pk")
    by_year: dict[int, YearFigures] = {}

    def row(year: int) -> YearFigures:
        return by_year.setdefault(year, YearFigures(year=year))

    donations = (
        Donation.objects.filter(store__in=store_ids)
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(value=Sum(F("cash") + F("goods_value")))
        .order_by()
    )
    for r in donations:
        row(r["year"]).donation_value = r["value"] or ZERO
    served = (
        Redemption.objects.filter(store__in=store_ids)
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(times=Count("pk"), households=Count("household_id", distinct=True), points=Sum("points"))
        .order_by()
    )
    for r in served:
        y = row(r["year"])
        y.person_times, y.households_served, y.points_spent = r["times"], r["households"], r["points"] or 0
    issued = (
        PointEntry.objects.filter(account__store__in=store_ids, points__gt=0)
        .exclude(kind__in=[PointKind.REDEMPTION, PointKind.REVERSAL])
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(points=Sum("points"))
        .order_by()
    )
    for r in issued:
        row(r["year"]).points_issued = r["points"] or 0
    value = ExpressionWrapper(
        F("quantity") * F("item__reference_value"), output_field=DecimalField(max_digits=16, decimal_places=2)
    )
    stock_by_year = dict(
        StockMove.objects.filter(store__in=store_ids)
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(value=Sum(value))
        .order_by()
        .values_list("year", "value")
    )
    for opened, _closed in ((r[1], r[2]) for r in store_rows):
        row(opened.year)
    if not by_year:
        return Figures(scope_label=scope_label)
    first, last = min(by_year), max(max(by_year), today.year)
    running_stock = sum((v or ZERO for y, v in stock_by_year.items() if y < first), ZERO)
    years = []
    for year in range(first, last + 1):
        y = row(year)
        end = datetime.date(year, 12, 31)
        y.stores_new = sum(1 for _pk, opened, _c in store_rows if opened.year == year)
        y.stores_operating = sum(
            1 for _pk, opened, closed in store_rows if opened <= end and (closed is None or closed > end)
        )
        running_stock += stock_by_year.get(year) or ZERO
        y.stock_value = running_stock
        y.sentence = year_sentence(y, scope_label)
        years.append(y)
    total = YearFigures(
        year=0,
        stores_operating=years[-1].stores_operating,
        stores_new=len(store_rows),
        donation_value=sum((y.donation_value for y in years), ZERO),
        households_served=Redemption.objects.filter(store__in=store_ids)
        .values("household_id")
        .distinct()
        .count(),
        person_times=sum(y.person_times for y in years),
        points_issued=sum(y.points_issued for y in years),
        points_spent=sum(y.points_spent for y in years),
        stock_value=StockBalance.objects.filter(store__in=store_ids).aggregate(
            v=Sum(F("quantity") * F("item__reference_value"), output_field=DecimalField())
        )["v"]
        or ZERO,
    )
    result = Figures(scope_label=scope_label, years=years, total=total)
    result.sentence = total_sentence(total)
    return result


def year_sentence(y: YearFigures, scope_label: str) -> str:
    return _(
        "%(year)d年，%(scope)s累计创建爱心超市%(stores)d个（当年新建%(new)d个），"
        "收到社会各界捐赠物资共计%(value)s万元，救助兜底贫困户%(households)d户%(times)d人次。"
    ) % {
        "year": y.year,
        "scope": scope_label,
        "stores": y.stores_operating,
        "new": y.stores_new,
        "value": wan(y.donation_value),
        "households": y.households_served,
        "times": y.person_times,
    }


def total_sentence(total: YearFigures) -> str:
    return _("目前，收到社会各界捐赠物资累计%(value)s万元，救助贫困户%(households)d户%(times)d人次。") % {
        "value": wan(total.donation_value),
        "households": total.households_served,
        "times": total.person_times,
    }
