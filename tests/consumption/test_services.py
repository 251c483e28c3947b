"""Consumption services: the certified-on-date snapshot, purchase checks (each leaving nothing behind),
idempotency, certifications and their audit."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bangfu.audit.models import ChangeRecord
from bangfu.consumption import services
from bangfu.consumption.errors import ErrorCode
from bangfu.consumption.models import PaidBy, Purchase, PurchaseSource

from .conftest import DAY

pytestmark = pytest.mark.django_db


def codes(error: ValidationError, field: str) -> set[str]:
    return {e.code for e in error.error_dict[field]}


def test_lines_keep_whether_the_product_was_certified_on_the_purchase_date(world):
    purchase = world.buy(lines=[(world.mushroom, 10, "68.00"), (world.fungus, 4, "39.00")])
    assert purchase.total_amount == Decimal("836.00")
    assert purchase.certified_amount == Decimal("680.00")
    line = purchase.lines.get(product=world.mushroom)
    assert (line.certified, line.certification) == (True, world.certification)
    assert not purchase.lines.get(product=world.fungus).certified

    services.certification_update(actor=None, certification=world.certification, data={"is_revoked": True})

    purchase.refresh_from_db()
    assert purchase.certified_amount == Decimal("680.00")  # history is not rewritten
    assert purchase.lines.get(product=world.mushroom).certified
    later = world.buy(date=DAY + datetime.timedelta(days=1))
    assert later.certified_amount == Decimal("0")


def test_certified_only_inside_the_validity_period(world):
    before = world.buy(date=datetime.date(2024, 12, 31))
    first_day = world.buy(date=datetime.date(2025, 1, 1), invoice_number="2")
    assert before.certified_amount == 0
    assert first_day.certified_amount == Decimal("680.00")
    assert world.mushroom.certified_on(datetime.date(2025, 12, 31))
    assert not world.mushroom.certified_on(datetime.date(2026, 1, 1))


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"date": "tomorrow"}, "date", ErrorCode.FUTURE_DATE),
        ({"lines": [("mushroom", 0, "68.00")]}, "lines", ErrorCode.QUANTITY_NOT_POSITIVE),
        ({"lines": [("mushroom", -3, "68.00")]}, "lines", ErrorCode.QUANTITY_NOT_POSITIVE),
        ({"lines": [("mushroom", 1, "0")]}, "lines", ErrorCode.PRICE_NOT_POSITIVE),
        ({"lines": [("honey", 1, "45.00")]}, "lines", ErrorCode.PRODUCT_NOT_OF_SUPPLIER),
        (
            {"lines": [("mushroom", 1, "68.00"), ("mushroom", 2, "68.00")]},
            "lines",
            ErrorCode.DUPLICATE_PRODUCT,
        ),
        ({"lines": []}, "lines", ErrorCode.NO_LINES),
        ({"paid_by": PaidBy.UNION}, "union", ErrorCode.UNION_REQUIRED),
        ({"paid_by": PaidBy.UNION, "union": "hospital"}, "union", ErrorCode.NOT_A_UNION),
        ({"paid_by": PaidBy.STAFF}, "staff_name", ErrorCode.STAFF_NAME_REQUIRED),
    ],
)
def test_bad_purchases_are_refused_and_write_nothing(world, unchanged, change, field, code):
    kwargs = {
        "actor": None,
        "buyer": world.union,
        "supplier": world.coop,
        "date": DAY,
        "lines": [services.LineInput(product=world.mushroom, quantity=1, unit_price=Decimal("68.00"))],
    }
    for name, value in change.items():
        if name == "lines":
            value = [
                services.LineInput(product=getattr(world, p), quantity=q, unit_price=Decimal(u))
                for p, q, u in value
            ]
        elif name == "union":
            value = getattr(world, value)
        elif value == "tomorrow":
            value = timezone.localdate() + datetime.timedelta(days=1)
        kwargs[name] = value
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.purchase_create(**kwargs)
    assert code in codes(caught.value, field)


def test_a_stated_amount_may_differ_by_one_fen_and_no_more(world, unchanged):
    def line(amount):
        return [
            services.LineInput(product=world.mushroom, quantity=3, unit_price=Decimal("68.00"), amount=amount)
        ]

    purchase, _ = services.purchase_create(
        actor=None, buyer=world.union, supplier=world.coop, date=DAY, lines=line(Decimal("204.01"))
    )
    assert purchase.total_amount == Decimal("204.00")  # quantity × unit price is what is stored
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.purchase_create(
            actor=None, buyer=world.union, supplier=world.coop, date=DAY, lines=line(Decimal("204.02"))
        )
    assert ErrorCode.AMOUNT_MISMATCH in codes(caught.value, "lines")


def test_a_buyer_outside_the_actors_reach_is_refused(world, unchanged, far_office):
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.purchase_create(
            actor=far_office,
            buyer=world.union,
            supplier=world.coop,
            date=DAY,
            lines=[services.LineInput(product=world.mushroom, quantity=1, unit_price=Decimal("68.00"))],
        )
    assert ErrorCode.OUT_OF_SCOPE in codes(caught.value, "buyer")


def test_the_same_idempotency_key_records_one_purchase(world, office):
    kwargs = {
        "actor": office,
        "buyer": world.union,
        "supplier": world.coop,
        "date": DAY,
        "lines": [services.LineInput(product=world.mushroom, quantity=1, unit_price=Decimal("68.00"))],
        "source": PurchaseSource.API,
        "idempotency_key": "order-17",
    }
    first, created = services.purchase_create(**kwargs)
    again, created_again = services.purchase_create(**kwargs)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Purchase.objects.count() == 1
    other, created_other = services.purchase_create(**{**kwargs, "idempotency_key": "order-18"})
    assert created_other and other.pk != first.pk


def test_purchase_writes_its_audit_with_the_lines(world, office):
    purchase = world.buy()
    records = ChangeRecord.objects.filter(object_id=str(purchase.pk), content_type__model="purchase")
    assert records.count() == 2
    assert any("lines" in r.changes for r in records)


def test_update_replaces_lines_and_looks_certification_up_again(world):
    purchase = world.buy(lines=[(world.fungus, 2, "39.00")])
    assert purchase.certified_amount == 0
    services.purchase_update(
        actor=None,
        purchase=purchase,
        data={"invoice_number": "A-1"},
        lines=[services.LineInput(product=world.mushroom, quantity=1, unit_price=Decimal("70.00"))],
    )
    purchase.refresh_from_db()
    assert (purchase.total_amount, purchase.certified_amount, purchase.invoice_number) == (
        Decimal("70.00"),
        Decimal("70.00"),
        "A-1",
    )
    assert purchase.lines.count() == 1


def test_a_certification_covers_only_its_suppliers_products(world, unchanged):
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.certification_create(
            actor=None,
            supplier=world.coop,
            body="X",
            number="X-1",
            valid_from=DAY,
            valid_to=DAY,
            products=[world.honey],
        )
    assert ErrorCode.PRODUCTS_OF_OTHER_SUPPLIER in codes(caught.value, "products")
    with unchanged(), pytest.raises(ValidationError):
        services.certification_create(
            actor=None,
            supplier=world.coop,
            body="X",
            number="X-2",
            valid_from=DAY,
            valid_to=DAY - datetime.timedelta(1),
        )


def test_certification_product_changes_are_audited(world):
    services.certification_update(
        actor=None, certification=world.certification, data={}, products=[world.mushroom, world.fungus]
    )
    record = ChangeRecord.objects.filter(
        content_type__model="certification", object_id=str(world.certification.pk)
    ).latest("pk")
    assert record.changes["products"] == [[world.mushroom.pk], sorted([world.mushroom.pk, world.fungus.pk])]


def test_quota_and_declaration_checks(world, unchanged):
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.quota_save(
            actor=None,
            organization=world.union,
            year=2025,
            kind="union_welfare",
            share_percent=Decimal("120"),
        )
    assert ErrorCode.SHARE_OUT_OF_RANGE in codes(caught.value, "share_percent")
    with unchanged(), pytest.raises(ValidationError):
        services.quota_save(
            actor=None, organization=world.hospital, year=2025, kind="reserved_share", filed_by=world.hospital
        )
    with unchanged(), pytest.raises(ValidationError):
        services.declaration_save(
            actor=None, organization=world.hospital, year=2025, food_total=Decimal("-1")
        )
    quota = services.quota_save(actor=None, organization=world.union, year=2025, kind="union_welfare")
    assert quota.share_percent == Decimal("80.00")
    again = services.quota_save(
        actor=None, organization=world.union, year=2025, kind="union_welfare", share_percent=Decimal("85")
    )
    assert again.pk == quota.pk and again.share_percent == Decimal("85")
