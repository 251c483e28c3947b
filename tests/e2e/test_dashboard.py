import re

import pytest

from bangfu.core.permissions import Role
from tests.conftest import DEMO_COUNTY, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def office(make_user, make_org):
    make_org(name="鲁山县总工会", kind="union")
    return make_user(Role.OFFICE, DEMO_COUNTY, username="office-e2e")


def test_login_dashboard_and_language_switch(office, live_server, request):
    page = request.getfixturevalue("browser_page")  # started after the data exists
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url

    page.fill("#id_username", office.username)
    page.fill("#id_password", "wrong-password")
    page.click("[data-testid=login-submit]")
    assert "用户名或密码错误" in page.inner_text("[data-testid=login-error]")

    page.fill("#id_username", office.username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=dashboard]")
    assert page.title().startswith("首页")
    villages = int(page.inner_text("[data-testid=figure-villages]").replace(",", ""))
    assert villages > 500  # 鲁山县 has 556 villages in the shipped data
    assert page.inner_text("[data-testid=figure-organizations]").strip() != "0"
    page.wait_for_selector("[data-testid=chart] canvas")  # ECharts drew the chart

    page.select_option("[data-testid=language-switch]", "en")
    page.wait_for_load_state("load")
    page.wait_for_selector("[data-testid=dashboard]")
    assert page.evaluate("document.documentElement.lang") == "en"
    header = page.inner_text("header")
    assert not re.search(r"[\u4e00-\u9fff]", header.replace("简体中文", "")), header

    page.select_option("[data-testid=language-switch]", "zh-hans")
    page.wait_for_selector("[data-testid=dashboard]")
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
