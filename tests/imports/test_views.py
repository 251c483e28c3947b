"""The import pages: upload, progress, issues, apply after a dry run, error workbook, templates, access."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangfu.core.models import Job, JobStatus
from bangfu.core.permissions import Role
from bangfu.imports import engine
from bangfu.imports.models import ImportRun, Mode, RunStatus
from bangfu.imports.spec import SPECS
from bangfu.registry.models import Household
from tests.conftest import DEMO_COUNTY

from .conftest import HOUSEHOLD_HEADER, OTHER_COUNTY_VILLAGE, VILLAGE, csv_bytes, db_counts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOOD = [HOUSEHOLD_HEADER[:3], ["LS00001", VILLAGE, "一号"], ["LS00002", VILLAGE, "二号"]]
WITH_ERRORS = [
    HOUSEHOLD_HEADER[:3],
    ["LS00001", VILLAGE, "一号"],
    ["LS00002", OTHER_COUNTY_VILLAGE, "二号"],
    ["LS00003", VILLAGE, "=1+1"],
    ["LS00004", VILLAGE, "四号"],
]


@pytest.fixture
def client(importer, client_for):
    return client_for(importer)


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """``upload(rows, dry_run=…, mode=…)``: post a CSV to the upload page; the job is queued on commit."""

    def post(rows, *, kind="households", dry_run=True, mode=Mode.ALL_OR_NOTHING, name="households.csv"):
        data = {"kind": kind, "mode": mode, "file": SimpleUploadedFile(name, csv_bytes(rows), "text/csv")}
        if dry_run:
            data["dry_run"] = "on"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("imports:run-list"), data)
        return response

    return post


def _apply(client, run, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:run-apply", args=[run.pk]))
    return response


def test_the_upload_page_lists_kinds_and_templates(client):
    response = client.get(reverse("imports:run-list"))
    assert response.status_code == 200
    page = response.content.decode()
    for kind in ("households", "persons", "incomes"):
        assert reverse("imports:template", args=[kind]) in page
        assert f'value="{kind}"' in page
    assert 'data-testid="import-submit"' in page


@pytest.mark.django_db(transaction=True)  # the worker closes connections: real commits
def test_an_upload_creates_a_run_and_a_job_and_the_worker_finishes_it(client, upload, run_worker, unchanged):
    with unchanged():
        response = upload(GOOD)
        run = ImportRun.objects.get()
        assert response.status_code == 302
        assert response["Location"] == run.get_absolute_url()
        assert (run.kind, run.status, run.dry_run, run.original_name) == (
            "households",
            "queued",
            True,
            "households.csv",
        )
        assert run.job.kind == "import"
        assert run.job.status == JobStatus.QUEUED

        page = client.get(run.get_absolute_url()).content.decode()
        assert 'class="progress' in page and "排队中" in page
        assert 'hx-trigger="every 1s"' in page  # the page polls while the run waits

        run_worker()

    run.refresh_from_db()
    assert run.status == RunStatus.CHECKED
    assert Job.objects.get(pk=run.job_id).status == JobStatus.SUCCEEDED
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'class="progress' not in page and "hx-trigger" not in page
    assert "试运行完成" in page
    assert 'data-testid="apply"' in page


def test_the_progress_bar_shows_how_far_a_running_import_is(client, upload):
    upload(GOOD)
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    Job.objects.filter(pk=run.job_id).update(status=JobStatus.RUNNING, done=1500, total=6000)
    response = client.get(run.get_absolute_url(), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="run-status"')  # htmx gets the fragment only
    assert 'aria-valuenow="25"' in page and "width: 25%" in page
    assert "1500 / 6000" in page


@pytest.mark.django_db(transaction=True)  # the worker closes connections: real commits
def test_apply_after_a_clean_dry_run_imports(client, upload, run_worker, django_capture_on_commit_callbacks):
    upload(GOOD)
    run_worker()
    dry = ImportRun.objects.get()
    assert (dry.status, dry.created_count, dry.error_rows) == (RunStatus.CHECKED, 2, 0)
    assert not Household.objects.exists()

    response = _apply(client, dry, django_capture_on_commit_callbacks)
    real = ImportRun.objects.exclude(pk=dry.pk).get()
    assert response["Location"] == real.get_absolute_url()
    assert (real.dry_run, real.mode, real.stored_name) == (False, Mode.ALL_OR_NOTHING, dry.stored_name)
    run_worker()
    real.refresh_from_db()
    assert (real.status, real.created_count) == (RunStatus.IMPORTED, 2)
    assert sorted(Household.objects.values_list("code", flat=True)) == ["LS00001", "LS00002"]
    assert "已导入" in client.get(real.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)  # the worker closes connections: real commits
def test_apply_after_a_dry_run_with_errors_imports_the_good_rows(
    client, upload, run_worker, django_capture_on_commit_callbacks
):
    upload(WITH_ERRORS)
    run_worker()
    dry = ImportRun.objects.get()
    assert (dry.status, dry.error_rows, dry.created_count) == (RunStatus.CHECKED, 2, 2)
    page = client.get(dry.get_absolute_url()).content.decode()
    assert 'data-testid="issues"' in page
    assert "村代码不存在或不在您的管辖范围内" in page and "不允许公式" in page
    assert "跳过错误行并正式导入" in page

    _apply(client, dry, django_capture_on_commit_callbacks)
    run_worker()
    real = ImportRun.objects.exclude(pk=dry.pk).get()
    assert (real.status, real.mode, real.created_count, real.error_rows) == (
        RunStatus.IMPORTED,
        Mode.SKIP_BAD_ROWS,
        2,
        2,
    )
    assert sorted(Household.objects.values_list("code", flat=True)) == ["LS00001", "LS00004"]


@pytest.mark.django_db(transaction=True)  # the worker closes connections: real commits
def test_only_a_finished_dry_run_can_be_applied(
    client, upload, run_worker, django_capture_on_commit_callbacks
):
    upload(GOOD, dry_run=False)
    run_worker()
    done = ImportRun.objects.get()
    assert done.status == RunStatus.IMPORTED
    before = db_counts()
    response = _apply(client, done, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == done.get_absolute_url()
    assert ImportRun.objects.count() == 1
    assert db_counts() == before
    assert "只有试运行完成的导入可以正式写入" in client.get(done.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)  # the worker closes connections: real commits
def test_a_real_run_with_errors_in_all_or_nothing_mode_writes_nothing(client, upload, run_worker, unchanged):
    with unchanged():
        upload(WITH_ERRORS, dry_run=False)
        run_worker()
    run = ImportRun.objects.get()
    assert run.status == RunStatus.REJECTED
    page = client.get(run.get_absolute_url()).content.decode()
    assert "发现2行有错误" in page
    assert 'data-testid="apply"' not in page


@pytest.mark.django_db(transaction=True)  # the worker closes connections: real commits
def test_the_error_workbook_holds_the_header_and_the_bad_rows_with_reasons(client, upload, run_worker):
    upload([["鲁山县建档立卡户花名册"], [], *WITH_ERRORS])  # a title and a blank line above the header
    run_worker()
    run = ImportRun.objects.get()
    response = client.get(reverse("imports:run-errors", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["行号", "户编号", "村代码", "住址", "错误说明"]
    assert [row[:4] for row in rows[1:]] == [
        [5, "LS00002", OTHER_COUNTY_VILLAGE, "二号"],
        [6, "LS00003", VILLAGE, "=1+1"],
    ]
    assert rows[1][4] == "村代码: 村代码不存在或不在您的管辖范围内"
    assert rows[2][4].startswith("住址: 不允许公式")
    assert sheet["D3"].data_type == "s"  # "=1+1" comes back as text, not as a formula to run


@pytest.mark.django_db(transaction=True)  # the worker closes connections: real commits
def test_there_is_no_error_workbook_for_a_clean_run(client, upload, run_worker):
    upload(GOOD)
    run_worker()
    run = ImportRun.objects.get()
    assert client.get(reverse("imports:run-errors", args=[run.pk])).status_code == 404


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_templates_open_in_excel_with_the_right_headers(client, kind):
    response = client.get(reverse("imports:template", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    spec = SPECS[kind]
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == [str(c.label) + ("*" if c.required else "") for c in spec.columns]
    assert sheet.max_row == 1  # no example row that could be imported by mistake
    assert [
        row[0]
        for row in workbook["填写说明"].iter_rows(min_row=2, max_row=len(spec.columns) + 1, values_only=True)
    ] == [str(c.label) for c in spec.columns]


def test_a_filled_in_template_imports(client, importer, tmp_path, run):
    response = client.get(reverse("imports:template", args=["households"]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    columns = [cell.value for cell in sheet[1]]
    row = {"户编号*": "LS00001", "村代码*": VILLAGE, "住址": "下汤村1号", "兜底保障": "特困供养"}
    sheet.append([row.get(column) for column in columns])
    path = tmp_path / "filled.xlsx"
    workbook.save(path)
    result = run("households", path)
    assert result.written
    assert Household.objects.get().safety_net == "tekun"


def test_an_unknown_template_is_404(client):
    assert client.get(reverse("imports:template", args=["nothing"])).status_code == 404


def test_an_upload_over_the_size_limit_is_a_form_error(client, upload, monkeypatch, unchanged):
    monkeypatch.setattr(engine, "MAX_FILE_BYTES", 100)
    with unchanged():
        response = upload(GOOD * 10)
    assert response.status_code == 400
    assert 'data-testid="error-file"' in response.content.decode()
    assert "请拆分后导入" in response.content.decode()
    assert not ImportRun.objects.exists() and not Job.objects.exists()


def test_an_empty_upload_is_a_form_error(client, upload):
    response = upload([], name="empty.csv")
    assert response.status_code == 400
    assert 'data-testid="error-file"' in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.django_db(transaction=True)  # the worker closes connections: real commits
def test_a_leader_may_not_import(make_user, client_for, upload, run_worker):
    upload(WITH_ERRORS)
    run_worker()
    run = ImportRun.objects.get()
    leader = client_for(make_user(Role.LEADER, DEMO_COUNTY, username="leader"))
    urls = [
        reverse("imports:run-list"),
        reverse("imports:run-detail", args=[run.pk]),
        reverse("imports:run-errors", args=[run.pk]),
        reverse("imports:template", args=["households"]),
    ]
    for url in urls:
        assert leader.get(url).status_code == 403, url
    assert leader.post(reverse("imports:run-apply", args=[run.pk])).status_code == 403
    assert leader.post(reverse("imports:run-list"), {"kind": "households"}).status_code == 403
    assert ImportRun.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # the worker closes connections: real commits
def test_another_users_run_is_404(make_user, client_for, upload, run_worker):
    upload(WITH_ERRORS)
    run_worker()
    run = ImportRun.objects.get()
    other = client_for(make_user(Role.OFFICE, DEMO_COUNTY, username="other-office"))
    for url in (reverse("imports:run-detail", args=[run.pk]), reverse("imports:run-errors", args=[run.pk])):
        assert other.get(url).status_code == 404, url
    assert other.post(reverse("imports:run-apply", args=[run.pk])).status_code == 404
    assert run.original_name not in other.get(reverse("imports:run-list")).content.decode()
    assert ImportRun.objects.count() == 1


def test_the_list_shows_my_runs_by_kind(client, run, write_csv):
    run("households", write_csv(GOOD, name="mine.csv"), dry_run=True)
    page = client.get(reverse("imports:run-list")).content.decode()
    assert "mine.csv" in page
    assert "<td>农户</td>" in page


def test_the_page_shows_the_first_500_issues_and_says_there_are_more(client, run, write_csv):
    rows = [HOUSEHOLD_HEADER[:2], *([f"LS{i:05d}", "410423999999"] for i in range(1, 503))]
    result = run("households", write_csv(rows), dry_run=True)
    assert result.error_rows == 502
    page = client.get(result.get_absolute_url()).content.decode()
    assert page.count("<tr><td>") == 500
    assert "只显示前500条问题" in page


def test_the_error_workbook_of_a_file_that_broke_half_way(client, run, write_bytes):
    """Rows found bad before the file stopped reading are there (and reading stops before the junk)."""
    rows = [
        HOUSEHOLD_HEADER[:2],
        ["LS00001", OTHER_COUNTY_VILLAGE],
        *([f"LS{i:05d}", VILLAGE] for i in range(2, 4000)),
    ]
    data = csv_bytes(rows) + b"\x00junk\r\n"
    result = run("households", write_bytes(data, "half.csv"))
    assert (result.status, result.error_rows) == (RunStatus.FAILED, 1)
    response = client.get(reverse("imports:run-errors", args=[result.pk]))
    assert response.status_code == 200
    rows = [
        [c.value for c in row]
        for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows()
    ]
    assert rows[0][:3] == ["行号", "户编号", "村代码"]
    assert rows[1:] == [[2, "LS00001", OTHER_COUNTY_VILLAGE, "村代码: 村代码不存在或不在您的管辖范围内"]]


def test_the_error_workbook_survives_a_stored_file_that_no_longer_reads(client, run, write_csv):
    result = run("households", write_csv(WITH_ERRORS), dry_run=True)
    (engine.imports_dir() / result.stored_name).write_bytes(b"")  # emptied on disk since
    response = client.get(reverse("imports:run-errors", args=[result.pk]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "文件是空的。"
