"""Fixtures for monitoring: a county line, households with incomes, people at each level."""

import datetime
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.utils import timezone

from bangfu.audit.models import ChangeRecord
from bangfu.core.permissions import Role
from bangfu.monitoring import models, services
from bangfu.registry import services as registry
from tests.conftest import DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE, OTHER_COUNTY
from tests.fieldwork.conftest import make_household

YEAR = timezone.localdate().year - 1
LINE = Decimal("7000.00")


def row_counts() -> dict[str, int]:
    from bangfu.registry.models import StatusChange

    names = ["Threshold", "RiskEvent", "Flag", "MonitoredCase", "CaseStep", "Measure"]
    counts = {name: getattr(models, name).objects.count() for name in names}
    counts["ChangeRecord"] = ChangeRecord.objects.count()
    counts["StatusChange"] = StatusChange.objects.count()
    return counts


@pytest.fixture
def unchanged():
    """``with unchanged(): ...`` fails unless the block leaves every monitoring and audit table as it was."""

    @contextmanager
    def check():
        before = row_counts()
        yield
        assert row_counts() == before

    return check


def income(household, year: int, wage, members: int = 2):
    return registry.income_record_save(
        actor=None, household=household, year=year, members=members, wage_income=wage
    )


class World:
    def __init__(self, make_user, region):
        self.office = make_user(Role.OFFICE, DEMO_COUNTY, username="office")
        self.township = make_user(Role.OFFICE, DEMO_TOWNSHIP, username="township")
        self.cadre = make_user(Role.CADRE, DEMO_VILLAGE, username="cadre")
        self.village_office = make_user(Role.OFFICE, DEMO_VILLAGE, username="village-office")
        self.outsider = make_user(Role.OFFICE, OTHER_COUNTY, username="far-office")
        self.threshold = services.threshold_save(
            actor=None, region=region(DEMO_COUNTY), year=YEAR, income_line=LINE
        )
        self.poor = make_household(region, "H-POOR")
        self.fine = make_household(region, "H-FINE")
        income(self.poor, YEAR, 10_000)  # 5,000 per head: under the line
        income(self.fine, YEAR, 40_000)  # 20,000 per head
        income(self.fine, YEAR - 1, 40_000)


@pytest.fixture
def world(make_user, region):
    return World(make_user, region)


def walk(case, world, *, upto: str, start: datetime.date):
    """Takes ``case`` through its path up to and including step ``upto``, with the right people."""
    actors = {
        models.Step.VERIFICATION: world.cadre,
        models.Step.DEMOCRATIC_REVIEW: world.cadre,
        models.Step.PUBLIC_NOTICE: world.cadre,
        models.Step.TOWNSHIP_CHECK: world.township,
        models.Step.COUNTY_DECISION: world.office,
    }
    days = {
        models.Step.VERIFICATION: 0,
        models.Step.DEMOCRATIC_REVIEW: 1,
        models.Step.PUBLIC_NOTICE: 2,
        models.Step.TOWNSHIP_CHECK: 8,
        models.Step.COUNTY_DECISION: 9,
    }
    for step in models.STEP_ORDER:
        extra = {}
        day = start + datetime.timedelta(days=days[step])
        if step == models.Step.VERIFICATION:
            extra["authorisation_signed"] = True
        if step == models.Step.PUBLIC_NOTICE:
            extra.update(notice_starts_on=day, notice_ends_on=day + datetime.timedelta(days=4))
        services.case_step_record(actor=actors[step], case=case, step=step, acted_on=day, **extra)
        if step == upto:
            break
