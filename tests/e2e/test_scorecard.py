"""The demo county's scorecard in a real browser: a figure leads to its records, whose total
is the figure; the PDF export runs as a job and downloads."""

import re

import pytest

from bangfu.core.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_county(settings, tmp_path):
    from bangfu.core.demo import build_demo

    # the export job runs as soon as it is queued (no worker process in the test)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path
    build_demo(scale="small", seed=1)


def number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def test_scorecard_figure_to_records_and_pdf(demo_county, live_server, request):
    page = request.getfixturevalue("browser_page")  # started after the data exists
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "office")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=dashboard-office]")

    page.goto(f"{live_server.url}/reports/scorecard/?since=2013")
    for key in ("registry", "assistance", "consumption", "supermarket", "fieldwork"):
        page.wait_for_selector(f"[data-testid=section-{key}]")
    assert "万元" in page.inner_text("[data-testid=narrative]")
    page.wait_for_selector("[data-testid=chart] canvas")  # ECharts drew the charts

    figure = page.locator("[data-testid=figure-supermarket-person_times]")
    served = number(figure.inner_text())
    assert served > 0
    figure.click()
    page.wait_for_selector("[data-testid=total]")
    assert "/supermarket/redemptions/" in page.url
    assert number(page.inner_text("[data-testid=total]")) == served
    assert page.locator("[data-testid=extra-filter]").count() >= 2  # the period is shown

    page.go_back()
    page.click("[data-testid=export-pdf]")
    page.wait_for_selector("#job-progress[data-status=succeeded]")
    with page.expect_download() as download_info:
        page.click("#job-progress a.btn-primary")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
