"""A campaign ready to order from: a county union federation running it for its
grassroots unions' members, one package of two products, two pickup sites with slots."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from bangfu.accounts.models import Organization, OrganizationKind, User
from bangfu.audit.models import ChangeRecord
from bangfu.consumption.campaigns import services
from bangfu.consumption.campaigns.models import (
    Campaign,
    CampaignItem,
    MemberAllowance,
    Order,
    PickupSite,
    PickupSlot,
    ScanMiss,
)
from bangfu.consumption.models import Product, Supplier
from bangfu.core.permissions import Role
from tests.conftest import DEMO_COUNTY, DEMO_TOWNSHIP

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@dataclass
class World:
    federation: Organization
    union: Organization  # a grassroots union under the federation
    campaign: Campaign
    item: CampaignItem
    sites: list[PickupSite]
    slots: list[
        PickupSlot
    ]  # slots[0] at sites[0] (now), slots[1] at sites[1] (now), slots[2] at sites[0] (later)
    organizer: User
    staff: list[User]  # staff[0] at sites[0], staff[1] at sites[1]
    products: list[Product] = field(default_factory=list)


def make_products(region, count=2, name="鲁山县测试合作社") -> list[Product]:
    supplier = Supplier.objects.create(name=name, kind="cooperative", region=region, region_code=region.code)
    names = ["小米", "黑木耳", "香菇", "蜂蜜"]
    return [
        Product.objects.create(
            supplier=supplier,
            region_code=region.code,
            name=names[i],
            category="grain_oil",
            unit="袋",
            price=Decimal("20.00"),
        )
        for i in range(count)
    ]


@pytest.fixture
def make_world(make_user, make_org, region):
    counter = iter(range(1, 1000))

    def make(*, stock=100, limit=2, capacity=50, opens=-DAY, closes=DAY, pickup=2 * DAY, status="published"):
        now = timezone.now()
        number = next(counter)
        county = region(DEMO_COUNTY)
        federation = make_org(name=f"鲁山县总工会{number}", kind=OrganizationKind.UNION)
        union = make_org(
            name=f"下汤镇中学工会{number}",
            kind=OrganizationKind.UNION,
            parent=federation,
            region_code=DEMO_TOWNSHIP,
        )
        organizer = make_user(Role.BUYER, DEMO_COUNTY, organization=federation)
        campaign = services.campaign_create(
            actor=organizer,
            organizer=federation,
            name="杂粮礼盒预订",
            opens_at=now + opens,
            closes_at=now + closes,
            pickup_closes_at=now + pickup,
            per_member_limit=limit,
            eligible_organizations=[federation],
            include_suborganizations=True,
            status=status,
        )
        products = make_products(county, name=f"鲁山县测试合作社{number}")
        item = services.item_create(
            actor=organizer,
            campaign=campaign,
            name="杂粮礼盒",
            price=Decimal("88.00"),
            stock=stock,
            lines=[(products[0], 2), (products[1], 1)],
        )
        staff = [make_user(Role.BUYER, DEMO_COUNTY), make_user(Role.SUPPLIER, DEMO_COUNTY)]
        sites = [
            services.site_create(
                actor=organizer,
                campaign=campaign,
                name=f"领取点{i + 1}",
                address="工会服务站",
                region=county,
                staff=[s],
            )
            for i, s in enumerate(staff)
        ]
        slots = [
            services.slot_create(
                actor=organizer, site=sites[0], starts_at=now - HOUR, ends_at=now + HOUR, capacity=capacity
            ),
            services.slot_create(
                actor=organizer, site=sites[1], starts_at=now - HOUR, ends_at=now + HOUR, capacity=capacity
            ),
            services.slot_create(
                actor=organizer,
                site=sites[0],
                starts_at=now + 3 * HOUR,
                ends_at=now + 4 * HOUR,
                capacity=capacity,
            ),
        ]
        return World(federation, union, campaign, item, sites, slots, organizer, staff, products)

    return make


@pytest.fixture
def world(make_world):
    return make_world()


@pytest.fixture
def member_of(make_user):
    def make(organization, role=Role.MEMBER):
        return make_user(role, DEMO_COUNTY, organization=organization)

    return make


@pytest.fixture
def member(world, member_of):
    return member_of(world.union)


def state() -> dict:
    """Everything a refused request must leave as it was."""
    return {
        "orders": list(Order.objects.order_by("pk").values_list("pk", "status", "quantity")),
        "items": list(CampaignItem.objects.order_by("pk").values_list("pk", "remaining", "stock")),
        "slots": list(PickupSlot.objects.order_by("pk").values_list("pk", "remaining")),
        "allowances": list(MemberAllowance.objects.order_by("pk").values_list("member_id", "ordered")),
        "changes": ChangeRecord.objects.count(),
        "misses": ScanMiss.objects.count(),
    }
