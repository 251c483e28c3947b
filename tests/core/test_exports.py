"""Exports of a listing (xlsx/csv): scoped and filtered like the page, masked by default,
a background job when large; and the reveal endpoint for one sensitive value."""

import csv
import io

import pytest
from python_calamine import CalamineWorkbook

from bangfu.accounts import services as account_services
from bangfu.accounts.models import Organization, OrganizationKind
from bangfu.audit.models import AccessLog
from bangfu.core import exports
from bangfu.core.models import Job, JobStatus
from bangfu.core.permissions import Role
from bangfu.regions.models import Region
from tests.conftest import DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE, OTHER_COUNTY
from tests.testapp.models import Secret

URL = "/accounts/organizations/"
HEADER = ["名称", "类型", "所在地区", "上级单位", "联系人", "联系电话"]
KIND_LABELS = dict(OrganizationKind.choices)
OTHER_TOWNSHIP_VILLAGE = "410423102201"
NEIGHBOUR_VILLAGE = "410423101002"
OTHER_COUNTY_VILLAGE = "410402001001"
ID_NUMBER = "41042319900106123X"


@pytest.fixture(autouse=True)
def _job_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def organizations(make_org, office_user):
    """Organisations in and out of the demo county, some with contact phones."""
    office_org = Organization.objects.get(memberships__user=office_user)
    return {
        "village_firm": make_org(
            name="鲁山香菇合作社",
            kind=OrganizationKind.ENTERPRISE,
            region_code=DEMO_VILLAGE,
            parent=office_org,
            contact_name="王五",
            contact_phone="13812345678",
        ),
        "union": make_org(
            name="下汤镇工会",
            kind=OrganizationKind.UNION,
            region_code=DEMO_TOWNSHIP,
            contact_phone="13900001111",
        ),
        "second_firm": make_org(
            name="梁洼煤业",
            kind=OrganizationKind.ENTERPRISE,
            region_code=OTHER_TOWNSHIP_VILLAGE,
            contact_name="赵六",
        ),
        "outside_firm": make_org(
            name="新华区企业",
            kind=OrganizationKind.ENTERPRISE,
            region_code=OTHER_COUNTY,
            contact_phone="13700002222",
        ),
    }


def masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if phone else ""


def expected_rows(queryset, *, reveal: bool = False) -> list[list[str]]:
    """The rows an export must hold, built from the database independently of the export code."""
    names = dict(Region.objects.values_list("code", "name"))
    return [
        [
            org.name,
            str(KIND_LABELS[org.kind]),
            names[org.region_code],
            org.parent.name if org.parent else "",
            org.contact_name,
            org.contact_phone if reveal else masked(org.contact_phone),
        ]
        for org in queryset
    ]


def in_demo_county(**filters):
    return Organization.objects.filter(region_code__startswith="410423", **filters).order_by(
        "region_code", "pk"
    )


def read_xlsx(content: bytes) -> tuple[list[str], list[list[str]]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert workbook.sheet_names == ["单位"]
    rows = [
        [("" if cell is None else str(cell)) for cell in row]
        for row in workbook.get_sheet_by_index(0).to_python()
    ]
    width = len(rows[0])
    return rows[0], [row + [""] * (width - len(row)) for row in rows[1:]]


def read_csv(content: bytes) -> tuple[list[str], list[list[str]]]:
    assert content.startswith("\ufeff".encode())  # Excel needs the BOM to read UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return rows[0], rows[1:]


def download(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# Small exports, written in the request ----------------------------------------------------------


def test_xlsx_export_equals_the_scoped_list(client_for, office_user, organizations):
    response = client_for(office_user).get(URL, {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == exports.FORMATS["xlsx"]
    assert response["Content-Disposition"].startswith('attachment; filename="accounts-organization-')
    header, rows = read_xlsx(response.content)
    assert header == HEADER
    assert rows == expected_rows(in_demo_county())
    assert len(rows) == 4  # the office's own organisation and three others, not the outside firm
    assert "新华区企业" not in {row[0] for row in rows}


def test_csv_export_equals_the_scoped_list(client_for, office_user, organizations):
    response = client_for(office_user).get(URL, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == exports.FORMATS["csv"]
    header, rows = read_csv(response.content)
    assert header == HEADER
    assert rows == expected_rows(in_demo_county())


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_filters_and_sort_apply_to_exports(client_for, office_user, organizations, fmt):
    client = client_for(office_user)
    reader = read_xlsx if fmt == "xlsx" else read_csv
    _, rows = reader(client.get(URL, {"export": fmt, "kind": "enterprise"}).content)
    assert rows == expected_rows(in_demo_county(kind="enterprise"))
    assert [row[0] for row in rows] == ["鲁山香菇合作社", "梁洼煤业"]

    _, rows = reader(client.get(URL, {"export": fmt, "region": "410423101"}).content)
    assert rows == expected_rows(in_demo_county().filter(region_code__startswith="410423101"))
    assert len(rows) == 2

    _, rows = reader(client.get(URL, {"export": fmt, "q": "香菇"}).content)
    assert [row[0] for row in rows] == ["鲁山香菇合作社"]

    _, rows = reader(client.get(URL, {"export": fmt, "sort": "-name"}).content)
    assert [row[0] for row in rows] == sorted([org.name for org in in_demo_county()], reverse=True)


def test_export_matches_the_page(client_for, office_user, organizations):
    client = client_for(office_user)
    page = client.get(URL, {"kind": "enterprise"})
    shown = [obj.name for obj, _cells in page.context["rows"]]
    _, rows = read_csv(client.get(URL, {"kind": "enterprise", "export": "csv"}).content)
    assert [row[0] for row in rows] == shown


def test_sensitive_column_is_masked_by_default(client_for, office_user, organizations):
    _, rows = read_xlsx(client_for(office_user).get(URL, {"export": "xlsx", "q": "香菇"}).content)
    assert rows[0][5] == "138****5678"
    _, rows = read_csv(client_for(office_user).get(URL, {"export": "csv", "q": "香菇"}).content)
    assert rows[0][5] == "138****5678"
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_reveal_unmasks_and_is_logged(client_for, office_user, organizations, fmt):
    response = client_for(office_user).get(URL, {"export": fmt, "reveal": "1"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    _, rows = (read_xlsx if fmt == "xlsx" else read_csv)(response.content)
    assert rows == expected_rows(in_demo_county(), reveal=True)
    assert "13812345678" in {row[5] for row in rows}
    log = AccessLog.objects.get()
    assert (log.actor, log.field, log.ip_address) == (office_user, "export:accounts.organization", "10.1.2.3")
    assert "4" in log.purpose  # how many rows were exported in clear


def test_reveal_without_the_capability_is_refused(make_user, client_for, organizations):
    leader = make_user(Role.LEADER, DEMO_COUNTY)  # may export, may not reveal
    client = client_for(leader)
    assert client.get(URL, {"export": "csv", "reveal": "1"}).status_code == 403
    assert client.get(URL, {"export": "xlsx", "reveal": "1"}).status_code == 403
    assert not AccessLog.objects.exists()
    _, rows = read_csv(client.get(URL, {"export": "csv"}).content)
    assert "138****5678" in {row[5] for row in rows}
    assert "13812345678" not in {row[5] for row in rows}


def test_export_without_the_capability_is_refused(make_user, client_for, organizations):
    cadre = make_user(Role.CADRE, DEMO_COUNTY)  # may view the list, may not export
    client = client_for(cadre)
    assert client.get(URL).status_code == 200
    assert client.get(URL, {"export": "csv"}).status_code == 403
    assert not Job.objects.exists()


def test_unknown_format_is_not_found(client_for, office_user, organizations):
    assert client_for(office_user).get(URL, {"export": "pdf"}).status_code == 404


def test_export_is_limited_to_where_the_user_may_export(make_user, make_org, client_for, organizations):
    """A leader in the demo county who is a supplier elsewhere sees both lists, exports only the first."""
    user = make_user(Role.LEADER, DEMO_COUNTY)
    supplier_org = make_org(name="新华区供应商", kind=OrganizationKind.SUPPLIER, region_code=OTHER_COUNTY)
    account_services.membership_create(
        actor=None,
        user=user,
        organization=supplier_org,
        role=Role.SUPPLIER,  # may view organisations there, may not export
        regions=[Region.objects.get(code=OTHER_COUNTY)],
    )
    client = client_for(user)
    shown = {obj.name for obj, _cells in client.get(URL).context["rows"]}
    assert "新华区企业" in shown
    _, rows = read_csv(client.get(URL, {"export": "csv"}).content)
    exported = {row[0] for row in rows}
    assert "新华区企业" not in exported
    # (Whether the user's own organisation elsewhere comes along is Organization.scope_extra's call.)
    assert exported - {"新华区供应商"} == set(in_demo_county().values_list("name", flat=True))


# Large exports, written by a background job ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_large_export_runs_as_a_job(
    make_user, client_for, office_user, organizations, monkeypatch, run_worker, fmt
):
    monkeypatch.setattr(exports, "SYNC_LIMIT", 2)
    client = client_for(office_user)
    response = client.get(URL, {"export": fmt, "region": "410423", "sort": "-name"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.created_by) == ("export", JobStatus.QUEUED, office_user)
    assert job.params == {
        "listing": "accounts.organization",
        "format": fmt,
        "reveal": False,
        "query": {"region": ["410423"], "sort": ["-name"]},
        "_language": "zh-hans",
    }
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404  # no file yet

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.done == job.total == 4
    assert job.result["rows"] == 4
    assert client.get(f"/jobs/{job.pk}/").status_code == 200
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert job.result["filename"] in response["Content-Disposition"]
    header, rows = (read_xlsx if fmt == "xlsx" else read_csv)(download(response))
    assert header == HEADER
    assert rows == expected_rows(in_demo_county().order_by("-name", "pk"))

    stranger = client_for(make_user(Role.OFFICE, DEMO_COUNTY))
    assert stranger.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert stranger.get(f"/jobs/{job.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_large_revealed_export_job_is_logged_and_unmasked(
    client_for, office_user, organizations, monkeypatch, run_worker
):
    monkeypatch.setattr(exports, "SYNC_LIMIT", 2)
    client = client_for(office_user)
    response = client.get(URL, {"export": "csv", "reveal": "1"})
    assert response.status_code == 302
    assert AccessLog.objects.filter(actor=office_user, field="export:accounts.organization").count() == 1
    run_worker()
    job = Job.objects.get()
    assert job.status == JobStatus.SUCCEEDED, job.message
    _, rows = read_csv(download(client.get(f"/jobs/{job.pk}/download/")))
    assert rows == expected_rows(in_demo_county(), reveal=True)


# Revealing one value -----------------------------------------------------------------------------


@pytest.fixture
def secret(db):
    return Secret.objects.create(name="张三", region_code=DEMO_VILLAGE, id_number=ID_NUMBER)


def reveal_url(secret) -> str:
    return f"/reveal/testapp.secret/{secret.pk}/"


@pytest.mark.parametrize(
    ("role", "region_code"),
    [(Role.CADRE, DEMO_VILLAGE), (Role.OFFICE, DEMO_COUNTY), (Role.OFFICE, DEMO_TOWNSHIP)],
)
def test_reveal_in_scope(make_user, client_for, secret, role, region_code):
    user = make_user(role, region_code)
    response = client_for(user).post(reveal_url(secret), {"purpose": "核实身份"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 200
    assert ID_NUMBER in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.actor, log.field, log.object_id, log.purpose) == (
        user,
        "id_number",
        str(secret.pk),
        "核实身份",
    )
    assert (log.region_code, log.ip_address) == (DEMO_VILLAGE, "10.0.0.9")


@pytest.mark.parametrize(
    ("role", "region_code", "status"),
    [
        (Role.CADRE, NEIGHBOUR_VILLAGE, 404),
        (Role.OFFICE, OTHER_COUNTY, 404),
        (Role.CADRE, OTHER_COUNTY_VILLAGE, 404),
        (Role.LEADER, DEMO_COUNTY, 403),
        (Role.BUYER, DEMO_COUNTY, 403),
    ],
)
def test_reveal_refused(make_user, client_for, secret, role, region_code, status):
    response = client_for(make_user(role, region_code)).post(reveal_url(secret))
    assert response.status_code == status
    assert ID_NUMBER.encode() not in response.content
    assert not AccessLog.objects.exists()


def test_reveal_of_unknown_objects(make_user, client_for, secret):
    client = client_for(make_user(Role.OFFICE, DEMO_COUNTY))
    assert client.post(f"/reveal/testapp.secret/{secret.pk + 1000}/").status_code == 404
    assert client.post(f"/reveal/testapp.nothing/{secret.pk}/").status_code == 404
    assert client.get(reveal_url(secret)).status_code == 405
    assert not AccessLog.objects.exists()


def test_reveal_needs_a_login(client, secret):
    response = client.post(reveal_url(secret))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not AccessLog.objects.exists()
