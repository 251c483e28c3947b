"""A stationed cadre checks in and out on a phone with the browser's location, then records a
household visit with a need and a photo."""

import pytest

from tests.conftest import PASSWORD
from tests.fieldwork.conftest import image, make_household, world  # noqa: F401 - the fieldwork fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=dashboard], .page-title")


def test_a_cadre_checks_in_and_records_a_visit(world, region, live_server, request, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    household = make_household(region, "LS0101")
    photo = image("JPEG", (64, 48))
    page = request.getfixturevalue("browser_page")  # started after the data exists
    page.set_viewport_size(PHONE)
    base = live_server.url
    page.context.grant_permissions(["geolocation"], origin=base)
    page.context.set_geolocation({"latitude": 33.7391, "longitude": 112.9081, "accuracy": 20})

    login(page, base, world.cadre.username)
    page.goto(f"{base}/fieldwork/checkin/")
    page.wait_for_selector("text=已获取位置")  # the browser gave the page its location
    page.fill("input[name=note]", "今天入户")
    page.click("[data-testid=check-in]")
    page.wait_for_selector("[data-testid=status]")
    assert "签到" in page.inner_text("[data-testid=status]")
    page.click("[data-testid=check-out]")
    page.wait_for_selector("[data-testid=check-in]")
    assert "已保存" in page.content()

    page.goto(f"{base}/fieldwork/visits/new/?household={household.pk}")
    assert page.input_value("#id_household") == "LS0101"
    page.fill("#id_findings", "户主在家,孩子上学需要补助")
    page.select_option("#id_need1_kind", "education")
    page.fill("#id_need1_text", "咨询雨露计划")
    page.set_input_files("#id_photos", {"name": "visit.jpg", "mimeType": "image/jpeg", "buffer": photo})
    page.click("[data-testid=save-visit]")
    page.wait_for_selector("[data-testid=needs]", state="attached")  # on the visit's page, in its needs tab
    assert "咨询雨露计划" in page.text_content("[data-testid=needs]")
    page.goto(f"{base}/registry/households/{household.pk}/")
    page.click("[data-testid=visits-tab]")
    assert "咨询雨露计划" in page.inner_text("[data-testid=open-needs]")
