"""Every write of love supermarkets: stores, catalogue, donations, stock, enrolment, points,
redemptions and home delivery.

Counters (a store's stock of an item, a household's spendable points) change only by a
conditional UPDATE (``quantity >= n``) in the same transaction as the ledger row that
explains the change, and CheckConstraints forbid negative values, so the result is right on
PostgreSQL under concurrency and on SQLite alike. Rows are taken in one order by every
service — a points account first, then stock rows by (store, item) — so concurrent requests
queue rather than deadlock. A refused request raises a SupermarketError (a ValidationError
with a code) and writes nothing.

The hash-chained ledgers (donations per store, points per account) are their own audit
trail: each entry carries who wrote it and when, and ``bangfu audit verify`` checks them.
Other rows get a change record in the same transaction.
"""

import datetime
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import Organization, User
from bangfu.audit.ledger import compute_hash, ledger_append
from bangfu.audit.models import Action, LedgerChain
from bangfu.audit.services import (
    acting_user,
    audited_create,
    audited_update,
    record_change,
    record_related,
    snapshot,
)
from bangfu.core.permissions import Cap
from bangfu.core.scoping import in_scope
from bangfu.regions.models import Region
from bangfu.registry.models import Household, SafetyNet

from .errors import SupermarketError
from .errors import SupermarketErrorCode as Code
from .models import (
    Delivery,
    DeliveryLine,
    DeliveryRequest,
    DeliveryStatus,
    Donation,
    DonationLine,
    DonorKind,
    Enrolment,
    EnrolmentBasis,
    Item,
    Meeting,
    MeetingScore,
    MeetingStatus,
    MoveKind,
    PointAccount,
    PointEntry,
    PointKind,
    PointRule,
    Redemption,
    RedemptionLine,
    ScoreCategory,
    StockBalance,
    StockMove,
    StockTake,
    StockTakeLine,
    Store,
    StoreStatus,
    Trip,
    TripStatus,
    lines_digest,
)

CENT = Decimal("0.01")


def region_prefix(code: str) -> str:
    """The prefix a region's code covers: 410423101000 (a township) -> 410423101."""
    for length in (2, 4, 6, 9):
        if code[length:].strip("0") == "":
            return code[:length]
    return code


def _today() -> datetime.date:
    return timezone.localdate()


def _quantity(value, field: str = "quantity") -> int:
    if isinstance(value, bool):
        raise SupermarketError(Code.INVALID_QUANTITY, field)
    try:
        quantity = int(value)
    except (TypeError, ValueError) as error:
        raise SupermarketError(Code.INVALID_QUANTITY, field) from error
    if str(quantity) != str(value).strip() and quantity != value:
        raise SupermarketError(Code.INVALID_QUANTITY, field)
    if quantity < 1:
        raise SupermarketError(Code.INVALID_QUANTITY, field)
    return quantity


def _money(value, field: str) -> Decimal:
    if value is None or value == "":
        return Decimal("0.00")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise SupermarketError(Code.INVALID_AMOUNT, field) from error
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise SupermarketError(Code.INVALID_AMOUNT, field)
    return amount.quantize(CENT)


def _date(value: datetime.date | None, field: str = "date") -> datetime.date:
    day = value or _today()
    if day > _today():
        raise SupermarketError(Code.INVALID_DATE, field)
    return day


def _check_counter(actor, store: Store) -> None:
    """At the counter: a keeper of this store, or the office over its region. None is the system."""
    if actor is None:
        return
    if in_scope(actor, Cap.SUPERMARKET_MANAGE, store.region_code):
        return
    if (
        in_scope(actor, Cap.SUPERMARKET_COUNTER, store.region_code)
        and store.keepers.filter(pk=actor.pk).exists()
    ):
        return
    raise SupermarketError(Code.NOT_KEEPER)


def _check_operating(store: Store) -> None:
    if store.status != StoreStatus.OPERATING:
        raise SupermarketError(Code.STORE_NOT_OPERATING)


def _check_item(store: Store, item: Item, field: str = "item") -> None:
    if not store.region_code.startswith(region_prefix(item.region_code)) or not item.is_active:
        raise SupermarketError(Code.ITEM_NOT_AVAILABLE, field, item=str(item))


# Stores and the catalogue ---------------------------------------------------------------------------


def store_create(
    *,
    actor,
    name: str,
    region: Region,
    organization: Organization,
    opened_on: datetime.date,
    keepers: Iterable[User] = (),
    address: str = "",
    point_value: Decimal = Decimal("1.00"),
    status: str = StoreStatus.OPERATING,
) -> Store:
    with transaction.atomic():
        store = audited_create(
            actor=actor,
            instance=Store(
                name=name,
                region=region,
                region_code=region.code,
                organization=organization,
                opened_on=opened_on,
                address=address,
                point_value=point_value,
                status=status,
            ),
        )
        keepers = list(keepers)
        if keepers:
            store_keepers_set(actor=actor, store=store, keepers=keepers)
    return store


def store_update(*, actor, store: Store, data: dict, keepers: list[User] | None = None) -> Store:
    if "region" in data:
        data = {**data, "region_code": data["region"].code}
    with transaction.atomic():
        store = audited_update(actor=actor, instance=store, data=data)
        if keepers is not None:
            store_keepers_set(actor=actor, store=store, keepers=keepers)
    return store


def store_keepers_set(*, actor, store: Store, keepers: list[User]) -> Store:
    """The store's keepers: each must hold the counter capability where the store is."""
    refused = [
        str(user) for user in keepers if not in_scope(user, Cap.SUPERMARKET_COUNTER, store.region_code)
    ]
    if refused:
        raise ValidationError(
            {
                "keepers": _("以下用户在该超市所在地区没有超市管理员权限:%(users)s")
                % {"users": "、".join(refused)}
            }
        )
    with transaction.atomic():
        before = sorted(store.keepers.values_list("username", flat=True))
        store.keepers.set(keepers)
        after = sorted(user.username for user in keepers)
        record_related(actor=actor, instance=store, changes={"keepers": [before, after]})
    return store


def item_create(
    *,
    actor,
    region: Region,
    name: str,
    category: str,
    unit: str,
    points_price: int,
    reference_value: Decimal,
    is_active: bool = True,
) -> Item:
    return audited_create(
        actor=actor,
        instance=Item(
            region=region,
            region_code=region.code,
            name=name,
            category=category,
            unit=unit,
            points_price=points_price,
            reference_value=_money(reference_value, "reference_value"),
            is_active=is_active,
        ),
    )


def item_update(*, actor, item: Item, data: dict) -> Item:
    if "region" in data:
        data = {**data, "region_code": data["region"].code}
    return audited_update(actor=actor, instance=item, data=data)


# Stock ----------------------------------------------------------------------------------------------


def _stock_change(*, store: Store, item: Item, quantity: int) -> None:
    """Add ``quantity`` (signed) to the store's stock of ``item``; refuse to go below zero."""
    if quantity > 0:
        StockBalance.objects.bulk_create(
            [StockBalance(store=store, item=item, region_code=store.region_code)], ignore_conflicts=True
        )
        StockBalance.objects.filter(store=store, item=item).update(quantity=F("quantity") + quantity)
        return
    # Conditional, not the value read before: correct even where row locks are no-ops (SQLite).
    if not StockBalance.objects.filter(store=store, item=item, quantity__gte=-quantity).update(
        quantity=F("quantity") + quantity
    ):
        available = (
            StockBalance.objects.filter(store=store, item=item).values_list("quantity", flat=True).first()
            or 0
        )
        raise SupermarketError(
            Code.OUT_OF_STOCK, "quantity", item=str(item), needed=-quantity, available=available
        )


def _move(*, actor, store: Store, item: Item, kind: str, quantity: int, date, **refs) -> StockMove:
    _stock_change(store=store, item=item, quantity=quantity)
    move = StockMove(
        store=store,
        region_code=store.region_code,
        item=item,
        kind=kind,
        quantity=quantity,
        date=date,
        created_by=acting_user(actor),
        **refs,
    )
    move.save(force_insert=True)
    return move


def stock_receive(
    *,
    actor,
    store: Store,
    item: Item,
    quantity,
    kind: str = MoveKind.PURCHASE_IN,
    date: datetime.date | None = None,
    reason: str = "",
) -> StockMove:
    """Goods bought (with donated cash or a budget) or counted in as opening stock."""
    if kind not in (MoveKind.PURCHASE_IN, MoveKind.OPENING):
        raise ValidationError({"kind": _("只能登记采购入库或期初库存。")})
    quantity = _quantity(quantity)
    _check_item(store, item)
    day = _date(date)
    with transaction.atomic():
        return _move(
            actor=actor, store=store, item=item, kind=kind, quantity=quantity, date=day, reason=reason
        )


def stock_transfer(
    *,
    actor,
    from_store: Store,
    to_store: Store,
    item: Item,
    quantity,
    date: datetime.date | None = None,
    reason: str = "",
) -> tuple[StockMove, StockMove]:
    if from_store.pk == to_store.pk:
        raise SupermarketError(Code.SAME_STORE, "to_store")
    quantity = _quantity(quantity)
    _check_item(from_store, item)
    _check_item(to_store, item)
    day = _date(date)
    with transaction.atomic():
        # Stock rows in (store, item) order, the order every service takes them in.
        legs = sorted(
            [
                (from_store, to_store, -quantity, MoveKind.TRANSFER_OUT),
                (to_store, from_store, quantity, MoveKind.TRANSFER_IN),
            ],
            key=lambda leg: leg[0].pk,
        )
        moves = {}
        for store, other, signed, kind in legs:
            moves[kind] = _move(
                actor=actor,
                store=store,
                item=item,
                kind=kind,
                quantity=signed,
                date=day,
                reason=reason,
                other_store=other,
            )
    return moves[MoveKind.TRANSFER_OUT], moves[MoveKind.TRANSFER_IN]


def stock_write_off(
    *, actor, store: Store, item: Item, quantity, reason: str, date: datetime.date | None = None
) -> StockMove:
    """Goods spoiled, expired or lost."""
    if not (reason or "").strip():
        raise SupermarketError(Code.REASON_REQUIRED, "reason")
    quantity = _quantity(quantity)
    day = _date(date)
    with transaction.atomic():
        return _move(
            actor=actor,
            store=store,
            item=item,
            kind=MoveKind.WRITE_OFF,
            quantity=-quantity,
            date=day,
            reason=reason,
        )


def stock_adjust(
    *, actor, store: Store, item: Item, quantity: int, reason: str, date: datetime.date | None = None
) -> StockMove:
    """A signed correction with its reason."""
    if not (reason or "").strip():
        raise SupermarketError(Code.REASON_REQUIRED, "reason")
    try:
        quantity = int(quantity)
    except (TypeError, ValueError) as error:
        raise SupermarketError(Code.INVALID_QUANTITY, "quantity") from error
    if quantity == 0:
        raise SupermarketError(Code.INVALID_QUANTITY, "quantity")
    day = _date(date)
    with transaction.atomic():
        return _move(
            actor=actor,
            store=store,
            item=item,
            kind=MoveKind.ADJUSTMENT,
            quantity=quantity,
            date=day,
            reason=reason,
        )


def stocktake_record(
    *,
    actor,
    store: Store,
    counts: dict[Item, int],
    expected: dict[int, int] | None = None,
    date: datetime.date | None = None,
    note: str = "",
) -> StockTake:
    """Record a count: every difference from the ledger becomes an adjustment with this count as reason.

    ``expected`` (item pk -> ledger quantity the counter saw) makes the count refuse when stock
    moved since the sheet was printed; without it the ledger at the moment of recording is used.
    The adjustment is conditional on the ledger still holding the quantity compared against.
    """
    day = _date(date)
    checked: list[tuple[Item, int]] = []
    for item, counted in counts.items():
        if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
            raise SupermarketError(Code.INVALID_QUANTITY, "counts")
        checked.append((item, counted))
    if not checked:
        raise SupermarketError(Code.EMPTY_BASKET, "counts")
    with transaction.atomic():
        stocktake = StockTake(
            store=store, region_code=store.region_code, date=day, note=note, created_by=acting_user(actor)
        )
        stocktake.save(force_insert=True)
        record_change(actor=actor, instance=stocktake, action=Action.CREATE)
        current = dict(
            StockBalance.objects.filter(store=store, item__in=[item for item, _c in checked]).values_list(
                "item_id", "quantity"
            )
        )
        reason = _("盘点%(date)s") % {"date": day.isoformat()}
        for item, counted in sorted(checked, key=lambda pair: pair[0].pk):
            ledger = current.get(item.pk, 0) if expected is None else expected.get(item.pk, 0)
            StockTakeLine.objects.create(
                stocktake=stocktake, item=item, ledger_quantity=ledger, counted_quantity=counted
            )
            if counted == ledger:
                if expected is not None and current.get(item.pk, 0) != ledger:
                    raise SupermarketError(Code.STOCK_CHANGED, "counts", item=str(item))
                continue
            StockBalance.objects.bulk_create(
                [StockBalance(store=store, item=item, region_code=store.region_code)], ignore_conflicts=True
            )
            if not StockBalance.objects.filter(store=store, item=item, quantity=ledger).update(
                quantity=counted
            ):
                raise SupermarketError(Code.STOCK_CHANGED, "counts", item=str(item))
            StockMove(
                store=store,
                region_code=store.region_code,
                item=item,
                kind=MoveKind.ADJUSTMENT,
                quantity=counted - ledger,
                date=day,
                reason=reason,
                stocktake=stocktake,
                created_by=acting_user(actor),
            ).save(force_insert=True)
    return stocktake


# Donations ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DonationLineInput:
    item: Item
    quantity: int
    value: Decimal


def donation_lines_digest(donation: Donation) -> str:
    """The digest of the lines as stored now: differs from ``lines_digest`` if a line was edited."""
    return lines_digest([(line.item_id, line.quantity, line.value) for line in donation.lines.order_by("pk")])


def donation_record(
    *,
    actor,
    store: Store,
    donor_kind: str,
    date: datetime.date,
    lines: Iterable[DonationLineInput] = (),
    cash=None,
    donor_name: str = "",
    donor_organization: Organization | None = None,
    show_on_board: bool = False,
    note: str = "",
    receipt_number: str = "",
) -> Donation:
    """Goods (received into stock) and/or cash given to ``store``, with a receipt number."""
    if donor_kind not in DonorKind.values:
        raise SupermarketError(Code.DONOR_KIND_REQUIRED, "donor_kind")
    if donor_kind == DonorKind.ORGANIZATION and donor_organization is not None and not donor_name:
        donor_name = donor_organization.name
    if donor_kind == DonorKind.ANONYMOUS:
        donor_name, donor_organization, show_on_board = "", None, False
    elif not donor_name.strip():
        raise SupermarketError(Code.DONOR_NAME_REQUIRED, "donor_name")
    if donor_kind != DonorKind.ORGANIZATION:
        donor_organization = None
    cash = _money(cash, "cash")
    checked: list[DonationLineInput] = []
    for line in lines:
        quantity = _quantity(line.quantity, "lines")
        value = _money(line.value, "lines")
        _check_item(store, line.item, "lines")
        checked.append(DonationLineInput(item=line.item, quantity=quantity, value=value))
    if len({line.item.pk for line in checked}) != len(checked):
        raise SupermarketError(Code.DUPLICATE_ITEM, "lines")
    if not checked and cash == 0:
        raise SupermarketError(Code.EMPTY_DONATION, "lines")
    day = _date(date)
    goods_value = sum((line.value for line in checked), Decimal("0.00"))
    with transaction.atomic():
        key = f"store:{store.pk}"
        chain, _created = LedgerChain.objects.get_or_create(ledger=Donation.ledger_name, key=key)
        chain = LedgerChain.objects.select_for_update().get(pk=chain.pk)
        # A paper receipt's own number when its book is imported; else the store's next number.
        receipt = receipt_number.strip() or f"JZ{store.pk:04d}-{chain.last_seq + 1:06d}"
        donation = ledger_append(
            Donation,
            key=key,
            actor=acting_user(actor),
            store=store,
            region_code=store.region_code,
            receipt_number=receipt,
            donor_kind=donor_kind,
            donor_organization=donor_organization,
            donor_name=donor_name.strip(),
            show_on_board=show_on_board,
            date=day,
            cash=cash,
            goods_value=goods_value,
            lines_digest=lines_digest([(line.item.pk, line.quantity, line.value) for line in checked]),
            note=note,
        )
        DonationLine.objects.bulk_create(
            [
                DonationLine(donation=donation, item=line.item, quantity=line.quantity, value=line.value)
                for line in checked
            ]
        )
        for line in sorted(checked, key=lambda line: line.item.pk):
            _move(
                actor=actor,
                store=store,
                item=line.item,
                kind=MoveKind.DONATION_IN,
                quantity=line.quantity,
                date=day,
                donation=donation,
            )
    return donation


def donation_reverse(*, actor, donation: Donation, reason: str) -> Donation:
    """Correct a donation recorded in error by a reversing entry on the store's chain.

    The reversal carries the donation's date, so each year's figures net out where the
    donation was counted; it takes the donated goods back out of stock, and is refused
    (nothing written) where they have already been handed out. Only the office reverses.
    """
    reason = (reason or "").strip()
    if not reason:
        raise SupermarketError(Code.REASON_REQUIRED, "reason")
    if actor is not None and not in_scope(actor, Cap.SUPERMARKET_MANAGE, donation.region_code):
        raise SupermarketError(Code.NOT_ALLOWED)
    if donation.reverses_id is not None:
        raise SupermarketError(Code.NOT_REVERSIBLE)
    store = donation.store
    with transaction.atomic():
        key = f"store:{store.pk}"
        LedgerChain.objects.select_for_update().get(ledger=Donation.ledger_name, key=key)
        if Donation.objects.filter(reverses=donation).exists():
            raise SupermarketError(Code.ALREADY_REVERSED)
        reversal = ledger_append(
            Donation,
            key=key,
            actor=acting_user(actor),
            store=store,
            region_code=donation.region_code,
            receipt_number=f"{donation.receipt_number[:27]}-CX",
            donor_kind=donation.donor_kind,
            donor_organization=donation.donor_organization,
            donor_name=donation.donor_name,
            show_on_board=False,
            date=donation.date,
            cash=-donation.cash,
            goods_value=-donation.goods_value,
            lines_digest=lines_digest([]),
            reverses=donation,
            note=reason[:200],
        )
        for line in donation.lines.select_related("item").order_by("item_id"):
            _move(
                actor=actor,
                store=store,
                item=line.item,
                kind=MoveKind.DONATION_REVERSAL,
                quantity=-line.quantity,
                date=_today(),
                donation=reversal,
                reason=reason[:200],
            )
    return reversal


# Enrolment and points ------------------------------------------------------------------------------


def enrolment_create(
    *,
    actor,
    store: Store,
    household: Household,
    reason: str = "",
    enrolled_on: datetime.date | None = None,
) -> Enrolment:
    """Enrol a household at a store: safety-net (低保、特困) households by default; any other
    household only by the office over the store's region, with a reason."""
    if not household.region_code.startswith(region_prefix(store.region_code)):
        raise SupermarketError(Code.OUT_OF_AREA, "household")
    reason = (reason or "").strip()
    if household.safety_net in (SafetyNet.DIBAO, SafetyNet.TEKUN):
        basis = EnrolmentBasis.SAFETY_NET
    else:
        if actor is not None and not in_scope(actor, Cap.SUPERMARKET_MANAGE, store.region_code):
            raise SupermarketError(Code.NOT_SAFETY_NET, "household")
        if not reason:
            raise SupermarketError(Code.REASON_REQUIRED, "reason")
        basis = EnrolmentBasis.OFFICE
    day = _date(enrolled_on, "enrolled_on")
    with transaction.atomic():
        existing = (
            Enrolment.objects.select_related("store").filter(household=household, is_active=True).first()
        )
        if existing is not None:
            raise SupermarketError(Code.ALREADY_ENROLLED, "household", store=str(existing.store))
        enrolment = Enrolment(
            store=store,
            household=household,
            region_code=household.region_code,
            basis=basis,
            reason=reason,
            enrolled_on=day,
        )
        enrolment.save(force_insert=True)
        record_change(actor=actor, instance=enrolment, action=Action.CREATE)
        account = PointAccount.objects.filter(household=household).first()
        if account is None:
            account = PointAccount(household=household, store=store, region_code=household.region_code)
            account.save(force_insert=True)
            LedgerChain.objects.get_or_create(ledger=PointEntry.ledger_name, key=f"account:{account.pk}")
            record_change(actor=actor, instance=account, action=Action.CREATE)
        elif account.store_id != store.pk:
            # Points carry over: a household moving to another store keeps its balance.
            before = snapshot(account)
            PointAccount.objects.filter(pk=account.pk).update(store=store)
            account.store = store
            record_change(actor=actor, instance=account, action=Action.UPDATE, before=before)
    return enrolment


def enrolment_end(
    *, actor, enrolment: Enrolment, reason: str, ended_on: datetime.date | None = None
) -> Enrolment:
    if not (reason or "").strip():
        raise SupermarketError(Code.REASON_REQUIRED, "reason")
    return audited_update(
        actor=actor,
        instance=enrolment,
        data={"is_active": False, "ended_on": _date(ended_on, "ended_on"), "reason": reason.strip()[:200]},
    )


def _points_append(*, actor, account: PointAccount, **fields) -> PointEntry:
    """Append to the account's points chain, its head locked directly (the chain is opened with the
    account, so the look-up-or-create of ``ledger_append`` is not needed on the counter's path)."""
    key = f"account:{account.pk}"
    chain = LedgerChain.objects.select_for_update().filter(ledger=PointEntry.ledger_name, key=key).first()
    if chain is None:
        return ledger_append(PointEntry, key=key, actor=acting_user(actor), account=account, **fields)
    entry = PointEntry(
        chain=chain,
        seq=chain.last_seq + 1,
        prev_hash=chain.last_hash,
        created_by=acting_user(actor),
        account=account,
        **fields,
    )
    entry.entry_hash = compute_hash(entry)
    entry.save(force_insert=True)
    LedgerChain.objects.filter(pk=chain.pk).update(last_seq=entry.seq, last_hash=entry.entry_hash)
    return entry


def _points_post(
    *, actor, account: PointAccount, kind: str, points: int, date: datetime.date, **refs
) -> PointEntry:
    """Change the spendable balance (conditionally when taking points) and append the ledger entry."""
    if points < 0:
        if not PointAccount.objects.filter(pk=account.pk, balance__gte=-points).update(
            balance=F("balance") + points
        ):
            available = PointAccount.objects.values_list("balance", flat=True).get(pk=account.pk)
            raise SupermarketError(Code.INSUFFICIENT_POINTS, "household", needed=-points, available=available)
    else:
        PointAccount.objects.filter(pk=account.pk).update(balance=F("balance") + points)
    return _points_append(
        actor=actor,
        account=account,
        region_code=account.region_code,
        kind=kind,
        points=points,
        date=date,
        **refs,
    )


def points_opening(
    *, actor, household: Household, points: int, date: datetime.date, note: str = ""
) -> PointEntry:
    """Points a household already held when the store started keeping its books here."""
    points = _quantity(points, "points")
    account = PointAccount.objects.filter(household=household).first()
    if account is None:
        raise SupermarketError(Code.NOT_ENROLLED, "household")
    with transaction.atomic():
        return _points_post(
            actor=actor, account=account, kind=PointKind.OPENING, points=points, date=_date(date), note=note
        )


def points_reverse(*, actor, entry: PointEntry, reason: str, date: datetime.date | None = None) -> PointEntry:
    """Correct a credit written in error by a reversing entry (the ledger is never edited).

    Only the office corrects points. Points already spent cannot be taken back: the
    balance never goes negative, so such a reversal is refused with the balance it found.
    """
    reason = (reason or "").strip()
    if not reason:
        raise SupermarketError(Code.REASON_REQUIRED, "reason")
    if actor is not None and not in_scope(actor, Cap.SUPERMARKET_MANAGE, entry.region_code):
        raise SupermarketError(Code.NOT_ALLOWED)
    if not entry.is_reversible:
        raise SupermarketError(Code.NOT_REVERSIBLE)
    date = _date(date)
    with transaction.atomic():
        account = PointAccount.objects.select_for_update().get(pk=entry.account_id)
        if PointEntry.objects.filter(reverses=entry).exists():
            raise SupermarketError(Code.ALREADY_REVERSED)
        return _points_post(
            actor=actor,
            account=account,
            kind=PointKind.REVERSAL,
            points=-entry.points,
            date=date,
            reverses=entry,
            note=reason[:200],
        )


def meeting_create(
    *,
    actor,
    store: Store,
    region: Region,
    held_on: datetime.date,
    publicity_days: int = 3,
    note: str = "",
) -> Meeting:
    if not region.code.startswith(region_prefix(store.region_code)) and not store.region_code.startswith(
        region_prefix(region.code)
    ):
        raise SupermarketError(Code.OUT_OF_AREA, "region")
    return audited_create(
        actor=actor,
        instance=Meeting(
            store=store,
            region=region,
            region_code=region.code,
            held_on=_date(held_on, "held_on"),
            publicity_days=publicity_days,
            note=note,
        ),
    )


def meeting_score_add(
    *, actor, meeting: Meeting, household: Household, category: str, points: int, reason: str
) -> MeetingScore:
    """A score while the meeting is open or under publicity (an objection may change the list)."""
    if meeting.status == MeetingStatus.CONFIRMED:
        raise SupermarketError(Code.MEETING_STATE)
    if not household.region_code.startswith(region_prefix(meeting.region_code)):
        raise SupermarketError(Code.OUT_OF_AREA, "household")
    if not Enrolment.objects.filter(household=household, is_active=True).exists():
        raise SupermarketError(Code.NOT_ENROLLED, "household")
    try:
        points = int(points)
    except (TypeError, ValueError) as error:
        raise SupermarketError(Code.INVALID_QUANTITY, "points") from error
    if points == 0 or (category == "deduction") != (points < 0):
        raise ValidationError({"points": _("扣分填负数,其他类别填正数。")})
    if not (reason or "").strip():
        raise SupermarketError(Code.REASON_REQUIRED, "reason")
    if category not in ScoreCategory.values:
        raise ValidationError({"category": _("类别无效。")})
    with transaction.atomic():
        score = MeetingScore(
            meeting=meeting,
            household=household,
            category=category,
            points=points,
            reason=reason.strip()[:200],
        )
        score.save(force_insert=True)
        record_change(actor=actor, instance=score, action=Action.CREATE)
    return score


def meeting_publicise(*, actor, meeting: Meeting, on: datetime.date | None = None) -> Meeting:
    """Put the meeting's scores up for publicity; they become spendable when the period ends."""
    if meeting.status != MeetingStatus.DRAFT or not meeting.scores.exists():
        raise SupermarketError(Code.MEETING_STATE)
    return audited_update(
        actor=actor,
        instance=meeting,
        data={"status": MeetingStatus.PUBLICISED, "publicised_on": _date(on, "publicised_on")},
    )


def meeting_confirm(*, actor, meeting: Meeting, today: datetime.date | None = None) -> list[PointEntry]:
    """After the publicity period: each household's net score goes onto its points ledger."""
    today = today or _today()
    if meeting.status != MeetingStatus.PUBLICISED:
        raise SupermarketError(Code.MEETING_STATE)
    if today < meeting.spendable_on:
        raise SupermarketError(Code.PUBLICITY_NOT_OVER, until=meeting.spendable_on.isoformat())
    totals = (
        MeetingScore.objects.filter(meeting=meeting)
        .values("household_id")
        .annotate(points=Sum("points"))
        .order_by("household_id")
    )
    entries = []
    with transaction.atomic():
        if not Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.PUBLICISED).update(
            status=MeetingStatus.CONFIRMED
        ):
            raise SupermarketError(Code.MEETING_STATE)
        accounts = {
            a.household_id: a
            for a in PointAccount.objects.filter(
                household__in=[t["household_id"] for t in totals]
            ).select_related("household")
        }
        for total in totals:
            if total["points"] == 0:
                continue
            account = accounts.get(total["household_id"])
            if account is None:
                raise SupermarketError(Code.NOT_ENROLLED, "household")
            try:
                entries.append(
                    _points_post(
                        actor=actor,
                        account=account,
                        kind=PointKind.MEETING,
                        points=total["points"],
                        date=meeting.spendable_on,
                        meeting=meeting,
                    )
                )
            except SupermarketError as error:
                raise SupermarketError(
                    Code.DEDUCTION_EXCEEDS_BALANCE,
                    household=str(account.household),
                    points=total["points"],
                    available=error.facts.get("available", 0),
                ) from error
        before = snapshot(meeting)
        meeting.status = MeetingStatus.CONFIRMED
        record_change(
            actor=actor,
            instance=meeting,
            action=Action.UPDATE,
            before={**before, "status": MeetingStatus.PUBLICISED},
        )
    return entries


def point_rule_set(*, actor, store: Store, monthly_points: int, is_active: bool = True) -> PointRule:
    rule = PointRule.objects.filter(store=store).first()
    if rule is None:
        return audited_create(
            actor=actor,
            instance=PointRule(
                store=store, region_code=store.region_code, monthly_points=monthly_points, is_active=is_active
            ),
        )
    return audited_update(
        actor=actor, instance=rule, data={"monthly_points": monthly_points, "is_active": is_active}
    )


def allowance_grant(*, actor, store: Store, period: str) -> list[PointEntry]:
    """The month's allowance for every household enrolled at the store; once per month."""
    try:
        month = datetime.date.fromisoformat(f"{period}-01")
    except ValueError as error:
        raise ValidationError({"period": _("月份格式应为YYYY-MM。")}) from error
    rule = PointRule.objects.filter(store=store, is_active=True).first()
    if rule is None:
        raise ValidationError({"period": _("该超市没有启用的月度积分规则。")})
    if month > _today():
        raise SupermarketError(Code.INVALID_DATE, "period")
    households = Enrolment.objects.filter(store=store, is_active=True).values_list("household_id", flat=True)
    accounts = PointAccount.objects.filter(household__in=households).order_by("pk")
    entries = []
    with transaction.atomic():
        if PointEntry.objects.filter(account__store=store, period=period).exists():
            raise SupermarketError(Code.ALLOWANCE_GIVEN, "period", period=period)
        for account in accounts:
            entries.append(
                _points_post(
                    actor=actor,
                    account=account,
                    kind=PointKind.ALLOWANCE,
                    points=rule.monthly_points,
                    date=month,
                    period=period,
                )
            )
    return entries


# Redemption -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BasketLine:
    item: Item
    quantity: int


def _basket(store: Store, lines: Iterable[BasketLine]) -> list[BasketLine]:
    checked = []
    for line in lines:
        quantity = _quantity(line.quantity, "lines")
        _check_item(store, line.item, "lines")
        checked.append(BasketLine(item=line.item, quantity=quantity))
    if not checked:
        raise SupermarketError(Code.EMPTY_BASKET, "lines")
    if len({line.item.pk for line in checked}) != len(checked):
        raise SupermarketError(Code.DUPLICATE_ITEM, "lines")
    return sorted(checked, key=lambda line: line.item.pk)


def _new_receipt(day: datetime.date) -> str:
    return f"DH{day:%Y%m%d}-{secrets.token_hex(4).upper()}"


def redemption_create(
    *,
    actor,
    store: Store,
    household: Household,
    lines: Iterable[BasketLine],
    date: datetime.date | None = None,
    delivery: str = Delivery.COUNTER,
) -> Redemption:
    """Hand goods to an enrolled household: its points and the store's stock change together."""
    _check_counter(actor, store)
    _check_operating(store)
    basket = _basket(store, lines)
    day = _date(date)
    enrolled = Enrolment.objects.filter(store=store, household=household, is_active=True).values(
        "household_id"
    )
    account = PointAccount.objects.filter(household=household, household__in=enrolled).first()
    if account is None:
        raise SupermarketError(Code.NOT_ENROLLED, "household")
    points = sum(line.item.points_price * line.quantity for line in basket)
    value = sum((line.item.reference_value * line.quantity for line in basket), Decimal("0.00"))
    with transaction.atomic():
        # The account first, then stock rows in item order (see the module's docstring).
        if not PointAccount.objects.filter(pk=account.pk, balance__gte=points).update(
            balance=F("balance") - points
        ):
            available = PointAccount.objects.values_list("balance", flat=True).get(pk=account.pk)
            raise SupermarketError(Code.INSUFFICIENT_POINTS, "household", needed=points, available=available)
        for line in basket:
            _stock_change(store=store, item=line.item, quantity=-line.quantity)
        redemption = Redemption(
            store=store,
            household=household,
            region_code=household.region_code,
            receipt_number=_new_receipt(day),
            date=day,
            delivery=delivery,
            points=points,
            value=value,
            created_by=acting_user(actor),
        )
        redemption.save(force_insert=True)
        RedemptionLine.objects.bulk_create(
            [
                RedemptionLine(
                    redemption=redemption,
                    item=line.item,
                    quantity=line.quantity,
                    points=line.item.points_price * line.quantity,
                    value=line.item.reference_value * line.quantity,
                )
                for line in basket
            ]
        )
        StockMove.objects.bulk_create(
            [
                StockMove(
                    store=store,
                    region_code=store.region_code,
                    item=line.item,
                    kind=MoveKind.REDEMPTION_OUT,
                    quantity=-line.quantity,
                    date=day,
                    redemption=redemption,
                    created_by=acting_user(actor),
                )
                for line in basket
            ]
        )
        _points_append(
            actor=actor,
            account=account,
            region_code=account.region_code,
            kind=PointKind.REDEMPTION,
            points=-points,
            date=day,
            redemption=redemption,
        )
    return redemption


# Home delivery --------------------------------------------------------------------------------------


def delivery_request_create(
    *, actor, store: Store, household: Household, lines: Iterable[BasketLine], note: str = ""
) -> DeliveryRequest:
    """A cadre or keeper asks for goods to be brought to a household; points and stock are
    checked when the goods are delivered."""
    _check_operating(store)
    basket = _basket(store, lines)
    if not Enrolment.objects.filter(store=store, household=household, is_active=True).exists():
        raise SupermarketError(Code.NOT_ENROLLED, "household")
    with transaction.atomic():
        request = DeliveryRequest(
            store=store,
            household=household,
            region_code=household.region_code,
            note=note,
            requested_by=acting_user(actor),
        )
        request.save(force_insert=True)
        DeliveryLine.objects.bulk_create(
            [DeliveryLine(request=request, item=line.item, quantity=line.quantity) for line in basket]
        )
        record_change(actor=actor, instance=request, action=Action.CREATE)
    return request


def trip_create(*, actor, store: Store, date: datetime.date, staff: str, vehicle: str = "") -> Trip:
    if not (staff or "").strip():
        raise ValidationError({"staff": _("请填写送货人员。")})
    return audited_create(
        actor=actor,
        instance=Trip(
            store=store, region_code=store.region_code, date=date, staff=staff.strip(), vehicle=vehicle
        ),
    )


def delivery_assign(*, actor, request: DeliveryRequest, trip: Trip) -> DeliveryRequest:
    if trip.store_id != request.store_id or trip.status != TripStatus.PLANNED:
        raise SupermarketError(Code.DELIVERY_STATE, "trip")
    if request.status not in (DeliveryStatus.REQUESTED, DeliveryStatus.ASSIGNED):
        raise SupermarketError(Code.DELIVERY_STATE)
    return audited_update(
        actor=actor, instance=request, data={"trip": trip, "status": DeliveryStatus.ASSIGNED}
    )


def delivery_complete(
    *, actor, request: DeliveryRequest, delivered_by: str, delivered_at: datetime.datetime | None = None
) -> DeliveryRequest:
    """The goods reached the household: a home redemption (one person-time), written with the request."""
    if not (delivered_by or "").strip():
        raise ValidationError({"delivered_by": _("请填写送达人。")})
    delivered_at = delivered_at or timezone.now()
    if delivered_at > timezone.now():
        raise SupermarketError(Code.INVALID_DATE, "delivered_at")
    with transaction.atomic():
        if not DeliveryRequest.objects.filter(pk=request.pk, status=DeliveryStatus.ASSIGNED).update(
            status=DeliveryStatus.DELIVERED
        ):
            raise SupermarketError(Code.DELIVERY_STATE)
        before = snapshot(request)
        lines = [
            BasketLine(item=line.item, quantity=line.quantity)
            for line in request.lines.select_related("item")
        ]
        redemption = redemption_create(
            actor=actor,
            store=request.store,
            household=request.household,
            lines=lines,
            date=timezone.localdate(delivered_at),
            delivery=Delivery.HOME,
        )
        DeliveryRequest.objects.filter(pk=request.pk).update(
            redemption=redemption, delivered_by=delivered_by.strip(), delivered_at=delivered_at
        )
        request.refresh_from_db()
        record_change(
            actor=actor,
            instance=request,
            action=Action.UPDATE,
            before={**before, "status": DeliveryStatus.ASSIGNED},
        )
        trip = request.trip
        if (
            trip is not None
            and not trip.requests.exclude(
                status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.CANCELLED]
            ).exists()
        ):
            Trip.objects.filter(pk=trip.pk).update(status=TripStatus.DONE)
    return request


def delivery_cancel(*, actor, request: DeliveryRequest, reason: str) -> DeliveryRequest:
    if not (reason or "").strip():
        raise SupermarketError(Code.REASON_REQUIRED, "reason")
    if request.status not in (DeliveryStatus.REQUESTED, DeliveryStatus.ASSIGNED):
        raise SupermarketError(Code.DELIVERY_STATE)
    return audited_update(
        actor=actor,
        instance=request,
        data={"status": DeliveryStatus.CANCELLED, "note": f"{request.note} {reason}".strip()[:200]},
    )
