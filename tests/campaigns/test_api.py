import pytest
from django.test import Client

from bangfu.accounts import services as accounts
from bangfu.consumption.campaigns.models import Order, OrderStatus

from .conftest import state

pytestmark = pytest.mark.django_db


def api_client(user) -> Client:
    raw = accounts.token_create(user=user, name="test")[1]
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client, url, data, **headers):
    return client.post(url, data, content_type="application/json", headers=headers)


@pytest.fixture
def member_api(member):
    return api_client(member)


def order_body(world, **extra):
    return {"item_id": world.item.pk, "slot_id": world.slots[0].pk, "quantity": 1, **extra}


def test_a_member_lists_orders_retries_and_cancels(world, member_api):
    listed = member_api.get("/api/v1/campaigns").json()
    assert [c["id"] for c in listed] == [world.campaign.pk] and listed[0]["is_open"]
    detail = member_api.get(f"/api/v1/campaigns/{world.campaign.pk}").json()
    assert detail["items"][0]["lines"][0]["quantity"] == 2 and len(detail["slots"]) == 3

    url = f"/api/v1/campaigns/{world.campaign.pk}/orders"
    first = post(member_api, url, order_body(world, price="88.00"), **{"Idempotency-Key": "abc"})
    again = post(member_api, url, order_body(world, price="88.00"), **{"Idempotency-Key": "abc"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Order.objects.count() == 1
    assert first.json()["pickup_code"].startswith("BFP1:")

    mine = member_api.get("/api/v1/campaigns/orders/mine").json()
    assert [o["id"] for o in mine] == [first.json()["id"]]
    cancelled = post(member_api, f"/api/v1/campaigns/orders/{first.json()['id']}/cancel", {})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["pickup_code"] is None


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"quantity": -1}, 422, "invalid_quantity"),
        ({"quantity": 0}, 422, "invalid_quantity"),
        ({"quantity": 3}, 409, "limit_exceeded"),
        ({"price": "1.00"}, 422, "price_mismatch"),
        ({"quantity": "many"}, 422, "invalid"),
        ({"item_id": 999999}, 422, "unknown_item"),
        ({"slot_id": 999999}, 422, "slot_mismatch"),
    ],
)
def test_bad_orders_are_refused_with_a_code_and_write_nothing(world, member_api, body, status, code):
    before = state()
    response = post(member_api, f"/api/v1/campaigns/{world.campaign.pk}/orders", order_body(world, **body))
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert state() == before


def test_sold_out_and_closed_campaigns(make_world, member_of):
    world = make_world(stock=1)
    first, second = api_client(member_of(world.union)), api_client(member_of(world.union))
    url = f"/api/v1/campaigns/{world.campaign.pk}/orders"
    assert post(first, url, order_body(world)).status_code == 201
    before = state()
    refused = post(second, url, order_body(world))
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "out_of_stock")
    assert state() == before


def test_campaigns_of_other_organisations_are_missing(world, make_org, member_of):
    stranger = api_client(member_of(make_org(name="别的工会", kind="union")))
    assert stranger.get("/api/v1/campaigns").json() == []
    assert stranger.get(f"/api/v1/campaigns/{world.campaign.pk}").status_code == 404
    response = post(stranger, f"/api/v1/campaigns/{world.campaign.pk}/orders", order_body(world))
    assert response.status_code == 404


def test_staff_scan_and_confirm_once(world, member_api):
    placed = post(member_api, f"/api/v1/campaigns/{world.campaign.pk}/orders", order_body(world)).json()
    staff = api_client(world.staff[0])
    body = {"site_id": world.sites[0].pk, "code": placed["pickup_code"]}
    found = post(staff, "/api/v1/campaigns/scan", body)
    assert found.status_code == 200 and found.json()["order"]["id"] == placed["id"]
    assert post(staff, "/api/v1/campaigns/scan/confirm", body).json()["status"] == "collected"
    again = post(staff, "/api/v1/campaigns/scan/confirm", body)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_collected")
    forged = post(staff, "/api/v1/campaigns/scan", {**body, "code": placed["pickup_code"][:-3] + "xyz"})
    assert (forged.status_code, forged.json()["error"]["code"]) == (422, "invalid_token")
    assert Order.objects.get().status == OrderStatus.COLLECTED


def test_scan_is_for_the_sites_staff_and_the_scan_capability(world, member_api):
    other_staff = api_client(world.staff[1])
    response = post(other_staff, "/api/v1/campaigns/scan", {"site_id": world.sites[0].pk, "code": "X"})
    assert response.status_code == 404
    assert (
        post(member_api, "/api/v1/campaigns/scan", {"site_id": world.sites[0].pk, "code": "X"}).status_code
        == 403
    )
