"""Consumption pages: lists scoped and without N+1, organisation-bound supplier and buyer users,
forms with a happy path and a bad-input path that writes nothing, photo upload, totals, board, reach."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from bangfu.consumption import services
from bangfu.consumption.models import Product, Purchase
from tests.conftest import DEMO_VILLAGE

from .conftest import DAY, png, row_counts

pytestmark = pytest.mark.django_db


def listed(response) -> list:
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_supplier_list_is_scoped_and_supplier_users_see_their_own(world, office, supplier_user, client_for):
    assert set(listed(client_for(office).get("/consumption/suppliers/"))) == {world.coop, world.base}
    assert listed(client_for(supplier_user).get("/consumption/suppliers/")) == [world.coop]
    assert client_for(supplier_user).get(f"/consumption/suppliers/{world.base.pk}/").status_code == 404


def test_purchase_list_without_n_plus_one(world, office, client_for):
    client = client_for(office)
    world.buy()
    client.get("/consumption/purchases/")  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert len(listed(client.get("/consumption/purchases/"))) == 1
    for n in range(6):
        world.buy(invoice_number=str(n), lines=[(world.mushroom, 1, "68.00"), (world.fungus, 1, "39.00")])
    with CaptureQueriesContext(connection) as many:
        assert len(listed(client.get("/consumption/purchases/"))) == 7
    assert len(many.captured_queries) == len(few.captured_queries)


def test_product_list_without_n_plus_one(world, office, client_for):
    client = client_for(office)
    client.get("/consumption/products/")
    with CaptureQueriesContext(connection) as few:
        listed(client.get("/consumption/products/"))
    for n in range(5):
        services.product_create(
            actor=None, supplier=world.base, name=f"蜂蜜{n}", category="processed", unit="瓶", price="1"
        )
    with CaptureQueriesContext(connection) as many:
        assert len(listed(client.get("/consumption/products/"))) == 8
    assert len(many.captured_queries) == len(few.captured_queries)


def test_buyer_and_supplier_users_see_only_their_purchases(world, buyer_user, supplier_user, client_for):
    mine = world.buy(world.hospital)
    theirs = world.buy(world.union, supplier=world.base, lines=[(world.honey, 1, "45.00")])
    assert listed(client_for(buyer_user).get("/consumption/purchases/")) == [mine]
    assert client_for(buyer_user).get(f"/consumption/purchases/{theirs.pk}/").status_code == 404
    assert listed(client_for(supplier_user).get("/consumption/purchases/")) == [
        mine
    ]  # addressed to the cooperative
    page = client_for(supplier_user).get(f"/consumption/suppliers/{world.coop.pk}/")
    assert page.status_code == 200 and page.context["purchases"] == [mine]


def test_purchase_list_filters(world, office, client_for):
    welfare = world.buy(world.union)
    canteen = world.buy(world.hospital, purpose="canteen", lines=[(world.fungus, 1, "39.00")])
    client = client_for(office)
    assert listed(client.get("/consumption/purchases/?purpose=canteen")) == [canteen]
    assert listed(client.get("/consumption/purchases/?certified=true")) == [welfare]
    assert listed(client.get(f"/consumption/purchases/?buyer={world.hospital.pk}")) == [canteen]
    assert listed(client.get("/consumption/purchases/?year=2024")) == []


def _purchase_post(world, **overrides):
    data = {
        "buyer": world.hospital.pk,
        "supplier": world.coop.pk,
        "date": DAY.isoformat(),
        "channel": "direct",
        "purpose": "canteen",
        "paid_by": "unit",
        "invoice_number": "F-1",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
        "lines-0-product": world.mushroom.pk,
        "lines-0-quantity": "3",
        "lines-0-unit_price": "68.00",
        "lines-1-product": world.fungus.pk,
        "lines-1-quantity": "2",
        "lines-1-unit_price": "39.00",
    }
    data.update(overrides)
    return data


def test_record_a_purchase_by_form(world, buyer_user, client_for):
    response = client_for(buyer_user).post("/consumption/purchases/new/", _purchase_post(world))
    purchase = Purchase.objects.get()
    assert response.status_code == 302 and response["Location"] == purchase.get_absolute_url()
    assert (purchase.buyer, purchase.total_amount, purchase.certified_amount, purchase.recorded_by) == (
        world.hospital,
        Decimal("282.00"),
        Decimal("204.00"),
        buyer_user,
    )
    detail = client_for(buyer_user).get(purchase.get_absolute_url())
    assert detail.status_code == 200 and len(detail.context["lines"]) == 2


@pytest.mark.parametrize(
    ("override", "where"),
    [
        ({"lines-0-quantity": "-1"}, "formset"),
        ({"lines-0-unit_price": "0"}, "formset"),
        ({"date": "2999-01-01"}, "date"),
        ({"lines-TOTAL_FORMS": "0"}, "lines"),
        ({"lines-1-product": "honey"}, "formset"),  # not the supplier's: not even a choice
        ({"paid_by": "staff"}, "staff_name"),
        ({"buyer": "union"}, "buyer"),  # a buyer user records for its own unit only
    ],
)
def test_bad_purchase_forms_write_nothing(world, buyer_user, client_for, unchanged, override, where):
    override = {
        key: (getattr(world, value).pk if value in ("honey", "union") else value)
        for key, value in override.items()
    }
    with unchanged():
        response = client_for(buyer_user).post(
            "/consumption/purchases/new/", _purchase_post(world, **override)
        )
    assert response.status_code == 400
    form, formset = response.context["form"], response.context["formset"]
    if where == "formset":
        assert any(f.errors for f in formset.forms)
    else:
        assert form.errors, form.errors


def test_add_line_returns_a_numbered_row_of_the_suppliers_products(world, buyer_user, client_for):
    response = client_for(buyer_user).get(f"/consumption/purchases/line/?index=3&supplier={world.coop.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="lines-3-product"' in html and "香菇" in html and "蜂蜜" not in html


def test_supplier_user_adds_a_product_with_a_photo(world, supplier_user, client_for):
    photo = SimpleUploadedFile("egg.png", png(), content_type="image/png")
    response = client_for(supplier_user).post(
        "/consumption/products/new/",
        {
            "supplier": world.coop.pk,
            "name": "柴鸡蛋",
            "category": "meat_egg",
            "unit": "箱",
            "price": "42.00",
            "photo": photo,
            "is_active": "on",
        },
    )
    product = Product.objects.get(name="柴鸡蛋")
    assert response.status_code == 302, response.context["form"].errors
    assert product.photo.name.endswith(".png")
    served = client_for(supplier_user).get(f"/consumption/products/{product.pk}/photo/")
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize("upload", ["not-an-image", "too-large"])
def test_bad_photos_are_refused(world, supplier_user, client_for, unchanged, monkeypatch, upload):
    from bangfu.consumption import services as consumption

    if upload == "too-large":
        content = png((200, 200))
        monkeypatch.setattr(consumption, "MAX_PHOTO_BYTES", len(content) - 1)
        photo = SimpleUploadedFile("big.png", content, content_type="image/png")
    else:
        photo = SimpleUploadedFile("x.png", b"%PDF-1.4 not an image", content_type="image/png")
    with unchanged():
        response = client_for(supplier_user).post(
            "/consumption/products/new/",
            {
                "supplier": world.coop.pk,
                "name": "柴鸡蛋",
                "category": "meat_egg",
                "unit": "箱",
                "price": "42",
                "photo": photo,
            },
        )
    assert response.status_code == 400
    assert response.context["form"].errors["photo"]


def test_supplier_user_cannot_touch_another_suppliers_product(world, supplier_user, client_for, unchanged):
    with unchanged():
        assert (
            client_for(supplier_user).get(f"/consumption/products/{world.honey.pk}/edit/").status_code == 404
        )
        response = client_for(supplier_user).post(
            "/consumption/products/new/",
            {"supplier": world.base.pk, "name": "x", "category": "other", "unit": "个", "price": "1"},
        )
    assert response.status_code == 400


def test_certification_page_and_form(world, office, client_for, unchanged):
    client = client_for(office)
    page = client.get(f"/consumption/certifications/{world.certification.pk}/")
    assert page.status_code == 200 and page.context["products"] == [world.mushroom]
    with unchanged():
        bad = client.post(
            "/consumption/certifications/new/",
            {
                "supplier": world.coop.pk,
                "body": "X",
                "number": "N",
                "valid_from": "2025-02-01",
                "valid_to": "2025-01-01",
            },
        )
    assert bad.status_code == 400


def test_totals_page_and_export(world, office, client_for):
    world.buy(world.union)
    world.buy(world.hospital, purpose="canteen", lines=[(world.fungus, 10, "39.00")])
    client = client_for(office)
    page = client.get("/consumption/totals/?year=2025")
    figures = page.context["figures"]
    assert (figures["total"], figures["certified"], figures["share"], figures["units"]) == (
        Decimal("1070.00"),
        Decimal("680.00"),
        Decimal("63.6"),
        2,
    )
    assert {row["label"] for row in figures["channels"]} == {"直接采购"}
    export = client.get("/consumption/totals/?year=2025&export=xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    assert len(book.sheet_names) == 6


def test_board_page_export_and_quota_forms(world, office, client_for, unchanged):
    world.buy(world.union)
    client = client_for(office)
    response = client.post(
        "/consumption/quotas/new/",
        {"organization": world.union.pk, "year": "2025", "kind": "union_welfare", "has_canteen": "on"},
    )
    assert response.status_code == 302
    page = client.get("/consumption/quotas/?year=2025")
    assert [row.quota.organization for row, _status in page.context["rows"]] == [world.union]
    csv_text = client.get("/consumption/quotas/?year=2025&export=csv").content.decode("utf-8-sig")
    assert "县医院工会" in csv_text and "680.00" in csv_text
    with unchanged():
        bad = client.post(
            "/consumption/quotas/new/",
            {"organization": world.union.pk, "year": "2025", "kind": "union_welfare", "share_percent": "150"},
        )
    assert bad.status_code == 400
    declared = client.post(
        "/consumption/declarations/new/",
        {"organization": world.union.pk, "year": "2025", "welfare_total": "900"},
    )
    assert declared.status_code == 302
    with unchanged():
        assert (
            client.post(
                "/consumption/declarations/new/", {"organization": world.union.pk, "year": "2025"}
            ).status_code
            == 400
        )


def test_household_links_and_the_household_page(world, office, client_for, region, unchanged):
    from bangfu.core import idnumber
    from bangfu.registry import services as registry

    household = registry.household_create(
        actor=None,
        code="LS00001",
        region=region(DEMO_VILLAGE),
        head={"name": "周耀伟", "id_number": idnumber.make("410423", datetime.date(1970, 1, 1), 1)},
    )
    client = client_for(office)
    with unchanged():
        wrong = client.post(
            f"/consumption/suppliers/{world.coop.pk}/links/new/",
            {"household_code": "LS00001", "head_name": "别人", "kind": "employs", "year": "2025"},
        )
    assert wrong.status_code == 400
    before = row_counts()["HouseholdLink"]
    ok = client.post(
        f"/consumption/suppliers/{world.coop.pk}/links/new/",
        {
            "household_code": "LS00001",
            "head_name": "周耀伟",
            "kind": "employs",
            "year": "2025",
            "amount": "12000",
        },
    )
    assert ok.status_code == 302 and row_counts()["HouseholdLink"] == before + 1
    page = client.get(f"/registry/households/{household.pk}/")
    assert [link.supplier for link in page.context["supplier_links"]] == [world.coop]
    assert "下汤镇香菇合作社" in page.content.decode()
    world.buy(world.union)
    reach = client.get("/consumption/reach/?year=2025")
    assert reach.context["figures"]["households"] == 1
    assert reach.context["figures"]["villages"][0].attributed == Decimal("680.00")
