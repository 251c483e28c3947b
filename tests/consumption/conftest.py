"""Fixtures for consumption: a supplier world in the demo county and one outside it."""

import datetime
import io
from contextlib import contextmanager
from decimal import Decimal

import pytest

from bangfu.accounts.models import OrganizationKind
from bangfu.audit.models import ChangeRecord
from bangfu.consumption import services
from bangfu.consumption.models import (
    Certification,
    Declaration,
    HouseholdLink,
    Product,
    Purchase,
    PurchaseLine,
    Quota,
    Supplier,
)
from bangfu.core.permissions import Role
from tests.conftest import DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE, OTHER_COUNTY

COUNTED = (
    Supplier,
    Product,
    Certification,
    Purchase,
    PurchaseLine,
    Quota,
    Declaration,
    HouseholdLink,
    ChangeRecord,
)
DAY = datetime.date(2025, 6, 1)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def unchanged():
    """``with unchanged(): ...`` fails unless the block leaves every consumption and audit table as it was."""

    @contextmanager
    def check():
        before = row_counts()
        yield
        assert row_counts() == before

    return check


def png(size=(4, 4)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, "PNG")
    return buffer.getvalue()


class World:
    """Two suppliers in the demo county (one with a user organisation), one outside; buyers on both sides."""

    def __init__(self, make_org, region):
        self.coop_org = make_org(
            name="下汤镇香菇合作社", kind=OrganizationKind.COOPERATIVE, region_code=DEMO_TOWNSHIP
        )
        self.coop = services.supplier_create(
            actor=None,
            region=region(DEMO_TOWNSHIP),
            name="下汤镇香菇合作社",
            kind="cooperative",
            organization=self.coop_org,
        )
        self.base = services.supplier_create(
            actor=None, region=region(DEMO_VILLAGE), name="山货基地", kind="base"
        )
        self.far = services.supplier_create(
            actor=None, region=region(OTHER_COUNTY), name="新华区粮油", kind="enterprise"
        )
        self.mushroom = services.product_create(
            actor=None, supplier=self.coop, name="香菇", category="fungus", unit="箱", price="68.00"
        )
        self.fungus = services.product_create(
            actor=None, supplier=self.coop, name="黑木耳", category="fungus", unit="盒", price="39.00"
        )
        self.honey = services.product_create(
            actor=None, supplier=self.base, name="蜂蜜", category="processed", unit="瓶", price="45.00"
        )
        self.rice = services.product_create(
            actor=None, supplier=self.far, name="大米", category="grain_oil", unit="袋", price="50.00"
        )
        self.certification = services.certification_create(
            actor=None,
            supplier=self.coop,
            body="鲁山县乡村振兴局",
            number="LSRD-001",
            valid_from=datetime.date(2025, 1, 1),
            valid_to=datetime.date(2025, 12, 31),
            products=[self.mushroom],
        )
        self.union = make_org(name="县医院工会", kind=OrganizationKind.UNION)
        self.hospital = make_org(name="县医院", kind=OrganizationKind.HOSPITAL)
        self.far_buyer = make_org(name="新华区总工会", kind=OrganizationKind.UNION, region_code=OTHER_COUNTY)

    def buy(self, buyer=None, *, date=DAY, lines=None, supplier=None, **fields) -> Purchase:
        supplier = supplier or self.coop
        lines = lines or [(self.mushroom, 10, "68.00")]
        purchase, _created = services.purchase_create(
            actor=None,
            buyer=buyer or self.union,
            supplier=supplier,
            date=date,
            lines=[services.LineInput(product=p, quantity=q, unit_price=Decimal(u)) for p, q, u in lines],
            **fields,
        )
        return purchase


@pytest.fixture
def world(make_org, region):
    return World(make_org, region)


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE, DEMO_COUNTY, username="office")


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADER, DEMO_COUNTY, username="leader")


@pytest.fixture
def far_office(make_user):
    return make_user(Role.OFFICE, OTHER_COUNTY, username="far-office")


@pytest.fixture
def supplier_user(make_user, world):
    """A supplier user of the cooperative, whose membership names the whole county."""
    return make_user(Role.SUPPLIER, DEMO_COUNTY, organization=world.coop_org, username="coop")


@pytest.fixture
def buyer_user(make_user, world):
    """A buyer user of the hospital, whose membership names the whole county."""
    return make_user(Role.BUYER, DEMO_COUNTY, organization=world.hospital, username="hospital")
