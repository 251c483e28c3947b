"""A villager on a phone opens a project's public disclosure page without signing in, reads the
money in and out and how many households benefit (no names), and leaves a message that reaches
the office's queue; the honeypot field stays out of sight."""

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone

from bangfu.assistance import services
from bangfu.assistance.models import Feedback
from tests.assistance.conftest import (
    make_household,
    make_world,  # noqa: F401 - the assistance fixture
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_the_public_reads_a_disclosed_project_and_leaves_feedback(make_world, region, live_server, request):  # noqa: F811
    world = make_world()
    household = make_household(region, "LS0001")
    services.beneficiary_add(actor=world.office, project=world.project, household=household)
    services.beneficiary_count(
        actor=world.office, project=world.project, households=2, persons=5, reason="外村务工人员"
    )
    today = timezone.localdate()
    services.project_disclose(
        actor=world.office,
        project=world.project,
        disclosed_from=today - datetime.timedelta(days=1),
        disclosed_until=today + datetime.timedelta(days=14),
    )
    page = request.getfixturevalue("browser_page")  # started after the data exists
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/assistance/public/projects/{world.project.pk}/")
    page.wait_for_selector("[data-testid=public-project]")
    assert "900000.00" in page.inner_text("[data-testid=balance]")
    assert page.inner_text("[data-testid=beneficiaries]").strip() == "3户6人"
    entries = page.inner_text("[data-testid=public-entries]")
    assert "PZ-2019-001" in entries and "省农业农村厅" in entries
    body = page.inner_text("body")
    assert "张秀英" not in body and "LS0001" not in body and "外村务工人员" not in body
    box = page.locator("input[name=website]").bounding_box()  # the honeypot: off-screen, not shown
    assert box is None or box["x"] + box["width"] <= 0

    page.click("[data-testid=feedback-submit]")  # empty: refused, nothing stored
    page.wait_for_selector("[data-testid=feedback-error]")
    page.fill("textarea[name=message]", "村东头两盏路灯不亮,请维修。")
    page.fill("input[name=contact]", "张先生")
    page.click("[data-testid=feedback-submit]")
    page.wait_for_selector("[data-testid=feedback-sent]")
    assert "已收到您的意见" in page.inner_text("[data-testid=feedback-sent]")

    def database():  # read outside Playwright's event loop, where Django allows the ORM
        from django.db import connection

        try:
            return list(Feedback.objects.values_list("message", "contact", "project_id", "status"))
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(database).result() == [
            ("村东头两盏路灯不亮,请维修。", "张先生", world.project.pk, "new")
        ]


def test_the_public_sees_public_photos_and_no_private_file(
    make_world,  # noqa: F811
    live_server,
    request,
    settings,
    tmp_path,
):
    """A public photo of a disclosed project shows (its image really loads) without signing in;
    the private photo and the voucher of the same project answer 404 to a visitor."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bangfu.assistance.models import FundEntry
    from bangfu.attachments import services as attachments
    from tests.attachments.files import PDF, image_bytes

    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world()
    today = timezone.localdate()
    services.project_disclose(
        actor=world.office, project=world.project, disclosed_from=today, disclosed_until=None
    )

    def photo(name: str, public: bool):
        files = [SimpleUploadedFile(name, image_bytes("JPEG", size=(320, 200)))]
        return attachments.attachments_add(
            actor=world.office, owner=world.project, files=files, public=public
        )[0]

    shown, inside = photo("shown.jpg", True), photo("inside.jpg", False)
    entry = FundEntry.objects.filter(project=world.project).last()
    voucher = attachments.attachments_add(
        actor=world.office, owner=entry, files=[SimpleUploadedFile("v.pdf", PDF)]
    )[0]
    page = request.getfixturevalue("browser_page")
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/assistance/public/projects/{world.project.pk}/")
    image = page.locator("[data-testid=public-photos] img")
    assert image.count() == 1
    image.first.wait_for()
    page.wait_for_function("document.querySelector('[data-testid=public-photos] img').naturalWidth > 0")
    assert f"/attachments/public/{shown.pk}/thumbnail/" in image.first.get_attribute("src")
    for attachment in (inside, voucher):
        for path in (
            f"/attachments/public/{attachment.pk}/",
            f"/attachments/public/{attachment.pk}/thumbnail/",
        ):
            assert page.request.get(live_server.url + path).status == 404
        private = page.request.get(f"{live_server.url}/attachments/{attachment.pk}/", max_redirects=0)
        assert private.status == 302 and "/accounts/login" in private.headers["location"]
