"""The home page's dashboards of buyer and supplier users: their own organisation's figures only."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from bangfu.accounts.models import OrganizationKind
from bangfu.consumption import services as consumption
from bangfu.consumption.campaigns import services as campaigns
from bangfu.consumption.models import Supplier
from bangfu.core.permissions import Role
from bangfu.reports.dashboards import dashboard_for
from tests.campaigns.conftest import make_world  # noqa: F401 (a fixture: a campaign with its package)
from tests.conftest import DEMO_COUNTY
from tests.consumption.conftest import DAY, World

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def shop(make_org, region):
    """Suppliers and two buyer units in the same county (the hospital and the union)."""
    return World(make_org, region)


def _panel(user, role, today=DAY) -> dict:
    panels = {panel["role"]: panel for panel in dashboard_for(user, today=today)}
    return {figure.key: figure.value for figure in panels[role]["figures"]}


def test_a_buyer_sees_its_own_purchases_not_another_buyer_of_the_same_county(shop, make_user):
    hospital_user = make_user(Role.BUYER, DEMO_COUNTY, organization=shop.hospital)
    union_user = make_user(Role.BUYER, DEMO_COUNTY, organization=shop.union)
    shop.buy(shop.hospital, lines=[(shop.mushroom, 10, "68.00")])  # certified on DAY
    shop.buy(shop.hospital, lines=[(shop.fungus, 2, "39.00")], date=DAY - datetime.timedelta(days=3))
    shop.buy(shop.union, lines=[(shop.honey, 100, "45.00")], supplier=shop.base)
    shop.buy(shop.hospital, lines=[(shop.mushroom, 1, "68.00")], date=datetime.date(2024, 5, 1))  # last year

    hospital = _panel(hospital_user, Role.BUYER)
    assert (hospital["purchases"], hospital["amount"], hospital["certified"]) == (2, D("758.00"), D("680.00"))
    assert hospital["certified_share"] == D("89.7")
    union = _panel(union_user, Role.BUYER)
    assert (union["purchases"], union["amount"], union["certified"]) == (1, D("4500.00"), D("0.00"))


def test_a_buyer_sees_its_own_quota_and_its_own_campaigns(shop, make_user, make_world):  # noqa: F811
    hospital_user = make_user(Role.BUYER, DEMO_COUNTY, organization=shop.hospital)
    for organization in (shop.hospital, shop.union):
        consumption.quota_save(actor=None, organization=organization, year=DAY.year, kind="reserved_share")
    assert _panel(hospital_user, Role.BUYER)["quota_units"] == 1

    world = make_world()  # organised by a federation, not by the hospital
    member = make_user(Role.MEMBER, DEMO_COUNTY, organization=world.union)
    campaigns.order_place(
        member=member, item=world.item, slot=world.slots[0], quantity=2, idempotency_key="k1"
    )
    today = timezone.localdate()
    assert _panel(hospital_user, Role.BUYER, today)["campaign_boxes"] == 0
    organizer = _panel(world.organizer, Role.BUYER, today)
    assert (organizer["campaign_orders"], organizer["campaign_boxes"], organizer["campaign_waiting"]) == (
        1,
        2,
        2,
    )


def test_a_supplier_sees_its_own_sales_products_and_boxes_to_prepare(shop, make_user, make_org, make_world):  # noqa: F811
    coop_user = make_user(Role.SUPPLIER, DEMO_COUNTY, organization=shop.coop_org)
    shop.buy(shop.hospital, lines=[(shop.mushroom, 10, "68.00")])
    shop.buy(shop.union, lines=[(shop.honey, 100, "45.00")], supplier=shop.base)  # another supplier's sale
    coop = _panel(coop_user, Role.SUPPLIER)
    assert (coop["purchases"], coop["amount"], coop["certified"]) == (1, D("680.00"), D("680.00"))
    assert coop["certified_products"] == 1  # the mushrooms, not the fungus
    assert coop["boxes_to_prepare"] == 0

    world = make_world()
    farm_org = make_org(name="测试合作社", kind=OrganizationKind.COOPERATIVE)
    Supplier.objects.filter(pk=world.products[0].supplier_id).update(organization=farm_org)
    farm_user = make_user(Role.SUPPLIER, DEMO_COUNTY, organization=farm_org)
    member = make_user(Role.MEMBER, DEMO_COUNTY, organization=world.union)
    order, _created = campaigns.order_place(
        member=member, item=world.item, slot=world.slots[0], quantity=2, idempotency_key="k2"
    )
    today = timezone.localdate()
    assert _panel(farm_user, Role.SUPPLIER, today)["boxes_to_prepare"] == 2
    assert _panel(coop_user, Role.SUPPLIER, today)["boxes_to_prepare"] == 0
    campaigns.order_cancel(actor=member, order=order)
    assert _panel(farm_user, Role.SUPPLIER, today)["boxes_to_prepare"] == 0


def test_the_home_page_shows_a_buyer_only_its_own_figures(shop, make_user, client_for):
    hospital_user = make_user(Role.BUYER, DEMO_COUNTY, organization=shop.hospital)
    shop.buy(shop.union, lines=[(shop.honey, 100, "45.00")], supplier=shop.base, date=timezone.localdate())
    response = client_for(hospital_user).get("/")
    assert response.status_code == 200
    assert b'data-testid="dashboard-buyer"' in response.content
    assert b"4,500" not in response.content and b"4500" not in response.content
    (panel,) = response.context["dashboards"]
    assert {f.key: f.value for f in panel["figures"]}["amount"] == D("0.00")


def test_a_user_without_a_buyer_or_supplier_organisation_gets_no_such_panel(make_user):
    reader = make_user(Role.LEADER, DEMO_COUNTY)
    assert all(panel["role"] not in (Role.BUYER, Role.SUPPLIER) for panel in dashboard_for(reader, today=DAY))
