"""Races against PostgreSQL with real OS processes, each with its own connections.

Each test commits its data (transaction=True), forks worker processes that run many
threads, lines them up on a start time, and lets them hit the services at once. The
assertions are about the database afterwards, and about what every attempt was told.
"""

import multiprocessing
import random
import threading
import time
from collections import Counter, defaultdict

import pytest
from django.db import connection, connections
from django.db.models import Sum

from bangfu.accounts.models import Membership, User
from bangfu.audit.models import ChangeRecord
from bangfu.consumption.campaigns import services
from bangfu.consumption.campaigns.errors import CampaignError
from bangfu.consumption.campaigns.models import (
    CampaignItem,
    MemberAllowance,
    Order,
    OrderStatus,
    PickupSite,
    PickupSlot,
)
from bangfu.consumption.campaigns.tokens import PickupToken
from bangfu.core.permissions import Role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROCESSES = 6
THREADS = 4  # 24 connections in all: the server is shared


def _attempt_order(attempt):
    member_id, item_id, slot_id, key = attempt
    try:
        order, created = services.order_place(
            member=User.objects.get(pk=member_id),
            item=CampaignItem.objects.select_related("campaign").get(pk=item_id),
            slot=PickupSlot.objects.select_related("site").get(pk=slot_id),
            quantity=1,
            idempotency_key=key,
        )
    except CampaignError as error:
        return ("refused", str(error.error_code))
    return ("created" if created else "replayed", order.pk)


def _attempt_scan(attempt):
    staff_id, site_id, code = attempt
    try:
        services.pickup_confirm(
            staff=User.objects.get(pk=staff_id),
            site=PickupSite.objects.select_related("campaign").get(pk=site_id),
            code=code,
            override=True,
        )
    except CampaignError as error:
        return ("refused", str(error.error_code))
    return ("collected", site_id)


def _worker(job):
    """In a forked process: run the attempts on THREADS threads from ``start_at``; return the outcomes."""
    kind, attempts, start_at = job
    function = {"order": _attempt_order, "scan": _attempt_scan}[kind]
    outcomes = [None] * len(attempts)

    def run(indices):
        while time.time() < start_at:
            time.sleep(0.001)
        try:
            for index in indices:
                outcomes[index] = function(attempts[index])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(range(t, len(attempts), THREADS),)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def race(kind, attempts):
    """Spread ``attempts`` over PROCESSES forked processes; the outcomes in the attempts' order."""
    connections.close_all()  # a forked child must not share the parent's socket
    chunks = [attempts[p::PROCESSES] for p in range(PROCESSES)]
    start_at = time.time() + 1.5  # every process forked and its threads waiting
    with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
        results = pool.map(_worker, [(kind, chunk, start_at) for chunk in chunks])
    outcomes = [None] * len(attempts)
    for p, chunk_outcomes in enumerate(results):
        for offset, outcome in enumerate(chunk_outcomes):
            outcomes[p + offset * PROCESSES] = outcome
    assert None not in outcomes, "an attempt never ran"
    return outcomes


def bulk_members(organization, count, prefix="racer"):
    User.objects.bulk_create([User(username=f"{prefix}{i:05d}", password="!") for i in range(count)])
    users = list(User.objects.filter(username__startswith=prefix).order_by("username"))
    Membership.objects.bulk_create(
        [Membership(user=user, organization=organization, role=Role.MEMBER) for user in users]
    )
    return users


def test_5000_attempts_for_2000_boxes_by_3000_members(make_world):
    world = make_world(stock=2000, limit=2, capacity=1000)
    members = bulk_members(world.union, 3000)
    slots = [world.slots[0].pk, world.slots[1].pk, world.slots[2].pk]
    rng = random.Random(4)
    # 900 members try three times (one more than the limit allows), 2,100 once: 4,800 distinct
    # requests, then 200 retries of earlier ones with the same key: 5,000 attempts.
    distinct = []
    for index, member in enumerate(members):
        for n in range(3 if index < 900 else 1):
            distinct.append((member.pk, world.item.pk, rng.choice(slots), f"order-{member.pk}-{n}"))
    attempts = distinct + rng.sample(distinct, 200)
    rng.shuffle(attempts)
    assert len(attempts) == 5000 and len({a[0] for a in attempts}) == 3000

    started = time.monotonic()
    outcomes = race("order", attempts)
    elapsed = time.monotonic() - started

    orders = list(Order.objects.values("pk", "member_id", "idempotency_key", "quantity", "slot_id", "status"))
    # exactly the stock, never more
    assert sum(o["quantity"] for o in orders) == 2000
    assert CampaignItem.objects.get(pk=world.item.pk).remaining == 0
    # no member above the limit, and each member's counter agrees with their orders
    per_member = Counter()
    for o in orders:
        per_member[o["member_id"]] += o["quantity"]
    assert max(per_member.values()) <= 2
    assert dict(MemberAllowance.objects.filter(ordered__gt=0).values_list("member_id", "ordered")) == dict(
        per_member
    )
    # slot places taken agree with the orders in each slot
    per_slot = Counter(o["slot_id"] for o in orders)
    for slot in PickupSlot.objects.filter(pk__in=slots):
        assert slot.capacity - slot.remaining == per_slot[slot.pk]
    # no lost and no duplicated order: every order was reported created to exactly one attempt,
    # every attempt told "created" or "replayed" names an order that exists, one per key
    created = [pk for kind, pk in outcomes if kind == "created"]
    assert sorted(created) == sorted(o["pk"] for o in orders)
    by_key = defaultdict(set)
    for attempt, (kind, value) in zip(attempts, outcomes, strict=True):
        if kind != "refused":
            by_key[attempt[3]].add(value)
    assert all(len(pks) == 1 for pks in by_key.values())
    assert {pk for pks in by_key.values() for pk in pks} == {o["pk"] for o in orders}
    assert len({o["idempotency_key"] for o in orders}) == len(orders)
    refusals = Counter(value for kind, value in outcomes if kind == "refused")
    assert set(refusals) <= {"out_of_stock", "limit_exceeded"}, refusals
    assert refusals["out_of_stock"] > 0
    # one audit record per order, none for the refused attempts
    assert ChangeRecord.objects.filter(content_type__model="order").count() == len(orders)
    print(f"5,000 attempts in {elapsed:.1f}s; {len(orders)} orders; refusals {dict(refusals)}")


def test_retries_with_one_key_make_one_order(world):
    member = bulk_members(world.union, 1, prefix="retry")[0]
    attempts = [(member.pk, world.item.pk, world.slots[0].pk, "same-key")] * 48

    outcomes = race("order", attempts)

    assert Order.objects.count() == 1
    order = Order.objects.get()
    assert Counter(kind for kind, _value in outcomes) == {"created": 1, "replayed": 47}
    assert {value for _kind, value in outcomes} == {order.pk}
    assert CampaignItem.objects.get(pk=world.item.pk).remaining == world.item.stock - 1
    assert MemberAllowance.objects.get(member=member).ordered == 1


def test_50_scans_of_one_code_at_two_sites_hand_over_once(world):
    member = bulk_members(world.union, 1, prefix="scanned")[0]
    order, _created = services.order_place(
        member=member, item=world.item, slot=world.slots[0], quantity=1, idempotency_key="k"
    )
    code = PickupToken(order.token).signed()
    attempts = [
        (world.staff[i % 2].pk, world.sites[i % 2].pk, code if i % 3 else order.short_code) for i in range(50)
    ]

    outcomes = race("scan", attempts)

    assert Counter(kind for kind, _value in outcomes) == {"collected": 1, "refused": 49}
    assert {value for kind, value in outcomes if kind == "refused"} == {"already_collected"}
    order.refresh_from_db()
    winner = next(value for kind, value in outcomes if kind == "collected")
    assert (order.status, order.collected_site_id) == (OrderStatus.COLLECTED, winner)
    handovers = ChangeRecord.objects.filter(
        content_type__model="order", object_id=str(order.pk), action="update"
    )
    assert handovers.count() == 1
    assert Order.objects.filter(status=OrderStatus.COLLECTED).aggregate(n=Sum("quantity"))["n"] == 1
