"""Two counters at the same moment, against PostgreSQL, with real OS processes.

Each test commits its data (transaction=True), forks processes that wait for a common start
time and then call the redemption service at once. The assertions are about what every
attempt was told and about the database afterwards: ledgers and balances agree.
"""

import multiprocessing
import random
import time

import pytest
from django.db import connection, connections
from django.db.models import Sum

from bangfu.accounts.models import User
from bangfu.audit.ledger import verify
from bangfu.registry.models import Household
from bangfu.supermarket import services
from bangfu.supermarket.errors import SupermarketError
from bangfu.supermarket.models import (
    Item,
    PointAccount,
    PointEntry,
    Redemption,
    StockBalance,
    StockMove,
    Store,
)
from bangfu.supermarket.services import BasketLine
from tests.supermarket.conftest import make_household

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _attempt(attempt):
    """A counter redemption ``(keeper, store, household, lines)``, or an office reversal of a
    points entry ``("reverse", office, entry)``."""
    *args, start_at = attempt
    if args[0] == "reverse":
        office, entry = User.objects.get(pk=args[1]), PointEntry.objects.get(pk=args[2])

        def call():
            return services.points_reverse(actor=office, entry=entry, reason="重复录入")

        done = "reversed"
    else:
        keeper_id, store_id, household_id, lines = args
        keeper = User.objects.get(pk=keeper_id)
        store = Store.objects.get(pk=store_id)
        household = Household.objects.get(pk=household_id)
        basket = [BasketLine(Item.objects.get(pk=item), quantity) for item, quantity in lines]

        def call():
            return services.redemption_create(actor=keeper, store=store, household=household, lines=basket)

        done = "redeemed"
    while time.time() < start_at:
        time.sleep(0.0005)
    try:
        written = call()
    except SupermarketError as error:
        return ("refused", str(error.error_code), error.text)
    finally:
        connection.close()
    return (done, written.pk, "")


def race(attempts, processes=None):
    """Run each attempt in its own forked process, all starting at the same moment."""
    connections.close_all()  # a forked child must not share the parent's socket
    start_at = time.time() + 1.5
    with multiprocessing.get_context("fork").Pool(processes or len(attempts)) as pool:
        return pool.map(_attempt, [(*attempt, start_at) for attempt in attempts], chunksize=1)


def assert_ledgers_agree():
    for balance in StockBalance.objects.all():
        moved = StockMove.objects.filter(store=balance.store_id, item=balance.item_id).aggregate(
            s=Sum("quantity")
        )
        assert balance.quantity == moved["s"] >= 0
    for account in PointAccount.objects.all():
        total = PointEntry.objects.filter(account=account).aggregate(s=Sum("points"))
        assert account.balance == (total["s"] or 0) >= 0
    assert [p for p in verify() if not isinstance(p, int)] == []


def test_two_counters_redeem_the_last_unit(make_world):
    world = make_world(stock=1, points=100)
    oil = world.items[1]
    second_keeper = world.keeper  # two counters of the same store, the same keeper logged in twice
    attempts = [
        (world.keeper.pk, world.store.pk, world.households[0].pk, [(oil.pk, 1)]),
        (second_keeper.pk, world.store.pk, world.households[1].pk, [(oil.pk, 1)]),
    ]
    outcomes = race(attempts)

    assert sorted(outcome[0] for outcome in outcomes) == ["redeemed", "refused"]
    refusal = next(outcome for outcome in outcomes if outcome[0] == "refused")
    assert refusal[1] == "out_of_stock" and "库存不足" in refusal[2]
    assert StockBalance.objects.get(store=world.store, item=oil).quantity == 0
    assert Redemption.objects.count() == 1
    assert sorted(PointAccount.objects.values_list("balance", flat=True)) == [70, 100, 100]
    assert_ledgers_agree()


def test_two_counters_spend_the_last_points_of_a_household(make_world):
    world = make_world(stock=10, points=30)
    oil = world.items[1]  # 30 points: the household's last
    household = world.households[0]
    attempts = [(world.keeper.pk, world.store.pk, household.pk, [(oil.pk, 1)])] * 2
    outcomes = race(attempts)

    assert sorted(outcome[0] for outcome in outcomes) == ["redeemed", "refused"]
    refusal = next(outcome for outcome in outcomes if outcome[0] == "refused")
    assert refusal[1] == "insufficient_points" and "积分不足" in refusal[2]
    assert PointAccount.objects.get(household=household).balance == 0
    assert StockBalance.objects.get(store=world.store, item=oil).quantity == 9
    assert_ledgers_agree()


def test_many_counters_many_baskets(make_world, region):
    """40 baskets over 12 households and three items at once: the stock and points that were there
    are exactly what was handed out, and nothing went below zero."""
    from tests.conftest import DEMO_VILLAGE

    world = make_world(stock=6, points=40)
    village = region(DEMO_VILLAGE)
    households = list(world.households)
    for n in range(9):
        household = make_household(village, f"SMR{n:03d}")
        services.enrolment_create(actor=None, store=world.store, household=household)
        services.points_opening(actor=None, household=household, points=40, date=household.created_at.date())
        households.append(household)
    rng = random.Random(5)
    attempts = []
    for _n in range(40):
        chosen = rng.sample(world.items, rng.choice([1, 2]))
        lines = [(item.pk, rng.choice([1, 2])) for item in chosen]
        attempts.append((world.keeper.pk, world.store.pk, rng.choice(households).pk, lines))

    outcomes = race(attempts, processes=8)

    redeemed = [outcome for outcome in outcomes if outcome[0] == "redeemed"]
    assert {outcome[1] for outcome in outcomes if outcome[0] == "refused"} <= {
        "out_of_stock",
        "insufficient_points",
    }
    assert len(redeemed) == Redemption.objects.count() > 0
    handed = StockMove.objects.filter(kind="redemption_out").aggregate(s=Sum("quantity"))["s"]
    left = StockBalance.objects.filter(store=world.store).aggregate(s=Sum("quantity"))["s"]
    assert left - handed == 18  # what was there: 6 of each of three items
    spent = Redemption.objects.aggregate(s=Sum("points"))["s"]
    assert spent + PointAccount.objects.aggregate(s=Sum("balance"))["s"] == 40 * len(households)
    assert_ledgers_agree()


def test_a_reversal_and_a_redemption_race_for_the_same_points(make_world):
    """The office takes back a 30-point credit while the counter spends those 30 points: one wins."""
    world = make_world(stock=10, points=30)
    household = world.households[0]
    credit = PointEntry.objects.get(account__household=household, kind="opening")
    attempts = [
        ("reverse", world.office.pk, credit.pk),
        (world.keeper.pk, world.store.pk, household.pk, [(world.items[1].pk, 1)]),
    ]
    outcomes = race(attempts)

    assert sorted(outcome[0] for outcome in outcomes) in (["redeemed", "refused"], ["refused", "reversed"])
    assert next(outcome for outcome in outcomes if outcome[0] == "refused")[1] == "insufficient_points"
    assert PointAccount.objects.get(household=household).balance == 0
    assert_ledgers_agree()


def test_two_offices_reverse_the_same_credit(make_world):
    world = make_world(stock=0, points=50)
    credit = PointEntry.objects.get(account__household=world.households[0], kind="opening")
    outcomes = race([("reverse", world.office.pk, credit.pk)] * 2)

    assert sorted(outcome[0] for outcome in outcomes) == ["refused", "reversed"]
    assert next(outcome for outcome in outcomes if outcome[0] == "refused")[1] == "already_reversed"
    assert PointEntry.objects.filter(reverses=credit).count() == 1
    assert PointAccount.objects.get(household=world.households[0]).balance == 0
    assert_ledgers_agree()
