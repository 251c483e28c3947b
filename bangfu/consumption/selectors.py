"""Reads of the consumption app: scoped lists, totals, the compliance board, household reach.

Every figure here is a sum over purchases the user reaches (scoping.py), so each
one can be traced back to the purchase list with the same filters.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from bangfu.accounts.models import Organization
from bangfu.core.permissions import Cap
from bangfu.regions.models import Region

from .models import (
    Declaration,
    HouseholdLink,
    Product,
    Purchase,
    PurchaseLine,
    Purpose,
    Quota,
    QuotaKind,
    Supplier,
)
from .scoping import reach, scoped

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def _money(value) -> Decimal:
    return (value or ZERO).quantize(CENT, rounding=ROUND_HALF_UP)


# Lists --------------------------------------------------------------------------------------------


def supplier_list(*, user, capability: str = Cap.CONSUMPTION_VIEW) -> QuerySet[Supplier]:
    return scoped(Supplier.objects.select_related("region"), user, capability)


def product_list(*, user, capability: str = Cap.CONSUMPTION_VIEW) -> QuerySet[Product]:
    return scoped(Product.objects.select_related("supplier"), user, capability)


def purchase_list(*, user, capability: str = Cap.CONSUMPTION_VIEW) -> QuerySet[Purchase]:
    return scoped(Purchase.objects.select_related("buyer", "supplier"), user, capability)


def suppliers_of(*, user) -> QuerySet[Supplier]:
    """The suppliers ``user`` acts for as a supplier user (through the supplier's organisation).

    Campaign orders and purchases "addressed to me" are those whose supplier is one of these.
    """
    if user is None or not user.is_authenticated:
        return Supplier.objects.none()
    return Supplier.objects.filter(
        organization__memberships__user=user,
        organization__memberships__role="supplier",
        organization__memberships__is_active=True,
    ).distinct()


def purchases_for_supplier(*, supplier: Supplier, user) -> QuerySet[Purchase]:
    """Purchases addressed to ``supplier`` that ``user`` may see, newest first."""
    return purchase_list(user=user).filter(supplier=supplier).order_by("-date", "-pk")


def buyer_units(*, user) -> QuerySet[Organization]:
    """Organisations ``user`` may record purchases (and declarations) for."""
    found = reach(user, Cap.PURCHASE_RECORD)
    base = Organization.objects.filter(is_active=True)
    if found.empty:
        return base.none()
    if found.nationwide:
        return base
    return base.filter(found.region_q("region_code") | Q(pk__in=found.buyer_orgs))


def household_links(*, household) -> list[HouseholdLink]:
    """The suppliers a household is linked to (for its page; the page itself is already scoped)."""
    return list(
        HouseholdLink.objects.filter(household=household)
        .select_related("supplier")
        .order_by("-year", "supplier__name", "kind")
    )


# Totals -------------------------------------------------------------------------------------------


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * HUNDRED / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _grouped(purchases: QuerySet, key: str, labels: dict | None = None) -> list[dict]:
    rows = (
        purchases.values(key)
        .annotate(total=Sum("total_amount"), certified=Sum("certified_amount"), count=Count("pk"))
        .order_by("-total")
    )
    result = []
    for row in rows:
        value = row[key]
        result.append(
            {
                "key": value,
                "label": str(labels.get(value, value)) if labels is not None else value,
                "total": _money(row["total"]),
                "certified": _money(row["certified"]),
                "share": _share(row["certified"] or ZERO, row["total"] or ZERO),
                "count": row["count"],
            }
        )
    return result


def purchase_totals(*, purchases: QuerySet[Purchase]) -> dict:
    """Totals of the given (already scoped and filtered) purchases, broken down every way the page shows."""
    from .models import Channel, ProductCategory

    whole = purchases.aggregate(
        total=Coalesce(Sum("total_amount"), ZERO),
        certified=Coalesce(Sum("certified_amount"), ZERO),
        count=Count("pk"),
        units=Count("buyer", distinct=True),
    )
    buyers = _grouped(purchases, "buyer_id")
    names = dict(Organization.objects.filter(pk__in=[row["key"] for row in buyers]).values_list("pk", "name"))
    for row in buyers:
        row["label"] = names.get(row["key"], row["key"])
    counties = _grouped(purchases.annotate(county=Substr("supplier_region_code", 1, 6)), "county")
    county_names = dict(
        Region.objects.filter(code__in=[f"{row['key']}000000" for row in counties]).values_list(
            "code", "name"
        )
    )
    for row in counties:
        row["label"] = county_names.get(f"{row['key']}000000", row["key"])
    lines = PurchaseLine.objects.filter(purchase__in=purchases.values("pk"))
    categories = []
    category_labels = dict(ProductCategory.choices)
    for row in (
        lines.values("product__category")
        .annotate(total=Sum("amount"), certified=Sum("amount", filter=Q(certified=True)))
        .order_by("-total")
    ):
        categories.append(
            {
                "key": row["product__category"],
                "label": str(category_labels.get(row["product__category"], row["product__category"])),
                "total": _money(row["total"]),
                "certified": _money(row["certified"]),
                "share": _share(row["certified"] or ZERO, row["total"] or ZERO),
            }
        )
    return {
        "total": _money(whole["total"]),
        "certified": _money(whole["certified"]),
        "share": _share(whole["certified"], whole["total"]),
        "count": whole["count"],
        "units": whole["units"],
        "years": sorted(_grouped(purchases, "date__year"), key=lambda r: r["key"]),
        "buyers": buyers,
        "counties": counties,
        "categories": categories,
        "channels": _grouped(purchases, "channel", dict(Channel.choices)),
        "purposes": _grouped(purchases, "purpose", dict(Purpose.choices)),
        "months": sorted(_grouped(purchases, "date__month"), key=lambda r: r["key"]),
    }


def yearly_summary(*, user, year: int) -> dict:
    """The seeds' sentence: units that purchased certified products, and how much."""
    purchases = purchase_list(user=user).filter(date__year=year)
    totals = purchases.aggregate(
        total=Coalesce(Sum("total_amount"), ZERO), certified=Coalesce(Sum("certified_amount"), ZERO)
    )
    return {
        "year": year,
        "units": purchases.values("buyer").distinct().count(),
        "certified_units": purchases.filter(certified_amount__gt=0).values("buyer").distinct().count(),
        "total": _money(totals["total"]),
        "certified": _money(totals["certified"]),
        "share": _share(totals["certified"], totals["total"]),
    }


# The compliance board -----------------------------------------------------------------------------


@dataclass
class BoardRow:
    quota: Quota
    units: list[Organization]  # the unit and the units it files for (shared canteen)
    base: Decimal  # the spending the share is taken of
    base_declared: bool  # from a declaration (else: recorded purchases of that purpose)
    recorded: Decimal  # recorded spending of the relevant purpose
    certified: Decimal
    share: Decimal | None
    target: Decimal
    gap: Decimal
    expected_by_now: Decimal
    progress: Decimal | None  # certified as a percentage of the target
    rank: int | None = None
    filed_for: list[str] = field(default_factory=list)

    @property
    def exempt(self) -> bool:
        return self.quota.exempt

    @property
    def met(self) -> bool:
        return not self.exempt and self.gap == ZERO and self.base > ZERO

    @property
    def behind(self) -> bool:
        return not self.exempt and self.certified < self.expected_by_now


def _year_fraction(year: int, today: datetime.date) -> Decimal:
    if year < today.year:
        return Decimal(1)
    if year > today.year:
        return ZERO
    start = datetime.date(year, 1, 1)
    days = (datetime.date(year + 1, 1, 1) - start).days
    return Decimal((today - start).days + 1) / Decimal(days)


def compliance_board(
    *, user, year: int, kind: str = "", today: datetime.date | None = None
) -> list[BoardRow]:
    """Every quota in scope for ``year`` with its share, gap and progress, ranked by share.

    Figures: see docs/guide/consumption.md, "The compliance board".
    """
    today = today or timezone.localdate()
    quotas = scoped(
        Quota.objects.select_related("organization", "filed_by"), user, Cap.CONSUMPTION_VIEW
    ).filter(year=year)
    if kind:
        quotas = quotas.filter(kind=kind)
    quotas = list(quotas.order_by("organization__name", "pk"))
    # units that file with another unit appear in that unit's row
    all_of_year = Quota.objects.filter(year=year, filed_by__isnull=False).select_related("organization")
    filed_with: dict[tuple[int, str], list[Organization]] = defaultdict(list)
    for quota in all_of_year:
        filed_with[(quota.filed_by_id, quota.kind)].append(quota.organization)
    units_of = {}
    for quota in quotas:
        units_of[quota.pk] = [quota.organization, *filed_with.get((quota.organization_id, quota.kind), [])]
    unit_ids = {unit.pk for units in units_of.values() for unit in units}

    purchases = Purchase.objects.filter(date__year=year)
    welfare = purchases.filter(purpose=Purpose.WELFARE)
    by_buyer_welfare = _sums(welfare.filter(buyer_id__in=unit_ids), "buyer_id")
    by_union_welfare = _sums(
        welfare.filter(union_id__in=unit_ids).exclude(buyer_id__in=unit_ids), "union_id"
    )  # a union's own purchases are already counted by buyer
    by_buyer_all = _sums(purchases.filter(buyer_id__in=unit_ids), "buyer_id")
    by_buyer_canteen = _sums(purchases.filter(buyer_id__in=unit_ids, purpose=Purpose.CANTEEN), "buyer_id")
    declarations = {
        d.organization_id: d for d in Declaration.objects.filter(year=year, organization_id__in=unit_ids)
    }
    fraction = _year_fraction(year, today)

    rows = []
    for quota in quotas:
        if quota.filed_by_id is not None:
            continue  # shown in the row of the unit that files for it
        units = units_of[quota.pk]
        ids = [unit.pk for unit in units]
        if quota.kind == QuotaKind.UNION_WELFARE:
            recorded = sum((by_buyer_welfare[i][0] + by_union_welfare[i][0] for i in ids), ZERO)
            certified = sum((by_buyer_welfare[i][1] + by_union_welfare[i][1] for i in ids), ZERO)
            declared_values = [declarations[i].welfare_total for i in ids if i in declarations]
        else:
            recorded = sum((by_buyer_canteen[i][0] for i in ids), ZERO)
            certified = sum((by_buyer_all[i][1] for i in ids), ZERO)
            declared_values = [declarations[i].food_total for i in ids if i in declarations]
        declared_values = [v for v in declared_values if v is not None]
        declared = sum(declared_values, ZERO) if declared_values else None
        # a declared total below what is already recorded cannot be right: the larger is the base
        base = max(declared, recorded) if declared is not None else recorded
        target = _money(base * quota.share_percent / HUNDRED)
        certified = _money(certified)
        rows.append(
            BoardRow(
                quota=quota,
                units=units,
                base=_money(base),
                base_declared=declared is not None and declared >= recorded,
                recorded=_money(recorded),
                certified=certified,
                share=_share(certified, base),
                target=target,
                gap=max(ZERO, target - certified) if not quota.exempt else ZERO,
                expected_by_now=_money(target * fraction),
                progress=_share(certified, target),
                filed_for=[unit.name for unit in units[1:]],
            )
        )
    ranked = sorted(
        (row for row in rows if not row.exempt),
        key=lambda r: (
            -(r.share if r.share is not None else Decimal(-1)),
            -r.certified,
            r.quota.organization.name,
        ),
    )
    for position, row in enumerate(ranked, start=1):
        row.rank = position
    exempt = [row for row in rows if row.exempt]
    return ranked + exempt


def _sums(purchases: QuerySet, key: str) -> defaultdict:
    result: defaultdict = defaultdict(lambda: (ZERO, ZERO))
    for row in (
        purchases.values(key)
        .annotate(total=Sum("total_amount"), certified=Sum("certified_amount"))
        .order_by()
    ):
        result[row[key]] = (row["total"] or ZERO, row["certified"] or ZERO)
    return result


def board_summary(rows: list[BoardRow]) -> dict:
    counted = [row for row in rows if not row.exempt]
    return {
        "units": len(counted),
        "met": sum(1 for row in counted if row.met),
        "exempt": len(rows) - len(counted),
        "gap": _money(sum((row.gap for row in counted), ZERO)),
        "certified": _money(sum((row.certified for row in counted), ZERO)),
        "target": _money(sum((row.target for row in counted), ZERO)),
    }


# From purchase to household (联农带农) ---------------------------------------------------------------


@dataclass
class VillageReach:
    code: str
    name: str
    township: str
    households: int = 0
    registered: int = 0
    paid: Decimal = ZERO  # what suppliers recorded paying the households
    attributed: Decimal = ZERO  # purchases from linked suppliers, shared out over their households


def household_reach(*, user, year: int, purchases: QuerySet[Purchase] | None = None) -> dict:
    """How much of the purchases in scope reached which villages, and how many households.

    Attribution rule: the purchases a supplier received in ``year`` are shared out over the
    households it recorded links to in that year, in proportion to the amounts it recorded
    paying each household when every link of that supplier has an amount, and equally per
    household otherwise. It is an estimate of where the money goes, not a payment record;
    ``paid`` (what the suppliers recorded paying) is shown beside it.
    """
    if purchases is None:
        purchases = purchase_list(user=user).filter(date__year=year)
    by_supplier = {
        row["supplier_id"]: row["total"] or ZERO
        for row in purchases.values("supplier_id").annotate(total=Sum("total_amount")).order_by()
    }
    links = list(
        HouseholdLink.objects.filter(year=year, supplier_id__in=list(by_supplier))
        .values("supplier_id", "household_id", "household_region_code", "amount", "household__registered")
        .order_by("supplier_id", "household_id")
    )
    per_supplier: dict[int, list[dict]] = defaultdict(list)
    for link in links:
        per_supplier[link["supplier_id"]].append(link)
    attributed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    village_of: dict[int, str] = {}
    registered: dict[int, bool] = {}
    for supplier_id, rows in per_supplier.items():
        weights: dict[int, Decimal] = defaultdict(lambda: ZERO)
        by_amount = all(row["amount"] is not None for row in rows) and sum(row["amount"] for row in rows) > 0
        for row in rows:
            household = row["household_id"]
            village_of[household] = row["household_region_code"]
            registered[household] = row["household__registered"]
            paid[household] += row["amount"] or ZERO
            if by_amount:
                weights[household] += row["amount"]
            else:
                weights[household] = Decimal(1)  # equal per household, however many links it has
        whole = sum(weights.values(), ZERO)
        for household, weight in weights.items():
            attributed[household] += by_supplier[supplier_id] * weight / whole
    linked_total = sum((by_supplier[s] for s in per_supplier), ZERO)
    villages: dict[str, VillageReach] = {}
    names = dict(Region.objects.filter(code__in=set(village_of.values())).values_list("code", "name"))
    townships = dict(
        Region.objects.filter(code__in={f"{c[:9]}000" for c in village_of.values()}).values_list(
            "code", "name"
        )
    )
    for household, code in village_of.items():
        village = villages.get(code)
        if village is None:
            village = villages[code] = VillageReach(
                code=code, name=names.get(code, code), township=townships.get(f"{code[:9]}000", "")
            )
        village.households += 1
        village.registered += 1 if registered[household] else 0
        village.paid += paid[household]
        village.attributed += attributed[household]
    rows = sorted(villages.values(), key=lambda v: (-v.attributed, v.code))
    for village in rows:
        village.paid = _money(village.paid)
        village.attributed = _money(village.attributed)
    total = sum(by_supplier.values(), ZERO)
    return {
        "villages": rows,
        "households": len(village_of),
        "registered": sum(1 for flag in registered.values() if flag),
        "linked_suppliers": len(per_supplier),
        "linked_total": _money(linked_total),
        "unlinked_total": _money(total - linked_total),
        "total": _money(total),
        "paid": _money(sum(paid.values(), ZERO)),
    }
