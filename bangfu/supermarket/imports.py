"""Import kinds of love supermarkets: opening stock, opening points, donations from paper books,
and the scores of village evaluation meetings from their score sheets.

Each is idempotent: importing the same file again changes nothing. A row that would
change what an earlier import recorded is refused with its reason (the ledgers are
append-only: corrections are stock-takes, adjustments or reversing entries, not re-imports).
"""

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope
from bangfu.imports import parsing
from bangfu.imports.spec import Column, Context, ImportSpec, WriteResult, register
from bangfu.registry.models import Household

from . import services
from .models import (
    Donation,
    DonorKind,
    Enrolment,
    Item,
    Meeting,
    MeetingScore,
    MeetingStatus,
    MoveKind,
    PointAccount,
    PointEntry,
    PointKind,
    ScoreCategory,
    StockMove,
    Store,
)

STORE = Column(
    "store", gettext_lazy("爱心超市"), parsing.text, required=True, aliases=("超市", "store"), max_length=100
)
ITEM = Column(
    "item", gettext_lazy("物品名称"), parsing.text, required=True, aliases=("物品", "item"), max_length=100
)
UNIT = Column("unit", gettext_lazy("单位"), parsing.text, aliases=("unit",), max_length=10)
HOUSEHOLD = Column(
    "household_code",
    gettext_lazy("户编号"),
    parsing.code,
    required=True,
    aliases=("household",),
    max_length=30,
)
POINTS = Column(
    "points", gettext_lazy("积分"), parsing.integer, required=True, aliases=("points",), example="20"
)
DATE = Column(
    "date", gettext_lazy("日期"), parsing.date, required=True, aliases=("date",), example="2018-06-01"
)


def _stores(context: Context, names) -> dict[str, list[Store]]:
    found: dict[str, list[Store]] = defaultdict(list)
    for store in scope(Store.objects.all(), context.user, context.spec.capability).filter(name__in=names):
        found[store.name].append(store)
    return found


def _households(context: Context, codes) -> dict[str, Household]:
    scoped = scope(Household.objects.all(), context.user, context.spec.capability)
    return {household.code: household for household in scoped.filter(code__in=codes)}


def _items(names) -> dict[str, list[Item]]:
    found: dict[str, list[Item]] = defaultdict(list)
    for item in Item.objects.filter(name__in=names):
        found[item.name].append(item)
    return found


def _store_and_item(values, stores, items, errors):
    matches = stores.get(values["store"], [])
    if len(matches) != 1:
        errors["store"] = _("超市不存在或不在您的管辖范围内") if not matches else _("有多个同名超市")
        return None, None
    store = matches[0]
    prefix = services.region_prefix
    candidates = [
        item
        for item in items.get(values["item"], [])
        if store.region_code.startswith(prefix(item.region_code))
        and (not values.get("unit") or item.unit == values["unit"])
    ]
    if len(candidates) != 1:
        errors["item"] = _("物品不在该超市的目录中") if not candidates else _("有多个同名物品,请填写单位")
        return store, None
    return store, candidates[0]


def _not_future(values, errors, field="date"):
    if values.get(field) and values[field] > timezone.localdate():
        errors[field] = _("日期不能晚于今天")


# Opening stock --------------------------------------------------------------------------------------


def stock_check(batch, context: Context) -> dict[int, dict[str, str]]:
    problems: dict[int, dict[str, str]] = {}
    stores = _stores(context, {v["store"] for _, v in batch})
    items = _items({v["item"] for _, v in batch})
    for number, values in batch:
        errors: dict[str, str] = {}
        store, item = _store_and_item(values, stores, items, errors)
        if values["quantity"] is not None and values["quantity"] <= 0:
            errors["quantity"] = _("数量应为正整数")
        _not_future(values, errors)
        if store and item and not errors:
            existing = StockMove.objects.filter(store=store, item=item, kind=MoveKind.OPENING).first()
            if existing is not None and existing.quantity != values["quantity"]:
                errors["quantity"] = _("期初库存已登记为%(quantity)d,更正请用盘点") % {
                    "quantity": existing.quantity
                }
            values["_existing"] = existing
        values["_store"], values["_item"] = store, item
        if errors:
            problems[number] = errors
    return problems


def stock_write(rows: list[dict], context: Context) -> WriteResult:
    result = WriteResult()
    for row in rows:
        if row["_existing"] is not None:
            result.unchanged += 1
            continue
        services.stock_receive(
            actor=context.user,
            store=row["_store"],
            item=row["_item"],
            quantity=row["quantity"],
            kind=MoveKind.OPENING,
            date=row["date"],
            reason=_("导入"),
        )
        result.created += 1
    return result


register(
    ImportSpec(
        kind="supermarket_stock",
        title=gettext_lazy("爱心超市期初库存"),
        capability=Cap.SUPERMARKET_MANAGE,
        columns=[
            STORE,
            ITEM,
            UNIT,
            Column(
                "quantity",
                gettext_lazy("数量"),
                parsing.integer,
                required=True,
                aliases=("quantity",),
                example="50",
            ),
            DATE,
        ],
        key=("store", "item", "unit"),
        check=stock_check,
        write=stock_write,
        description=gettext_lazy("每行一种物品在一个超市的期初库存;同一超市同一物品只能登记一次。"),
    )
)


# Opening points -------------------------------------------------------------------------------------


def points_check(batch, context: Context) -> dict[int, dict[str, str]]:
    problems: dict[int, dict[str, str]] = {}
    households = _households(context, {v["household_code"] for _, v in batch})
    accounts = {a.household_id: a for a in PointAccount.objects.filter(household__in=households.values())}
    for number, values in batch:
        errors: dict[str, str] = {}
        household = households.get(values["household_code"])
        account = accounts.get(household.pk) if household else None
        if household is None:
            errors["household_code"] = _("户编号不存在或不在您的管辖范围内")
        elif account is None:
            errors["household_code"] = _("该户未纳入爱心超市救助对象")
        if values["points"] is not None and values["points"] <= 0:
            errors["points"] = _("积分应为正整数")
        _not_future(values, errors)
        if account is not None and not errors:
            existing = PointEntry.objects.filter(account=account, kind=PointKind.OPENING).first()
            if existing is not None and existing.points != values["points"]:
                errors["points"] = _("期初积分已登记为%(points)d,更正请用冲正") % {"points": existing.points}
            values["_existing"] = existing
        values["_household"] = household
        if errors:
            problems[number] = errors
    return problems


def points_write(rows: list[dict], context: Context) -> WriteResult:
    result = WriteResult()
    for row in rows:
        if row["_existing"] is not None:
            result.unchanged += 1
            continue
        services.points_opening(
            actor=context.user,
            household=row["_household"],
            points=row["points"],
            date=row["date"],
            note=row.get("note") or "",
        )
        result.created += 1
    return result


register(
    ImportSpec(
        kind="supermarket_points",
        title=gettext_lazy("爱心超市期初积分"),
        capability=Cap.POINTS_AWARD,
        columns=[
            HOUSEHOLD,
            POINTS,
            DATE,
            Column("note", gettext_lazy("说明"), parsing.text, aliases=("备注", "note"), max_length=200),
        ],
        key=("household_code",),
        check=points_check,
        write=points_write,
        description=gettext_lazy("每行一户在本系统启用前已有的积分;每户只能登记一次。"),
    )
)


# Donations ------------------------------------------------------------------------------------------

DONATION_HEADER = ("store", "donor_kind", "donor_name", "show_on_board", "date", "cash")


def donations_check(batch, context: Context) -> dict[int, dict[str, str]]:
    problems: dict[int, dict[str, str]] = {}
    stores = _stores(context, {v["store"] for _, v in batch})
    items = _items({v["item"] for _, v in batch if v.get("item")})
    receipts = context.cache.setdefault("receipts", {})
    existing = set(
        Donation.objects.filter(receipt_number__in={v["receipt_number"] for _, v in batch}).values_list(
            "receipt_number", flat=True
        )
    )
    for number, values in batch:
        errors: dict[str, str] = {}
        if values.get("item"):
            store, item = _store_and_item(values, stores, items, errors)
            if values.get("quantity") is None or values["quantity"] <= 0:
                errors["quantity"] = _("数量应为正整数")
        else:
            store, item = None, None
            matches = stores.get(values["store"], [])
            if len(matches) == 1:
                store = matches[0]
            else:
                errors["store"] = _("超市不存在或不在您的管辖范围内")
            if not values.get("cash"):
                errors["item"] = _("没有物品时须填写现金")
        if not values.get("donor_kind"):
            errors["donor_kind"] = _("请填写捐赠方类型(单位、个人或匿名)")
        elif values["donor_kind"] != DonorKind.ANONYMOUS and not values.get("donor_name"):
            errors["donor_name"] = _("请填写捐赠方")
        for field in ("value", "cash"):
            if values.get(field) is not None and values[field] < 0:
                errors[field] = _("金额不能为负数")
        _not_future(values, errors)
        header = tuple(values.get(name) for name in DONATION_HEADER)
        first = receipts.setdefault(values["receipt_number"], (number, header))
        if first[1] != header and not errors:
            errors["receipt_number"] = _(
                "同一收据的各行,超市、捐赠方、日期和现金应一致,与第%(row)d行不同"
            ) % {"row": first[0]}
        values["_store"], values["_item"] = store, item
        values["_exists"] = values["receipt_number"] in existing
        if errors:
            problems[number] = errors
    return problems


def donations_write(rows: list[dict], context: Context) -> WriteResult:
    result = WriteResult()
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row["receipt_number"]].append(row)
    for receipt, group in grouped.items():
        if group[0]["_exists"] or Donation.objects.filter(receipt_number=receipt).exists():
            result.unchanged += len(group)
            continue
        first = group[0]
        lines = [
            services.DonationLineInput(
                item=row["_item"],
                quantity=row["quantity"],
                value=row["value"]
                if row.get("value") is not None
                else row["_item"].reference_value * row["quantity"],
            )
            for row in group
            if row["_item"] is not None
        ]
        services.donation_record(
            actor=context.user,
            store=first["_store"],
            donor_kind=first["donor_kind"],
            donor_name=first.get("donor_name") or "",
            show_on_board=bool(first.get("show_on_board")),
            date=first["date"],
            cash=first.get("cash") or Decimal("0.00"),
            lines=lines,
            receipt_number=receipt,
        )
        result.created += len(group)
    return result


register(
    ImportSpec(
        kind="supermarket_donations",
        title=gettext_lazy("爱心超市捐赠"),
        capability=Cap.DONATION_RECORD,
        columns=[
            Column(
                "receipt_number",
                gettext_lazy("收据编号"),
                parsing.code,
                required=True,
                aliases=("收据号", "receipt"),
                max_length=30,
            ),
            STORE,
            Column(
                "donor_kind",
                gettext_lazy("捐赠方类型"),
                parsing.Choice(DonorKind.choices),
                required=True,
                aliases=("donor type",),
                example="单位",
            ),
            Column(
                "donor_name",
                gettext_lazy("捐赠方"),
                parsing.text,
                aliases=("捐赠人", "donor"),
                max_length=100,
            ),
            Column("show_on_board", gettext_lazy("同意上荣誉榜"), parsing.boolean, aliases=("荣誉榜",)),
            DATE,
            Column("item", gettext_lazy("物品名称"), parsing.text, aliases=("物品", "item"), max_length=100),
            UNIT,
            Column("quantity", gettext_lazy("数量"), parsing.integer, aliases=("quantity",)),
            Column("value", gettext_lazy("价值(元)"), parsing.money, aliases=("价值", "value")),
            Column("cash", gettext_lazy("现金(元)"), parsing.money, aliases=("现金", "cash")),
        ],
        key=("receipt_number", "item", "unit"),
        check=donations_check,
        write=donations_write,
        description=gettext_lazy(
            "每行一种捐赠物品;收据编号相同的行合为一笔捐赠,现金写在每一行且相同。再次导入同一文件不重复。"
        ),
    )
)


# Meeting scores -------------------------------------------------------------------------------------
#
# A village evaluation meeting's score sheet (评议积分表): one row per household and category.
# Rows of one store and date go to that day's meeting covering the household's village (made
# if there is none); the meeting then follows its publicity on its page like one entered by
# hand. A score already on the meeting is not added again.


def _meeting_for(meetings: list[Meeting], household: Household) -> Meeting | None:
    covering = [
        m for m in meetings if household.region_code.startswith(services.region_prefix(m.region_code))
    ]
    return max(covering, key=lambda m: len(services.region_prefix(m.region_code)), default=None)


def scores_check(batch, context: Context) -> dict[int, dict[str, str]]:
    problems: dict[int, dict[str, str]] = {}
    stores = _stores(context, {v["store"] for _, v in batch})
    households = _households(context, {v["household_code"] for _, v in batch})
    enrolled = set(
        Enrolment.objects.filter(household__in=households.values(), is_active=True).values_list(
            "store_id", "household_id"
        )
    )
    meetings: dict[tuple[int, object], list[Meeting]] = defaultdict(list)
    dates = {v["held_on"] for _, v in batch}
    candidates = Meeting.objects.filter(
        store__in=[store for found in stores.values() for store in found], held_on__in=dates
    )
    for meeting in candidates:
        meetings[(meeting.store_id, meeting.held_on)].append(meeting)
    for number, values in batch:
        errors: dict[str, str] = {}
        matches = stores.get(values["store"], [])
        store = matches[0] if len(matches) == 1 else None
        if store is None:
            errors["store"] = _("超市不存在或不在您的管辖范围内") if not matches else _("有多个同名超市")
        household = households.get(values["household_code"])
        if household is None:
            errors["household_code"] = _("户编号不存在或不在您的管辖范围内")
        elif store is not None and (store.pk, household.pk) not in enrolled:
            errors["household_code"] = _("该户不是本超市的救助对象")
        points, category = values.get("points"), values.get("category")
        if points is not None and category and (points == 0 or (category == "deduction") != (points < 0)):
            errors["points"] = _("扣分填负数,其他类别填正数")
        _not_future(values, errors, "held_on")
        meeting = None
        if store is not None and household is not None and not errors:
            meeting = _meeting_for(meetings[(store.pk, values["held_on"])], household)
            if meeting is not None and meeting.status == MeetingStatus.CONFIRMED:
                errors["held_on"] = _("该评议会的积分已经入账,不能再导入评分;更正请用积分冲正")
        values["_store"], values["_household"], values["_meeting"] = store, household, meeting
        if errors:
            problems[number] = errors
    return problems


def scores_write(rows: list[dict], context: Context) -> WriteResult:
    result = WriteResult()
    made: dict[tuple[int, object, str], Meeting] = context.cache.setdefault("meetings", {})
    for row in rows:
        household = row["_household"]
        meeting = row["_meeting"]
        if meeting is None:
            village = household.region_code
            meeting = made.get((row["_store"].pk, row["held_on"], village))
            if meeting is None:
                meeting = services.meeting_create(
                    actor=context.user, store=row["_store"], region=household.region, held_on=row["held_on"]
                )
                made[(row["_store"].pk, row["held_on"], village)] = meeting
        if MeetingScore.objects.filter(
            meeting=meeting,
            household=household,
            category=row["category"],
            points=row["points"],
            reason=row["reason"],
        ).exists():
            result.unchanged += 1
            continue
        services.meeting_score_add(
            actor=context.user,
            meeting=meeting,
            household=household,
            category=row["category"],
            points=row["points"],
            reason=row["reason"],
        )
        result.created += 1
    return result


register(
    ImportSpec(
        kind="supermarket_scores",
        title=gettext_lazy("村评议会积分"),
        capability=Cap.POINTS_AWARD,
        columns=[
            STORE,
            Column(
                "held_on",
                gettext_lazy("评议日期"),
                parsing.date,
                required=True,
                aliases=("日期", "date"),
                example="2024-04-10",
            ),
            HOUSEHOLD,
            Column(
                "category",
                gettext_lazy("类别"),
                parsing.Choice(ScoreCategory.choices),
                required=True,
                aliases=("category",),
                example="公益劳动",
            ),
            POINTS,
            Column(
                "reason",
                gettext_lazy("事由"),
                parsing.text,
                required=True,
                aliases=("reason",),
                max_length=200,
                example="参加村道清扫",
            ),
        ],
        key=("store", "held_on", "household_code", "category", "reason"),
        check=scores_check,
        write=scores_write,
        description=gettext_lazy(
            "每行一户一个类别的评分,扣分填负数;同一超市同一天的行记入覆盖该户所在村的当天评议会"
            "(没有则新建)。导入后在评议会页面开始公示,公示期满入账。再次导入同一文件不重复。"
        ),
    )
)
