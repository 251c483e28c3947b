"""An enterprise in designated assistance of the demo county, paired with one of its villages,
with a project funded and partly spent; an office user of the county and one of another county."""

import datetime
import itertools
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import pytest

from bangfu.accounts.models import Organization, OrganizationKind, User
from bangfu.assistance import services
from bangfu.assistance.models import FundKind, Partnership, PartnershipKind, Project, ProjectType
from bangfu.core.permissions import Role
from tests.conftest import DEMO_COUNTY, DEMO_VILLAGE, OTHER_COUNTY

OTHER_VILLAGE = "410402001001"


@dataclass
class World:
    enterprise: Organization
    office: User
    outsider: User  # the office of another county
    designated: Partnership
    paired: Partnership
    project: Project  # 1,000,000 invested, 200,000 coordinated, 300,000 spent


@pytest.fixture
def make_world(db, region, make_org, make_user):
    def make() -> World:
        enterprise = make_org(
            name="中国平煤神马集团", kind=OrganizationKind.ENTERPRISE, region_code="410402000000"
        )
        office = make_user(Role.OFFICE, DEMO_COUNTY, username="as-office")
        outsider = make_user(Role.OFFICE, OTHER_COUNTY, username="as-outsider")
        designated = services.partnership_create(
            actor=office,
            organization=enterprise,
            kind=PartnershipKind.DESIGNATED,
            region=region(DEMO_COUNTY),
            start_year=2013,
        )
        paired = services.partnership_create(
            actor=office,
            organization=enterprise,
            kind=PartnershipKind.PAIRED,
            region=region(DEMO_VILLAGE),
            start_year=2018,
            end_year=2025,
        )
        project = services.project_create(
            actor=office,
            name="肉牛养殖基地",
            organization=enterprise,
            partnership=paired,
            region=region(DEMO_VILLAGE),
            type=ProjectType.INDUSTRY,
            budget=Decimal("1500000"),
            start_date=datetime.date(2019, 3, 1),
            milestones=[("牛舍建成", datetime.date(2019, 9, 1)), ("首批出栏", datetime.date(2020, 6, 1))],
        )
        day = datetime.date(2019, 4, 1)
        services.fund_entry_record(
            actor=office, project=project, kind=FundKind.INVESTED, amount="1000000", date=day
        )
        services.fund_entry_record(
            actor=office,
            project=project,
            kind=FundKind.COORDINATED,
            amount="200000",
            date=day,
            source="省农业农村厅",
        )
        services.fund_entry_record(
            actor=office,
            project=project,
            kind=FundKind.SPENT,
            amount="300000",
            date=datetime.date(2019, 5, 1),
            voucher_number="PZ-2019-001",
        )
        return World(enterprise, office, outsider, designated, paired, project)

    return make


@pytest.fixture
def world(make_world) -> World:
    return make_world()


SECOND_VILLAGE = "410423101002"  # same township as the project's village, not in the project
_ids = itertools.count(1)


def make_household(region, code: str, village: str = DEMO_VILLAGE, name: str = "张秀英"):
    from bangfu.core import idnumber
    from bangfu.registry import services as registry

    number = idnumber.make(village[:6], datetime.date(1972, 5, 1), next(_ids) * 2 + 1)
    return registry.household_create(
        actor=None, code=code, region=region(village), head={"name": name, "id_number": number}
    )


@pytest.fixture
def households(world, region):
    return {
        "near": make_household(region, "LS0001"),
        "near2": make_household(region, "LS0002", name="李建华"),
        "second": make_household(region, "LS0101", SECOND_VILLAGE),
        "far": make_household(region, "XH0001", OTHER_VILLAGE),
    }


def row_counts() -> dict[str, int]:
    from bangfu.assistance import models
    from bangfu.audit.models import ChangeRecord, LedgerChain

    counted = [
        models.Partnership,
        models.Project,
        models.Milestone,
        models.FundEntry,
        models.Beneficiary,
        models.Outcome,
        models.Shareholding,
        models.DividendPayout,
        models.Activity,
        models.Helper,
        models.HelperResult,
        models.Feedback,
        ChangeRecord,
        LedgerChain,
    ]
    return {model.__name__: model.objects.count() for model in counted}


@pytest.fixture
def unchanged():
    """``with unchanged(): ...`` fails unless the block leaves every assistance and audit table as it was."""

    @contextmanager
    def check():
        before = row_counts()
        yield
        assert row_counts() == before

    return check
