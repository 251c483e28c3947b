"""Campaign API: members list campaigns open to them, order (with an Idempotency-Key header),
see and cancel their orders; pickup staff look codes up and confirm handovers at their sites.

Refusals answer ``{"error": {"code": …, "message": …}}`` with a code from CampaignErrorCode.
"""

import datetime
import uuid
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Header, Router, Schema, Status
from pydantic import Field

from bangfu.core.api import require
from bangfu.core.permissions import Cap

from . import selectors, services
from .errors import CampaignError, CampaignErrorCode
from .models import CampaignItem, Order, PickupSlot
from .tokens import PickupToken

router = Router(tags=["campaigns"])

STATUS = {
    CampaignErrorCode.INVALID_QUANTITY: 422,
    CampaignErrorCode.PRICE_MISMATCH: 422,
    CampaignErrorCode.SLOT_MISMATCH: 422,
    CampaignErrorCode.INVALID_TOKEN: 422,
    CampaignErrorCode.EXPIRED_TOKEN: 422,
    CampaignErrorCode.UNKNOWN_CODE: 422,
    CampaignErrorCode.RATE_LIMITED: 429,
    CampaignErrorCode.NOT_ELIGIBLE: 404,
    CampaignErrorCode.NOT_STAFF: 404,
}


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorSchema(Schema):
    error: ErrorDetail


def _refusal(error: CampaignError):
    return Status(
        STATUS.get(error.error_code, 409), {"error": {"code": str(error.error_code), "message": error.text}}
    )


class LineSchema(Schema):
    product: str
    quantity: int


class ItemSchema(Schema):
    id: int
    name: str
    price: Decimal
    paid_by: str
    stock: int
    remaining: int
    lines: list[LineSchema]


class SlotSchema(Schema):
    id: int
    site_id: int
    site: str
    address: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    remaining: int


class CampaignSchema(Schema):
    id: int
    name: str
    organizer: str
    status: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    pickup_closes_at: datetime.datetime
    per_member_limit: int
    is_open: bool


class CampaignDetailSchema(CampaignSchema):
    description: str
    items: list[ItemSchema]
    slots: list[SlotSchema]


class OrderIn(Schema):
    item_id: int
    slot_id: int
    quantity: int
    price: Decimal | None = Field(
        default=None, description="the package price the member saw; refused if it changed"
    )


class OrderSchema(Schema):
    id: int
    campaign_id: int
    item_id: int
    item: str
    quantity: int
    unit_price: Decimal
    total: Decimal
    paid_by: str
    site_id: int
    slot_id: int
    status: str
    short_code: str | None
    pickup_code: str | None = Field(
        description="what the QR code carries (signed); while the order awaits pickup"
    )
    created_at: datetime.datetime
    collected_at: datetime.datetime | None


class ScanIn(Schema):
    site_id: int
    code: str = Field(max_length=200)
    override: bool = Field(default=False, description="hand over an order of another site here")


class ScannedOrderSchema(Schema):
    id: int
    member: str
    item: str
    quantity: int
    site: str
    slot: str
    status: str


class ScanSchema(Schema):
    order: ScannedOrderSchema
    other_site: bool
    warnings: list[str]


def _campaign(campaign) -> dict:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "organizer": campaign.organizer.name,
        "status": campaign.status,
        "opens_at": campaign.opens_at,
        "closes_at": campaign.closes_at,
        "pickup_closes_at": campaign.pickup_closes_at,
        "per_member_limit": campaign.per_member_limit,
        "is_open": campaign.is_open(),
        "description": campaign.description,
    }


def _order(order: Order) -> dict:
    waiting = order.status == "placed"
    return {
        "id": order.pk,
        "campaign_id": order.campaign_id,
        "item_id": order.item_id,
        "item": order.item.name,
        "quantity": order.quantity,
        "unit_price": order.unit_price,
        "total": order.total,
        "paid_by": order.paid_by,
        "site_id": order.site_id,
        "slot_id": order.slot_id,
        "status": order.status,
        "short_code": order.short_code_display if waiting else None,
        "pickup_code": PickupToken(order.token).signed() if waiting else None,
        "created_at": order.created_at,
        "collected_at": order.collected_at,
    }


def _member_campaign(request, campaign_id: int):
    require(request, Cap.CAMPAIGN_ORDER)
    return get_object_or_404(
        selectors.campaigns_for_member(user=request.user).select_related("organizer"), pk=campaign_id
    )


@router.get("", response=list[CampaignSchema], summary="Campaigns the caller may order from (not yet closed)")
def campaign_list(request):
    require(request, Cap.CAMPAIGN_ORDER)
    rows = (
        selectors.campaigns_for_member(user=request.user)
        .filter(closes_at__gt=timezone.now())
        .select_related("organizer")
        .order_by("closes_at", "pk")
    )
    return [_campaign(c) for c in rows]


@router.get("/orders/mine", response=list[OrderSchema], summary="The caller's orders")
def my_orders(request, limit: int = 100, offset: int = 0):
    require(request, Cap.CAMPAIGN_ORDER)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    rows = selectors.my_orders(user=request.user).order_by("-created_at", "-pk")[offset : offset + limit]
    return [_order(o) for o in rows]


@router.get(
    "/{int:campaign_id}", response=CampaignDetailSchema, summary="A campaign: packages and pickup slots"
)
def campaign_detail(request, campaign_id: int):
    campaign = _member_campaign(request, campaign_id)
    items = campaign.items.prefetch_related("lines__product").order_by("pk")
    return {
        **_campaign(campaign),
        "items": [
            {
                "id": i.pk,
                "name": i.name,
                "price": i.price,
                "paid_by": i.paid_by,
                "stock": i.stock,
                "remaining": i.remaining,
                "lines": [
                    {"product": str(line.product), "quantity": line.quantity} for line in i.lines.all()
                ],
            }
            for i in items
        ],
        "slots": [
            {
                "id": s.pk,
                "site_id": s.site_id,
                "site": s.site.name,
                "address": s.site.address,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "capacity": s.capacity,
                "remaining": s.remaining,
            }
            for s in selectors.open_slots(campaign)
        ],
    }


@router.post(
    "/{int:campaign_id}/orders",
    response={200: OrderSchema, 201: OrderSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema},
    summary="Place an order; the same Idempotency-Key again returns the first order (200)",
)
def order_place(request, campaign_id: int, payload: OrderIn, idempotency_key: str = Header(default="")):
    campaign = _member_campaign(request, campaign_id)
    item = (
        CampaignItem.objects.filter(campaign=campaign, pk=payload.item_id).select_related("campaign").first()
    )
    if item is None:
        return Status(422, {"error": {"code": "unknown_item", "message": "no such package in this campaign"}})
    slot = PickupSlot.objects.filter(pk=payload.slot_id).select_related("site").first()
    if slot is None:
        return _refusal(CampaignError(CampaignErrorCode.SLOT_MISMATCH))
    try:
        order, created = services.order_place(
            member=request.user,
            item=item,
            slot=slot,
            quantity=payload.quantity,
            idempotency_key=idempotency_key or uuid.uuid4().hex,
            expected_price=payload.price,
        )
    except CampaignError as error:
        return _refusal(error)
    return Status(201 if created else 200, _order(order))


@router.post(
    "/orders/{int:order_id}/cancel",
    response={200: OrderSchema, 409: ErrorSchema},
    summary="Cancel one's order before the order window closes",
)
def order_cancel(request, order_id: int):
    require(request, Cap.CAMPAIGN_ORDER)
    order = get_object_or_404(selectors.my_orders(user=request.user), pk=order_id)
    try:
        order = services.order_cancel(actor=request.user, order=order)
    except CampaignError as error:
        return _refusal(error)
    return _order(order)


def _site(request, site_id: int):
    require(request, Cap.PICKUP_SCAN)
    return get_object_or_404(selectors.sites_for_staff(user=request.user), pk=site_id)


def _scanned(order: Order) -> dict:
    return {
        "id": order.pk,
        "member": str(order.member),
        "item": order.item.name,
        "quantity": order.quantity,
        "site": order.site.name,
        "slot": str(order.slot),
        "status": order.status,
    }


@router.post(
    "/scan",
    response={200: ScanSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema, 429: ErrorSchema},
    summary="Pickup staff: what a QR code or short code names at a site",
)
def scan(request, payload: ScanIn):
    site = _site(request, payload.site_id)
    try:
        lookup = services.pickup_lookup(staff=request.user, site=site, code=payload.code)
    except CampaignError as error:
        return _refusal(error)
    return {"order": _scanned(lookup.order), "other_site": lookup.other_site, "warnings": lookup.warnings}


@router.post(
    "/scan/confirm",
    response={
        200: ScannedOrderSchema,
        404: ErrorSchema,
        409: ErrorSchema,
        422: ErrorSchema,
        429: ErrorSchema,
    },
    summary="Pickup staff: hand the order over (exactly once)",
)
def scan_confirm(request, payload: ScanIn):
    site = _site(request, payload.site_id)
    try:
        order = services.pickup_confirm(
            staff=request.user, site=site, code=payload.code, override=payload.override
        )
    except CampaignError as error:
        return _refusal(error)
    return _scanned(order)
