"""The demo's assistance: partnerships, a dozen projects of every type, ledgers that verify."""

import pytest

from bangfu.accounts.models import User
from bangfu.assistance import selectors
from bangfu.assistance.models import FundEntry, Partnership, Project, ProjectType
from bangfu.audit.ledger import verify
from tests.conftest import DEMO_COUNTY

pytestmark = pytest.mark.django_db


def test_demo_builds_assistance(demo, client_for):
    context = demo
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


def test_demo_builds_beneficiaries_outcomes_activities_and_disclosure(demo, client_for):
    import datetime

    from django.test import Client
    from django.urls import reverse

    from bangfu.assistance.models import (
        Activity,
        ActivityKind,
        Beneficiary,
        DividendPayout,
        Feedback,
        Helper,
        Outcome,
        Shareholding,
    )

    cattle = Project.objects.get(name__endswith="肉牛养殖基地")
    assert Beneficiary.objects.filter(project=cattle, household__isnull=False).exists()
    assert (
        Beneficiary.objects.filter(project=cattle, household__isnull=True)
        .exclude(unregistered_reason="")
        .exists()
    )
    assert Outcome.objects.filter(project=cattle, kind="people_home", value=93).exists()
    holders = Shareholding.objects.filter(project=cattle).count()
    assert 0 < holders <= 47
    assert set(DividendPayout.objects.values_list("amount", flat=True)) == {700}
    assert Activity.objects.filter(kind=ActivityKind.CLINIC).count() == 7
    assert set(Activity.objects.values_list("kind", flat=True)) == set(ActivityKind.values)
    assert Helper.objects.count() == 3 and Feedback.objects.count() == 2
    assert [p for p in verify() if not isinstance(p, int)] == []
    office = User.objects.get(username="office")
    client = client_for(office)
    for name in (
        "assistance:activity-list",
        "assistance:helper-list",
        "assistance:figures",
        "assistance:feedback-list",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(cattle.get_absolute_url()).status_code == 200
    today = datetime.date.today()  # noqa: DTZ011 - the demo's own dates
    shown = Project.objects.filter(disclosed_from__lte=today).first()
    assert Client().get(reverse("assistance:public-project", args=[shown.pk])).status_code == 200
