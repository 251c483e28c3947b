"""Reads: campaigns a member may order from, an organiser's campaigns, a staff member's sites, the board."""

from collections import defaultdict

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from bangfu.accounts.models import Membership, Organization
from bangfu.core.permissions import ROLE_CAPABILITIES, Cap
from bangfu.core.scoping import scope

from .models import Campaign, CampaignStatus, Order, OrderStatus, PickupSite, PickupSlot

ORDERING_ROLES = [role for role, caps in ROLE_CAPABILITIES.items() if Cap.CAMPAIGN_ORDER in caps]


# Members ---------------------------------------------------------------------------------------------


def member_organizations(*, user) -> list[Organization]:
    """The organisations in which ``user`` holds a role that may order (member, and admin)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_campaign_organizations", None)  # once per request, like the user's scopes
    if cached is not None:
        return cached
    memberships = Membership.objects.filter(
        user=user, is_active=True, organization__is_active=True, role__in=ORDERING_ROLES
    ).select_related("organization__parent__parent__parent")
    user._campaign_organizations = list({m.organization_id: m.organization for m in memberships}.values())
    return user._campaign_organizations


def _with_ancestors(organizations: list[Organization]) -> dict[int, set[int]]:
    """organisation id -> ids of its ancestors (the parent chain, read without further queries
    for the three levels select_related fetched)."""
    return {org.pk: {a.pk for a in org.ancestors()} for org in organizations}


def campaigns_for_member(*, user, published_only: bool = True) -> QuerySet[Campaign]:
    """Campaigns ``user`` may order from: those naming one of their organisations, or an
    ancestor of one when the campaign includes sub-organisations."""
    organizations = member_organizations(user=user)
    if not organizations:
        return Campaign.objects.none()
    direct = [org.pk for org in organizations]
    above = set().union(*_with_ancestors(organizations).values())
    rows = Campaign.objects.filter(
        Q(eligible_organizations__in=direct)
        | Q(include_suborganizations=True, eligible_organizations__in=above)
    )
    if published_only:
        rows = rows.filter(status=CampaignStatus.PUBLISHED)
    return Campaign.objects.filter(pk__in=rows.values("pk"))


def eligible_organization(*, user, campaign: Campaign) -> Organization | None:
    """The organisation through which ``user`` may order from ``campaign`` (None: not eligible)."""
    organizations = member_organizations(user=user)
    if not organizations:
        return None
    eligible = set(campaign.eligible_organizations.values_list("pk", flat=True))
    ancestors = _with_ancestors(organizations)
    for org in sorted(organizations, key=lambda o: o.pk):
        if org.pk in eligible or (campaign.include_suborganizations and ancestors[org.pk] & eligible):
            return org
    return None


def open_slots(campaign: Campaign) -> QuerySet[PickupSlot]:
    return (
        PickupSlot.objects.filter(site__campaign=campaign, ends_at__gt=timezone.now())
        .select_related("site")
        .order_by("starts_at", "site_id", "pk")
    )


def my_orders(*, user) -> QuerySet[Order]:
    return Order.objects.filter(member=user).select_related(
        "campaign", "item", "site", "slot", "collected_site"
    )


# Organisers ------------------------------------------------------------------------------------------


def campaign_list(*, user) -> QuerySet[Campaign]:
    return scope(Campaign.objects.select_related("organizer"), user, Cap.CAMPAIGN_MANAGE)


def board(campaign: Campaign) -> dict:
    """Boxes ordered, collected and not yet collected, by site and slot, and per package."""
    rows = (
        Order.objects.filter(campaign=campaign)
        .exclude(status=OrderStatus.CANCELLED)
        .values("site_id", "slot_id", "status")
        .annotate(boxes=Sum("quantity"), orders=Count("pk"))
    )
    cells: dict[tuple[int, int], dict[str, int]] = defaultdict(
        lambda: {"ordered": 0, "collected": 0, "orders": 0}
    )
    for row in rows:
        cell = cells[(row["site_id"], row["slot_id"])]
        cell["ordered"] += row["boxes"]
        cell["orders"] += row["orders"]
        if row["status"] == OrderStatus.COLLECTED:
            cell["collected"] += row["boxes"]
    sites = []
    totals = {"ordered": 0, "collected": 0, "waiting": 0}
    for site in campaign.sites.prefetch_related("slots", "staff").order_by("pk"):
        slots = []
        site_totals = {"ordered": 0, "collected": 0, "waiting": 0}
        for slot in site.slots.all():
            cell = cells.get((site.pk, slot.pk), {"ordered": 0, "collected": 0, "orders": 0})
            figures = {
                "ordered": cell["ordered"],
                "collected": cell["collected"],
                "waiting": cell["ordered"] - cell["collected"],
            }
            for key, value in figures.items():
                site_totals[key] += value
            slots.append({"slot": slot, **figures})
        for key, value in site_totals.items():
            totals[key] += value
        sites.append({"site": site, "slots": slots, **site_totals})
    return {"sites": sites, "totals": totals}


# Pickup staff ----------------------------------------------------------------------------------------


def sites_for_staff(*, user) -> QuerySet[PickupSite]:
    """Sites whose staff list names ``user``, where they also hold pickup.scan."""
    return scope(
        PickupSite.objects.filter(staff=user).select_related("campaign"), user, Cap.PICKUP_SCAN
    ).order_by("campaign_id", "pk")


# Suppliers -------------------------------------------------------------------------------------------


def supplier_demand(*, supplier) -> list[dict]:
    """What campaigns ask of a supplier: per package holding its products, the boxes ordered
    and collected (cancelled orders left out) and the units of each product they take."""
    from .models import CampaignItemLine

    lines = (
        CampaignItemLine.objects.filter(product__supplier=supplier)
        .select_related("item__campaign", "product")
        .annotate(
            ordered=Sum("item__orders__quantity", filter=~Q(item__orders__status=OrderStatus.CANCELLED)),
            collected=Sum("item__orders__quantity", filter=Q(item__orders__status=OrderStatus.COLLECTED)),
        )
        .order_by("-item__campaign__opens_at", "item_id", "pk")
    )
    return [
        {
            "campaign": line.item.campaign,
            "item": line.item,
            "product": line.product,
            "per_box": line.quantity,
            "boxes_ordered": line.ordered or 0,
            "boxes_collected": line.collected or 0,
            "units_ordered": (line.ordered or 0) * line.quantity,
        }
        for line in lines
    ]
