"""The demo's relapse monitoring: lines, risk events, flags, and cases at every stage."""

import pytest
from django.test import Client

from bangfu.accounts.models import User
from bangfu.monitoring.models import CaseStatus, Flag, Measure, MonitoredCase, RiskEvent, Step, Threshold

pytestmark = pytest.mark.django_db


def test_demo_builds_monitoring(demo):
    context = demo
    assert Threshold.objects.filter(region_code="410423").exists()
    assert RiskEvent.objects.filter(amount=300000).exists()
    assert {e.source for e in RiskEvent.objects.all()} == {"visit", "self_report", "department"}
    assert Flag.objects.exists()
    statuses = set(MonitoredCase.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)
    assert sum(case.overdue for case in MonitoredCase.objects.all()) == 1
    waiting = {case.next_step for case in MonitoredCase.objects.filter(status=CaseStatus.IDENTIFYING)}
    assert waiting == set(Step.values)  # one case waiting at each step
    assert Measure.objects.filter(kind="pairing").exists() and Measure.objects.filter(kind="team").exists()
    assert any(line.startswith("monitoring:") for line in context.lines)
    # the cadre sees the cases of the village; the office a published notice
    cadre, office = Client(), Client()
    cadre.force_login(User.objects.get(username="cadre"))
    office.force_login(User.objects.get(username="office"))
    assert cadre.get("/monitoring/cases/").context["page"].paginator.count > 0
    noticed = MonitoredCase.objects.filter(steps__step=Step.PUBLIC_NOTICE).first()
    assert office.get(f"/monitoring/cases/{noticed.pk}/notice/").status_code == 200
    assert office.get("/monitoring/").status_code == 200
