"""The consumption API: suppliers, products and purchases, reached as on the pages (scoping.py).

An e-commerce platform posts purchases with ``Idempotency-Key``: a retried POST with the
same key (by the same token's user) returns the purchase the first one made, with 200
instead of 201, and records nothing new.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from bangfu.core.api import Page, page, require
from bangfu.core.permissions import Cap
from bangfu.regions.models import Region

from . import listings, selectors, services
from .models import (
    Channel,
    PaidBy,
    Product,
    ProductCategory,
    Purchase,
    PurchaseSource,
    Purpose,
    Supplier,
    SupplierKind,
)
from .scoping import get_scoped_or_404, reach

router = Router(tags=["consumption"])


class SupplierSchema(Schema):
    id: int
    name: str
    kind: str
    region_code: str
    organization_id: int | None
    credit_code: str
    contact_name: str
    address: str
    is_active: bool


class SupplierIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: SupplierKind
    region_code: str = Field(pattern=r"^\d{12}$")
    credit_code: str = Field(default="", max_length=18)
    contact_name: str = Field(default="", max_length=50)
    contact_phone: str = Field(default="", max_length=30)
    address: str = Field(default="", max_length=200)


class ProductSchema(Schema):
    id: int
    supplier_id: int
    name: str
    category: str
    specification: str
    unit: str
    price: Decimal
    is_active: bool
    certified: bool  # a valid, unrevoked certification covers it today


class ProductIn(Schema):
    supplier_id: int
    name: str = Field(min_length=1, max_length=100)
    category: ProductCategory
    specification: str = Field(default="", max_length=100)
    unit: str = Field(min_length=1, max_length=10)
    price: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    description: str = ""


class LineSchema(Schema):
    product_id: int
    quantity: int
    unit_price: Decimal
    amount: Decimal
    certified: bool  # on the purchase date, as recorded


class PurchaseSchema(Schema):
    id: int
    buyer_id: int
    supplier_id: int
    date: datetime.date
    channel: str
    purpose: str
    invoice_number: str
    paid_by: str
    union_id: int | None
    staff_name: str
    total_amount: Decimal
    certified_amount: Decimal
    source: str
    lines: list[LineSchema]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class PurchaseListSchema(Schema):
    id: int
    buyer_id: int
    supplier_id: int
    date: datetime.date
    channel: str
    purpose: str
    invoice_number: str
    paid_by: str
    total_amount: Decimal
    certified_amount: Decimal


class LineIn(Schema):
    product_id: int
    quantity: int
    unit_price: Decimal = Field(max_digits=14, decimal_places=2)
    amount: Decimal | None = Field(default=None, max_digits=14, decimal_places=2)


class PurchaseIn(Schema):
    buyer_id: int
    supplier_id: int
    date: datetime.date
    channel: Channel = Channel.ONLINE
    purpose: Purpose = Purpose.WELFARE
    invoice_number: str = Field(default="", max_length=50)
    paid_by: PaidBy = PaidBy.UNIT
    union_id: int | None = None
    staff_name: str = Field(default="", max_length=50)
    note: str = Field(default="", max_length=200)
    lines: list[LineIn] = Field(min_length=1, max_length=200)


@router.get("/suppliers", response=Page[SupplierSchema], summary="List suppliers in scope")
def supplier_list(request, limit: int = 100, offset: int = 0, q: str = "", kind: str = "", region: str = ""):
    return page(listings.suppliers, request, limit=limit, offset=offset)


@router.get("/suppliers/{supplier_id}", response=SupplierSchema)
def supplier_detail(request, supplier_id: int):
    require(request, Cap.CONSUMPTION_VIEW)
    return get_scoped_or_404(Supplier.objects.all(), request.user, Cap.CONSUMPTION_VIEW, pk=supplier_id)


@router.post("/suppliers", response={201: SupplierSchema}, summary="Create a supplier")
def supplier_create(request, payload: SupplierIn):
    require(request, Cap.SUPPLIER_MANAGE)
    data = payload.dict()
    code = data.pop("region_code")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region_code": f"unknown region code {code}"})
    found = reach(request.user, Cap.SUPPLIER_MANAGE)
    if not (found.nationwide or any(code.startswith(prefix) for prefix in found.prefixes)):
        raise ValidationError({"region_code": "region is outside your scope"})
    return Status(201, services.supplier_create(actor=request.user, region=region, **data))


def _product_out(product: Product) -> dict:
    today = timezone.localdate()
    return {
        **{name: getattr(product, name) for name in ProductSchema.model_fields if name != "certified"},
        "certified": any(c.covers(today) for c in product.certifications.all()),
    }


@router.get("/products", response=Page[ProductSchema], summary="List products in scope")
def product_list(
    request, limit: int = 100, offset: int = 0, q: str = "", category: str = "", supplier: int | None = None
):
    result = page(listings.products, request, limit=limit, offset=offset)
    result["results"] = [_product_out(product) for product in result["results"]]
    return result


@router.get("/products/{product_id}", response=ProductSchema)
def product_detail(request, product_id: int):
    require(request, Cap.CONSUMPTION_VIEW)
    product = get_scoped_or_404(
        Product.objects.prefetch_related("certifications"), request.user, Cap.CONSUMPTION_VIEW, pk=product_id
    )
    return _product_out(product)


@router.post("/products", response={201: ProductSchema}, summary="Create a product of a supplier you manage")
def product_create(request, payload: ProductIn):
    require(request, Cap.PRODUCT_MANAGE)
    data = payload.dict()
    supplier = (
        selectors.supplier_list(user=request.user, capability=Cap.PRODUCT_MANAGE)
        .filter(pk=data.pop("supplier_id"))
        .first()
    )
    if supplier is None:
        raise ValidationError({"supplier_id": "unknown supplier, or not one you manage"})
    product = services.product_create(actor=request.user, supplier=supplier, **data)
    return Status(201, _product_out(product))


@router.get("/purchases", response=Page[PurchaseListSchema], summary="List purchases in scope")
def purchase_list(
    request,
    limit: int = 100,
    offset: int = 0,
    year: int | None = None,
    buyer: int | None = None,
    supplier: int | None = None,
    channel: str = "",
    purpose: str = "",
):
    return page(listings.purchases, request, limit=limit, offset=offset)


@router.get("/purchases/{purchase_id}", response=PurchaseSchema)
def purchase_detail(request, purchase_id: int):
    require(request, Cap.CONSUMPTION_VIEW)
    return get_scoped_or_404(
        Purchase.objects.prefetch_related("lines"), request.user, Cap.CONSUMPTION_VIEW, pk=purchase_id
    )


@router.post(
    "/purchases",
    response={200: PurchaseSchema, 201: PurchaseSchema},
    summary="Record a purchase (send Idempotency-Key to make retries safe)",
)
def purchase_create(request, payload: PurchaseIn):
    require(request, Cap.PURCHASE_RECORD)
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > 100:
        raise ValidationError({"Idempotency-Key": "at most 100 characters"})
    units = selectors.buyer_units(user=request.user)
    buyer = units.filter(pk=payload.buyer_id).first()
    if buyer is None:
        raise ValidationError({"buyer_id": f"unknown organisation {payload.buyer_id}, or outside your scope"})
    union = None
    if payload.union_id is not None:
        union = units.filter(pk=payload.union_id).first()
        if union is None:
            raise ValidationError(
                {"union_id": f"unknown organisation {payload.union_id}, or outside your scope"}
            )
    supplier = selectors.supplier_list(user=request.user).filter(pk=payload.supplier_id).first()
    if supplier is None:
        raise ValidationError({"supplier_id": f"unknown supplier {payload.supplier_id}"})
    products = Product.objects.in_bulk([line.product_id for line in payload.lines])
    lines = []
    for index, line in enumerate(payload.lines):
        product = products.get(line.product_id)
        if product is None or product.supplier_id != supplier.pk:
            raise ValidationError(
                {f"lines.{index}.product_id": f"unknown product {line.product_id} of this supplier"}
            )
        lines.append(
            services.LineInput(
                product=product, quantity=line.quantity, unit_price=line.unit_price, amount=line.amount
            )
        )
    purchase, created = services.purchase_create(
        actor=request.user,
        buyer=buyer,
        supplier=supplier,
        date=payload.date,
        lines=lines,
        channel=payload.channel,
        purpose=payload.purpose,
        invoice_number=payload.invoice_number,
        paid_by=payload.paid_by,
        union=union,
        staff_name=payload.staff_name,
        note=payload.note,
        source=PurchaseSource.API,
        idempotency_key=key,
    )
    return Status(201 if created else 200, purchase)
