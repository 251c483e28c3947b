"""A cadre records a risk event on the phone page, then walks a case through home verification
on the case's page, where the first try without the signed authorisation is refused."""

import datetime

import pytest
from django.utils import timezone

from bangfu.monitoring import services
from tests.monitoring.conftest import world  # noqa: F401 - the monitoring fixture

from .test_fieldwork import PHONE, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_cadre_records_a_risk_and_a_verification(world, live_server, request):  # noqa: F811
    start = timezone.localdate() - datetime.timedelta(days=2)
    case = services.case_open(
        actor=world.cadre,
        household=world.poor,
        category="sudden",
        source="application",
        risk_kind="illness",
        summary="户主住院",
        opened_on=start,
    )
    page = request.getfixturevalue("browser_page")  # started after the data exists
    page.set_viewport_size(PHONE)
    base = live_server.url
    login(page, base, world.cadre.username)

    page.goto(f"{base}/monitoring/events/new/")
    page.fill("#id_household", "H-FINE")
    page.select_option("#id_kind", "illness")
    page.fill("#id_amount", "-300")
    page.click("[data-testid=save-event]")
    assert "金额不能为负数" in page.inner_text("[data-field=amount]")
    page.fill("#id_amount", "300000")
    page.select_option("#id_source", "self_report")
    page.click("[data-testid=save-event]")
    page.wait_for_selector("text=风险事件已记录")
    assert "300,000.00" in page.content() or "300000.00" in page.content()

    page.goto(f"{base}/monitoring/cases/{case.pk}/")
    page.fill("#id_note", "已入户核实")
    page.click("[data-testid=save-step]")
    assert "授权承诺书" in page.inner_text("[data-testid=step-form]")
    page.check("#id_authorisation_signed")
    page.click("[data-testid=save-step]")
    page.wait_for_selector("text=已保存")
    assert "入户核实" in page.inner_text("[data-testid=steps]")
    assert "村级民主评议" in page.inner_text("[data-testid=case-status]")
