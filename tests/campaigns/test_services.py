import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from bangfu.audit.models import ChangeRecord
from bangfu.consumption.campaigns import services
from bangfu.consumption.campaigns.errors import CampaignError, CampaignErrorCode
from bangfu.consumption.campaigns.models import (
    CampaignItem,
    MemberAllowance,
    Order,
    OrderStatus,
    PickupSlot,
    ScanMiss,
)
from bangfu.consumption.campaigns.tokens import PickupToken
from bangfu.core.permissions import Role

from .conftest import DAY, HOUR, state

pytestmark = pytest.mark.django_db


def place(world, member, quantity=1, key="k1", slot=None, **extra):
    return services.order_place(
        member=member,
        item=world.item,
        slot=slot or world.slots[0],
        quantity=quantity,
        idempotency_key=key,
        **extra,
    )


def refused(code, call):
    before = state()
    with pytest.raises(CampaignError) as caught:
        call()
    assert caught.value.error_code == code
    assert state() == before, "a refused request changed the database"
    return caught.value


# Placing ---------------------------------------------------------------------------------------------


def test_an_order_takes_stock_a_place_and_the_members_allowance(world, member):
    order, created = place(world, member, quantity=2)

    assert created
    assert (order.status, order.quantity, order.total, order.site) == (
        "placed",
        2,
        Decimal("176.00"),
        world.sites[0],
    )
    assert order.member_organization == world.union  # eligible through its parent federation
    assert CampaignItem.objects.get().remaining == 98
    assert PickupSlot.objects.get(pk=world.slots[0].pk).remaining == 49
    assert MemberAllowance.objects.get(member=member).ordered == 2
    assert len(order.short_code) == 8 and len(order.token) >= 40
    record = ChangeRecord.objects.filter(object_id=str(order.pk), content_type__model="order").get()
    assert record.actor == member and record.changes["token"][1].startswith(
        "******"
    )  # the token is not copied


def test_the_same_key_again_returns_the_first_order(world, member):
    first, created = place(world, member, key="retry-1")
    again, created_again = place(world, member, key="retry-1")

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Order.objects.count() == 1
    assert CampaignItem.objects.get().remaining == 99


def test_the_same_key_for_another_order_is_refused(world, member):
    place(world, member, key="retry-1")
    refused(CampaignErrorCode.IDEMPOTENCY_CONFLICT, lambda: place(world, member, key="retry-1", quantity=2))


@pytest.mark.parametrize(("opens", "closes"), [(HOUR, DAY), (-2 * DAY, -DAY)], ids=["not yet", "closed"])
def test_ordering_outside_the_window_is_refused(make_world, member_of, opens, closes):
    world = make_world(opens=opens, closes=closes, pickup=2 * DAY)
    member = member_of(world.union)
    error = refused(CampaignErrorCode.NOT_OPEN, lambda: place(world, member))
    assert "不在预订时间内" in error.text


def test_a_draft_campaign_takes_no_orders(make_world, member_of):
    world = make_world(status="draft")
    member = member_of(world.union)
    refused(CampaignErrorCode.NOT_OPEN, lambda: place(world, member))


def test_members_of_other_organisations_may_not_order(world, member_of, make_org):
    stranger = member_of(make_org(name="别的单位工会", kind="union"))
    refused(CampaignErrorCode.NOT_ELIGIBLE, lambda: place(world, stranger))


def test_sub_organisations_only_when_the_campaign_includes_them(world, member, member_of):
    services.campaign_update(actor=None, campaign=world.campaign, data={"include_suborganizations": False})
    refused(CampaignErrorCode.NOT_ELIGIBLE, lambda: place(world, member))
    direct = member_of(world.federation)
    assert place(world, direct)[1]


def test_a_role_without_campaign_order_is_not_a_member(world, member_of):
    buyer = member_of(world.union, role=Role.BUYER)
    refused(CampaignErrorCode.NOT_ELIGIBLE, lambda: place(world, buyer))


def test_above_the_limit_is_refused_at_once_and_in_total(world, member):
    error = refused(CampaignErrorCode.LIMIT_EXCEEDED, lambda: place(world, member, quantity=3))
    assert "每人最多2份" in error.text
    place(world, member, quantity=2, key="a")
    error = refused(CampaignErrorCode.LIMIT_EXCEEDED, lambda: place(world, member, quantity=1, key="b"))
    assert "您已订2份" in error.text


def test_no_stock_is_refused_and_the_allowance_is_untouched(make_world, member_of):
    world = make_world(stock=1)
    place(world, member_of(world.union))
    second = member_of(world.union)
    error = refused(CampaignErrorCode.OUT_OF_STOCK, lambda: place(world, second, key="x"))
    assert "剩余0份" in error.text


def test_a_full_slot_is_refused(make_world, member_of):
    world = make_world(capacity=1)
    place(world, member_of(world.union))
    second = member_of(world.union)
    refused(CampaignErrorCode.SLOT_FULL, lambda: place(world, second, key="x"))
    assert place(world, second, key="y", slot=world.slots[1])[1]


def test_a_slot_of_another_campaign_is_refused(world, make_world, member):
    other = make_world()
    refused(CampaignErrorCode.SLOT_MISMATCH, lambda: place(world, member, slot=other.slots[0]))


@pytest.mark.parametrize("quantity", [0, -1, -5, "abc", 1.5, "2.5", None, True])
def test_bad_quantities_are_refused(world, member, quantity):
    refused(CampaignErrorCode.INVALID_QUANTITY, lambda: place(world, member, quantity=quantity))


def test_a_quantity_typed_as_text_is_read(world, member):
    order, _created = place(world, member, quantity="2")
    assert order.quantity == 2


@pytest.mark.parametrize("price", ["1.00", "88.01", "abc"])
def test_a_price_that_does_not_match_the_package_is_refused(world, member, price):
    error = refused(CampaignErrorCode.PRICE_MISMATCH, lambda: place(world, member, expected_price=price))
    assert error.error_code == "price_mismatch"


def test_the_matching_price_is_accepted(world, member):
    assert place(world, member, expected_price="88")[1]


def test_the_counters_cannot_go_below_zero_even_by_hand(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignItem.objects.filter(pk=world.item.pk).update(remaining=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PickupSlot.objects.filter(pk=world.slots[0].pk).update(remaining=-1)


# Cancelling ------------------------------------------------------------------------------------------


def test_cancelling_returns_stock_place_and_allowance(world, member):
    order, _created = place(world, member, quantity=2)
    services.order_cancel(actor=member, order=order)

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancelled_at is not None
    assert CampaignItem.objects.get().remaining == 100
    assert PickupSlot.objects.get(pk=world.slots[0].pk).remaining == 50
    assert MemberAllowance.objects.get(member=member).ordered == 0
    services.order_cancel(actor=member, order=order)  # twice is the same as once
    assert CampaignItem.objects.get().remaining == 100
    assert place(world, member, quantity=2, key="again")[1]  # the allowance is free again


def test_only_the_member_cancels_and_only_before_the_window_closes(world, member, member_of):
    order, _created = place(world, member)
    other = member_of(world.union)
    refused(CampaignErrorCode.NOT_CANCELLABLE, lambda: services.order_cancel(actor=other, order=order))
    world.campaign.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    world.campaign.save(update_fields=["closes_at"])
    order.refresh_from_db()
    refused(CampaignErrorCode.NOT_CANCELLABLE, lambda: services.order_cancel(actor=member, order=order))


# Pickup ----------------------------------------------------------------------------------------------


@pytest.fixture
def order(world, member):
    return place(world, member)[0]


def signed(order) -> str:
    return PickupToken(order.token).signed()


def test_a_scanned_code_hands_the_order_over_once(world, order):
    site, staff = world.sites[0], world.staff[0]
    lookup = services.pickup_lookup(staff=staff, site=site, code=signed(order))
    assert lookup.order == order and not lookup.other_site and not lookup.warnings

    collected = services.pickup_confirm(staff=staff, site=site, code=signed(order))
    assert (collected.status, collected.collected_by, collected.collected_site) == ("collected", staff, site)

    error = refused(
        CampaignErrorCode.ALREADY_COLLECTED,
        lambda: services.pickup_confirm(staff=staff, site=site, code=signed(order)),
    )
    assert "领取点1" in error.text and str(staff) in error.text
    refused(CampaignErrorCode.NOT_CANCELLABLE, lambda: services.order_cancel(actor=order.member, order=order))


def test_a_typed_short_code_works_in_any_case_with_a_dash(world, order):
    typed = f"{order.short_code[:4].lower()}-{order.short_code[4:]}"
    assert (
        services.pickup_confirm(staff=world.staff[0], site=world.sites[0], code=typed).status == "collected"
    )


def test_a_forged_token_is_refused_before_any_lookup(world, order):
    forged = signed(order)[:-2] + ("AA" if not signed(order).endswith("AA") else "BB")
    refused(
        CampaignErrorCode.INVALID_TOKEN,
        lambda: services.pickup_lookup(staff=world.staff[0], site=world.sites[0], code=forged),
    )
    unsigned = f"BFP1:{order.token}"
    refused(
        CampaignErrorCode.INVALID_TOKEN,
        lambda: services.pickup_lookup(staff=world.staff[0], site=world.sites[0], code=unsigned),
    )
    made_up = PickupToken.issue().signed()  # signed here, but names no order
    refused(
        CampaignErrorCode.INVALID_TOKEN,
        lambda: services.pickup_lookup(staff=world.staff[0], site=world.sites[0], code=made_up),
    )


def test_an_expired_token_is_refused(world, order):
    world.campaign.__class__.objects.filter(pk=world.campaign.pk).update(
        closes_at=timezone.now() - 2 * HOUR,
        opens_at=timezone.now() - DAY,
        pickup_closes_at=timezone.now() - HOUR,
    )
    site = world.sites[0].__class__.objects.get(pk=world.sites[0].pk)
    error = refused(
        CampaignErrorCode.EXPIRED_TOKEN,
        lambda: services.pickup_confirm(staff=world.staff[0], site=site, code=signed(order)),
    )
    assert "已过期" in error.text


def test_a_cancelled_orders_code_is_refused(world, order):
    services.order_cancel(actor=order.member, order=order)
    for code in (signed(order), order.short_code):
        refused(
            CampaignErrorCode.ORDER_CANCELLED,
            lambda code=code: services.pickup_confirm(staff=world.staff[0], site=world.sites[0], code=code),
        )


def test_another_sites_code_warns_and_needs_an_override(world, order):
    other_site, other_staff = world.sites[1], world.staff[1]
    lookup = services.pickup_lookup(staff=other_staff, site=other_site, code=order.short_code)
    assert lookup.other_site and "领取点1" in lookup.warnings[0]
    refused(
        CampaignErrorCode.OTHER_SITE,
        lambda: services.pickup_confirm(staff=other_staff, site=other_site, code=order.short_code),
    )
    collected = services.pickup_confirm(
        staff=other_staff, site=other_site, code=order.short_code, override=True
    )
    assert collected.collected_site == other_site


def test_another_slots_code_warns(world, member):
    order = place(world, member, slot=world.slots[2])[0]
    lookup = services.pickup_lookup(staff=world.staff[0], site=world.sites[0], code=order.short_code)
    assert not lookup.other_site and "时段" in lookup.warnings[0]


def test_only_the_sites_staff_may_scan(world, order):
    refused(
        CampaignErrorCode.NOT_STAFF,
        lambda: services.pickup_lookup(staff=world.staff[1], site=world.sites[0], code=order.short_code),
    )


def miss(world, code, site=0):
    """A typed code that finds nothing: refused, one miss counted, nothing else written."""
    before = state()
    with pytest.raises(CampaignError) as caught:
        services.pickup_lookup(staff=world.staff[site], site=world.sites[site], code=code)
    after = state()
    assert after.pop("misses") == before.pop("misses") + 1
    assert after == before
    return caught.value.error_code


def test_short_codes_are_scoped_to_the_sites_campaign(world, make_world, order):
    other = make_world()
    assert miss(other, order.short_code) == CampaignErrorCode.UNKNOWN_CODE
    qr = services.pickup_lookup  # a QR code of another campaign names its order, but not here
    refused(
        CampaignErrorCode.UNKNOWN_CODE,
        lambda: qr(staff=other.staff[0], site=other.sites[0], code=signed(order)),
    )


def test_guessing_short_codes_is_stopped_per_staff_and_site(world, order):
    for guess in range(services.SCAN_MISS_LIMIT):
        assert miss(world, f"{guess:08d}") == CampaignErrorCode.UNKNOWN_CODE
    error = refused(
        CampaignErrorCode.RATE_LIMITED,
        lambda: services.pickup_lookup(staff=world.staff[0], site=world.sites[0], code=order.short_code),
    )
    assert "15分钟" in error.text
    # the other site's staff are not blocked; nor is a QR scan, which cannot be guessed
    assert services.pickup_lookup(staff=world.staff[1], site=world.sites[1], code=order.short_code).other_site
    assert (
        services.pickup_lookup(staff=world.staff[0], site=world.sites[0], code=signed(order)).order == order
    )
    ScanMiss.objects.update(created_at=timezone.now() - services.SCAN_MISS_WINDOW - HOUR)
    assert (
        services.pickup_lookup(staff=world.staff[0], site=world.sites[0], code=order.short_code).order
        == order
    )


def test_a_malformed_code_counts_as_a_miss(world):
    assert miss(world, "not a code at all") == CampaignErrorCode.UNKNOWN_CODE
    assert miss(world, "") == CampaignErrorCode.UNKNOWN_CODE


def test_a_short_code_drawn_twice_is_drawn_again(world, member, member_of, monkeypatch):
    first = place(world, member)[0]
    codes = iter([first.short_code, "ZZZZ9999"])
    monkeypatch.setattr(services, "new_short_code", lambda: next(codes))
    second = place(world, member_of(world.union), key="other")[0]
    assert second.short_code == "ZZZZ9999"
    assert CampaignItem.objects.get().remaining == 98  # the clashing attempt left nothing behind
