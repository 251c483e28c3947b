"""The demo's assistance: partnerships, a dozen projects of every type, ledgers that verify."""

import pytest

from bangfu.accounts.models import User
from bangfu.assistance import selectors
from bangfu.assistance.models import FundEntry, Partnership, Project, ProjectType
from bangfu.audit.ledger import verify
from bangfu.core.demo import build_demo
from tests.conftest import DEMO_COUNTY

pytestmark = pytest.mark.django_db


def test_demo_builds_assistance(regions, client_for):
    context = build_demo(scale="small", seed=3)
    assert any(line.startswith("assistance:") for line in context.lines)
    designated = Partnership.objects.get(kind="designated")
    assert (designated.region_code, designated.start_year) == (DEMO_COUNTY, 2013)
    assert Partnership.objects.filter(kind="paired").count() == 3
    assert Project.objects.count() >= 12
    assert set(Project.objects.values_list("type", flat=True)) == set(ProjectType.values)
    assert FundEntry.objects.filter(reverses__isnull=False).count() == 1
    assert [p for p in verify() if not isinstance(p, int)] == []
    office = User.objects.get(username="office")
    for row in selectors.fund_balances(user=office, by="project"):
        assert row["available"] >= 0
    response = client_for(office).get(Project.objects.first().get_absolute_url())
    assert response.status_code == 200
