"""A stationed cadre checks in and out on a phone with the browser's location, then records a
household visit with a need and a photo (an attachment of the visit, seen by the team and by
nobody outside the village); a visit with a bad photo is refused and writes nothing."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import PASSWORD
from tests.fieldwork.conftest import image, make_household, world  # noqa: F401 - the fieldwork fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def database(query):  # read outside Playwright's event loop, where Django allows the ORM
    def run():
        from django.db import connection

        try:
            return query()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def _written():
    """What a visit writes: visits, attachments (with their stored files) and change records."""
    from bangfu.attachments.models import Attachment
    from bangfu.audit.models import ChangeRecord
    from bangfu.fieldwork.models import Visit
    from tests.fieldwork.conftest import stored_files

    return Visit.objects.count(), Attachment.objects.count(), ChangeRecord.objects.count(), stored_files()


def _visit_photos():
    from bangfu.attachments.selectors import attachments_of
    from bangfu.fieldwork.models import Visit

    visit = Visit.objects.get()
    return [
        (a.pk, a.kind, a.original_name, a.region_code == visit.region_code) for a in attachments_of(visit)
    ]


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
    page.click("[data-testid=photos-tab]")  # the photo is an attachment of the visit, shown in its panel
    page.wait_for_function("document.querySelector('[data-testid=attachment-photo] img').naturalWidth > 0")
    [(photo_pk, kind, name, same_region)] = database(_visit_photos)
    assert (kind, name, same_region) == ("photo", "visit.jpg", True)
    visit_url = page.url
    page.goto(f"{base}/registry/households/{household.pk}/")
    page.click("[data-testid=visits-tab]")
    assert "咨询雨露计划" in page.inner_text("[data-testid=open-needs]")

    page.context.clear_cookies()  # a teammate sees the visit's photo
    login(page, base, world.leader.username)
    assert page.goto(f"{base}/attachments/{photo_pk}/").status == 200
    page.context.clear_cookies()  # an office user of another county does not
    login(page, base, world.outsider.username)
    assert page.goto(f"{base}/attachments/{photo_pk}/").status == 404
    assert page.goto(visit_url).status == 404

    page.context.clear_cookies()  # a file that is no photo: refused, and nothing is written
    login(page, base, world.cadre.username)
    before = database(_written)
    page.goto(f"{base}/fieldwork/visits/new/?household={household.pk}")
    page.fill("#id_findings", "第二次走访")
    page.set_input_files("#id_photos", {"name": "fake.jpg", "mimeType": "image/jpeg", "buffer": b"<html>"})
    page.click("[data-testid=save-visit]")
    page.wait_for_selector("text=不是有效的图片")
    assert database(_written) == before
