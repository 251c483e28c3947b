"""Supermarket pages: each one renders for the roles that use it, the counter redeems, figures
read like the county's report, and the honour board is public and shows only consenting donors."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.supermarket import services
from bangfu.supermarket.models import PointAccount, PointEntry, Redemption, StockBalance
from bangfu.supermarket.services import BasketLine, DonationLineInput

pytestmark = pytest.mark.django_db

DAY0 = datetime.date(2024, 5, 6)


@pytest.fixture
def filled(world):
    """Donations over two years, redemptions (one a home delivery), a meeting."""
    rice, oil, _soap = world.items
    services.donation_record(
        actor=world.office,
        store=world.store,
        donor_kind="organization",
        donor_organization=world.union,
        show_on_board=True,
        date=datetime.date(2018, 6, 1),
        lines=[DonationLineInput(rice, 100, Decimal("1000.00"))],
        cash="2500000",
    )
    services.donation_record(
        actor=world.office,
        store=world.store,
        donor_kind="person",
        donor_name="不愿露面的人",
        show_on_board=False,
        date=datetime.date(2019, 6, 1),
        cash="1000000",
    )
    services.redemption_create(
        actor=world.keeper,
        store=world.store,
        household=world.households[0],
        lines=[BasketLine(rice, 1)],
        date=datetime.date(2018, 7, 1),
    )
    services.redemption_create(
        actor=world.keeper,
        store=world.store,
        household=world.households[0],
        lines=[BasketLine(rice, 1)],
        date=datetime.date(2018, 8, 1),
    )
    services.redemption_create(
        actor=world.keeper,
        store=world.store,
        household=world.households[1],
        lines=[BasketLine(oil, 1)],
        date=datetime.date(2019, 8, 1),
        delivery="home",
    )
    return world


def test_pages_render_for_the_office(filled, client_for):
    world = filled
    client = client_for(world.office)
    redemption = Redemption.objects.first()
    donation = redemption and world.store
    urls = [
        reverse("supermarket:store-list"),
        reverse("supermarket:store-detail", args=[world.store.pk]),
        reverse("supermarket:store-create"),
        reverse("supermarket:store-edit", args=[world.store.pk]),
        reverse("supermarket:item-list"),
        reverse("supermarket:item-detail", args=[world.items[0].pk]),
        reverse("supermarket:item-create"),
        reverse("supermarket:donation-list"),
        reverse("supermarket:donation-create"),
        reverse("supermarket:move-list"),
        reverse("supermarket:stock-move", args=[world.store.pk]),
        reverse("supermarket:stocktake", args=[world.store.pk]),
        reverse("supermarket:enrolment-list"),
        reverse("supermarket:enrolment-create", args=[world.store.pk]),
        reverse("supermarket:account-detail", args=[world.households[0].pk]),
        reverse("supermarket:meeting-list"),
        reverse("supermarket:meeting-create", args=[world.store.pk]),
        reverse("supermarket:redemption-list"),
        reverse("supermarket:redemption-detail", args=[redemption.pk]),
        reverse("supermarket:delivery-list"),
        reverse("supermarket:delivery-create", args=[world.store.pk]),
        reverse("supermarket:trip-create", args=[world.store.pk]),
        reverse("supermarket:figures"),
        reverse("supermarket:counter", args=[world.store.pk]),
    ]
    assert donation
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_counter_finds_a_household_by_initials_and_redeems(world, client_for):
    client = client_for(world.keeper)
    url = reverse("supermarket:counter", args=[world.store.pk])
    found = client.get(url, {"q": "zxy"}, headers={"HX-Request": "true"})
    assert found.status_code == 200
    assert "张秀英" in found.content.decode() and "李建国" not in found.content.decode()
    household = world.households[0]
    page = client.get(url, {"household": household.pk})
    assert "100" in page.content.decode()
    rice, oil, _soap = world.items

    response = client.post(url, {"household": household.pk, f"qty_{rice.pk}": "2", f"qty_{oil.pk}": ""})

    redemption = Redemption.objects.get()
    assert response.status_code == 302 and response["Location"] == redemption.get_absolute_url()
    assert PointAccount.objects.get(household=household).balance == 80
    receipt = client.get(response["Location"]).content.decode()
    assert redemption.receipt_number in receipt and "80" in receipt


def test_the_counter_shows_a_refusal_and_writes_nothing(world, client_for):
    client = client_for(world.keeper)
    url = reverse("supermarket:counter", args=[world.store.pk])
    oil = world.items[1]
    response = client.post(url, {"household": world.households[0].pk, f"qty_{oil.pk}": "4"})
    assert response.status_code == 400
    assert "积分不足" in response.content.decode()
    response = client.post(url, {"household": world.outsider.pk, f"qty_{oil.pk}": "1"})
    assert response.status_code == 400
    response = client.post(url, {"household": world.households[0].pk, f"qty_{oil.pk}": "-1"})
    assert response.status_code == 400 and "正整数" in response.content.decode()
    assert Redemption.objects.count() == 0
    assert StockBalance.objects.get(store=world.store, item=oil).quantity == 20


def test_a_keeper_of_another_store_has_no_counter_here(world, client_for, make_user):
    from bangfu.core.permissions import Role
    from tests.conftest import DEMO_TOWNSHIP

    stranger = make_user(Role.STORE_KEEPER, DEMO_TOWNSHIP)
    assert client_for(stranger).get(reverse("supermarket:counter", args=[world.store.pk])).status_code == 404


def test_figures_read_like_the_countys_report(filled, client_for):
    response = client_for(filled.office).get(reverse("supermarket:figures"))
    text = response.content.decode()
    assert (
        "2018年，全县累计创建爱心超市1个（当年新建1个），收到社会各界捐赠物资共计250.1万元，救助兜底贫困户1户2人次。"
        in text
    )
    assert (
        "2019年，全县累计创建爱心超市2个（当年新建1个），收到社会各界捐赠物资共计100万元，救助兜底贫困户1户1人次。"
        in text
    )
    assert "目前，收到社会各界捐赠物资累计350.1万元，救助贫困户2户3人次。" in text
    assert f"{reverse('supermarket:donation-list')}?year=2018" in text


def test_figures_page_runs_a_fixed_number_of_queries(filled, client_for):
    client = client_for(filled.office)
    url = reverse("supermarket:figures")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    services.donation_record(
        actor=None,
        store=filled.other_store,
        donor_kind="person",
        donor_name="周耀伟",
        date=datetime.date(2020, 1, 2),
        cash=5,
    )
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few) <= 16


def test_list_pages_do_not_query_per_row(filled, client_for):
    client = client_for(filled.office)
    for name in (
        "supermarket:redemption-list",
        "supermarket:donation-list",
        "supermarket:move-list",
        "supermarket:enrolment-list",
    ):
        client.get(reverse(name))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name))
        assert response.status_code == 200
        assert len(queries) <= 14, (name, len(queries))


def test_the_honour_board_is_public_and_shows_only_consenting_donors(filled):
    client = Client()
    county = client.get(reverse("supermarket:honour-board", args=["410423000000"]))
    store = client.get(reverse("supermarket:honour-store", args=[filled.store.pk]))
    for response in (county, store):
        assert response.status_code == 200
        text = response.content.decode()
        assert "鲁山县总工会" in text and "不愿露面的人" not in text
    assert client.get(reverse("supermarket:honour-board", args=["410402000000"])).status_code == 404


def test_a_donation_is_recorded_through_its_form_and_printed(world, client_for):
    client = client_for(world.keeper)
    rice = world.items[0]
    response = client.post(
        reverse("supermarket:donation-create"),
        {
            "store": world.store.pk,
            "donor_kind": "person",
            "donor_name": "周耀伟",
            "show_on_board": "on",
            "date": "2024-05-06",
            "cash": "",
            "item_0": rice.pk,
            "quantity_0": "10",
            "value_0": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    receipt = client.get(response["Location"]).content.decode()
    assert "周耀伟" in receipt and "100.00" in receipt


def test_a_donation_with_no_donor_type_is_refused_on_the_form(world, client_for):
    client = client_for(world.keeper)
    response = client.post(
        reverse("supermarket:donation-create"),
        {
            "store": world.store.pk,
            "donor_kind": "",
            "donor_name": "周耀伟",
            "date": "2024-05-06",
            "cash": "100",
        },
    )
    assert response.status_code == 400 and "捐赠方类型" in response.content.decode()


def test_stocktake_form_records_adjustments(world, client_for):
    client = client_for(world.keeper)
    rice = world.items[0]
    response = client.post(
        reverse("supermarket:stocktake", args=[world.store.pk]),
        {"date": "2024-05-06", f"count_{rice.pk}": "17", f"expected_{rice.pk}": "20"},
    )
    assert response.status_code == 302
    assert StockBalance.objects.get(store=world.store, item=rice).quantity == 17
    assert "17" in client.get(response["Location"]).content.decode()


def test_meeting_and_delivery_walkthrough(world, client_for):
    from tests.conftest import DEMO_VILLAGE

    cadre = client_for(world.cadre)
    response = cadre.post(
        reverse("supermarket:meeting-create", args=[world.store.pk]),
        {"region": DEMO_VILLAGE, "held_on": "2024-05-01", "publicity_days": "3"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting_url = response["Location"]
    pk = int(meeting_url.rstrip("/").split("/")[-1])
    response = cadre.post(
        reverse("supermarket:meeting-score", args=[pk]),
        {
            "household_code": world.households[2].code,
            "category": "customs",
            "points": "15",
            "reason": "婚事简办",
        },
    )
    assert response.status_code == 302
    assert cadre.post(reverse("supermarket:meeting-step", args=[pk]), {"on": "2024-05-02"}).status_code == 302
    assert cadre.post(reverse("supermarket:meeting-step", args=[pk]), {}).status_code == 302
    assert PointAccount.objects.get(household=world.households[2]).balance == 115
    assert "已入账" in cadre.get(meeting_url).content.decode()

    response = cadre.post(
        reverse("supermarket:delivery-create", args=[world.store.pk]),
        {
            "household_code": world.households[2].code,
            "item_0": world.items[0].pk,
            "quantity_0": "1",
            "note": "独居老人",
        },
    )
    assert response.status_code == 302
    delivery_pk = int(response["Location"].rstrip("/").split("/")[-1])
    keeper = client_for(world.keeper)
    trip = keeper.post(
        reverse("supermarket:trip-create", args=[world.store.pk]), {"date": "2024-05-06", "staff": "王师傅"}
    )
    assert trip.status_code == 302
    from bangfu.supermarket.models import Trip

    step = reverse("supermarket:delivery-step", args=[delivery_pk])
    assert keeper.post(step, {"trip": Trip.objects.get().pk}).status_code == 302
    assert (
        keeper.post(step, {"delivered_by": "王师傅", "delivered_at": "2024-05-06T10:00"}).status_code == 302
    )
    assert Redemption.objects.get().delivery == "home"
    assert PointAccount.objects.get(household=world.households[2]).balance == 105


def test_the_office_reverses_points_from_the_account_page(world, client_for):
    household = world.households[0]
    opening = PointEntry.objects.get(account__household=household, kind="opening")
    account_url = reverse("supermarket:account-detail", args=[household.pk])
    office = client_for(world.office)
    page = office.get(account_url).content.decode()
    assert f'data-testid="reverse-{opening.seq}"' in page
    url = reverse("supermarket:points-reverse", args=[opening.pk])
    # no reason: refused on the form, nothing written
    assert office.post(url, {"reason": ""}).status_code == 400
    assert PointEntry.objects.filter(account__household=household).count() == 1
    # the keeper sees no button and cannot reverse
    keeper = client_for(world.keeper)
    assert f'data-testid="reverse-{opening.seq}"' not in keeper.get(account_url).content.decode()
    assert keeper.post(url, {"reason": "错"}).status_code in (403, 404)
    assert PointEntry.objects.filter(account__household=household).count() == 1
    response = office.post(url, {"reason": "期初积分重复录入"})
    assert response.status_code == 302 and response["Location"] == account_url
    page = office.get(account_url).content.decode()
    assert "期初积分重复录入" in page and f'data-testid="reverse-{opening.seq}"' not in page
    assert PointAccount.objects.get(household=household).balance == 0


def test_the_office_reverses_a_donation_from_its_receipt(world, client_for):
    donation = services.donation_record(
        actor=world.keeper, store=world.store, donor_kind="person", donor_name="周耀伟", date=DAY0, cash=300
    )
    office = client_for(world.office)
    assert 'data-testid="reverse"' in office.get(donation.get_absolute_url()).content.decode()
    assert (
        'data-testid="reverse"'
        not in client_for(world.keeper).get(donation.get_absolute_url()).content.decode()
    )
    url = reverse("supermarket:donation-reverse", args=[donation.pk])
    assert office.post(url, {"reason": ""}).status_code == 400
    response = office.post(url, {"reason": "金额录错"})
    reversal = donation.reversed_by
    assert response.status_code == 302 and response["Location"] == reversal.get_absolute_url()
    page = office.get(reversal.get_absolute_url()).content.decode()
    assert 'data-testid="reverses"' in page and "金额录错" in page and "-300" in page
    page = office.get(donation.get_absolute_url()).content.decode()
    assert 'data-testid="reversed-by"' in page and 'data-testid="reverse"' not in page
