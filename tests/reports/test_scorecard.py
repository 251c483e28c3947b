"""Every figure of every registered scorecard section equals the total of the records it links to."""

import datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import resolve

from bangfu.accounts.models import User
from bangfu.reports.scorecard import (
    SECTIONS,
    Card,
    Period,
    Scope,
    build_scorecard,
    drill_total,
    resolve_scope,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)
PERIODS = {
    "cumulative": Period(2013, TODAY.year, cumulative=True),
    "one_year": Period(2023, 2023),
    "range": Period(2020, 2022),
}


def _card(user, scope, period):
    return Card(user=user, scope=scope, period=period, today=TODAY)


@pytest.mark.parametrize("period_name", sorted(PERIODS))
@pytest.mark.parametrize("key", sorted(SECTIONS))
def test_every_figure_equals_the_total_of_its_records(demo, key, period_name):
    office = User.objects.get(username="office")
    period = PERIODS[period_name]
    for scope in (Scope(), Scope(prefixes=("410423",), label="鲁山县")):
        card = build_scorecard(user=office, scope=scope, period=period, keys=[key], today=TODAY)
        assert [s.key for s in card.sections] == [key]
        section = card.sections[0]
        figures = section.all_figures()
        assert figures, f"section {key} shows no figure"
        problems = []
        by_key = {f.key: f for f in section.figures}
        for figure in figures:
            if figure.derived_from:
                part, whole = (by_key[k].value for k in figure.derived_from)
                expected = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else None
                if figure.value != expected:
                    problems.append((figure.key, figure.value, expected))
                continue
            assert figure.url, f"{key}.{figure.key} links nowhere"
            total = drill_total(figure, _card(office, scope, period))
            if Decimal(total or 0) != Decimal(figure.value or 0):
                problems.append((figure.key, figure.value, total))
        assert problems == [], f"{key} figures differ from their records: {problems}"


def test_the_demo_scorecard_shows_every_section_with_figures(demo):
    office = User.objects.get(username="office")
    card = build_scorecard(user=office, scope=Scope(), period=PERIODS["cumulative"], today=TODAY)
    assert {s.key for s in card.sections} == set(SECTIONS)
    for section in card.sections:
        assert any(f.value for f in section.figures), f"{section.key} is all zeros in the demo"
        assert section.sentences["zh-hans"] and section.sentences["en"]


def test_a_figure_link_opens_a_list_whose_total_is_the_figure(demo, client_for):
    office = User.objects.get(username="office")
    client = client_for(office)
    card = build_scorecard(
        user=office, scope=Scope(), period=PERIODS["cumulative"], keys=["supermarket"], today=TODAY
    )
    figure = card.sections[0]["donation_value"]
    response = client.get(figure.url)
    assert response.status_code == 200
    assert response.context["column_sum"] == figure.value
    count = card.sections[0]["person_times"]
    response = client.get(count.url)
    assert response.context["page"].paginator.count == count.value
    assert resolve(urlsplit(count.url).path).url_name == "redemption-list"
    assert dict(parse_qsl(urlsplit(count.url).query))["year_from"] == "2013"


def test_the_scorecard_page_renders_every_section(demo, client_for):
    office = User.objects.get(username="office")
    response = client_for(office).get("/reports/scorecard/", {"since": "2013"})
    assert response.status_code == 200
    for key in SECTIONS:
        assert f'data-testid="section-{key}"'.encode() in response.content


def test_a_region_outside_the_users_scope_is_refused(demo, client_for):
    office = User.objects.get(username="office")
    response = client_for(office).get("/reports/scorecard/", {"region": "410402"})
    assert response.status_code == 400
    assert "card" not in response.context
    with pytest.raises(ValueError):
        resolve_scope(user=office, params={"region": "4104x"}, capability="dashboard.view")


# Exports, snapshots, dashboards, comparison (same demo build) -----------------------------------


def _run_export(office, fmt, query):
    from bangfu.core.jobs import job_enqueue, job_files_dir, job_run_now

    job = job_enqueue(kind="scorecard_export", title="t", user=office, params={"format": fmt, "query": query})
    job = job_run_now(job)
    assert job.status == "succeeded", job.message
    assert job.done == job.total
    return (job_files_dir() / job.result_file).read_bytes(), job


def test_xlsx_export_has_one_sheet_per_section_and_numbers_as_numbers(demo, settings, tmp_path):
    import io

    import openpyxl

    settings.MEDIA_ROOT = tmp_path
    office = User.objects.get(username="office")
    content, job = _run_export(office, "xlsx", {"since": "2013", "to": str(TODAY.year)})
    book = openpyxl.load_workbook(io.BytesIO(content))
    card = build_scorecard(user=office, scope=Scope(), period=Period(2013, TODAY.year, cumulative=True))
    assert len(book.sheetnames) == 1 + len(card.sections)
    sheet = book[str(card.sections[0].title)[:31]]
    first = card.sections[0].figures[0]
    assert sheet.cell(2, 1).value == str(first.label)
    assert sheet.cell(2, 2).value == first.value
    assert isinstance(sheet.cell(2, 2).value, int | float)
    supermarket = book["爱心超市"]
    amounts = [row[1].value for row in supermarket.iter_rows(min_row=2) if row[0].value == "捐赠物资和现金"]
    assert amounts == [
        float(card.sections[[s.key for s in card.sections].index("supermarket")]["donation_value"].value)
    ]


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (font names live in object streams)."""
    import re
    import zlib

    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"".join(parts)


def test_pdf_export_is_a_pdf_with_the_chinese_font(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    office = User.objects.get(username="office")
    content, job = _run_export(office, "pdf", {"year": "2023"})
    assert content.startswith(b"%PDF")
    assert b"WenQuanYi" in _inflated(content)
    assert job.result["filename"].endswith(".pdf")


def test_export_of_an_unknown_format_writes_no_job(demo, client_for):
    from bangfu.core.models import Job

    office = User.objects.get(username="office")
    before = Job.objects.count()
    response = client_for(office).post("/reports/scorecard/export/", {"format": "docx", "year": "2023"})
    assert response.status_code == 404
    assert Job.objects.count() == before


def test_export_is_queued_as_a_job_with_progress(demo, client_for):
    from bangfu.core.models import Job

    office = User.objects.get(username="office")
    response = client_for(office).post("/reports/scorecard/export/", {"format": "pdf", "year": "2023"})
    job = Job.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/jobs/{job.pk}/")
    assert (job.kind, job.params["format"], job.params["query"]) == (
        "scorecard_export",
        "pdf",
        {"year": "2023"},
    )


def test_a_published_snapshot_freezes_the_figures_and_shows_later_corrections(demo, client_for):
    from bangfu.registry.models import Household
    from bangfu.reports.models import Snapshot
    from bangfu.reports.services import snapshot_verify

    office = User.objects.get(username="office")
    client = client_for(office)
    response = client.post("/reports/scorecard/publish/", {"year": "2019"})
    snapshot = Snapshot.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == snapshot.get_absolute_url()
    assert snapshot.published_by == office
    assert snapshot.query == {"year": "2019"}
    assert snapshot_verify(snapshot)
    page = client.get(snapshot.get_absolute_url())
    assert page.context["differences"] == []
    assert page.context["intact"]

    # a correction in the records: one more household lifted in 2019
    household = Household.objects.exclude(lifted_year=2019).first()
    Household.objects.filter(pk=household.pk).update(lifted_year=2019)
    page = client.get(snapshot.get_absolute_url())
    keys = {d["key"]: d for d in page.context["differences"]}
    assert keys["registry.lifted"]["current"] == keys["registry.lifted"]["published"] + 1

    # an edit of the stored figures no longer matches the hash
    Snapshot.objects.filter(pk=snapshot.pk).update(figures={**snapshot.figures, "registry.lifted": 0})
    assert not client.get(snapshot.get_absolute_url()).context["intact"]


def test_publishing_with_a_bad_scope_writes_nothing(demo, client_for):
    from bangfu.audit.models import ChangeRecord
    from bangfu.reports.models import Snapshot

    office = User.objects.get(username="office")
    before = (Snapshot.objects.count(), ChangeRecord.objects.count())
    response = client_for(office).post("/reports/scorecard/publish/", {"region": "410402", "year": "2019"})
    assert response.status_code == 302
    assert (Snapshot.objects.count(), ChangeRecord.objects.count()) == before


def test_snapshots_of_another_county_are_not_found(demo, client_for, make_user):
    from bangfu.core.permissions import Role
    from bangfu.reports.models import Snapshot
    from tests.conftest import OTHER_COUNTY

    office = User.objects.get(username="office")
    client_for(office).post("/reports/scorecard/publish/", {"year": "2020"})
    snapshot = Snapshot.objects.latest("pk")
    outsider = make_user(Role.OFFICE, OTHER_COUNTY)
    assert client_for(outsider).get(snapshot.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("username", "panel"),
    [("office", "office"), ("leader", "leader"), ("keeper", "store_keeper"), ("cadre", "cadre")],
)
def test_home_shows_the_dashboard_of_each_role(demo, client_for, username, panel):
    user = User.objects.get(username=username)
    response = client_for(user).get("/")
    assert response.status_code == 200
    assert f'data-testid="dashboard-{panel}"'.encode() in response.content
    panels = {p["role"]: p for p in response.context["dashboards"]}
    assert panels[panel]["figures"]


def test_compare_two_periods(demo, client_for):
    office = User.objects.get(username="office")
    response = client_for(office).get("/reports/compare/", {"a": "2021", "b": "2022"})
    assert response.status_code == 200
    sections = {s["key"]: s for s in response.context["sections"]}
    assert set(sections) == set(SECTIONS)
    response = client_for(office).get("/reports/compare/", {"a": "twenty", "b": "2022"})
    assert response.status_code == 400


def test_organization_scope_covers_its_partnerships(demo, client_for):
    from bangfu.assistance.models import Partnership

    office = User.objects.get(username="office")
    partnership = Partnership.objects.filter(kind="paired").select_related("organization").first()
    scope = resolve_scope(
        user=office, params={"organization": str(partnership.organization_id)}, capability="dashboard.view"
    )
    assert partnership.region_code.startswith(scope.prefixes[0]) or any(
        partnership.region_code.startswith(p) for p in scope.prefixes
    )
    assert scope.label == partnership.organization.name
    response = client_for(office).get(
        "/reports/scorecard/", {"organization": partnership.organization_id, "year": "2023"}
    )
    assert response.status_code == 200


def test_a_scorecard_without_parameters_can_be_published(demo, client_for):
    from bangfu.reports.models import Snapshot

    office = User.objects.get(username="office")
    response = client_for(office).post("/reports/scorecard/publish/")
    snapshot = Snapshot.objects.latest("pk")
    assert response["Location"] == snapshot.get_absolute_url()
    assert snapshot.query == {}
