"""Supermarket import kinds: opening stock, opening points and donations; re-imports change
nothing, bad rows are reported with their reasons and all-or-nothing writes nothing."""

import datetime
from decimal import Decimal

import pytest

from bangfu.imports import engine
from bangfu.imports.models import Mode, RunStatus
from bangfu.supermarket.models import (
    Donation,
    Meeting,
    MeetingScore,
    PointAccount,
    PointEntry,
    StockBalance,
    StockMove,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(user, tmp_path, kind, text, mode=Mode.ALL_OR_NOTHING):
    source = tmp_path / f"{kind}.csv"
    source.write_text(text, encoding="utf-8")
    created = engine.import_create(
        user=user, kind=kind, source=source, original_name=source.name, mode=mode, dry_run=False
    )
    return engine.import_execute(created)


def test_opening_stock_imports_once(make_world, tmp_path):
    world = make_world(stock=0)
    text = "爱心超市,物品名称,单位,数量,日期\n下汤镇爱心超市,大米,袋,50,2018-06-01\n下汤镇爱心超市,肥皂,,30,2018-06-01\n"
    first = run(world.office, tmp_path, "supermarket_stock", text)
    assert (first.status, first.created_count) == (RunStatus.IMPORTED, 2), first.message
    assert StockBalance.objects.get(store=world.store, item=world.items[0]).quantity == 50
    again = run(world.office, tmp_path, "supermarket_stock", text)
    assert (again.created_count, again.unchanged_count) == (0, 2)
    changed = run(world.office, tmp_path, "supermarket_stock", text.replace(",50,", ",60,"))
    assert changed.status == RunStatus.FAILED or changed.error_rows == 1
    assert StockMove.objects.count() == 2


def test_bad_stock_rows_write_nothing(make_world, tmp_path):
    world = make_world(stock=0)
    text = (
        "爱心超市,物品名称,单位,数量,日期\n"
        "下汤镇爱心超市,大米,袋,50,2018-06-01\n"
        "不存在的超市,大米,袋,5,2018-06-01\n"
        "下汤镇爱心超市,面包,,5,2018-06-01\n"
        "下汤镇爱心超市,肥皂,,-3,2018-06-01\n"
    )
    result = run(world.office, tmp_path, "supermarket_stock", text)
    assert result.error_rows == 3
    assert StockMove.objects.count() == 0


def test_opening_points_import_once(world, tmp_path):
    household = world.households[0]
    text = f"户编号,积分,日期\n{world.outsider.code},50,2020-01-01\n{household.code},100,2020-01-01\n"
    result = run(world.office, tmp_path, "supermarket_points", text, mode=Mode.SKIP_BAD_ROWS)
    assert result.error_rows == 1  # the outsider is not enrolled
    assert result.unchanged_count == 1
    assert PointAccount.objects.get(household=household).balance == 100


def test_donations_import_by_receipt_and_not_twice(world, tmp_path):
    text = (
        "收据编号,爱心超市,捐赠方类型,捐赠方,同意上荣誉榜,日期,物品名称,单位,数量,价值(元),现金(元)\n"
        "2018-001,下汤镇爱心超市,单位,鲁山县人民医院,是,2018-05-01,大米,袋,100,1000,500\n"
        "2018-001,下汤镇爱心超市,单位,鲁山县人民医院,是,2018-05-01,食用油,桶,10,,500\n"
        "2018-002,下汤镇爱心超市,匿名,,,2018-05-02,,,,,2000\n"
    )
    first = run(world.keeper, tmp_path, "supermarket_donations", text)
    assert first.status == RunStatus.IMPORTED, first.message
    hospital = Donation.objects.get(receipt_number="2018-001")
    assert (hospital.goods_value, hospital.cash, hospital.lines.count()) == (
        Decimal("1300.00"),
        Decimal("500.00"),
        2,
    )
    assert Donation.objects.get(receipt_number="2018-002").total_value == Decimal("2000.00")
    assert StockBalance.objects.get(store=world.store, item=world.items[0]).quantity == 120
    again = run(world.keeper, tmp_path, "supermarket_donations", text)
    assert (again.created_count, again.unchanged_count) == (0, 3)
    assert Donation.objects.count() == 2


def test_a_donation_row_without_donor_type_is_refused(world, tmp_path):
    text = (
        "收据编号,爱心超市,捐赠方类型,捐赠方,日期,现金(元)\n2018-009,下汤镇爱心超市,,周耀伟,2018-05-01,100\n"
    )
    result = run(world.keeper, tmp_path, "supermarket_donations", text)
    assert result.error_rows == 1
    assert Donation.objects.count() == 0


SCORES = "爱心超市,评议日期,户编号,类别,积分,事由\n"


def test_meeting_scores_import_into_that_days_meeting_once(world, tmp_path):
    first, second, _third = world.households
    text = SCORES + (
        f"下汤镇爱心超市,2024-04-10,{first.code},公益劳动,20,参加村道清扫\n"
        f"下汤镇爱心超市,2024-04-10,{first.code},扣分,-5,乱堆柴草\n"
        f"下汤镇爱心超市,2024-04-10,{second.code},调解纠纷,15,调解邻里纠纷\n"
    )
    result = run(world.cadre, tmp_path, "supermarket_scores", text)
    assert (result.status, result.created_count) == (RunStatus.IMPORTED, 3), result.message
    meeting = Meeting.objects.get()
    assert (meeting.store, meeting.region_code, meeting.status) == (world.store, first.region_code, "draft")
    assert sorted(meeting.scores.values_list("household__code", "points")) == sorted(
        [(first.code, 20), (first.code, -5), (second.code, 15)]
    )
    # points are not spendable before the meeting's publicity: balances unchanged
    assert sorted(PointAccount.objects.values_list("balance", flat=True)) == [100, 100, 100]
    again = run(world.cadre, tmp_path, "supermarket_scores", text)
    assert (again.created_count, again.unchanged_count) == (0, 3)
    assert MeetingScore.objects.count() == 3 and Meeting.objects.count() == 1


def test_bad_score_rows_write_nothing(world, tmp_path, region):
    from bangfu.supermarket import services

    household = world.households[0]
    confirmed = services.meeting_create(
        actor=world.office, store=world.store, region=household.region, held_on=datetime.date(2023, 4, 1)
    )
    services.meeting_score_add(
        actor=world.office,
        meeting=confirmed,
        household=household,
        category="honours",
        points=10,
        reason="好媳妇",
    )
    services.meeting_publicise(actor=world.office, meeting=confirmed, on=datetime.date(2023, 4, 1))
    services.meeting_confirm(actor=world.office, meeting=confirmed, today=datetime.date(2023, 4, 10))
    before = (Meeting.objects.count(), MeetingScore.objects.count(), PointEntry.objects.count())
    text = SCORES + (
        f"下汤镇爱心超市,2024-04-10,{household.code},公益劳动,20,参加村道清扫\n"  # the one good row
        f"下汤镇爱心超市,2024-04-10,{world.outsider.code},公益劳动,20,清扫\n"  # not enrolled
        f"下汤镇爱心超市,2024-04-10,{household.code},扣分,5,乱堆柴草\n"  # a deduction must be negative
        f"下汤镇爱心超市,2024-04-10,{household.code},好人好事,5,扶老人\n"  # no such category
        f"不存在的超市,2024-04-10,{household.code},公益劳动,5,清扫\n"
        f"鲁阳街道爱心超市,2024-04-10,{household.code},公益劳动,5,清扫\n"  # enrolled at another store
        f"下汤镇爱心超市,2099-04-10,{household.code},公益劳动,5,清扫\n"  # in the future
        f"下汤镇爱心超市,2023-04-01,{household.code},公益劳动,5,清扫\n"  # that meeting is credited
    )
    result = run(world.office, tmp_path, "supermarket_scores", text)
    assert (result.status, result.error_rows) == (RunStatus.REJECTED, 7), result.message
    assert sorted({(row, column) for row, column in result.issues.values_list("row", "column")}) == [
        (3, "户编号"),
        (4, "积分"),
        (5, "类别"),
        (6, "爱心超市"),
        (7, "户编号"),
        (8, "评议日期"),
        (9, "评议日期"),
    ]
    assert (Meeting.objects.count(), MeetingScore.objects.count(), PointEntry.objects.count()) == before
