"""Creating and editing organisations through the pages: audited writes, field errors, scope."""

import datetime

import pytest
from django.urls import reverse

from bangfu.accounts.models import Organization, OrganizationKind
from bangfu.audit.models import Action, ChangeRecord
from bangfu.core.permissions import Role
from tests.conftest import DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE, OTHER_COUNTY

CREATE = reverse("accounts:organization-create")


def _edit(organization) -> str:
    return reverse("accounts:organization-edit", args=[organization.pk])


def _detail(organization) -> str:
    return reverse("accounts:organization-detail", args=[organization.pk])


def _form(**overrides) -> dict:
    data = {
        "name": "鲁山县总工会",
        "kind": OrganizationKind.UNION,
        "parent": "",
        "region": DEMO_COUNTY,
        "credit_code": "",
        "contact_name": "王主席",
        "contact_phone": "",
        "address": "鲁山县人民路1号",
        "is_active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _form_of(organization, **overrides) -> dict:
    """The edit form as the page would submit it, with ``overrides`` changed."""
    current = {
        "name": organization.name,
        "kind": organization.kind,
        "parent": organization.parent_id or "",
        "region": organization.region_code,
        "credit_code": organization.credit_code,
        "contact_name": organization.contact_name,
        "contact_phone": organization.contact_phone,
        "address": organization.address,
        "is_active": "on" if organization.is_active else None,
    }
    return _form(**{**current, **overrides})


def _counts() -> tuple[int, int]:
    return Organization.objects.count(), ChangeRecord.objects.count()


def _row(organization) -> dict:
    return Organization.objects.filter(pk=organization.pk).values().get()


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE, DEMO_COUNTY, username="office")


@pytest.fixture
def office_client(client_for, office):
    return client_for(office)


def test_create_page_writes_the_row_and_its_history(office_client, office):
    assert office_client.get(CREATE).status_code == 200

    response = office_client.post(CREATE, _form())

    created = Organization.objects.get(name="鲁山县总工会")
    assert response.status_code == 302
    assert response["Location"] == _detail(created)
    assert (created.kind, created.region_code, created.contact_name) == ("union", DEMO_COUNTY, "王主席")
    record = ChangeRecord.objects.get(object_id=str(created.pk), content_type__model="organization")
    assert record.action == Action.CREATE
    assert record.actor == office
    assert record.region_code == DEMO_COUNTY
    assert record.changes["name"] == [None, "鲁山县总工会"]

    detail = office_client.get(_detail(created))
    assert detail.status_code == 200
    assert list(detail.context["history"]) == [record]
    assert "office" in detail.content.decode()  # who made the change


def test_short_region_code_is_padded(office_client):
    response = office_client.post(CREATE, _form(region="410423"))
    assert response.status_code == 302
    assert Organization.objects.get(name="鲁山县总工会").region_code == DEMO_COUNTY


def test_edit_page_updates_the_row_and_records_the_difference(office_client, office, make_org):
    organization = make_org(name="下汤镇卫生院", kind=OrganizationKind.HOSPITAL, region_code=DEMO_TOWNSHIP)
    page = office_client.get(_edit(organization))
    assert page.status_code == 200
    assert page.context["form"]["region"].value() == DEMO_TOWNSHIP

    response = office_client.post(
        _edit(organization), _form_of(organization, name="下汤镇中心卫生院", region=DEMO_COUNTY)
    )

    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.name, organization.region_code) == ("下汤镇中心卫生院", DEMO_COUNTY)
    update = ChangeRecord.objects.get(object_id=str(organization.pk), action=Action.UPDATE)
    assert update.actor == office
    assert update.changes["name"] == ["下汤镇卫生院", "下汤镇中心卫生院"]
    assert update.changes["region_code"] == [DEMO_TOWNSHIP, DEMO_COUNTY]
    assert set(update.changes) == {"name", "region", "region_code"}

    detail = office_client.get(_detail(organization)).content.decode()
    assert "下汤镇卫生院" in detail  # the old name, in the history
    assert "下汤镇中心卫生院" in detail
    assert len(office_client.get(_detail(organization)).context["history"]) == 2


def test_saving_unchanged_form_records_nothing(office_client, make_org):
    organization = make_org(name="鲁山县供销社", address="")
    before = _counts()
    response = office_client.post(_edit(organization), _form_of(organization))
    assert response.status_code == 302
    assert _counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"kind": "bank"}, "kind"),
        ({"region": ""}, "region"),
        ({"region": "999999999999"}, "region"),
        ({"region": "41042x"}, "region"),
        ({"region": OTHER_COUNTY}, "region"),  # exists, but outside the office's scope
        ({"region": "410400000000"}, "region"),  # the city above the county: outside too
    ],
    ids=[
        "blank-name",
        "spaces-name",
        "unknown-kind",
        "no-region",
        "unknown-region",
        "bad-code",
        "other-county",
        "city",
    ],
)
def test_bad_input_on_create_writes_nothing(office_client, overrides, field):
    before = _counts()

    response = office_client.post(CREATE, _form(**overrides))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'data-field="{field}"' in response.content.decode()
    assert _counts() == before


def test_parent_outside_scope_is_refused(office_client, make_org):
    far = make_org(name="新华区总工会", region_code=OTHER_COUNTY)
    before = _counts()
    response = office_client.post(CREATE, _form(parent=far.pk))
    assert response.status_code == 400
    assert "parent" in response.context["form"].errors
    assert _counts() == before


def test_duplicate_name_in_the_same_region_is_refused(office_client, make_org):
    make_org(name="鲁山县总工会", region_code=DEMO_COUNTY)
    before = _counts()
    response = office_client.post(CREATE, _form())
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert _counts() == before


@pytest.fixture
def family(make_org):
    """A county federation with a grassroots union below it."""
    federation = make_org(name="鲁山县总工会", kind=OrganizationKind.UNION)
    grassroots = make_org(name="下汤镇工会", kind=OrganizationKind.UNION, parent=federation)
    return federation, grassroots


@pytest.mark.parametrize("parent", ["itself", "child"])
def test_parent_cannot_be_itself_or_below_it(office_client, family, parent):
    federation, grassroots = family
    before, row = _counts(), _row(federation)

    chosen = federation if parent == "itself" else grassroots
    response = office_client.post(_edit(federation), _form_of(federation, parent=chosen.pk, name="改名"))

    assert response.status_code == 400
    assert "parent" in response.context["form"].errors
    assert _counts() == before
    assert _row(federation) == row


def test_bad_input_on_edit_leaves_the_row(office_client, make_org):
    organization = make_org(name="鲁山县供销社")
    before, row = _counts(), _row(organization)
    response = office_client.post(_edit(organization), _form_of(organization, name="", region=OTHER_COUNTY))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "region"}
    assert _counts() == before
    assert _row(organization) == row


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR, Role.CADRE, Role.MEMBER])
def test_roles_without_manage_cannot_create_or_edit(make_user, client_for, make_org, role):
    organization = make_org(name="鲁山县供销社")
    client = client_for(make_user(role, DEMO_COUNTY))
    before, row = _counts(), _row(organization)

    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, _form()).status_code == 403
    assert client.get(_edit(organization)).status_code == 403
    assert client.post(_edit(organization), _form_of(organization, name="改名")).status_code == 403
    assert _counts() == before
    assert _row(organization) == row


def test_leader_sees_no_create_or_edit_links(make_user, client_for, make_org):
    organization = make_org()
    client = client_for(make_user(Role.LEADER, DEMO_COUNTY))
    assert client.get(reverse("accounts:organization-list")).context["create_url"] is None
    assert client.get(_detail(organization)).context["edit_url"] is None


def test_office_sees_create_and_edit_links(office_client, make_org):
    organization = make_org()
    assert office_client.get(reverse("accounts:organization-list")).context["create_url"] == CREATE
    assert office_client.get(_detail(organization)).context["edit_url"] == _edit(organization)


def test_office_cannot_edit_an_organisation_in_another_county(office_client, make_org):
    far = make_org(name="新华区供销社", region_code=OTHER_COUNTY)
    before, row = _counts(), _row(far)
    assert office_client.get(_edit(far)).status_code == 404
    assert office_client.post(_edit(far), _form_of(far, name="改名")).status_code == 404
    assert _counts() == before
    assert _row(far) == row


def test_own_organisation_elsewhere_is_visible_but_not_editable(make_org, make_user, client_for):
    """A member always sees their own organisation; managing it still needs it in scope."""
    home = make_org(name="新华区总工会", region_code=OTHER_COUNTY)
    user = make_user(Role.OFFICE, DEMO_COUNTY, organization=home)
    client = client_for(user)
    before, row = _counts(), _row(home)

    assert client.get(_detail(home)).status_code == 200
    assert client.get(_detail(home)).context["edit_url"] is None
    assert client.get(_edit(home)).status_code == 404
    assert client.post(_edit(home), _form_of(home, name="改名")).status_code == 404
    assert _counts() == before
    assert _row(home) == row


def test_list_shows_only_organisations_in_scope(office_client, make_org):
    make_org(name="鲁山县供销社")
    make_org(name="新华区供销社", region_code=OTHER_COUNTY)
    names = [row[0].name for row in office_client.get(reverse("accounts:organization-list")).context["rows"]]
    assert "鲁山县供销社" in names
    assert "新华区供销社" not in names


def test_an_organisation_working_here_from_elsewhere_is_visible_but_not_editable(
    office_client, make_org, make_user, client_for, region
):
    """An enterprise of another county assigned to this one (a partnership, a stationed team):
    the office here sees its page and what it does here, but cannot manage it; a third office
    that it does not work for sees nothing of it."""
    from bangfu.assistance import services as assistance
    from bangfu.fieldwork import services as fieldwork

    enterprise = make_org(name="新华区电力公司", kind="enterprise", region_code=OTHER_COUNTY)
    hospital = make_org(name="新华区人民医院", kind="hospital", region_code=OTHER_COUNTY)
    names = lambda client: [  # noqa: E731
        row[0].name for row in client.get(reverse("accounts:organization-list")).context["rows"]
    ]
    assert office_client.get(_detail(enterprise)).status_code == 404
    assert "新华区电力公司" not in names(office_client)

    assistance.partnership_create(
        actor=None, organization=enterprise, kind="designated", region=region(DEMO_COUNTY), start_year=2016
    )
    fieldwork.team_create(
        actor=None,
        organization=hospital,
        region=region(DEMO_VILLAGE),
        starts_on=datetime.date(2024, 1, 1),
    )
    before, row = _counts(), _row(enterprise)
    assert office_client.get(_detail(enterprise)).status_code == 200
    assert office_client.get(_detail(hospital)).status_code == 200
    assert office_client.get(_detail(enterprise)).context["edit_url"] is None
    assert office_client.get(_edit(enterprise)).status_code == 404
    assert office_client.post(_edit(enterprise), _form_of(enterprise, name="改名")).status_code == 404
    assert {"新华区电力公司", "新华区人民医院"} <= set(names(office_client))
    assert (_counts(), _row(enterprise)) == (before, row)

    # an office of a third county, where neither works, still sees nothing of them
    third = make_user(Role.OFFICE, "410411000000")
    assert client_for(third).get(_detail(enterprise)).status_code == 404


def test_the_detail_page_reads_whether_it_may_be_edited_with_the_organisation(office_client, make_org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    organization = make_org()
    with CaptureQueriesContext(connection) as captured:
        response = office_client.get(_detail(organization))
    assert response.context["edit_url"] == _edit(organization)
    reads = [q["sql"] for q in captured if '"accounts_organization"' in q["sql"].split(" WHERE ")[0]]
    assert not any(sql.startswith('SELECT 1 AS "a"') for sql in reads), reads  # no separate EXISTS query


def test_the_detail_page_lists_child_units_and_reads_none_for_an_organisation_without(
    office_client, make_org
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    federation = make_org(name="鲁山县总工会", kind=OrganizationKind.UNION)
    make_org(name="下汤镇工会", kind=OrganizationKind.UNION, parent=federation)
    make_org(name="张店乡工会", kind=OrganizationKind.UNION, parent=federation)
    rows = dict(office_client.get(_detail(federation)).context["field_rows"])
    assert set(str(rows["下级单位"]).split("、")) == {"下汤镇工会", "张店乡工会"}

    alone = make_org(name="鲁山县供销社")
    with CaptureQueriesContext(connection) as captured:
        rows = dict(office_client.get(_detail(alone)).context["field_rows"])
    assert rows["下级单位"] == ""
    children_reads = [
        q["sql"]
        for q in captured
        if q["sql"].startswith('SELECT "accounts_organization"')
        and '"parent_id" = ' in q["sql"]
        and "EXISTS" not in q["sql"]
    ]
    assert children_reads == []
