"""A member orders a gift box on a phone-sized page; pickup staff collect it by the typed code."""

import re

import pytest

from bangfu.core.permissions import Role
from tests.campaigns.conftest import make_world  # noqa: F401 - the campaign fixture
from tests.conftest import DEMO_COUNTY, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=dashboard], .page-title")


def test_a_member_orders_and_staff_collect_by_typed_code(make_world, make_user, live_server, request):  # noqa: F811
    world = make_world(stock=5, limit=2)
    member = make_user(Role.MEMBER, DEMO_COUNTY, organization=world.union, username="member-e2e")
    staff = world.staff[0]
    page = request.getfixturevalue("browser_page")  # started after the data exists
    page.set_viewport_size(PHONE)
    base = live_server.url

    login(page, base, member.username)
    page.goto(f"{base}/campaigns/mine/")
    page.click("[data-testid=campaign-card]")
    page.fill("#id_quantity", "2")
    page.check(f"input[name=slot][value='{world.slots[0].pk}']")
    page.click("[data-testid=order-submit]")
    page.wait_for_selector("[data-testid=order-qr] svg")
    typed = page.inner_text("[data-testid=short-code]").strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", typed), typed
    assert page.inner_text("[data-testid=order-status]").strip() == "待领取"
    page.context.clear_cookies()  # signed out

    login(page, base, staff.username)
    page.goto(f"{base}/campaigns/scan/")
    page.click("[data-testid=site-card]")
    page.fill("[data-testid=scan-code]", typed.lower())
    page.click("[data-testid=scan-lookup]")
    page.wait_for_selector("[data-testid=scan-result]")
    assert "杂粮礼盒 × 2" in page.inner_text("[data-testid=scan-result]")
    page.click("[data-testid=scan-confirm]")
    page.wait_for_selector(".alert-success")
    assert "已发放" in page.inner_text(".alert-success")

    page.fill("[data-testid=scan-code]", typed)
    page.click("[data-testid=scan-lookup]")
    page.wait_for_selector("[data-testid=scan-error]")
    assert "已于" in page.inner_text("[data-testid=scan-error]") and "领取点1" in page.inner_text(
        "[data-testid=scan-error]"
    )
