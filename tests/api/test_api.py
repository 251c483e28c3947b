"""The REST API: documented, token-authenticated, scoped and filtered like the pages, JSON errors."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.accounts.models import Organization, OrganizationKind
from bangfu.accounts.services import token_create
from bangfu.audit.models import Action, ChangeRecord
from bangfu.core.permissions import Role
from tests.conftest import DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE, OTHER_COUNTY

ORGANIZATIONS = "/api/v1/organizations"
REGIONS = "/api/v1/regions"


def _api(user) -> Client:
    _token, raw = token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE, DEMO_COUNTY, username="office")


@pytest.fixture
def api(office):
    return _api(office)


@pytest.fixture
def organizations(make_org):
    """Organisations inside the demo county (two levels) and one in the neighbouring county."""
    return {
        "federation": make_org(name="鲁山县总工会", kind=OrganizationKind.UNION),
        "clinic": make_org(name="下汤镇卫生院", kind=OrganizationKind.HOSPITAL, region_code=DEMO_TOWNSHIP),
        "coop": make_org(
            name="下汤镇香菇合作社", kind=OrganizationKind.COOPERATIVE, region_code=DEMO_VILLAGE
        ),
        "far": make_org(name="新华区总工会", kind=OrganizationKind.UNION, region_code=OTHER_COUNTY),
    }


def _post(client: Client, url: str, data) -> object:
    body = data if isinstance(data, str) else json.dumps(data)
    return client.post(url, body, content_type="application/json")


def _patch(client: Client, url: str, data: dict) -> object:
    return client.patch(url, json.dumps(data), content_type="application/json")


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def _counts() -> tuple[int, int]:
    return Organization.objects.count(), ChangeRecord.objects.count()


def _row(organization) -> dict:
    return Organization.objects.filter(pk=organization.pk).values().get()


# Documentation ---------------------------------------------------------------------------------------


def test_docs_redirect_to_the_openapi_page(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert response["Location"] == "/api/v1/docs"
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "openapi.json" in page.content.decode()


def test_openapi_lists_our_paths(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/me",
        "/api/v1/organizations",
        "/api/v1/organizations/{org_id}",
        "/api/v1/regions",
        "/api/v1/regions/{code}",
    } <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/organizations"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/organizations/{org_id}"]) == {"get", "patch"}
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_openapi_url_is_the_one_reverse_gives(db):
    assert reverse("api:openapi-json") == "/api/v1/openapi.json"


# Lists: scope, filters, pagination -----------------------------------------------------------------


def _page_result(client: Client, url: str, params: dict) -> tuple[int, list]:
    """What the list page shows for ``params``: total count and the keys of the first page."""
    response = client.get(url, params)
    assert response.status_code == 200
    return response.context["page"].paginator.count, [obj.pk for obj, _cells in response.context["rows"]]


def test_organization_list_is_scoped(api, office, organizations):
    response = api.get(ORGANIZATIONS)

    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert {"鲁山县总工会", "下汤镇卫生院", "下汤镇香菇合作社"} <= names
    assert "新华区总工会" not in names
    assert all(row["region_code"].startswith("410423") for row in response.json()["results"])


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "下汤"},
        {"q": "总工会"},
        {"kind": "union"},
        {"kind": "hospital"},
        {"kind": "no-such-kind"},
        {"region": "410423101"},
        {"region": DEMO_VILLAGE},
        {"region": "4104"},
        {"q": "下汤", "kind": "cooperative"},
        {"sort": "-name"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "none",
)
def test_organization_filters_match_the_page(api, office, client_for, organizations, params):
    count, first_page = _page_result(client_for(office), reverse("accounts:organization-list"), params)

    body = api.get(ORGANIZATIONS, {**params, "limit": 50}).json()

    assert body["count"] == count
    assert [row["id"] for row in body["results"]] == first_page


def test_organization_filters_narrow(api, organizations):
    def names(params):
        return sorted(row["name"] for row in api.get(ORGANIZATIONS, params).json()["results"])

    assert names({"q": "下汤"}) == ["下汤镇卫生院", "下汤镇香菇合作社"]
    assert names({"kind": "union"}) == ["鲁山县总工会"]  # the other union is outside the scope
    assert names({"region": "410423101"}) == ["下汤镇卫生院", "下汤镇香菇合作社"]
    assert names({"region": OTHER_COUNTY[:6]}) == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"level": "township"},
        {"level": "village"},
        {"parent": DEMO_COUNTY},
        {"parent": DEMO_TOWNSHIP},
        {"parent": OTHER_COUNTY},
        {"q": "下汤"},
        {"q": "410423101"},
        {"q": "4104"},
        {"level": "village", "parent": DEMO_TOWNSHIP},
        {"level": "county"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "none",
)
def test_region_filters_match_the_page(api, office, client_for, regions, params):
    count, first_page = _page_result(client_for(office), reverse("regions:region-list"), params)

    body = api.get(REGIONS, {**params, "limit": 50}).json()

    assert body["count"] == count
    assert [row["code"] for row in body["results"]] == first_page


def test_region_list_is_scoped_and_filtered(api, regions):
    everything = api.get(REGIONS, {"limit": 500}).json()
    assert everything["count"] == regions.filter(code__startswith="410423").count()
    assert all(row["code"].startswith("410423") for row in everything["results"])

    townships = api.get(REGIONS, {"parent": DEMO_COUNTY, "limit": 500}).json()
    assert townships["count"] == regions.filter(parent_id=DEMO_COUNTY).count() > 10
    assert {row["level"] for row in townships["results"]} == {"township"}
    assert DEMO_TOWNSHIP in {row["code"] for row in townships["results"]}

    # of the city's counties only the demo county is in scope
    under_city = api.get(REGIONS, {"parent": "410400000000"}).json()
    assert [row["code"] for row in under_city["results"]] == [DEMO_COUNTY]
    assert api.get(REGIONS, {"level": "county"}).json()["results"][0]["code"] == DEMO_COUNTY
    assert api.get(REGIONS, {"q": OTHER_COUNTY[:6]}).json()["count"] == 0


def test_pagination(api, office, make_org):
    for number in range(7):
        make_org(name=f"分页单位{number}")
    every = [row["id"] for row in api.get(ORGANIZATIONS, {"q": "分页单位"}).json()["results"]]
    assert len(every) == 7

    window = api.get(ORGANIZATIONS, {"q": "分页单位", "limit": 3, "offset": 2}).json()
    assert (window["count"], window["limit"], window["offset"]) == (7, 3, 2)
    assert [row["id"] for row in window["results"]] == every[2:5]

    tail = api.get(ORGANIZATIONS, {"q": "分页单位", "limit": 3, "offset": 6}).json()
    assert [row["id"] for row in tail["results"]] == every[6:]
    assert api.get(ORGANIZATIONS, {"q": "分页单位", "offset": 50}).json()["results"] == []


@pytest.mark.parametrize(
    ("limit", "offset", "expected"), [(0, 0, (1, 0)), (100_000, 0, (500, 0)), (5, -4, (5, 0))]
)
def test_pagination_bounds(api, office, limit, offset, expected):
    body = api.get(ORGANIZATIONS, {"limit": limit, "offset": offset}).json()
    assert (body["limit"], body["offset"]) == expected


def test_bad_query_parameter_is_a_field_error(api, office):
    error = _error(api.get(ORGANIZATIONS, {"limit": "many"}), 422, "invalid")
    assert "limit" in error["fields"]


def test_list_query_count_does_not_grow_with_rows(api, office, make_org):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(ORGANIZATIONS).status_code == 200
        return len(captured)

    make_org(name="单位甲")
    queries()  # the token's first use of the minute is recorded (one UPDATE): not what this measures
    few = queries()
    for number in range(10):
        make_org(name=f"单位乙{number}", parent=Organization.objects.get(name="单位甲"))
    assert queries() == few


# Details -----------------------------------------------------------------------------------------------


def test_organization_detail_in_scope(api, organizations):
    clinic = organizations["clinic"]
    body = api.get(f"{ORGANIZATIONS}/{clinic.pk}").json()
    assert body == {
        "id": clinic.pk,
        "name": "下汤镇卫生院",
        "kind": "hospital",
        "parent_id": None,
        "region_code": DEMO_TOWNSHIP,
        "credit_code": "",
        "contact_name": "",
        "address": "",
        "is_active": True,
    }


def test_detail_outside_scope_is_missing(api, organizations, regions):
    far = _error(api.get(f"{ORGANIZATIONS}/{organizations['far'].pk}"), 404, "not_found")
    gone = _error(api.get(f"{ORGANIZATIONS}/987654321"), 404, "not_found")
    assert far == gone  # the same answer whether or not the object exists
    _error(api.get(f"{REGIONS}/{OTHER_COUNTY}"), 404, "not_found")
    _error(api.get(f"{REGIONS}/410400000000"), 404, "not_found")  # the city above the county
    assert api.get(f"{REGIONS}/{DEMO_TOWNSHIP}").json() == {
        "code": DEMO_TOWNSHIP,
        "name": "下汤镇",
        "level": "township",
        "parent_id": DEMO_COUNTY,
    }


# Writes -------------------------------------------------------------------------------------------------


def _new(**overrides) -> dict:
    return {"name": "鲁山县妇联", "kind": "social", "region_code": DEMO_COUNTY, **overrides}


def test_create_writes_the_row_and_its_history(api, office, organizations):
    response = _post(api, ORGANIZATIONS, _new(parent_id=organizations["federation"].pk, address="人民路"))

    assert response.status_code == 201
    body = response.json()
    created = Organization.objects.get(pk=body["id"])
    assert (created.name, created.kind, created.region_code) == ("鲁山县妇联", "social", DEMO_COUNTY)
    assert created.parent == organizations["federation"]
    assert body["kind"] == "social"
    assert body["parent_id"] == organizations["federation"].pk
    record = ChangeRecord.objects.get(content_type__model="organization", object_id=str(created.pk))
    assert (record.action, record.actor) == (Action.CREATE, office)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "social", "region_code": DEMO_COUNTY}, "name"),
        (_new(name=""), "name"),
        (_new(name="长" * 201), "name"),
        (_new(kind="bank"), "kind"),
        ({"name": "鲁山县妇联", "kind": "social"}, "region_code"),
        (_new(region_code="410423"), "region_code"),
        (_new(region_code="41042300000x"), "region_code"),
        (_new(region_code="999999999999"), "region_code"),
        (_new(region_code=OTHER_COUNTY), "region_code"),
        (_new(region_code="410400000000"), "region_code"),
        (_new(parent_id="first"), "parent_id"),
        (_new(parent_id=987654321), "parent_id"),
    ],
    ids=[
        "missing-name",
        "blank-name",
        "long-name",
        "unknown-kind",
        "missing-region",
        "short-region",
        "bad-region",
        "unknown-region",
        "other-county",
        "city-above",
        "parent-not-a-number",
        "unknown-parent",
    ],
)
def test_create_with_bad_fields_is_422_and_writes_nothing(api, office, payload, field):
    before = _counts()

    error = _error(_post(api, ORGANIZATIONS, payload), 422, "invalid")

    assert field in error["fields"], error
    assert _counts() == before


def test_parent_outside_scope_is_refused_like_a_missing_one(api, organizations):
    before = _counts()
    outside = _error(_post(api, ORGANIZATIONS, _new(parent_id=organizations["far"].pk)), 422, "invalid")
    missing = _error(_post(api, ORGANIZATIONS, _new(parent_id=987654321)), 422, "invalid")
    assert list(outside["fields"]) == list(missing["fields"]) == ["parent_id"]
    assert _counts() == before


def test_duplicate_is_refused(api, organizations):
    before = _counts()
    error = _error(_post(api, ORGANIZATIONS, _new(name="鲁山县总工会", kind="union")), 422, "invalid")
    assert error["fields"]
    assert _counts() == before


@pytest.mark.parametrize("body", ["{", "[1, 2", "not json"])
def test_unparseable_body_is_a_json_error(api, office, body):
    before = _counts()
    _error(_post(api, ORGANIZATIONS, body), 400, "malformed")
    assert _counts() == before


def test_patch_changes_the_row_and_records_history(api, office, client_for, organizations):
    clinic = organizations["clinic"]

    response = _patch(
        api,
        f"{ORGANIZATIONS}/{clinic.pk}",
        {
            "name": "下汤镇中心卫生院",
            "parent_id": organizations["federation"].pk,
            "region_code": DEMO_VILLAGE,
        },
    )

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "下汤镇中心卫生院"
    clinic.refresh_from_db()
    assert (clinic.name, clinic.parent, clinic.region_code) == (
        "下汤镇中心卫生院",
        organizations["federation"],
        DEMO_VILLAGE,
    )
    record = ChangeRecord.objects.get(object_id=str(clinic.pk), action=Action.UPDATE)
    assert record.actor == office
    assert record.changes["name"] == ["下汤镇卫生院", "下汤镇中心卫生院"]
    assert record.changes["region_code"] == [DEMO_TOWNSHIP, DEMO_VILLAGE]
    assert record.changes["parent"] == [None, organizations["federation"].pk]
    detail = client_for(office).get(reverse("accounts:organization-detail", args=[clinic.pk]))
    assert [r.action for r in detail.context["history"]] == [Action.UPDATE, Action.CREATE]


def test_patch_with_only_some_fields_leaves_the_others(api, organizations):
    coop = organizations["coop"]
    row = _row(coop)
    assert _patch(api, f"{ORGANIZATIONS}/{coop.pk}", {"address": "下汤镇街道1号"}).status_code == 200
    assert _row(coop) == {**row, "address": "下汤镇街道1号"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"kind": "bank"}, "kind"),
        ({"region_code": OTHER_COUNTY}, "region_code"),
        ({"region_code": "999999999999"}, "region_code"),
        ({"parent_id": "self"}, "parent"),
        ({"parent_id": "child"}, "parent"),
        ({"parent_id": "far"}, "parent_id"),
        ({"is_active": None}, "is_active"),
    ],
    ids=[
        "blank-name",
        "null-name",
        "unknown-kind",
        "other-county",
        "unknown-region",
        "self",
        "child",
        "far",
        "null-active",
    ],
)
def test_patch_with_bad_fields_is_422_and_changes_nothing(api, organizations, make_org, payload, field):
    federation = organizations["federation"]
    child = make_org(name="下汤镇工会", kind=OrganizationKind.UNION, parent=federation)
    targets = {"self": federation.pk, "child": child.pk, "far": organizations["far"].pk}
    payload = {k: targets.get(v, v) if k == "parent_id" else v for k, v in payload.items()}
    before, row = _counts(), _row(federation)

    error = _error(_patch(api, f"{ORGANIZATIONS}/{federation.pk}", payload), 422, "invalid")

    assert field in error["fields"], error
    assert _counts() == before
    assert _row(federation) == row


def test_patch_outside_scope_is_missing(api, organizations):
    far = organizations["far"]
    before, row = _counts(), _row(far)
    _error(_patch(api, f"{ORGANIZATIONS}/{far.pk}", {"name": "改名"}), 404, "not_found")
    assert _counts() == before
    assert _row(far) == row


def test_own_organisation_elsewhere_is_readable_but_not_writable(make_org, make_user):
    home = make_org(name="新华区总工会", region_code=OTHER_COUNTY)
    api = _api(make_user(Role.OFFICE, DEMO_COUNTY, organization=home))
    before, row = _counts(), _row(home)

    assert api.get(f"{ORGANIZATIONS}/{home.pk}").status_code == 200
    _error(_patch(api, f"{ORGANIZATIONS}/{home.pk}", {"name": "改名"}), 404, "not_found")
    assert _counts() == before
    assert _row(home) == row


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR, Role.CADRE, Role.BUYER])
def test_role_without_manage_is_forbidden_to_write(make_user, organizations, role):
    api = _api(make_user(role, DEMO_COUNTY))
    clinic = organizations["clinic"]
    before, row = _counts(), _row(clinic)

    assert api.get(ORGANIZATIONS).status_code == 200  # reading is allowed
    _error(_post(api, ORGANIZATIONS, _new()), 403, "forbidden")
    _error(_patch(api, f"{ORGANIZATIONS}/{clinic.pk}", {"name": "改名"}), 403, "forbidden")
    assert _counts() == before
    assert _row(clinic) == row


def test_member_cannot_list_organisations_or_regions(make_user, organizations):
    api = _api(make_user(Role.MEMBER, DEMO_COUNTY))
    assert api.get("/api/v1/me").status_code == 200
    _error(api.get(ORGANIZATIONS), 403, "forbidden")
    _error(api.get(f"{ORGANIZATIONS}/{organizations['clinic'].pk}"), 403, "forbidden")
    _error(api.get(REGIONS), 403, "forbidden")
    _error(api.get(f"{REGIONS}/{DEMO_COUNTY}"), 403, "forbidden")


def test_browser_session_works_for_reads_but_writes_need_csrf(office, organizations):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(office)
    before = _counts()

    assert browser.get(ORGANIZATIONS).status_code == 200
    _error(_post(browser, ORGANIZATIONS, _new()), 403, "forbidden")
    assert _counts() == before


def test_anonymous_gets_401_everywhere(client, organizations):
    for url in ("/api/v1/me", ORGANIZATIONS, f"{ORGANIZATIONS}/{organizations['clinic'].pk}", REGIONS):
        _error(client.get(url), 401, "unauthenticated")
    before = _counts()
    _error(_post(client, ORGANIZATIONS, _new()), 401, "unauthenticated")
    assert _counts() == before
