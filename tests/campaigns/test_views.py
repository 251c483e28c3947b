import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.consumption.campaigns import services
from bangfu.consumption.campaigns.models import Order, OrderStatus
from bangfu.consumption.campaigns.tokens import PickupToken
from bangfu.core.permissions import Role
from tests.conftest import DEMO_COUNTY

from .conftest import state

pytestmark = pytest.mark.django_db


def order_data(world, **extra):
    return {
        "item": world.item.pk,
        "quantity": 1,
        "slot": world.slots[0].pk,
        "idempotency_key": "page-1",
        **extra,
    }


def test_a_member_orders_on_the_page_and_sees_the_code(world, member, client_for):
    client = client_for(member)
    home = client.get(reverse("campaigns:member-home"))
    assert world.campaign.name in home.content.decode()

    page = client.get(reverse("campaigns:member-campaign", args=[world.campaign.pk]))
    assert page.status_code == 200 and "杂粮礼盒" in page.content.decode()
    response = client.post(reverse("campaigns:member-campaign", args=[world.campaign.pk]), order_data(world))

    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    detail = client.get(order.get_absolute_url()).content.decode()
    assert "<svg" in detail and order.short_code_display in detail
    assert order.token not in detail  # only its signed form, inside the QR code's image
    again = client.post(reverse("campaigns:member-campaign", args=[world.campaign.pk]), order_data(world))
    assert again["Location"] == order.get_absolute_url() and Order.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [({"quantity": -1}, "数量必须是正整数"), ({"quantity": 3}, "超过每人限订数量"), ({"slot": 0}, "")],
)
def test_bad_orders_on_the_page_write_nothing(world, member, client_for, data, message):
    before = state()
    response = client_for(member).post(
        reverse("campaigns:member-campaign", args=[world.campaign.pk]), order_data(world, **data)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state() == before


def test_member_pages_list_with_a_fixed_number_of_queries(world, member_of, client_for):
    member = member_of(world.union)
    client = client_for(member)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("campaigns:member-home")).status_code == 200
        return len(captured)

    for key in ("a", "b"):
        services.order_place(
            member=member, item=world.item, slot=world.slots[0], quantity=1, idempotency_key=key
        )
    few = count()
    services.campaign_update(actor=None, campaign=world.campaign, data={"per_member_limit": 10})
    for key in "cdefgh":
        services.order_place(
            member=member, item=world.item, slot=world.slots[1], quantity=1, idempotency_key=key
        )
    assert count() == few


def test_the_order_list_and_board_with_a_fixed_number_of_queries(world, member_of, client_for, make_user):
    organizer = client_for(world.organizer)

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert organizer.get(url).status_code == 200
        return len(captured)

    urls = [reverse("campaigns:order-list"), reverse("campaigns:campaign-detail", args=[world.campaign.pk])]
    services.order_place(
        member=member_of(world.union), item=world.item, slot=world.slots[0], quantity=1, idempotency_key="k"
    )
    few = [count(url) for url in urls]
    for index in range(6):
        services.order_place(
            member=member_of(world.union),
            item=world.item,
            slot=world.slots[index % 3],
            quantity=1,
            idempotency_key="k",
        )
    assert [count(url) for url in urls] == few


def test_the_board_counts_by_site_and_slot_and_exports(world, member_of, client_for):
    orders = [
        services.order_place(
            member=member_of(world.union), item=world.item, slot=slot, quantity=q, idempotency_key="k"
        )[0]
        for slot, q in [(world.slots[0], 2), (world.slots[0], 1), (world.slots[1], 1)]
    ]
    services.pickup_confirm(staff=world.staff[0], site=world.sites[0], code=orders[0].short_code)
    client = client_for(world.organizer)
    page = client.get(reverse("campaigns:campaign-detail", args=[world.campaign.pk])).content.decode()
    assert "共预订 4 份,已领取 2 份,待领取 2 份。" in page

    export = client.get(reverse("campaigns:order-list") + f"?campaign={world.campaign.pk}&export=csv")
    assert export.status_code == 200
    lines = export.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 4 and "已领取" in export.content.decode("utf-8-sig")


def test_staff_type_a_code_see_the_order_and_hand_it_over_once(world, member, client_for):
    order = services.order_place(
        member=member, item=world.item, slot=world.slots[0], quantity=1, idempotency_key="k"
    )[0]
    client = client_for(world.staff[0])
    assert world.sites[0].name in client.get(reverse("campaigns:scan-home")).content.decode()
    url = reverse("campaigns:scan", args=[world.sites[0].pk])
    assert "html5-qrcode.min.js" in client.get(url).content.decode()

    found = client.post(url, {"code": order.short_code_display.lower()})
    assert found.status_code == 200 and "确认发放" in found.content.decode()
    confirmed = client.post(
        reverse("campaigns:scan-confirm", args=[world.sites[0].pk]), {"code": order.short_code}
    )
    assert confirmed.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.COLLECTED

    second = client.post(url, {"code": PickupToken(order.token).signed()}, follow=True)
    assert "已于" in second.content.decode() and world.sites[0].name in second.content.decode()
    again = client.post(
        reverse("campaigns:scan-confirm", args=[world.sites[0].pk]), {"code": order.short_code}, follow=True
    )
    assert "已于" in again.content.decode()


def test_scan_pages_are_only_for_the_sites_staff(world, client_for, make_user):
    outsider = make_user(Role.BUYER, DEMO_COUNTY)
    client = client_for(outsider)
    assert client.get(reverse("campaigns:scan", args=[world.sites[0].pk])).status_code == 404
    assert client.get(reverse("campaigns:scan", args=[world.sites[1].pk])).status_code == 404
    assert (
        client_for(world.staff[0]).get(reverse("campaigns:scan", args=[world.sites[1].pk])).status_code == 404
    )


def test_an_organiser_sets_a_campaign_up_through_the_pages(world, client_for):
    client = client_for(world.organizer)
    created = client.post(
        reverse("campaigns:campaign-create"),
        {
            "organizer": world.federation.pk,
            "name": "中秋礼盒",
            "status": "draft",
            "opens_at": "2030-09-01T08:00",
            "closes_at": "2030-09-10T18:00",
            "pickup_closes_at": "2030-09-20T18:00",
            "per_member_limit": 1,
            "eligible_organizations": [world.union.pk],
            "include_suborganizations": "on",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    campaign = world.campaign.__class__.objects.get(name="中秋礼盒")
    item = client.post(
        reverse("campaigns:item-add", args=[campaign.pk]),
        {
            "name": "月饼礼盒",
            "price": "60",
            "paid_by": "member",
            "stock": 10,
            "product_1": world.products[0].pk,
            "quantity_1": 3,
        },
    )
    assert item.status_code == 302
    site = client.post(
        reverse("campaigns:site-add", args=[campaign.pk]),
        {"name": "街道服务站", "address": "一号", "region": DEMO_COUNTY, "staff": world.staff[0].username},
    )
    assert site.status_code == 302
    slot = client.post(
        reverse("campaigns:slot-add", args=[campaign.pk]),
        {
            "site": campaign.sites.get().pk,
            "starts_at": "2030-09-11T09:00",
            "ends_at": "2030-09-11T12:00",
            "capacity": 30,
        },
    )
    assert slot.status_code == 302
    assert campaign.items.get().lines.get().quantity == 3
    assert list(campaign.sites.get().staff.all()) == [world.staff[0]]
    bad = client.post(
        reverse("campaigns:site-add", args=[campaign.pk]),
        {"name": "x", "address": "y", "region": DEMO_COUNTY, "staff": "nobody-here"},
    )
    assert bad.status_code == 400 and "nobody-here" in bad.content.decode()


def test_a_member_cancels_on_the_page_and_others_cannot_see_the_order(world, member, member_of, client_for):
    order = services.order_place(
        member=member, item=world.item, slot=world.slots[0], quantity=2, idempotency_key="k"
    )[0]
    other = client_for(member_of(world.union))
    assert other.get(order.get_absolute_url()).status_code == 404
    before = state()
    assert other.post(reverse("campaigns:order-cancel", args=[order.pk])).status_code == 404
    assert state() == before

    response = client_for(member).post(reverse("campaigns:order-cancel", args=[order.pk]), follow=True)
    assert "订单已取消。" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert world.item.__class__.objects.get(pk=world.item.pk).remaining == 100


def test_a_campaign_with_its_window_backwards_is_refused_on_the_page(world, client_for):
    before = state()
    response = client_for(world.organizer).post(
        reverse("campaigns:campaign-edit", args=[world.campaign.pk]),
        {
            "organizer": world.federation.pk,
            "name": "改名",
            "status": "published",
            "opens_at": "2030-09-10T08:00",
            "closes_at": "2030-09-01T18:00",
            "pickup_closes_at": "2030-09-20T18:00",
            "per_member_limit": 1,
            "eligible_organizations": [world.union.pk],
        },
    )
    assert response.status_code == 400
    assert "预订截止时间必须晚于开始时间" in response.content.decode()
    assert state() == before
    world.campaign.refresh_from_db()
    assert world.campaign.name == "杂粮礼盒预订"
