"""An office user adds photos and a document to a project from its page (htmx, several files at
once), sees a refused file explained in place, and deletes a photo after confirming."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.assistance.conftest import make_world  # noqa: F401 - the assistance fixture
from tests.attachments.files import HTML, PDF, image_bytes
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _attachments():
    from django.db import connection

    from bangfu.attachments.models import Attachment

    try:
        return list(Attachment.objects.order_by("pk").values_list("original_name", "caption"))
    finally:
        connection.close()


def database(query):  # read outside Playwright's event loop, where Django allows the ORM
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(query).result()


def test_an_editor_uploads_and_deletes_on_the_project_page(
    make_world,  # noqa: F811
    live_server,
    request,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world()
    page = request.getfixturevalue("browser_page")  # started after the data exists
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", world.office.username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=dashboard], .page-title")

    page.goto(f"{base}{world.project.get_absolute_url()}")
    page.click("[data-testid=attachments-tab]")
    form = page.locator("[data-testid=attachment-form]")
    form.locator("input[type=file]").set_input_files(
        [
            {"name": "牛舍.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", size=(400, 300))},
            {"name": "验收报告.pdf", "mimeType": "application/pdf", "buffer": PDF},
        ]
    )
    form.locator("input[name=caption]").fill("竣工验收")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=attachment-row] >> nth=1")
    page.wait_for_function("document.querySelector('[data-testid=attachment-photo] img').naturalWidth > 0")
    assert database(_attachments) == [("牛舍.jpg", "竣工验收"), ("验收报告.pdf", "竣工验收")]

    form = page.locator("[data-testid=attachment-form]")
    form.locator("input[type=file]").set_input_files(
        [{"name": "照片.jpg", "mimeType": "image/jpeg", "buffer": HTML}]
    )
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=attachment-error]")
    assert "照片.jpg" in page.inner_text("[data-testid=attachment-error]")
    assert len(database(_attachments)) == 2

    page.once("dialog", lambda dialog: dialog.accept())  # hx-confirm asks first
    page.locator("[data-testid=attachment-row]").first.locator("button").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=attachment-row]').length === 1")
    assert database(_attachments) == [("验收报告.pdf", "竣工验收")]
