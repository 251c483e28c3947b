"""The home page's dashboards: per role, this year's figures that role acts on.

Roles that act within regions (office, leader, store keeper, cadre) name the scorecard
sections and figures they watch; those figures are the scorecard's own (same numbers, same
links to the records), built for the user's scope. Buyer and supplier users are bound to
their own organisation (consumption/scoping.py), not to a region: their panels are built
from that organisation's records only, so a buyer never sees another buyer's totals in the
same county, nor a supplier another supplier's sales."""

from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bangfu.core.permissions import Cap, Role

from . import units
from .scorecard import SECTIONS, Figure, Period, Scope, build_scorecard, share

ZERO = Decimal("0.00")

# role -> (title, [(section, [figure keys])])
ROLE_DASHBOARDS: dict[str, tuple] = {
    Role.OFFICE: (
        _("帮扶办公室"),
        [
            ("registry", ["households", "lifted", "safety_net"]),
            ("assistance", ["projects", "invested", "spent"]),
            ("consumption", ["amount", "certified_share", "quota_met"]),
            ("supermarket", ["donation_value", "person_times"]),
            ("fieldwork", ["visits", "compliance_rate"]),
        ],
    ),
    Role.LEADER: (
        _("领导"),
        [
            ("registry", ["households", "lifted"]),
            ("assistance", ["invested", "coordinated"]),
            ("consumption", ["amount", "certified"]),
            ("supermarket", ["donation_value", "person_times"]),
        ],
    ),
    Role.STORE_KEEPER: (
        _("超市管理员"),
        [("supermarket", ["donations", "donation_value", "households_served", "person_times"])],
    ),
    Role.CADRE: (
        _("驻村干部"),
        [
            ("fieldwork", ["visits", "households_visited", "compliance_rate"]),
            ("registry", ["households", "safety_net"]),
        ],
    ),
}


def dashboard_for(user, today=None) -> list[dict]:
    """One panel per role the user holds: [{"role", "title", "figures": [Figure], "year"}], this year so far."""
    if not user.is_authenticated:
        return []
    roles = [role for role in user.roles() if role in ROLE_DASHBOARDS or role in OWN_DASHBOARDS]
    if not roles:
        return []
    today = today or timezone.localdate()
    sections = {}
    wanted = {
        key
        for role in roles
        if role in ROLE_DASHBOARDS
        for key, _figures in ROLE_DASHBOARDS[role][1]
        if key in SECTIONS
    }
    if wanted:
        card = build_scorecard(
            user=user, scope=Scope(), period=Period(today.year, today.year), keys=wanted, today=today
        )
        sections = {section.key: section for section in card.sections}
    panels = []
    for role in roles:
        if role in OWN_DASHBOARDS:
            title, build = OWN_DASHBOARDS[role]
            figures = build(user, today)
        else:
            title, watched = ROLE_DASHBOARDS[role]
            figures = _watched_figures(sections, watched)
        if figures:
            panels.append({"role": role, "title": title, "figures": figures, "year": today.year})
    return panels


def _watched_figures(sections: dict, watched: list) -> list[Figure]:
    figures = []
    for key, figure_keys in watched:
        section = sections.get(key)
        if section is None:
            continue
        for figure_key in figure_keys:
            try:
                figures.append(section[figure_key])
            except KeyError:
                continue
    return figures


# Buyer and supplier users: their own organisation's figures ------------------------------------------


def _bound_organizations(user, role: str) -> set[int]:
    """The organisations ``user`` acts for in ``role`` (a buyer's includes its child units, as
    the purchase list shows them), whatever other roles the user also holds."""
    from bangfu.consumption.scoping import reach

    found = reach(user, Cap.CONSUMPTION_VIEW)
    return set(found.buyer_orgs if role == Role.BUYER else found.supplier_orgs)


def _purchase_figures(purchases, year: int, labels: tuple) -> list[Figure]:
    """Count, amount, certified amount and share of ``purchases`` in ``year``, linked to the list."""
    row = purchases.filter(date__year=year).aggregate(
        n=Count("pk"), amount=Sum("total_amount"), certified=Sum("certified_amount")
    )
    amount = Decimal(row["amount"] or ZERO).quantize(ZERO)
    certified = Decimal(row["certified"] or ZERO).quantize(ZERO)
    url = f"{reverse('consumption:purchase-list')}?year={year}"
    count_label, amount_label = labels
    return [
        Figure("purchases", count_label, row["n"], units.ITEM, url=url),
        Figure("amount", amount_label, amount, units.YUAN, url=url),
        Figure("certified", gettext("其中认定帮扶产品"), certified, units.YUAN, url=f"{url}&certified=true"),
        Figure("certified_share", gettext("认定产品占比"), share(certified, amount), units.PERCENT, url=url),
    ]


def buyer_figures(user, today) -> list[Figure]:
    """A buyer unit's purchases this year, its quota compliance and its campaigns' orders."""
    from bangfu.consumption.campaigns.models import Order, OrderStatus
    from bangfu.consumption.models import Purchase
    from bangfu.consumption.selectors import board_summary, compliance_board

    organizations = _bound_organizations(user, Role.BUYER)
    if not organizations:
        return []
    purchases = Purchase.objects.filter(Q(buyer_id__in=organizations) | Q(union_id__in=organizations))
    figures = _purchase_figures(purchases, today.year, (gettext("采购笔数"), gettext("消费帮扶金额")))

    rows = [
        row
        for row in compliance_board(user=user, year=today.year, today=today)
        if row.quota.organization_id in organizations
    ]
    summary = board_summary(rows)
    board_url = f"{reverse('consumption:board')}?year={today.year}"
    figures += [
        Figure("quota_units", gettext("有比例要求的单位"), summary["units"], units.ITEM, url=board_url),
        Figure("quota_met", gettext("达到比例的单位"), summary["met"], units.ITEM, url=board_url),
        Figure("quota_gap", gettext("距比例尚差"), summary["gap"], units.YUAN, url=board_url),
    ]

    orders = Order.objects.filter(campaign__organizer_id__in=organizations).exclude(
        status=OrderStatus.CANCELLED
    )
    placed = orders.filter(created_at__year=today.year).aggregate(n=Count("pk"), boxes=Sum("quantity"))
    waiting = orders.filter(status=OrderStatus.PLACED).aggregate(boxes=Sum("quantity"))["boxes"] or 0
    campaigns_url = reverse("campaigns:campaign-list")
    figures += [
        Figure("campaign_orders", gettext("预订订单"), placed["n"], units.ITEM, url=campaigns_url),
        Figure("campaign_boxes", gettext("预订礼盒"), placed["boxes"] or 0, units.ITEM, url=campaigns_url),
        Figure("campaign_waiting", gettext("待领取礼盒"), waiting, units.ITEM, url=campaigns_url),
    ]
    return figures


def supplier_figures(user, today) -> list[Figure]:
    """A supplier's sales this year, its products certified today and the campaign boxes it
    still has to prepare (ordered, not yet collected, in campaigns whose pickup is still open)."""
    from bangfu.consumption.campaigns.models import CampaignItem, Order, OrderStatus
    from bangfu.consumption.models import Product, Purchase, Supplier

    organizations = _bound_organizations(user, Role.SUPPLIER)
    if not organizations:
        return []
    suppliers = list(Supplier.objects.filter(organization_id__in=organizations).values_list("pk", flat=True))
    purchases = Purchase.objects.filter(supplier_id__in=suppliers)
    figures = _purchase_figures(purchases, today.year, (gettext("销售笔数"), gettext("销售金额")))

    one = f"&supplier={suppliers[0]}" if len(suppliers) == 1 else ""
    products_url = f"{reverse('consumption:product-list')}?certified=true{one}"
    certified = Product.objects.filter(supplier_id__in=suppliers).certified_on(today).count()
    items = CampaignItem.objects.filter(lines__product__supplier_id__in=suppliers).values("pk")
    to_prepare = (
        Order.objects.filter(
            item__in=items, status=OrderStatus.PLACED, campaign__pickup_closes_at__gt=timezone.now()
        ).aggregate(boxes=Sum("quantity"))["boxes"]
        or 0
    )
    prepare_url = (
        reverse("consumption:supplier-detail", args=[suppliers[0]]) + "#tab-campaigns"
        if len(suppliers) == 1
        else reverse("consumption:supplier-list")
    )
    figures += [
        Figure("certified_products", gettext("认定帮扶产品"), certified, units.ITEM, url=products_url),
        Figure("boxes_to_prepare", gettext("待备预订礼盒"), to_prepare, units.ITEM, url=prepare_url),
    ]
    return figures


# role -> (title, builder(user, today) -> [Figure])
OWN_DASHBOARDS: dict[str, tuple[object, Callable]] = {
    Role.BUYER: (_("采购单位"), buyer_figures),
    Role.SUPPLIER: (_("供应商"), supplier_figures),
}
