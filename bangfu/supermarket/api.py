"""The love-supermarket API: stores, their stock, donations and redemptions, scoped as on the pages.

Refusals answer ``{"error": {"code": …, "message": …}}`` with a code from SupermarketErrorCode
and write nothing.
"""

import datetime
from decimal import Decimal

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import Field

from bangfu.accounts.models import Organization
from bangfu.core.api import Page, page, require
from bangfu.core.permissions import Cap
from bangfu.core.scoping import get_scoped_or_404, scope
from bangfu.registry.models import Household

from . import listings, selectors, services
from .errors import SupermarketError, SupermarketErrorCode
from .models import Donation, Item, Redemption, StockBalance, Store

router = Router(tags=["supermarket"])

STATUS = {
    SupermarketErrorCode.INVALID_QUANTITY: 422,
    SupermarketErrorCode.EMPTY_BASKET: 422,
    SupermarketErrorCode.DUPLICATE_ITEM: 422,
    SupermarketErrorCode.DONOR_KIND_REQUIRED: 422,
    SupermarketErrorCode.DONOR_NAME_REQUIRED: 422,
    SupermarketErrorCode.EMPTY_DONATION: 422,
    SupermarketErrorCode.INVALID_AMOUNT: 422,
    SupermarketErrorCode.INVALID_DATE: 422,
    SupermarketErrorCode.ITEM_NOT_AVAILABLE: 422,
    SupermarketErrorCode.NOT_KEEPER: 404,
}


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorSchema(Schema):
    error: ErrorDetail


def _refusal(error: SupermarketError):
    return Status(
        STATUS.get(error.error_code, 409), {"error": {"code": str(error.error_code), "message": error.text}}
    )


class StoreSchema(Schema):
    id: int
    name: str
    region_code: str
    organization_id: int
    opened_on: datetime.date
    closed_on: datetime.date | None
    status: str
    point_value: Decimal


class StockSchema(Schema):
    item_id: int
    item: str
    unit: str
    points_price: int
    quantity: int


class DonationLineSchema(Schema):
    item_id: int
    quantity: int
    value: Decimal


class DonationSchema(Schema):
    id: int
    store_id: int
    receipt_number: str
    donor_kind: str
    donor_name: str
    show_on_board: bool
    date: datetime.date
    cash: Decimal
    goods_value: Decimal
    entry_hash: str
    lines: list[DonationLineSchema]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class DonationLineIn(Schema):
    item_id: int
    quantity: int
    value: Decimal | None = Field(default=None, max_digits=14, decimal_places=2)


class DonationIn(Schema):
    store_id: int
    donor_kind: str = ""
    donor_name: str = Field(default="", max_length=100)
    donor_organization_id: int | None = None
    show_on_board: bool = False
    date: datetime.date
    cash: Decimal | None = Field(default=None, max_digits=14, decimal_places=2)
    note: str = Field(default="", max_length=200)
    lines: list[DonationLineIn] = Field(default_factory=list, max_length=200)


class RedemptionLineSchema(Schema):
    item_id: int
    quantity: int
    points: int
    value: Decimal


class RedemptionSchema(Schema):
    id: int
    store_id: int
    household_id: int
    receipt_number: str
    date: datetime.date
    delivery: str
    points: int
    value: Decimal
    lines: list[RedemptionLineSchema]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class BasketLineIn(Schema):
    item_id: int
    quantity: int


class RedemptionIn(Schema):
    store_id: int
    household_code: str = Field(min_length=1, max_length=30)
    lines: list[BasketLineIn] = Field(max_length=50)


@router.get("/stores", response=Page[StoreSchema], summary="List stores in scope")
def store_list(request, limit: int = 100, offset: int = 0, q: str = "", status: str = ""):
    return page(listings.stores, request, limit=limit, offset=offset)


@router.get("/stores/{store_id}", response=StoreSchema)
def store_detail(request, store_id: int):
    require(request, Cap.SUPERMARKET_VIEW)
    return get_scoped_or_404(Store.objects.all(), request.user, Cap.SUPERMARKET_VIEW, pk=store_id)


@router.get("/stores/{store_id}/stock", response=list[StockSchema], summary="A store's stock per item")
def store_stock(request, store_id: int):
    require(request, Cap.SUPERMARKET_VIEW)
    store = get_scoped_or_404(Store.objects.all(), request.user, Cap.SUPERMARKET_VIEW, pk=store_id)
    balances = StockBalance.objects.filter(store=store).select_related("item").order_by("item__name")
    return [
        {
            "item_id": b.item_id,
            "item": b.item.name,
            "unit": b.item.unit,
            "points_price": b.item.points_price,
            "quantity": b.quantity,
        }
        for b in balances
    ]


@router.get("/donations", response=Page[DonationSchema], summary="List donations in scope")
def donation_list(
    request, limit: int = 100, offset: int = 0, store: int | None = None, year: int | None = None
):
    result = page(listings.donations, request, limit=limit, offset=offset)
    return result


@router.get("/donations/{donation_id}", response=DonationSchema)
def donation_detail(request, donation_id: int):
    require(request, Cap.SUPERMARKET_VIEW)
    return get_scoped_or_404(
        Donation.objects.prefetch_related("lines"), request.user, Cap.SUPERMARKET_VIEW, pk=donation_id
    )


@router.post("/donations", response={201: DonationSchema, 409: ErrorSchema, 422: ErrorSchema})
def donation_create(request, payload: DonationIn):
    require(request, Cap.DONATION_RECORD)
    store = get_scoped_or_404(Store.objects.all(), request.user, Cap.DONATION_RECORD, pk=payload.store_id)
    items = {item.pk: item for item in Item.objects.filter(pk__in=[line.item_id for line in payload.lines])}
    organization = None
    if payload.donor_organization_id is not None:
        organization = get_scoped_or_404(
            Organization.objects.all(), request.user, Cap.ORGANIZATION_VIEW, pk=payload.donor_organization_id
        )
    try:
        lines = []
        for line in payload.lines:
            item = items.get(line.item_id)
            if item is None:
                raise SupermarketError(
                    SupermarketErrorCode.ITEM_NOT_AVAILABLE, "lines", item=str(line.item_id)
                )
            value = line.value if line.value is not None else item.reference_value * max(line.quantity, 0)
            lines.append(services.DonationLineInput(item=item, quantity=line.quantity, value=value))
        donation = services.donation_record(
            actor=request.user,
            store=store,
            donor_kind=payload.donor_kind,
            donor_name=payload.donor_name,
            donor_organization=organization,
            show_on_board=payload.show_on_board,
            date=payload.date,
            cash=payload.cash,
            note=payload.note,
            lines=lines,
        )
    except SupermarketError as error:
        return _refusal(error)
    return Status(201, donation)


@router.get("/redemptions", response=Page[RedemptionSchema], summary="List redemptions in scope")
def redemption_list(
    request, limit: int = 100, offset: int = 0, store: int | None = None, year: int | None = None
):
    return page(listings.redemptions, request, limit=limit, offset=offset)


@router.get("/redemptions/{redemption_id}", response=RedemptionSchema)
def redemption_detail(request, redemption_id: int):
    require(request, Cap.SUPERMARKET_VIEW)
    return get_scoped_or_404(
        Redemption.objects.prefetch_related("lines"), request.user, Cap.SUPERMARKET_VIEW, pk=redemption_id
    )


@router.post(
    "/redemptions", response={201: RedemptionSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema}
)
def redemption_create(request, payload: RedemptionIn):
    """Redeem at a counter: points and stock are checked and written together, or nothing is."""
    require(request, Cap.SUPERMARKET_COUNTER)
    store = selectors.counter_stores(user=request.user).filter(pk=payload.store_id).first()
    if store is None:
        raise Http404
    household = (
        scope(Household.objects.all(), request.user, Cap.SUPERMARKET_VIEW)
        .filter(code=payload.household_code)
        .first()
    )
    items = {item.pk: item for item in Item.objects.filter(pk__in=[line.item_id for line in payload.lines])}
    try:
        if household is None:
            raise SupermarketError(SupermarketErrorCode.NOT_ENROLLED, "household")
        lines = []
        for line in payload.lines:
            item = items.get(line.item_id)
            if item is None:
                raise SupermarketError(
                    SupermarketErrorCode.ITEM_NOT_AVAILABLE, "lines", item=str(line.item_id)
                )
            lines.append(services.BasketLine(item=item, quantity=line.quantity))
        redemption = services.redemption_create(
            actor=request.user, store=store, household=household, lines=lines
        )
    except SupermarketError as error:
        return _refusal(error)
    return Status(201, redemption)
