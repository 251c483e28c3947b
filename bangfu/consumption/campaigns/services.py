"""Every write of campaigns: setting one up, placing and cancelling orders, handing boxes over.

Counters change only through conditional UPDATEs (see models): a package's ``remaining``,
a slot's ``remaining`` and a member's ``MemberAllowance.ordered``. Rows are taken in one
order by every service — the member's allowance, then the slot, then the package — so
concurrent orders and cancellations queue rather than deadlock, and the package row, the
one every order touches, is held for the shortest time. A refused request raises a
CampaignError (a ValidationError with a code) and writes nothing.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import Organization, OrganizationKind, User
from bangfu.audit.models import Action
from bangfu.audit.services import audited_create, audited_update, record_change, record_related, snapshot
from bangfu.core.permissions import Cap
from bangfu.core.scoping import in_scope
from bangfu.regions.models import Region

from . import selectors
from .errors import CampaignError, CampaignErrorCode
from .models import (
    Campaign,
    CampaignItem,
    CampaignItemLine,
    MemberAllowance,
    Order,
    OrderStatus,
    PaidBy,
    PickupSite,
    PickupSlot,
    ScanMiss,
)
from .tokens import PickupToken, looks_signed, new_short_code, normalize_short_code

SCAN_MISS_LIMIT = 10  # wrong short codes per staff member and site …
SCAN_MISS_WINDOW = datetime.timedelta(minutes=15)  # … within this window
MAX_KEY_LENGTH = 64
SHORT_CODE_ATTEMPTS = 3


# Setting a campaign up ------------------------------------------------------------------------------


def campaign_create(
    *,
    actor,
    organizer: Organization,
    name: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    pickup_closes_at: datetime.datetime,
    per_member_limit: int,
    eligible_organizations: list[Organization],
    include_suborganizations: bool = True,
    description: str = "",
    status: str = "draft",
) -> Campaign:
    _check_organizer(organizer)
    if not eligible_organizations:
        raise ValidationError({"eligible_organizations": _("请至少选择一个可预订单位。")})
    _check_window(opens_at, closes_at, pickup_closes_at)
    with transaction.atomic():
        campaign = audited_create(
            actor=actor,
            instance=Campaign(
                organizer=organizer,
                region_code=organizer.region_code,
                name=name,
                description=description,
                status=status,
                opens_at=opens_at,
                closes_at=closes_at,
                pickup_closes_at=pickup_closes_at,
                per_member_limit=per_member_limit,
                include_suborganizations=include_suborganizations,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            ),
        )
        campaign.eligible_organizations.set(eligible_organizations)
    return campaign


def campaign_update(
    *, actor, campaign: Campaign, data: dict, eligible_organizations: list[Organization] | None = None
) -> Campaign:
    if "organizer" in data:
        _check_organizer(data["organizer"])
        data = {**data, "region_code": data["organizer"].region_code}
    _check_window(
        data.get("opens_at", campaign.opens_at),
        data.get("closes_at", campaign.closes_at),
        data.get("pickup_closes_at", campaign.pickup_closes_at),
    )
    if eligible_organizations is not None and not eligible_organizations:
        raise ValidationError({"eligible_organizations": _("请至少选择一个可预订单位。")})
    with transaction.atomic():
        campaign = audited_update(actor=actor, instance=campaign, data=data)
        if eligible_organizations is not None:
            campaign.eligible_organizations.set(eligible_organizations)
    return campaign


def _check_organizer(organizer: Organization) -> None:
    if organizer.kind != OrganizationKind.UNION:
        raise ValidationError({"organizer": _("组织单位必须是工会。")})


def _check_window(opens_at, closes_at, pickup_closes_at) -> None:
    errors = {}
    if closes_at <= opens_at:
        errors["closes_at"] = _("预订截止时间必须晚于开始时间。")
    if pickup_closes_at < closes_at:
        errors["pickup_closes_at"] = _("领取截止时间不能早于预订截止时间。")
    if errors:
        raise ValidationError(errors)


def item_create(
    *,
    actor,
    campaign: Campaign,
    name: str,
    price: Decimal,
    stock: int,
    lines: list[tuple],
    paid_by: str = PaidBy.ORGANIZER,
    description: str = "",
) -> CampaignItem:
    """A package with its products: ``lines`` are (product, quantity) pairs."""
    if not lines:
        raise ValidationError({"lines": _("礼盒至少包含一种产品。")})
    products = [product.pk for product, _quantity in lines]
    if len(set(products)) != len(products):
        raise ValidationError({"lines": _("同一产品在礼盒中只能出现一次。")})
    if any(int(quantity) < 1 for _product, quantity in lines):
        raise ValidationError({"lines": _("产品数量必须是正整数。")})
    with transaction.atomic():
        item = audited_create(
            actor=actor,
            instance=CampaignItem(
                campaign=campaign,
                region_code=campaign.region_code,
                name=name,
                description=description,
                price=price,
                paid_by=paid_by,
                stock=stock,
                remaining=stock,
            ),
        )
        for product, quantity in lines:
            audited_create(
                actor=actor, instance=CampaignItemLine(item=item, product=product, quantity=quantity)
            )
    return item


def item_restock(*, actor, item: CampaignItem, stock: int) -> CampaignItem:
    """Change a package's stock; what orders already took stays taken."""
    delta = stock - item.stock
    with transaction.atomic():
        before = snapshot(item)
        changed = CampaignItem.objects.filter(pk=item.pk, remaining__gte=-delta, stock=item.stock).update(
            stock=stock, remaining=F("remaining") + delta
        )
        if not changed:
            raise ValidationError({"stock": _("库存不能少于已预订的数量。")})
        item.refresh_from_db(fields=["stock", "remaining"])
        record_change(actor=actor, instance=item, action=Action.UPDATE, before=before)
    return item


def site_create(
    *,
    actor,
    campaign: Campaign,
    name: str,
    address: str,
    region: Region,
    contact_phone: str = "",
    staff: list[User] = (),
) -> PickupSite:
    with transaction.atomic():
        site = audited_create(
            actor=actor,
            instance=PickupSite(
                campaign=campaign,
                name=name,
                address=address,
                region=region,
                region_code=region.code,
                contact_phone=contact_phone,
            ),
        )
        site_staff_set(actor=actor, site=site, staff=list(staff))
    return site


def site_staff_set(*, actor, site: PickupSite, staff: list[User]) -> PickupSite:
    """The site's staff list: each must hold pickup.scan where the site is."""
    refused = [str(user) for user in staff if not in_scope(user, Cap.PICKUP_SCAN, site.region_code)]
    if refused:
        raise ValidationError(
            {
                "staff": _("以下用户在该领取点所在地区没有扫码领取权限:%(users)s")
                % {"users": "、".join(refused)}
            }
        )
    with transaction.atomic():
        before = sorted(site.staff.values_list("username", flat=True))
        site.staff.set(staff)
        after = sorted(user.username for user in staff)
        if before != after:
            _record_staff(actor, site, before, after)
    return site


def _record_staff(actor, site: PickupSite, before: list[str], after: list[str]) -> None:
    record_related(actor=actor, instance=site, changes={"staff": [before, after]})


def slot_create(
    *, actor, site: PickupSite, starts_at: datetime.datetime, ends_at: datetime.datetime, capacity: int
) -> PickupSlot:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间必须晚于开始时间。")})
    if capacity < 1:
        raise ValidationError({"capacity": _("可约人数必须是正整数。")})
    return audited_create(
        actor=actor,
        instance=PickupSlot(
            site=site, starts_at=starts_at, ends_at=ends_at, capacity=capacity, remaining=capacity
        ),
    )


# Orders ----------------------------------------------------------------------------------------------


def _quantity(value) -> int:
    if isinstance(value, bool):
        raise CampaignError(CampaignErrorCode.INVALID_QUANTITY, "quantity")
    try:
        quantity = int(value)
    except (TypeError, ValueError) as error:
        raise CampaignError(CampaignErrorCode.INVALID_QUANTITY, "quantity") from error
    if quantity != value and str(quantity) != str(value).strip():
        raise CampaignError(CampaignErrorCode.INVALID_QUANTITY, "quantity")
    if quantity < 1:
        raise CampaignError(CampaignErrorCode.INVALID_QUANTITY, "quantity")
    return quantity


def _price(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise CampaignError(CampaignErrorCode.PRICE_MISMATCH, "price", price="—") from error


def _replay(order: Order, item: CampaignItem, slot: PickupSlot, quantity: int) -> tuple[Order, bool]:
    if (order.item_id, order.slot_id, order.quantity) != (item.pk, slot.pk, quantity):
        raise CampaignError(CampaignErrorCode.IDEMPOTENCY_CONFLICT)
    return order, False


def order_place(
    *,
    member: User,
    item: CampaignItem,
    slot: PickupSlot,
    quantity,
    idempotency_key: str,
    expected_price=None,
) -> tuple[Order, bool]:
    """Order ``quantity`` boxes of ``item`` for collection in ``slot``.

    Returns (order, created). The same member sending the same ``idempotency_key`` again
    gets the order the first request made (created False), however the two interleave.
    """
    quantity = _quantity(quantity)
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError({"idempotency_key": _("请求编号必须是1到64个字符。")})
    # A retry is recognised inside the transaction, once the member's row is held.

    campaign = item.campaign
    now = timezone.now()
    if not campaign.is_open(now):
        raise CampaignError(CampaignErrorCode.NOT_OPEN)
    organization = selectors.eligible_organization(user=member, campaign=campaign)
    if organization is None:
        raise CampaignError(CampaignErrorCode.NOT_ELIGIBLE)
    if slot.site.campaign_id != campaign.pk or slot.ends_at <= now:
        raise CampaignError(CampaignErrorCode.SLOT_MISMATCH, "slot")
    price = _price(expected_price)
    if price is not None and price != item.price:
        raise CampaignError(CampaignErrorCode.PRICE_MISMATCH, "price", price=str(item.price))
    limit = campaign.per_member_limit
    if quantity > limit:
        raise CampaignError(CampaignErrorCode.LIMIT_EXCEEDED, "quantity", limit=limit, ordered=0)
    if item.remaining < quantity:
        # A cheap early answer once a package is sold out (as the caller read it, so a retry
        # still finds its order); the conditional update in _place decides.
        existing = Order.objects.filter(member=member, idempotency_key=key).first()
        if existing is not None:
            return _replay(existing, item, slot, quantity)
        raise CampaignError(CampaignErrorCode.OUT_OF_STOCK, "item", remaining=max(item.remaining, 0))

    for attempt in range(SHORT_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return _place(member, organization, campaign, item, slot, quantity, key, limit, now)
        except IntegrityError:
            # Either the same key committed by a concurrent request of this member (for another
            # campaign: within one campaign the allowance row serialises them), or, about once in
            # 10^6 orders, a short code drawn twice within the campaign: then draw again.
            existing = Order.objects.filter(member=member, idempotency_key=key).first()
            if existing is not None:
                return _replay(existing, item, slot, quantity)
            if attempt == SHORT_CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _place(member, organization, campaign, item, slot, quantity, key, limit, now) -> tuple[Order, bool]:
    MemberAllowance.objects.bulk_create(
        [MemberAllowance(campaign=campaign, member=member)], ignore_conflicts=True
    )
    # Hold the member's row: their requests in this campaign now run one at a time, so a retry
    # with the same key sees the first request's order once that one commits.
    allowance = MemberAllowance.objects.select_for_update().get(campaign=campaign, member=member)
    existing = Order.objects.filter(member=member, idempotency_key=key).first()
    if existing is not None:
        return _replay(existing, item, slot, quantity)
    # Conditional, not the value just read: correct even where select_for_update is a no-op.
    if not MemberAllowance.objects.filter(pk=allowance.pk, ordered__lte=limit - quantity).update(
        ordered=F("ordered") + quantity
    ):
        allowance.refresh_from_db()
        raise CampaignError(
            CampaignErrorCode.LIMIT_EXCEEDED, "quantity", limit=limit, ordered=allowance.ordered
        )
    order = Order(
        campaign=campaign,
        item=item,
        member=member,
        member_organization=organization,
        region_code=campaign.region_code,
        quantity=quantity,
        unit_price=item.price,
        total=item.price * quantity,
        paid_by=item.paid_by,
        slot=slot,
        site=slot.site,
        idempotency_key=key,
        token=PickupToken.issue().token,
        created_at=now,
    )
    order.short_code = new_short_code()
    order.save(force_insert=True)
    record_change(actor=member, instance=order, action=Action.CREATE)
    if not PickupSlot.objects.filter(pk=slot.pk, remaining__gte=1).update(remaining=F("remaining") - 1):
        raise CampaignError(CampaignErrorCode.SLOT_FULL, "slot")
    if not CampaignItem.objects.filter(pk=item.pk, remaining__gte=quantity).update(
        remaining=F("remaining") - quantity
    ):
        remaining = CampaignItem.objects.values_list("remaining", flat=True).get(pk=item.pk)
        raise CampaignError(CampaignErrorCode.OUT_OF_STOCK, "item", remaining=remaining)
    return order, True


def order_cancel(*, actor: User, order: Order) -> Order:
    """The member cancels before the order window closes: stock, slot place and allowance return."""
    if order.member_id != actor.pk:
        raise CampaignError(CampaignErrorCode.NOT_CANCELLABLE)
    campaign = order.campaign
    now = timezone.now()
    if now >= campaign.closes_at:
        raise CampaignError(CampaignErrorCode.NOT_CANCELLABLE)
    with transaction.atomic():
        MemberAllowance.objects.select_for_update().filter(campaign=campaign, member=order.member_id).first()
        before = snapshot(order)
        if not Order.objects.filter(pk=order.pk, status=OrderStatus.PLACED).update(
            status=OrderStatus.CANCELLED, cancelled_at=now
        ):
            order.refresh_from_db()
            if order.status == OrderStatus.CANCELLED:
                return order  # cancelled already: the same outcome the member asked for
            raise CampaignError(CampaignErrorCode.NOT_CANCELLABLE)
        MemberAllowance.objects.filter(campaign=campaign, member=order.member_id).update(
            ordered=F("ordered") - order.quantity
        )
        PickupSlot.objects.filter(pk=order.slot_id).update(remaining=F("remaining") + 1)
        CampaignItem.objects.filter(pk=order.item_id).update(remaining=F("remaining") + order.quantity)
        order.refresh_from_db()
        record_change(actor=actor, instance=order, action=Action.UPDATE, before=before)
    return order


# Pickup ----------------------------------------------------------------------------------------------


@dataclass
class Lookup:
    """What a scan found: the order, and warnings the staff member must see before handing over."""

    order: Order
    other_site: bool = False
    warnings: list[str] = field(default_factory=list)


def _slot_text(slot: PickupSlot) -> str:
    return str(slot)


def _check_staff(staff: User, site: PickupSite) -> None:
    if not site.staff.filter(pk=staff.pk).exists() or not in_scope(staff, Cap.PICKUP_SCAN, site.region_code):
        raise CampaignError(CampaignErrorCode.NOT_STAFF)


def _collected_error(order: Order) -> CampaignError:
    when = timezone.localtime(order.collected_at)
    return CampaignError(
        CampaignErrorCode.ALREADY_COLLECTED,
        time=formats.date_format(when, "DATETIME_FORMAT"),
        site=str(order.collected_site) if order.collected_site_id else "—",
        staff=str(order.collected_by) if order.collected_by_id else "—",
    )


def pickup_lookup(*, staff: User, site: PickupSite, code: str) -> Lookup:
    """The order a scanned QR code or a typed short code names, at ``site``.

    A typed code is looked up only among the orders of the site's campaign, and each miss
    is counted: after SCAN_MISS_LIMIT misses within SCAN_MISS_WINDOW the staff member is
    refused at that site until the window passes.
    """
    _check_staff(staff, site)
    campaign = site.campaign
    now = timezone.now()
    orders = Order.objects.select_related("item", "member", "site", "slot")
    if looks_signed(code or ""):
        token = PickupToken.parse(code)
        order = orders.filter(token=token.token).first() if token else None
        if order is None:
            raise CampaignError(CampaignErrorCode.INVALID_TOKEN)
        if order.campaign_id != campaign.pk:
            raise CampaignError(CampaignErrorCode.UNKNOWN_CODE)
    else:
        misses = ScanMiss.objects.filter(
            staff=staff, site=site, created_at__gte=now - SCAN_MISS_WINDOW
        ).count()
        if misses >= SCAN_MISS_LIMIT:
            raise CampaignError(
                CampaignErrorCode.RATE_LIMITED, minutes=int(SCAN_MISS_WINDOW.total_seconds() // 60)
            )
        short = normalize_short_code(code)
        order = orders.filter(campaign=campaign, short_code=short).first() if short else None
        if order is None:
            ScanMiss.objects.create(staff=staff, site=site, created_at=now)
            raise CampaignError(CampaignErrorCode.UNKNOWN_CODE)
    if now > campaign.pickup_closes_at:
        until = formats.date_format(timezone.localtime(campaign.pickup_closes_at), "DATETIME_FORMAT")
        raise CampaignError(CampaignErrorCode.EXPIRED_TOKEN, until=until)
    if order.status == OrderStatus.CANCELLED:
        raise CampaignError(CampaignErrorCode.ORDER_CANCELLED)
    if order.status == OrderStatus.COLLECTED:
        raise _collected_error(
            Order.objects.select_related("collected_site", "collected_by").get(pk=order.pk)
        )
    order.campaign = campaign  # the site's, as checked above
    lookup = Lookup(order=order)
    if order.site_id != site.pk:
        lookup.other_site = True
        lookup.warnings.append(
            str(
                CampaignError(
                    CampaignErrorCode.OTHER_SITE, site=str(order.site), slot=_slot_text(order.slot)
                ).text
            )
        )
    elif not (order.slot.starts_at <= now < order.slot.ends_at):
        lookup.warnings.append(
            _("该订单预约的领取时段是%(slot)s,不是现在。") % {"slot": _slot_text(order.slot)}
        )
    return lookup


def pickup_confirm(*, staff: User, site: PickupSite, code: str, override: bool = False) -> Order:
    """Hand the boxes over: exactly one confirmation of an order succeeds, wherever and
    however many times it is scanned; an order of another site needs ``override``."""
    lookup = pickup_lookup(staff=staff, site=site, code=code)
    order = lookup.order
    if lookup.other_site and not override:
        raise CampaignError(CampaignErrorCode.OTHER_SITE, site=str(order.site), slot=_slot_text(order.slot))
    now = timezone.now()
    with transaction.atomic():
        before = snapshot(order)
        if not Order.objects.filter(pk=order.pk, status=OrderStatus.PLACED).update(
            status=OrderStatus.COLLECTED, collected_at=now, collected_by=staff, collected_site=site
        ):
            order.refresh_from_db()
            if order.status == OrderStatus.CANCELLED:
                raise CampaignError(CampaignErrorCode.ORDER_CANCELLED)
            raise _collected_error(
                Order.objects.select_related("collected_site", "collected_by").get(pk=order.pk)
            )
        order.status, order.collected_at = OrderStatus.COLLECTED, now
        order.collected_by, order.collected_site = staff, site
        record_change(actor=staff, instance=order, action=Action.UPDATE, before=before)
    return order
