"""Services of love supermarkets: what each writes, and that every refusal writes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from bangfu.audit.ledger import verify
from bangfu.audit.models import ChangeRecord, LedgerChain
from bangfu.supermarket import services
from bangfu.supermarket.errors import SupermarketError, SupermarketErrorCode
from bangfu.supermarket.models import (
    DeliveryRequest,
    Donation,
    DonationLine,
    Enrolment,
    Meeting,
    MeetingScore,
    PointAccount,
    PointEntry,
    Redemption,
    RedemptionLine,
    StockBalance,
    StockMove,
    StockTake,
    Trip,
)
from bangfu.supermarket.services import BasketLine, DonationLineInput
from tests.supermarket.conftest import make_household

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 5, 6)


def state() -> dict:
    """Everything a supermarket service could write."""
    models = [
        Donation,
        DonationLine,
        StockMove,
        StockTake,
        Enrolment,
        PointAccount,
        PointEntry,
        Meeting,
        MeetingScore,
        Redemption,
        RedemptionLine,
        DeliveryRequest,
        Trip,
        ChangeRecord,
        LedgerChain,
    ]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["stock"] = sorted(StockBalance.objects.values_list("store_id", "item_id", "quantity"))
    counts["points"] = sorted(PointAccount.objects.values_list("pk", "balance"))
    return counts


def refused(code, call, **kwargs):
    before = state()
    with pytest.raises(SupermarketError) as caught:
        call(**kwargs)
    assert caught.value.error_code == code
    assert state() == before
    return caught.value


def ledger_agrees():
    """Balances equal the sums of their ledgers, and the hash chains verify."""
    for balance in StockBalance.objects.all():
        moved = StockMove.objects.filter(store=balance.store_id, item=balance.item_id).aggregate(
            s=Sum("quantity")
        )
        assert balance.quantity == (moved["s"] or 0)
    for account in PointAccount.objects.all():
        total = PointEntry.objects.filter(account=account).aggregate(s=Sum("points"))
        assert account.balance == (total["s"] or 0)
    assert [p for p in verify() if not isinstance(p, int)] == []


def stock(world, item) -> int:
    return StockBalance.objects.get(store=world.store, item=item).quantity


def balance(household) -> int:
    return PointAccount.objects.get(household=household).balance


# Redemption ------------------------------------------------------------------------------------------


def test_redemption_takes_points_and_stock_together(world):
    rice, oil, soap = world.items
    household = world.households[0]

    redemption = services.redemption_create(
        actor=world.keeper,
        store=world.store,
        household=household,
        lines=[BasketLine(oil, 1), BasketLine(rice, 2)],
        date=DAY,
    )

    assert (redemption.points, redemption.value) == (50, Decimal("50.00"))
    assert balance(household) == 50
    assert (stock(world, rice), stock(world, oil), stock(world, soap)) == (18, 19, 20)
    assert sorted(redemption.moves.values_list("item_id", "quantity")) == sorted(
        [(rice.pk, -2), (oil.pk, -1)]
    )
    entry = PointEntry.objects.get(redemption=redemption)
    assert (entry.points, entry.kind, entry.created_by) == (-50, "redemption", world.keeper)
    assert redemption.receipt_number.startswith("DH20240506-")
    ledger_agrees()


def test_redeeming_every_last_point_and_unit_is_allowed(make_world):
    world = make_world(stock=3, points=30)
    rice = world.items[0]
    services.redemption_create(
        actor=world.keeper, store=world.store, household=world.households[0], lines=[BasketLine(rice, 3)]
    )
    assert balance(world.households[0]) == 0
    assert stock(world, rice) == 0
    ledger_agrees()


def test_not_enrolled_is_refused(world):
    refused(
        SupermarketErrorCode.NOT_ENROLLED,
        services.redemption_create,
        actor=world.keeper,
        store=world.store,
        household=world.outsider,
        lines=[BasketLine(world.items[0], 1)],
    )


def test_enrolled_at_another_store_is_refused_here(world):
    refused(
        SupermarketErrorCode.NOT_ENROLLED,
        services.redemption_create,
        actor=world.office,
        store=world.other_store,
        household=world.households[0],
        lines=[BasketLine(world.items[0], 1)],
    )


def test_more_than_its_points_is_refused(world):
    error = refused(
        SupermarketErrorCode.INSUFFICIENT_POINTS,
        services.redemption_create,
        actor=world.keeper,
        store=world.store,
        household=world.households[0],
        lines=[BasketLine(world.items[1], 4)],  # 120 points, 100 held
    )
    assert error.facts == {"needed": 120, "available": 100}
    assert "120" in error.text and "100" in error.text


def test_more_than_the_stock_is_refused(make_world):
    world = make_world(stock=2, points=1000)
    error = refused(
        SupermarketErrorCode.OUT_OF_STOCK,
        services.redemption_create,
        actor=world.keeper,
        store=world.store,
        household=world.households[0],
        lines=[BasketLine(world.items[2], 1), BasketLine(world.items[0], 3)],
    )
    assert error.facts == {"item": "大米(袋)", "needed": 3, "available": 2}


@pytest.mark.parametrize("quantity", [-1, 0, "x", 1.5, True, None])
def test_bad_quantity_is_refused(world, quantity):
    refused(
        SupermarketErrorCode.INVALID_QUANTITY,
        services.redemption_create,
        actor=world.keeper,
        store=world.store,
        household=world.households[0],
        lines=[BasketLine(world.items[0], quantity)],
    )


def test_empty_basket_and_duplicate_item_are_refused(world):
    common = {"actor": world.keeper, "store": world.store, "household": world.households[0]}
    refused(SupermarketErrorCode.EMPTY_BASKET, services.redemption_create, lines=[], **common)
    refused(
        SupermarketErrorCode.DUPLICATE_ITEM,
        services.redemption_create,
        lines=[BasketLine(world.items[0], 1), BasketLine(world.items[0], 2)],
        **common,
    )


def test_only_the_stores_own_keepers_serve_at_its_counter(world, make_user):
    from bangfu.core.permissions import Role
    from tests.conftest import DEMO_TOWNSHIP

    stranger = make_user(Role.STORE_KEEPER, DEMO_TOWNSHIP)  # same township, not this store's keeper
    refused(
        SupermarketErrorCode.NOT_KEEPER,
        services.redemption_create,
        actor=stranger,
        store=world.store,
        household=world.households[0],
        lines=[BasketLine(world.items[0], 1)],
    )
    refused(
        SupermarketErrorCode.NOT_KEEPER,
        services.redemption_create,
        actor=world.cadre,
        store=world.store,
        household=world.households[0],
        lines=[BasketLine(world.items[0], 1)],
    )


def test_a_closed_store_serves_no_one(world):
    services.store_update(actor=world.office, store=world.store, data={"status": "suspended"})
    refused(
        SupermarketErrorCode.STORE_NOT_OPERATING,
        services.redemption_create,
        actor=world.keeper,
        store=world.store,
        household=world.households[0],
        lines=[BasketLine(world.items[0], 1)],
    )


def test_an_item_of_another_countys_catalogue_is_refused(world, region):
    foreign = services.item_create(
        actor=None,
        region=region("410402000000"),
        name="面粉",
        category="grain_oil",
        unit="袋",
        points_price=5,
        reference_value=Decimal("5.00"),
    )
    refused(
        SupermarketErrorCode.ITEM_NOT_AVAILABLE,
        services.redemption_create,
        actor=world.keeper,
        store=world.store,
        household=world.households[0],
        lines=[BasketLine(foreign, 1)],
    )


def test_a_future_date_is_refused(world):
    refused(
        SupermarketErrorCode.INVALID_DATE,
        services.redemption_create,
        actor=world.keeper,
        store=world.store,
        household=world.households[0],
        lines=[BasketLine(world.items[0], 1)],
        date=timezone.localdate() + datetime.timedelta(days=2),
    )


def test_the_database_itself_refuses_a_negative_balance(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(store=world.store).update(quantity=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointAccount.objects.update(balance=-1)


# Donations -------------------------------------------------------------------------------------------


def test_donation_of_goods_and_cash_fills_the_stock_and_chains(world):
    rice, oil, _soap = world.items
    first = services.donation_record(
        actor=world.keeper,
        store=world.store,
        donor_kind="organization",
        donor_organization=world.union,
        show_on_board=True,
        date=DAY,
        lines=[DonationLineInput(rice, 50, Decimal("500.00")), DonationLineInput(oil, 10, Decimal("300"))],
        cash="200.5",
    )
    second = services.donation_record(
        actor=world.keeper,
        store=world.store,
        donor_kind="anonymous",
        donor_name="某某",
        show_on_board=True,
        date=DAY,
        cash=100,
    )

    assert first.receipt_number == f"JZ{world.store.pk:04d}-000001"
    assert second.receipt_number == f"JZ{world.store.pk:04d}-000002"
    assert (first.donor_name, first.goods_value, first.cash, first.total_value) == (
        "鲁山县总工会",
        Decimal("800.00"),
        Decimal("200.50"),
        Decimal("1000.50"),
    )
    # an anonymous donor is never named, nor shown on the board
    assert (second.donor_name, second.show_on_board) == ("", False)
    assert (stock(world, rice), stock(world, oil)) == (70, 30)
    assert services.donation_lines_digest(first) == first.lines_digest
    ledger_agrees()


def test_an_edited_donation_line_no_longer_matches_its_digest(world):
    donation = services.donation_record(
        actor=None,
        store=world.store,
        donor_kind="person",
        donor_name="周耀伟",
        date=DAY,
        lines=[DonationLineInput(world.items[0], 5, Decimal("50.00"))],
    )
    assert [p for p in verify() if not isinstance(p, int)] == []
    DonationLine.objects.filter(donation=donation).update(value=Decimal("5.00"))
    assert services.donation_lines_digest(donation) != donation.lines_digest
    # bangfu audit verify reports the edited line as an edit of its donation
    problems = [p for p in verify() if not isinstance(p, int)]
    assert [(p.ledger, p.kind, p.seq) for p in problems] == [("supermarket.donation", "edited", donation.seq)]


def test_an_edited_donation_breaks_the_chain(world):
    donation = services.donation_record(
        actor=None, store=world.store, donor_kind="person", donor_name="周耀伟", date=DAY, cash=1000
    )
    Donation.objects.filter(pk=donation.pk).update(cash=Decimal("10.00"))
    problems = [p for p in verify() if not isinstance(p, int)]
    assert [(p.ledger, p.kind) for p in problems] == [("supermarket.donation", "edited")]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"donor_kind": "", "donor_name": "周耀伟", "cash": 10}, SupermarketErrorCode.DONOR_KIND_REQUIRED),
        (
            {"donor_kind": "company", "donor_name": "周耀伟", "cash": 10},
            SupermarketErrorCode.DONOR_KIND_REQUIRED,
        ),
        ({"donor_kind": "person", "donor_name": " ", "cash": 10}, SupermarketErrorCode.DONOR_NAME_REQUIRED),
        ({"donor_kind": "person", "donor_name": "周耀伟"}, SupermarketErrorCode.EMPTY_DONATION),
        ({"donor_kind": "person", "donor_name": "周耀伟", "cash": "-5"}, SupermarketErrorCode.INVALID_AMOUNT),
        (
            {"donor_kind": "person", "donor_name": "周耀伟", "cash": "1.005"},
            SupermarketErrorCode.INVALID_AMOUNT,
        ),
        (
            {"donor_kind": "person", "donor_name": "周耀伟", "cash": "NaN"},
            SupermarketErrorCode.INVALID_AMOUNT,
        ),
    ],
)
def test_bad_donations_are_refused(world, kwargs, code):
    refused(code, services.donation_record, actor=world.keeper, store=world.store, date=DAY, **kwargs)


def test_a_donation_line_with_a_negative_quantity_is_refused(world):
    refused(
        SupermarketErrorCode.INVALID_QUANTITY,
        services.donation_record,
        actor=world.keeper,
        store=world.store,
        date=DAY,
        donor_kind="person",
        donor_name="周耀伟",
        lines=[DonationLineInput(world.items[0], -3, Decimal("30.00"))],
    )


# Stock -----------------------------------------------------------------------------------------------


def test_transfer_moves_stock_between_stores(world):
    rice = world.items[0]
    out, into = services.stock_transfer(
        actor=world.office,
        from_store=world.store,
        to_store=world.other_store,
        item=rice,
        quantity=5,
        date=DAY,
    )
    assert (out.quantity, out.kind, out.other_store) == (-5, "transfer_out", world.other_store)
    assert (into.quantity, into.kind, into.store) == (5, "transfer_in", world.other_store)
    assert stock(world, rice) == 15
    assert StockBalance.objects.get(store=world.other_store, item=rice).quantity == 5
    ledger_agrees()


def test_transfer_to_the_same_store_or_beyond_the_stock_is_refused(world):
    rice = world.items[0]
    refused(
        SupermarketErrorCode.SAME_STORE,
        services.stock_transfer,
        actor=world.office,
        from_store=world.store,
        to_store=world.store,
        item=rice,
        quantity=1,
    )
    refused(
        SupermarketErrorCode.OUT_OF_STOCK,
        services.stock_transfer,
        actor=world.office,
        from_store=world.store,
        to_store=world.other_store,
        item=rice,
        quantity=21,
    )
    # the other way: the other store holds nothing, and no balance row is left behind
    refused(
        SupermarketErrorCode.OUT_OF_STOCK,
        services.stock_transfer,
        actor=world.office,
        from_store=world.other_store,
        to_store=world.store,
        item=rice,
        quantity=1,
    )


def test_write_off_and_adjustment_need_a_reason_and_keep_stock_non_negative(world):
    soap = world.items[2]
    refused(
        SupermarketErrorCode.REASON_REQUIRED,
        services.stock_write_off,
        actor=world.keeper,
        store=world.store,
        item=soap,
        quantity=1,
        reason="",
    )
    refused(
        SupermarketErrorCode.OUT_OF_STOCK,
        services.stock_adjust,
        actor=world.keeper,
        store=world.store,
        item=soap,
        quantity=-21,
        reason="点错",
    )
    services.stock_write_off(actor=world.keeper, store=world.store, item=soap, quantity=2, reason="受潮")
    services.stock_adjust(actor=world.keeper, store=world.store, item=soap, quantity=1, reason="找回")
    assert stock(world, soap) == 19
    ledger_agrees()


def test_stocktake_turns_differences_into_adjustments(world):
    rice, oil, soap = world.items
    take = services.stocktake_record(
        actor=world.keeper, store=world.store, counts={rice: 18, oil: 20, soap: 23}, date=DAY
    )
    assert sorted(
        (line.item_id, line.ledger_quantity, line.counted_quantity) for line in take.lines.all()
    ) == sorted([(rice.pk, 20, 18), (oil.pk, 20, 20), (soap.pk, 20, 23)])
    assert sorted(take.moves.values_list("item_id", "quantity")) == sorted([(rice.pk, -2), (soap.pk, 3)])
    assert (stock(world, rice), stock(world, oil), stock(world, soap)) == (18, 20, 23)
    ledger_agrees()


def test_stocktake_of_a_sheet_the_stock_has_moved_past_is_refused(world):
    rice = world.items[0]
    refused(
        SupermarketErrorCode.STOCK_CHANGED,
        services.stocktake_record,
        actor=world.keeper,
        store=world.store,
        counts={rice: 15},
        expected={rice.pk: 25},  # the sheet said 25; the ledger holds 20
    )
    refused(
        SupermarketErrorCode.INVALID_QUANTITY,
        services.stocktake_record,
        actor=world.keeper,
        store=world.store,
        counts={rice: -1},
    )


# Enrolment and points --------------------------------------------------------------------------------


def test_enrolment_defaults_to_safety_net_households(world, region):
    from tests.conftest import DEMO_VILLAGE

    refused(
        SupermarketErrorCode.ALREADY_ENROLLED,
        services.enrolment_create,
        actor=world.office,
        store=world.store,
        household=world.households[0],
    )
    # a keeper may not enrol a household outside the safety net; the office may, with a reason
    keeper_outsider = dict(actor=world.keeper, store=world.store, household=world.outsider)
    refused(SupermarketErrorCode.NOT_SAFETY_NET, services.enrolment_create, **keeper_outsider)
    refused(
        SupermarketErrorCode.REASON_REQUIRED,
        services.enrolment_create,
        actor=world.office,
        store=world.store,
        household=world.outsider,
    )
    enrolment = services.enrolment_create(
        actor=world.office, store=world.store, household=world.outsider, reason="因病致贫,家中无劳动力"
    )
    assert (enrolment.basis, PointAccount.objects.get(household=world.outsider).balance) == ("office", 0)
    far = make_household(region("410423001001"), "SMFAR1")
    refused(
        SupermarketErrorCode.OUT_OF_AREA,
        services.enrolment_create,
        actor=world.office,
        store=world.store,
        household=far,
    )
    assert region(DEMO_VILLAGE)


def test_points_carry_over_when_a_household_moves_store(world, region):
    household = world.households[0]
    enrolment = Enrolment.objects.get(household=household, is_active=True)
    services.enrolment_end(actor=world.office, enrolment=enrolment, reason="搬迁")
    services.store_update(
        actor=world.office, store=world.other_store, data={"region": region("410423000000")}
    )
    services.enrolment_create(actor=world.office, store=world.other_store, household=household)
    account = PointAccount.objects.get(household=household)
    assert (account.store, account.balance) == (world.other_store, 100)


def meeting_with_scores(world, held_on=DAY):
    from bangfu.regions.models import Region
    from tests.conftest import DEMO_VILLAGE

    meeting = services.meeting_create(
        actor=world.cadre, store=world.store, region=Region.objects.get(code=DEMO_VILLAGE), held_on=held_on
    )
    first, second, _third = world.households
    services.meeting_score_add(
        actor=world.cadre,
        meeting=meeting,
        household=first,
        category="public_works",
        points=10,
        reason="清扫村道",
    )
    services.meeting_score_add(
        actor=world.cadre, meeting=meeting, household=first, category="honours", points=20, reason="好媳妇"
    )
    services.meeting_score_add(
        actor=world.cadre,
        meeting=meeting,
        household=second,
        category="deduction",
        points=-5,
        reason="乱堆柴草",
    )
    return meeting


def test_meeting_scores_become_spendable_only_after_publicity(world):
    meeting = meeting_with_scores(world)
    first, second, third = world.households
    services.meeting_publicise(actor=world.cadre, meeting=meeting, on=DAY)
    assert meeting.spendable_on == DAY + datetime.timedelta(days=3)
    # during publicity: nothing credited, and confirming is refused
    error = refused(
        SupermarketErrorCode.PUBLICITY_NOT_OVER,
        services.meeting_confirm,
        actor=world.cadre,
        meeting=meeting,
        today=DAY + datetime.timedelta(days=2),
    )
    assert error.facts == {"until": "2024-05-09"}
    entries = services.meeting_confirm(
        actor=world.cadre, meeting=meeting, today=DAY + datetime.timedelta(days=3)
    )
    assert sorted((e.account.household_id, e.points) for e in entries) == sorted(
        [(first.pk, 30), (second.pk, -5)]
    )
    assert (balance(first), balance(second), balance(third)) == (130, 95, 100)
    assert Meeting.objects.get(pk=meeting.pk).status == "confirmed"
    refused(
        SupermarketErrorCode.MEETING_STATE,
        services.meeting_confirm,
        actor=world.cadre,
        meeting=meeting,
        today=DAY + datetime.timedelta(days=9),
    )
    ledger_agrees()


def test_a_deduction_beyond_the_balance_confirms_nothing(make_world):
    world = make_world(points=0)
    meeting = meeting_with_scores(world)
    services.meeting_publicise(actor=world.cadre, meeting=meeting, on=DAY)
    error = refused(
        SupermarketErrorCode.DEDUCTION_EXCEEDS_BALANCE,
        services.meeting_confirm,
        actor=world.cadre,
        meeting=meeting,
        today=DAY + datetime.timedelta(days=5),
    )
    assert error.facts["points"] == -5
    assert Meeting.objects.get(pk=meeting.pk).status == "publicised"


def test_scores_must_carry_their_sign_and_a_reason(world):
    meeting = meeting_with_scores(world)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.meeting_score_add(
            actor=world.cadre,
            meeting=meeting,
            household=world.households[2],
            category="deduction",
            points=5,
            reason="x",
        )
    refused(
        SupermarketErrorCode.NOT_ENROLLED,
        services.meeting_score_add,
        actor=world.cadre,
        meeting=meeting,
        household=world.outsider,
        category="public_works",
        points=5,
        reason="修路",
    )


def test_monthly_allowance_is_given_once_a_month(world):
    services.point_rule_set(actor=world.office, store=world.store, monthly_points=20)
    entries = services.allowance_grant(actor=world.office, store=world.store, period="2024-04")
    assert len(entries) == 3
    assert balance(world.households[0]) == 120
    refused(
        SupermarketErrorCode.ALLOWANCE_GIVEN,
        services.allowance_grant,
        actor=world.office,
        store=world.store,
        period="2024-04",
    )
    ledger_agrees()


# Home delivery ---------------------------------------------------------------------------------------


def test_home_delivery_becomes_a_home_redemption(world):
    rice = world.items[0]
    household = world.households[1]
    request = services.delivery_request_create(
        actor=world.cadre,
        store=world.store,
        household=household,
        lines=[BasketLine(rice, 2)],
        note="行动不便",
    )
    trip = services.trip_create(
        actor=world.keeper, store=world.store, date=DAY, staff="王师傅", vehicle="豫D12345"
    )
    refused(
        SupermarketErrorCode.DELIVERY_STATE,
        services.delivery_complete,
        actor=world.keeper,
        request=request,
        delivered_by="王师傅",
    )
    services.delivery_assign(actor=world.keeper, request=request, trip=trip)
    request = services.delivery_complete(actor=world.keeper, request=request, delivered_by="王师傅")

    assert request.status == "delivered" and request.delivered_by == "王师傅"
    assert request.redemption.delivery == "home"
    assert (balance(household), stock(world, rice)) == (80, 18)
    assert Trip.objects.get(pk=trip.pk).status == "done"
    ledger_agrees()


def test_a_delivery_beyond_the_points_delivers_nothing(make_world):
    world = make_world(points=10)
    oil = world.items[1]
    request = services.delivery_request_create(
        actor=world.keeper, store=world.store, household=world.households[0], lines=[BasketLine(oil, 1)]
    )
    trip = services.trip_create(actor=world.keeper, store=world.store, date=DAY, staff="王师傅")
    services.delivery_assign(actor=world.keeper, request=request, trip=trip)
    refused(
        SupermarketErrorCode.INSUFFICIENT_POINTS,
        services.delivery_complete,
        actor=world.keeper,
        request=request,
        delivered_by="王师傅",
    )
    assert DeliveryRequest.objects.get(pk=request.pk).status == "assigned"


# Points reversal --------------------------------------------------------------------------------------


def test_the_office_reverses_a_credit_written_in_error(world):
    household = world.households[0]
    opening = PointEntry.objects.get(account__household=household, kind="opening")
    reversal = services.points_reverse(actor=world.office, entry=opening, reason="期初积分重复录入")
    assert (reversal.kind, reversal.points, reversal.reverses_id, reversal.note) == (
        "reversal",
        -100,
        opening.pk,
        "期初积分重复录入",
    )
    assert PointAccount.objects.get(household=household).balance == 0
    assert opening.reversed_by == reversal
    ledger_agrees()


def test_entries_written_before_a_ledger_field_was_added_keep_their_hashes(world):
    """``reverses`` is hashed only where set: an entry without it hashes as it did before."""
    from bangfu.audit.ledger import compute_hash

    entry = PointEntry.objects.get(account__household=world.households[0], kind="opening")
    assert compute_hash(entry) == entry.entry_hash
    PointEntry.hash_fields_when_set, saved = (), PointEntry.hash_fields_when_set
    try:
        assert compute_hash(entry) == entry.entry_hash
    finally:
        PointEntry.hash_fields_when_set = saved
    reversal = services.points_reverse(actor=world.office, entry=entry, reason="重复")
    # a reversal's link to what it reverses is covered by its hash
    reversal.reverses_id = None
    assert compute_hash(reversal) != reversal.entry_hash


def test_points_reversals_that_are_refused_write_nothing(world):
    household = world.households[0]
    opening = PointEntry.objects.get(account__household=household, kind="opening")
    refused(
        SupermarketErrorCode.REASON_REQUIRED,
        services.points_reverse,
        actor=world.office,
        entry=opening,
        reason=" ",
    )
    # only the office corrects points: not the keeper, not a cadre
    refused(
        SupermarketErrorCode.NOT_ALLOWED,
        services.points_reverse,
        actor=world.keeper,
        entry=opening,
        reason="错",
    )
    refused(
        SupermarketErrorCode.NOT_ALLOWED,
        services.points_reverse,
        actor=world.cadre,
        entry=opening,
        reason="错",
    )
    # a redemption is not a credit
    redemption = services.redemption_create(
        actor=world.keeper, store=world.store, household=household, lines=[BasketLine(world.items[1], 1)]
    )
    spent = PointEntry.objects.get(redemption=redemption)
    refused(
        SupermarketErrorCode.NOT_REVERSIBLE,
        services.points_reverse,
        actor=world.office,
        entry=spent,
        reason="错",
    )
    # 30 of the 100 points are spent: the credit can no longer be taken back whole
    error = refused(
        SupermarketErrorCode.INSUFFICIENT_POINTS,
        services.points_reverse,
        actor=world.office,
        entry=opening,
        reason="重复",
    )
    assert error.facts == {"needed": 100, "available": 70}
    # a credit is reversed once
    other = PointEntry.objects.get(account__household=world.households[1], kind="opening")
    services.points_reverse(actor=world.office, entry=other, reason="重复")
    refused(
        SupermarketErrorCode.ALREADY_REVERSED,
        services.points_reverse,
        actor=world.office,
        entry=other,
        reason="重复",
    )
    ledger_agrees()


# Donation reversal ------------------------------------------------------------------------------------


def test_the_office_reverses_a_donation_recorded_in_error(world):
    rice = world.items[0]
    donation = services.donation_record(
        actor=world.keeper,
        store=world.store,
        donor_kind="person",
        donor_name="周耀伟",
        show_on_board=True,
        date=DAY,
        cash=500,
        lines=[DonationLineInput(rice, 5, Decimal("50.00"))],
    )
    assert stock(world, rice) == 25
    reversal = services.donation_reverse(actor=world.office, donation=donation, reason="重复登记")
    assert (reversal.reverses_id, reversal.date, reversal.cash, reversal.goods_value, reversal.note) == (
        donation.pk,
        DAY,
        Decimal("-500.00"),
        Decimal("-50.00"),
        "重复登记",
    )
    assert stock(world, rice) == 20
    # the year's donations net out, and the donor leaves the honour board
    from bangfu.supermarket import selectors
    from bangfu.supermarket.models import Store

    stores = Store.objects.filter(pk=world.store.pk)
    assert Donation.objects.aggregate(s=Sum("cash") + Sum("goods_value"))["s"] == 0
    assert [row.donor for row in selectors.honour_board(stores=stores)] == []
    ledger_agrees()


def test_donation_reversals_that_are_refused_write_nothing(world):
    rice = world.items[0]
    donation = services.donation_record(
        actor=world.keeper,
        store=world.store,
        donor_kind="person",
        donor_name="周耀伟",
        date=DAY,
        lines=[DonationLineInput(rice, 5, Decimal("50.00"))],
    )
    reverse = services.donation_reverse
    refused(SupermarketErrorCode.REASON_REQUIRED, reverse, actor=world.office, donation=donation, reason="")
    refused(SupermarketErrorCode.NOT_ALLOWED, reverse, actor=world.keeper, donation=donation, reason="错")
    # the donated rice has been handed out: it cannot leave stock again
    services.stock_write_off(
        actor=world.office, store=world.store, item=rice, quantity=21, date=DAY, reason="霉变"
    )
    error = refused(
        SupermarketErrorCode.OUT_OF_STOCK, reverse, actor=world.office, donation=donation, reason="错"
    )
    assert error.facts["available"] == 4
    services.stock_receive(
        actor=world.office, store=world.store, item=rice, quantity=10, kind="purchase_in", date=DAY
    )
    reversal = reverse(actor=world.office, donation=donation, reason="重复登记")
    refused(
        SupermarketErrorCode.ALREADY_REVERSED, reverse, actor=world.office, donation=donation, reason="错"
    )
    refused(SupermarketErrorCode.NOT_REVERSIBLE, reverse, actor=world.office, donation=reversal, reason="错")
    ledger_agrees()
