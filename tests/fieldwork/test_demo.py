"""The demo's village work: teams with the demo cadre, weeks of check-ins, leave, visits and needs."""

import pytest
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.fieldwork import selectors
from bangfu.fieldwork.models import (
    CheckIn,
    Leave,
    LeaveStatus,
    Need,
    NeedStatus,
    Team,
    TeamMember,
    TeamRole,
    Visit,
)

pytestmark = pytest.mark.django_db


def test_demo_builds_village_work(demo):
    context = demo
    cadre = User.objects.get(username="cadre")
    assert TeamMember.objects.get(user=cadre).role == TeamRole.FIRST_SECRETARY
    assert Team.objects.count() == 3
    assert TeamMember.objects.filter(ends_on__isnull=False).exists()  # a rotation
    assert CheckIn.objects.count() > 100
    assert Leave.objects.filter(status=LeaveStatus.APPROVED).exists()
    assert Leave.objects.filter(status=LeaveStatus.PENDING).exists()
    assert Visit.objects.exists() and Need.objects.filter(status=NeedStatus.CLOSED).exists()
    assert Need.objects.exclude(status=NeedStatus.CLOSED).exists()
    office = User.objects.get(username="office")
    first, last = selectors.default_weeks()
    rows = selectors.compliance_report(user=office, first=first, last=last)
    assert any(row.complies for row in rows) and any(not row.complies for row in rows)
    assert any(line.startswith("fieldwork:") for line in context.lines)
    assert timezone.localdate() >= Visit.objects.order_by("-visited_on").first().visited_on
