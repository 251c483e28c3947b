"""A keeper at the counter on a phone-sized page: finds a household by its pinyin initials,
fills the basket, redeems, and reads the receipt; a basket beyond the points is refused."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from bangfu.supermarket.models import PointAccount, Redemption, StockBalance
from tests.conftest import PASSWORD
from tests.supermarket.conftest import make_world  # noqa: F401 - the supermarket fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_keeper_redeems_at_the_counter(make_world, live_server, request):  # noqa: F811
    world = make_world(stock=5, points=100)
    rice, oil, _soap = world.items
    household = world.households[0]
    page = request.getfixturevalue("browser_page")  # started after the data exists
    page.set_viewport_size(PHONE)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", world.keeper.username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=dashboard], .page-title")
    page.goto(f"{base}/supermarket/stores/{world.store.pk}/counter/")
    page.fill("#counter-q", "zxy")  # 张秀英, by pinyin initials, found as one types
    page.wait_for_selector("[data-testid=results] a")
    page.click("[data-testid=results] a")
    page.wait_for_selector("[data-testid=basket]")
    assert "100" in page.inner_text("[data-testid=points]")

    page.fill("[data-testid=qty-食用油]", "4")  # 120 points: refused, nothing written
    page.click("[data-testid=redeem]")
    page.wait_for_selector("[data-testid=error]")
    assert "积分不足" in page.inner_text("[data-testid=error]")

    page.fill("[data-testid=qty-食用油]", "1")
    page.fill("[data-testid=qty-大米]", "2")
    page.click("[data-testid=redeem]")
    page.wait_for_selector("[data-testid=receipt]")
    assert page.inner_text("[data-testid=points]").strip() == "50"
    assert page.inner_text("[data-testid=balance]").strip() == "50"
    number = page.inner_text("[data-testid=receipt-number]").strip()

    def database():  # read outside Playwright's event loop, where Django allows the ORM
        from django.db import connection

        try:
            redemption = Redemption.objects.get()
            return (
                redemption.receipt_number,
                redemption.household_id,
                PointAccount.objects.get(household=household).balance,
                StockBalance.objects.get(store=world.store, item=oil).quantity,
                StockBalance.objects.get(store=world.store, item=rice).quantity,
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(database).result() == (number, household.pk, 50, 4, 3)
