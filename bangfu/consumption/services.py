"""Every write of the consumption app, each in one transaction with its audit entry.

Rules that surface as field errors (codes in errors.ErrorCode):
- a purchase has at least one line; each line's product belongs to the purchase's
  supplier and appears once; quantities are positive integers, unit prices positive;
  a stated line amount must equal quantity × unit price within 0.01 yuan;
- a purchase date is not in the future;
- a purchase paid by the unit's union names the union; one paid by a member of staff names them;
- whether a line's product was certified is decided when the line is written, for the
  purchase date, and kept: revoking or changing a certification later does not rewrite it.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import Organization, OrganizationKind
from bangfu.audit.models import Action
from bangfu.audit.services import (
    acting_user,
    audited_create,
    audited_update,
    record_change,
    record_related,
    snapshot,
)
from bangfu.core.permissions import Cap

from .errors import ErrorCode
from .models import (
    DEFAULT_SHARE,
    Certification,
    Declaration,
    HouseholdLink,
    PaidBy,
    Product,
    Purchase,
    PurchaseLine,
    PurchaseSource,
    Quota,
    QuotaKind,
    Supplier,
)
from .scoping import reaches

CENT = Decimal("0.01")
AMOUNT_TOLERANCE = Decimal("0.01")
EARLIEST_YEAR = 2000
MAX_PHOTO_BYTES = 2 * 1024 * 1024


def _error(field: str, message, code) -> ValidationError:
    """A field error that keeps its code (a dict of plain messages would drop it)."""
    return ValidationError({field: [ValidationError(message, code=code)]})


def _record_extra(*, actor, instance, changes: dict) -> None:
    """Changes a row snapshot does not hold (many-to-many, child lines), recorded on the parent."""
    record_related(actor=actor, instance=instance, changes=changes)


def _check_reach(actor, capability: str, obj, field: str) -> None:
    """Services called on behalf of a user refuse objects the user does not reach."""
    if acting_user(actor) is not None and not reaches(actor, capability, obj):
        raise _error(field, _("不存在或不在您的管辖范围内。"), ErrorCode.OUT_OF_SCOPE)


# Suppliers, products, certifications -----------------------------------------------------------


def supplier_create(*, actor, region, name: str, kind: str, **fields) -> Supplier:
    supplier = Supplier(name=name, kind=kind, region=region, region_code=region.code, **fields)
    return audited_create(actor=actor, instance=supplier)


def supplier_update(*, actor, supplier: Supplier, data: dict[str, Any]) -> Supplier:
    data = dict(data)
    with transaction.atomic():
        if "region" in data:
            data["region_code"] = data["region"].code
        audited_update(actor=actor, instance=supplier, data=data)
        if "region_code" in data:
            # rows scoped by the supplier's region follow it
            supplier.products.update(region_code=supplier.region_code)
            supplier.certifications.update(region_code=supplier.region_code)
            supplier.household_links.update(region_code=supplier.region_code)
            supplier.purchases.update(supplier_region_code=supplier.region_code)
    return supplier


def _check_photo(photo) -> None:
    if photo and getattr(photo, "size", 0) > MAX_PHOTO_BYTES:
        raise _error(
            "photo",
            _("图片不能超过%(mb)dMB。") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)},
            ErrorCode.PHOTO_TOO_LARGE,
        )


def product_create(
    *, actor, supplier: Supplier, name: str, category: str, unit: str, price, **fields
) -> Product:
    _check_reach(actor, Cap.PRODUCT_MANAGE, supplier, "supplier")
    _check_photo(fields.get("photo"))
    product = Product(
        supplier=supplier,
        region_code=supplier.region_code,
        name=name,
        category=category,
        unit=unit,
        price=Decimal(price),
        **fields,
    )
    with transaction.atomic():
        audited_create(actor=actor, instance=product)
        if product.photo:
            _record_extra(actor=actor, instance=product, changes={"photo": [None, product.photo.name]})
    return product


def product_update(*, actor, product: Product, data: dict[str, Any]) -> Product:
    data = dict(data)
    data.pop("supplier", None)  # a product stays with its supplier
    _check_photo(data.get("photo"))
    with transaction.atomic():
        before = product.photo.name or None
        audited_update(actor=actor, instance=product, data=data)
        after = product.photo.name or None
        if before != after:
            _record_extra(actor=actor, instance=product, changes={"photo": [before, after]})
    return product


def _covered(supplier: Supplier, products) -> list[Product]:
    products = list(products)
    foreign = [p for p in products if p.supplier_id != supplier.pk]
    if foreign:
        raise _error(
            "products",
            _("只能认定该供应商自己的产品:%(names)s") % {"names": "、".join(str(p) for p in foreign)},
            ErrorCode.PRODUCTS_OF_OTHER_SUPPLIER,
        )
    return products


def _product_ids(certification: Certification) -> list[int]:
    return sorted(certification.products.values_list("pk", flat=True))


def certification_create(
    *, actor, supplier: Supplier, body: str, number: str, valid_from, valid_to, products=(), **fields
) -> Certification:
    products = _covered(supplier, products)
    if valid_from and valid_to and valid_to < valid_from:
        raise _error("valid_to", _("有效期止不能早于有效期起。"), ErrorCode.PERIOD_REVERSED)
    with transaction.atomic():
        certification = audited_create(
            actor=actor,
            instance=Certification(
                supplier=supplier,
                region_code=supplier.region_code,
                body=body,
                number=number,
                valid_from=valid_from,
                valid_to=valid_to,
                **fields,
            ),
        )
        if products:
            certification.products.set(products)
            _record_extra(
                actor=actor, instance=certification, changes={"products": [[], _product_ids(certification)]}
            )
    return certification


def certification_update(
    *, actor, certification: Certification, data: dict[str, Any], products=None
) -> Certification:
    """Changing a certification never rewrites purchases already recorded (their lines keep their snapshot)."""
    data = dict(data)
    data.pop("supplier", None)
    if products is not None:
        products = _covered(certification.supplier, products)
    start = data.get("valid_from", certification.valid_from)
    end = data.get("valid_to", certification.valid_to)
    if start and end and end < start:
        raise _error("valid_to", _("有效期止不能早于有效期起。"), ErrorCode.PERIOD_REVERSED)
    with transaction.atomic():
        audited_update(actor=actor, instance=certification, data=data)
        if products is not None:
            before = _product_ids(certification)
            certification.products.set(products)
            after = _product_ids(certification)
            if before != after:
                _record_extra(actor=actor, instance=certification, changes={"products": [before, after]})
    return certification


# Purchases -------------------------------------------------------------------------------------


@dataclass
class LineInput:
    product: Product
    quantity: int
    unit_price: Decimal
    amount: Decimal | None = None  # as stated by the source; checked against quantity × unit price


def certification_on(products: list[Product], day: datetime.date) -> dict[int, Certification]:
    """For each product a valid, unrevoked certification covers on ``day``: the one valid longest."""
    through = Certification.products.through
    rows = (
        through.objects.filter(
            product_id__in=[p.pk for p in products],
            certification__valid_from__lte=day,
            certification__valid_to__gte=day,
            certification__is_revoked=False,
        )
        .select_related("certification")
        .order_by("product_id", "-certification__valid_to", "certification_id")
    )
    found: dict[int, Certification] = {}
    for row in rows:
        found.setdefault(row.product_id, row.certification)
    return found


def _check_purchase(*, buyer, supplier, date, lines: list[LineInput], paid_by, union, staff_name) -> None:
    errors: dict[str, list[str]] = {}

    def add(field, message, code):
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    today = timezone.localdate()
    if date is None:
        add("date", _("请填写采购日期。"), "required")
    elif date > today:
        add("date", _("采购日期不能晚于今天。"), ErrorCode.FUTURE_DATE)
    elif date.year < EARLIEST_YEAR:
        add("date", _("采购日期不能早于%(year)d年。") % {"year": EARLIEST_YEAR}, ErrorCode.DATE_TOO_OLD)
    if paid_by == PaidBy.UNION:
        if union is None:
            add("union", _("由工会采购时请选择工会。"), ErrorCode.UNION_REQUIRED)
        elif union.kind != OrganizationKind.UNION:
            add("union", _("所选单位不是工会。"), ErrorCode.NOT_A_UNION)
    if paid_by == PaidBy.STAFF and not (staff_name or "").strip():
        add("staff_name", _("由职工个人采购时请填写职工姓名。"), ErrorCode.STAFF_NAME_REQUIRED)
    if not lines:
        add("lines", _("至少需要一条采购明细。"), ErrorCode.NO_LINES)
    seen: set[int] = set()
    for index, line in enumerate(lines, start=1):
        prefix = _("第%(n)d行:") % {"n": index}
        if supplier is not None and line.product.supplier_id != supplier.pk:
            add(
                "lines",
                prefix + _("产品“%(product)s”不属于该供应商。") % {"product": line.product},
                ErrorCode.PRODUCT_NOT_OF_SUPPLIER,
            )
        if line.product.pk in seen:
            add(
                "lines",
                prefix + _("产品“%(product)s”重复,请合并为一行。") % {"product": line.product},
                ErrorCode.DUPLICATE_PRODUCT,
            )
        seen.add(line.product.pk)
        if line.quantity is None or line.quantity <= 0:
            add("lines", prefix + _("数量应为正整数。"), ErrorCode.QUANTITY_NOT_POSITIVE)
        if line.unit_price is None or line.unit_price <= 0:
            add("lines", prefix + _("单价应大于0。"), ErrorCode.PRICE_NOT_POSITIVE)
        elif line.amount is not None and line.quantity and line.quantity > 0:
            expected = line.unit_price * line.quantity
            if abs(expected - line.amount) > AMOUNT_TOLERANCE:
                add(
                    "lines",
                    prefix
                    + _("金额%(amount)s与数量×单价=%(expected)s不符。")
                    % {"amount": line.amount, "expected": expected.quantize(CENT)},
                    ErrorCode.AMOUNT_MISMATCH,
                )
    if errors:
        raise ValidationError(errors)


def _write_lines(purchase: Purchase, lines: list[LineInput]) -> None:
    covering = certification_on([line.product for line in lines], purchase.date)
    rows = []
    for line in lines:
        certification = covering.get(line.product.pk)
        rows.append(
            PurchaseLine(
                purchase=purchase,
                product=line.product,
                quantity=line.quantity,
                unit_price=line.unit_price.quantize(CENT),
                amount=(line.unit_price * line.quantity).quantize(CENT),
                certified=certification is not None,
                certification=certification,
            )
        )
    PurchaseLine.objects.bulk_create(rows)
    purchase.total_amount = sum((row.amount for row in rows), Decimal("0"))
    purchase.certified_amount = sum((row.amount for row in rows if row.certified), Decimal("0"))
    purchase.save(update_fields=["total_amount", "certified_amount"])


def _line_summary(purchase: Purchase) -> list[list]:
    return [
        [line.product_id, line.quantity, str(line.unit_price), str(line.amount), line.certified]
        for line in purchase.lines.order_by("product_id")
    ]


def purchase_create(
    *,
    actor,
    buyer: Organization,
    supplier: Supplier,
    date: datetime.date,
    lines: list[LineInput],
    channel: str = "direct",
    purpose: str = "welfare",
    invoice_number: str = "",
    paid_by: str = PaidBy.UNIT,
    union: Organization | None = None,
    staff_name: str = "",
    note: str = "",
    source: str = PurchaseSource.FORM,
    idempotency_key: str = "",
) -> tuple[Purchase, bool]:
    """Record a purchase; returns (purchase, created). With an idempotency key, a repeated call
    by the same user returns the purchase the first call made instead of recording it twice."""
    user = acting_user(actor)
    if idempotency_key and user is not None:
        existing = Purchase.objects.filter(recorded_by=user, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    if user is not None and not buyer_units(user=user).filter(pk=buyer.pk).exists():
        raise _error("buyer", _("不存在或不在您的管辖范围内。"), ErrorCode.OUT_OF_SCOPE)
    if union is not None and user is not None and not buyer_units(user=user).filter(pk=union.pk).exists():
        raise _error("union", _("不存在或不在您的管辖范围内。"), ErrorCode.OUT_OF_SCOPE)
    if paid_by != PaidBy.UNION:
        union = None
    if paid_by != PaidBy.STAFF:
        staff_name = ""
    _check_purchase(
        buyer=buyer,
        supplier=supplier,
        date=date,
        lines=lines,
        paid_by=paid_by,
        union=union,
        staff_name=staff_name,
    )
    purchase = Purchase(
        buyer=buyer,
        region_code=buyer.region_code,
        supplier=supplier,
        supplier_region_code=supplier.region_code,
        date=date,
        channel=channel,
        purpose=purpose,
        invoice_number=(invoice_number or "").strip(),
        paid_by=paid_by,
        union=union,
        staff_name=(staff_name or "").strip(),
        note=note or "",
        source=source,
        idempotency_key=idempotency_key or "",
        recorded_by=user,
    )
    try:
        with transaction.atomic():
            purchase.full_clean(exclude=["total_amount", "certified_amount"])
            purchase.save(force_insert=True)
            _write_lines(purchase, lines)
            record_change(actor=actor, instance=purchase, action=Action.CREATE)
            _record_extra(actor=actor, instance=purchase, changes={"lines": [[], _line_summary(purchase)]})
    except IntegrityError:
        if idempotency_key and user is not None:
            # a concurrent request with the same key won the race: answer with its purchase
            existing = Purchase.objects.filter(recorded_by=user, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing, False
        raise
    return purchase, True


def purchase_update(
    *, actor, purchase: Purchase, data: dict[str, Any], lines: list[LineInput] | None = None
) -> Purchase:
    """Change a purchase; new lines replace the old ones and their certification is looked up again
    for the purchase date with what is known now (the update is the moment of recording)."""
    data = dict(data)
    for name in ("buyer", "union"):
        if data.get(name) is not None and acting_user(actor) is not None:
            if not buyer_units(user=actor).filter(pk=data[name].pk).exists():
                raise _error(name, _("不存在或不在您的管辖范围内。"), ErrorCode.OUT_OF_SCOPE)
    merged = {
        name: data.get(name, getattr(purchase, name))
        for name in ("buyer", "supplier", "date", "paid_by", "union", "staff_name")
    }
    if merged["paid_by"] != PaidBy.UNION:
        merged["union"] = data["union"] = None
    if merged["paid_by"] != PaidBy.STAFF:
        merged["staff_name"] = data["staff_name"] = ""
    check_lines = lines
    if check_lines is None:
        check_lines = [
            LineInput(product=line.product, quantity=line.quantity, unit_price=line.unit_price)
            for line in purchase.lines.select_related("product")
        ]
    _check_purchase(lines=check_lines, **merged)
    if "buyer" in data:
        data["region_code"] = data["buyer"].region_code
    if "supplier" in data:
        data["supplier_region_code"] = data["supplier"].region_code
    with transaction.atomic():
        before_lines = _line_summary(purchase)
        before = snapshot(purchase)
        for name, value in data.items():
            setattr(purchase, name, value)
        purchase.full_clean(exclude=["total_amount", "certified_amount"])
        purchase.save()
        if lines is not None or "date" in data:
            replacement = check_lines
            purchase.lines.all().delete()
            _write_lines(purchase, replacement)
        record_change(actor=actor, instance=purchase, action=Action.UPDATE, before=before)
        after_lines = _line_summary(purchase)
        if after_lines != before_lines:
            _record_extra(actor=actor, instance=purchase, changes={"lines": [before_lines, after_lines]})
    return purchase


def buyer_units(*, user):
    """The organisations ``user`` may record purchases for (see scoping.py)."""
    from .selectors import buyer_units as select

    return select(user=user)


# Quotas and declarations -------------------------------------------------------------------------


def _check_year(year: int) -> None:
    if year is None or not EARLIEST_YEAR <= year <= timezone.localdate().year + 1:
        raise _error("year", _("年度应在2000年到明年之间。"), ErrorCode.YEAR_OUT_OF_RANGE)


def quota_save(
    *,
    actor,
    organization: Organization,
    year: int,
    kind: str,
    share_percent: Decimal | None = None,
    has_canteen: bool = True,
    canteen_outsourced: bool = False,
    filed_by: Organization | None = None,
    note: str = "",
) -> Quota:
    """Create or change the quota of one unit, year and kind (the share defaults to the kind's)."""
    _check_year(year)
    share = Decimal(share_percent) if share_percent is not None else DEFAULT_SHARE[QuotaKind(kind)]
    if not Decimal("0") < share <= Decimal("100"):
        raise _error("share_percent", _("比例应大于0且不超过100。"), ErrorCode.SHARE_OUT_OF_RANGE)
    if filed_by is not None and filed_by.pk == organization.pk:
        raise _error("filed_by", _("合并填报单位不能是本单位。"), ErrorCode.FILED_BY_SELF)
    data = {
        "share_percent": share,
        "has_canteen": has_canteen,
        "canteen_outsourced": canteen_outsourced,
        "filed_by": filed_by,
        "note": note or "",
    }
    with transaction.atomic():
        quota = (
            Quota.objects.select_for_update().filter(organization=organization, year=year, kind=kind).first()
        )
        if quota is None:
            return audited_create(
                actor=actor,
                instance=Quota(
                    organization=organization,
                    region_code=organization.region_code,
                    year=year,
                    kind=kind,
                    **data,
                ),
            )
        return audited_update(actor=actor, instance=quota, data=data)


def quota_update(*, actor, quota: Quota, data: dict[str, Any]) -> Quota:
    data = dict(data)
    for fixed in ("organization", "year", "kind"):
        data.pop(fixed, None)
    share = data.get("share_percent", quota.share_percent)
    if share is None or not Decimal("0") < Decimal(share) <= Decimal("100"):
        raise _error("share_percent", _("比例应大于0且不超过100。"), ErrorCode.SHARE_OUT_OF_RANGE)
    filed_by = data.get("filed_by", quota.filed_by)
    if filed_by is not None and filed_by.pk == quota.organization_id:
        raise _error("filed_by", _("合并填报单位不能是本单位。"), ErrorCode.FILED_BY_SELF)
    return audited_update(actor=actor, instance=quota, data=data)


def declaration_save(
    *, actor, organization: Organization, year: int, welfare_total=None, food_total=None, note: str = ""
) -> Declaration:
    """A unit's declared spending totals for a year; declaring again replaces them (audited)."""
    _check_year(year)
    for name, value in (("welfare_total", welfare_total), ("food_total", food_total)):
        if value is not None and Decimal(value) < 0:
            raise _error(name, _("金额不能为负数。"), ErrorCode.NEGATIVE_AMOUNT)
    data = {
        "welfare_total": welfare_total,
        "food_total": food_total,
        "note": note or "",
        "declared_by": acting_user(actor),
        "declared_at": timezone.now(),
    }
    with transaction.atomic():
        found = Declaration.objects.select_for_update().filter(organization=organization, year=year).first()
        if found is None:
            return audited_create(
                actor=actor,
                instance=Declaration(
                    organization=organization, region_code=organization.region_code, year=year, **data
                ),
            )
        return audited_update(actor=actor, instance=found, data=data)


# Household links (联农带农) -------------------------------------------------------------------------


def household_link_save(
    *, actor, supplier: Supplier, household, kind: str, year: int, amount=None, note: str = ""
) -> HouseholdLink:
    """Record (or change) that ``supplier`` buys from, employs or pays dividends to ``household`` in ``year``."""
    _check_year(year)
    if amount is not None and Decimal(amount) < 0:
        raise _error("amount", _("金额不能为负数。"), ErrorCode.NEGATIVE_AMOUNT)
    with transaction.atomic():
        found = (
            HouseholdLink.objects.select_for_update()
            .filter(supplier=supplier, household=household, kind=kind, year=year)
            .first()
        )
        if found is None:
            return audited_create(
                actor=actor,
                instance=HouseholdLink(
                    supplier=supplier,
                    region_code=supplier.region_code,
                    household=household,
                    household_region_code=household.region_code,
                    kind=kind,
                    year=year,
                    amount=amount,
                    note=note or "",
                ),
            )
        return audited_update(actor=actor, instance=found, data={"amount": amount, "note": note or ""})


def household_link_delete(*, actor, link: HouseholdLink) -> None:
    from bangfu.audit.services import audited_delete

    audited_delete(actor=actor, instance=link)
