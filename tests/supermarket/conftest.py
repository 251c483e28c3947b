"""A love supermarket ready to serve: a township store run by the county union with one keeper,
a county catalogue, safety-net households of a village enrolled, stock and points in place."""

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from bangfu.accounts.models import Organization, OrganizationKind, User
from bangfu.core import idnumber
from bangfu.core.permissions import Role
from bangfu.registry import services as registry
from bangfu.registry.models import Household
from bangfu.supermarket import services
from bangfu.supermarket.models import Item, Store
from tests.conftest import DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE

_ids = itertools.count(1)


def make_household(region, code: str, name: str = "张秀英", safety_net: str = "dibao") -> Household:
    number = idnumber.make(region.code[:6], datetime.date(1950, 3, 6), next(_ids) * 2 + 1)
    return registry.household_create(
        actor=None,
        code=code,
        region=region,
        head={"name": name, "id_number": number},
        safety_net=safety_net,
    )


@dataclass
class World:
    union: Organization
    store: Store
    other_store: Store  # another township's store, same county
    keeper: User
    office: User
    cadre: User
    items: list[Item]  # rice 10 points, oil 30 points, soap 2 points
    households: list[Household]  # three safety-net households enrolled at ``store``
    outsider: Household  # a household with no safety net, not enrolled
    extra: dict = field(default_factory=dict)


@pytest.fixture
def make_world(db, region, make_org, make_user):
    def make(stock: int = 20, points: int = 100) -> World:
        union = make_org(name="鲁山县总工会", kind=OrganizationKind.UNION)
        office = make_user(Role.OFFICE, DEMO_COUNTY, organization=union, username="sm-office")
        keeper = make_user(Role.STORE_KEEPER, DEMO_TOWNSHIP, organization=union, username="sm-keeper")
        cadre = make_user(Role.CADRE, DEMO_VILLAGE, organization=union, username="sm-cadre")
        store = services.store_create(
            actor=office,
            name="下汤镇爱心超市",
            region=region(DEMO_TOWNSHIP),
            organization=union,
            opened_on=datetime.date(2018, 3, 1),
            keepers=[keeper],
        )
        other_store = services.store_create(
            actor=office,
            name="鲁阳街道爱心超市",
            region=region("410423001000"),
            organization=union,
            opened_on=datetime.date(2019, 5, 1),
        )
        county = region(DEMO_COUNTY)
        items = [
            services.item_create(
                actor=office,
                region=county,
                name=name,
                category=category,
                unit=unit,
                points_price=points_price,
                reference_value=Decimal(value),
            )
            for name, category, unit, points_price, value in [
                ("大米", "grain_oil", "袋", 10, "10.00"),
                ("食用油", "grain_oil", "桶", 30, "30.00"),
                ("肥皂", "daily", "块", 2, "2.50"),
            ]
        ]
        village = region(DEMO_VILLAGE)
        households = [
            make_household(village, f"SM{n:04d}", name, safety_net)
            for n, (name, safety_net) in enumerate(
                [("张秀英", "dibao"), ("李建国", "tekun"), ("单玉兰", "dibao")], start=1
            )
        ]
        outsider = make_household(village, "SM0099", "王小明", "")
        for household in households:
            services.enrolment_create(
                actor=office, store=store, household=household, enrolled_on=datetime.date(2020, 1, 1)
            )
            if points:
                services.points_opening(
                    actor=office, household=household, points=points, date=datetime.date(2020, 1, 1)
                )
        if stock:
            for item in items:
                services.stock_receive(
                    actor=office,
                    store=store,
                    item=item,
                    quantity=stock,
                    kind="opening",
                    date=datetime.date(2020, 1, 1),
                )
        return World(
            union=union,
            store=store,
            other_store=other_store,
            keeper=keeper,
            office=office,
            cadre=cadre,
            items=items,
            households=households,
            outsider=outsider,
        )

    return make


@pytest.fixture
def world(make_world) -> World:
    return make_world()
