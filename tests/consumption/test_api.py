"""The consumption API: scoped lists and details, creation with field errors, idempotent purchase posts."""

import json

import pytest
from django.test import Client

from bangfu.accounts.services import token_create
from bangfu.consumption.models import Product, Purchase
from bangfu.core.permissions import Role
from tests.conftest import DEMO_COUNTY, DEMO_TOWNSHIP

pytestmark = pytest.mark.django_db
BASE = "/api/v1/consumption"


def api(user) -> Client:
    _token, raw = token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def purchase_body(world, **changes):
    body = {
        "buyer_id": world.union.pk,
        "supplier_id": world.coop.pk,
        "date": "2025-06-01",
        "channel": "online",
        "purpose": "welfare",
        "invoice_number": "EC-1",
        "lines": [
            {"product_id": world.mushroom.pk, "quantity": 2, "unit_price": "68.00", "amount": "136.00"}
        ],
    }
    body.update(changes)
    return body


def test_lists_and_details_are_scoped(world, office, far_office):
    client = api(office)
    names = {row["name"] for row in client.get(f"{BASE}/suppliers").json()["results"]}
    assert names == {"下汤镇香菇合作社", "山货基地"}
    products = client.get(f"{BASE}/products?category=fungus").json()
    assert {(row["name"], row["certified"]) for row in products["results"]} == {
        ("香菇", False),
        ("黑木耳", False),
    }
    assert client.get(f"{BASE}/suppliers/{world.far.pk}").status_code == 404
    assert api(far_office).get(f"{BASE}/products/{world.mushroom.pk}").status_code == 404
    world.buy()
    rows = client.get(f"{BASE}/purchases?year=2025").json()
    assert rows["count"] == 1 and rows["results"][0]["certified_amount"] == "680.00"
    assert api(far_office).get(f"{BASE}/purchases").json()["count"] == 0


def test_a_platform_posts_a_purchase_once_however_often_it_retries(world, office):
    client = api(office)
    first = post(client, f"{BASE}/purchases", purchase_body(world), HTTP_IDEMPOTENCY_KEY="order-1")
    again = post(client, f"{BASE}/purchases", purchase_body(world), HTTP_IDEMPOTENCY_KEY="order-1")
    assert (first.status_code, again.status_code) == (201, 200), first.content
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["lines"][0]["certified"] is True
    assert Purchase.objects.count() == 1
    detail = client.get(f"{BASE}/purchases/{first.json()['id']}").json()
    assert detail["source"] == "api" and detail["total_amount"] == "136.00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lines": [{"product_id": 0, "quantity": -1, "unit_price": "68.00"}]}, "lines.0.product_id"),
        ("negative", "lines"),
        ("mismatch", "lines"),
        ("other-supplier", "lines.0.product_id"),
        ("far-buyer", "buyer_id"),
        ({"date": "2999-01-01"}, "date"),
        ({"lines": []}, "lines"),
    ],
)
def test_bad_purchases_get_field_errors_and_write_nothing(world, office, unchanged, changes, field):
    line = {"product_id": world.mushroom.pk, "quantity": 2, "unit_price": "68.00"}
    named = {
        "negative": {"lines": [{**line, "quantity": -2}]},
        "mismatch": {"lines": [{**line, "amount": "999.00"}]},
        "other-supplier": {"lines": [{**line, "product_id": world.honey.pk}]},
        "far-buyer": {"buyer_id": world.far_buyer.pk},
    }
    changes = named[changes] if isinstance(changes, str) else changes
    with unchanged():
        response = post(api(office), f"{BASE}/purchases", purchase_body(world, **changes))
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"], response.json()


def test_supplier_user_creates_products_for_its_own_supplier_only(world, make_user, unchanged):
    supplier_user = make_user(Role.SUPPLIER, DEMO_COUNTY, organization=world.coop_org)
    client = api(supplier_user)
    body = {
        "supplier_id": world.coop.pk,
        "name": "柴鸡蛋",
        "category": "meat_egg",
        "unit": "箱",
        "price": "42.00",
    }
    created = post(client, f"{BASE}/products", body)
    assert created.status_code == 201 and Product.objects.filter(name="柴鸡蛋", supplier=world.coop).exists()
    with unchanged():
        refused = post(client, f"{BASE}/products", {**body, "supplier_id": world.base.pk, "name": "x"})
    assert refused.status_code == 422 and "supplier_id" in refused.json()["error"]["fields"]
    with unchanged():
        assert post(client, f"{BASE}/purchases", purchase_body(world)).status_code == 403


def test_office_creates_suppliers_inside_its_county(world, office, unchanged):
    client = api(office)
    body = {"name": "新合作社", "kind": "cooperative", "region_code": DEMO_TOWNSHIP}
    assert post(client, f"{BASE}/suppliers", body).status_code == 201
    with unchanged():
        outside = post(client, f"{BASE}/suppliers", {**body, "name": "外县", "region_code": "410402000000"})
    assert outside.status_code == 422
