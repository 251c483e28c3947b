"""The supermarket API: scoped reads, a donation and a redemption with their refusals' codes."""

import json

import pytest
from django.test import Client

from bangfu.accounts.services import token_create
from bangfu.supermarket.models import Donation, PointAccount, Redemption, StockBalance

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supermarket"


def api(user) -> Client:
    _token, raw = token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_stores_and_stock_are_scoped(world, make_user):
    from bangfu.core.permissions import Role

    client = api(world.office)
    names = {row["name"] for row in client.get(f"{BASE}/stores").json()["results"]}
    assert names == {"下汤镇爱心超市", "鲁阳街道爱心超市"}
    stock = client.get(f"{BASE}/stores/{world.store.pk}/stock").json()
    assert {(row["item"], row["quantity"]) for row in stock} == {("大米", 20), ("食用油", 20), ("肥皂", 20)}
    far = api(make_user(Role.OFFICE, "410402000000"))
    assert far.get(f"{BASE}/stores").json()["count"] == 0
    assert far.get(f"{BASE}/stores/{world.store.pk}/stock").status_code == 404


def test_a_keeper_redeems_through_the_api(world):
    client = api(world.keeper)
    rice = world.items[0]
    household = world.households[0]
    response = post(
        client,
        f"{BASE}/redemptions",
        {
            "store_id": world.store.pk,
            "household_code": household.code,
            "lines": [{"item_id": rice.pk, "quantity": 3}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["points"], body["lines"][0]["quantity"]) == (30, 3)
    assert PointAccount.objects.get(household=household).balance == 70
    assert client.get(f"{BASE}/redemptions/{body['id']}").json()["receipt_number"] == body["receipt_number"]


@pytest.mark.parametrize(
    ("lines", "code", "status"),
    [
        ([{"item_id": "oil", "quantity": 4}], "insufficient_points", 409),
        ([{"item_id": "soap", "quantity": 21}], "out_of_stock", 409),
        ([{"item_id": "rice", "quantity": -1}], "invalid_quantity", 422),
        ([], "empty_basket", 422),
    ],
)
def test_refusals_carry_their_code_and_write_nothing(world, lines, code, status):
    ids = {"rice": world.items[0].pk, "oil": world.items[1].pk, "soap": world.items[2].pk}
    body = {
        "store_id": world.store.pk,
        "household_code": world.households[0].code,
        "lines": [{"item_id": ids[line["item_id"]], "quantity": line["quantity"]} for line in lines],
    }
    response = post(api(world.keeper), f"{BASE}/redemptions", body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert Redemption.objects.count() == 0
    assert PointAccount.objects.get(household=world.households[0]).balance == 100
    assert StockBalance.objects.get(store=world.store, item=world.items[0]).quantity == 20


def test_not_enrolled_is_refused(world):
    body = {
        "store_id": world.store.pk,
        "household_code": world.outsider.code,
        "lines": [{"item_id": world.items[0].pk, "quantity": 1}],
    }
    response = post(api(world.keeper), f"{BASE}/redemptions", body)
    assert (response.status_code, response.json()["error"]["code"]) == (409, "not_enrolled")


def test_a_cadre_cannot_redeem(world):
    body = {"store_id": world.store.pk, "household_code": world.households[0].code, "lines": []}
    assert post(api(world.cadre), f"{BASE}/redemptions", body).status_code == 403


def test_donations_are_recorded_and_a_missing_donor_type_refused(world):
    client = api(world.keeper)
    body = {
        "store_id": world.store.pk,
        "donor_kind": "organization",
        "donor_organization_id": world.union.pk,
        "show_on_board": True,
        "date": "2024-05-06",
        "lines": [{"item_id": world.items[0].pk, "quantity": 10}],
        "cash": "500.00",
    }
    response = post(client, f"{BASE}/donations", body)
    assert response.status_code == 201, response.content
    assert response.json()["goods_value"] == "100.00" and response.json()["donor_name"] == "鲁山县总工会"
    refused = post(client, f"{BASE}/donations", {**body, "donor_kind": ""})
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "donor_kind_required")
    assert Donation.objects.count() == 1
    assert client.get(f"{BASE}/donations").json()["count"] == 1
