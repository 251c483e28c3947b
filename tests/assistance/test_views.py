"""The pages: lists with filters and export, details with balances and ledger, forms through the services."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.assistance.models import FundEntry, FundKind, Partnership, Project
from bangfu.assistance.selectors import project_balance
from bangfu.core.permissions import Role
from tests.conftest import DEMO_COUNTY, DEMO_VILLAGE

pytestmark = pytest.mark.django_db


def test_project_list_filters_and_exports(world, client_for):
    client = client_for(world.office)
    url = reverse("assistance:project-list")
    page = client.get(url).content.decode()
    assert "肉牛养殖基地" in page
    assert (
        "肉牛养殖基地"
        in client.get(url, {"type": "industry", "status": "planned", "year": 2020}).content.decode()
    )
    for params in ({"type": "health"}, {"year": 2018}, {"region": "410402"}, {"organization": "不存在"}):
        assert "肉牛养殖基地" not in client.get(url, params).content.decode(), params
    export = client.get(url, {"export": "csv"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert "肉牛养殖基地" in body.decode("utf-8-sig")


def test_project_list_outside_scope_is_empty(world, client_for):
    page = client_for(world.outsider).get(reverse("assistance:project-list")).content.decode()
    assert "肉牛养殖基地" not in page


def test_project_detail_shows_balance_ledger_and_milestones(world, client_for):
    page = client_for(world.office).get(world.project.get_absolute_url()).content.decode()
    for text in ("900000.00", "1000000.00", "PZ-2019-001", "省农业农村厅", "牛舍建成", "冲销此笔"):
        assert text in page, text
    assert client_for(world.outsider).get(world.project.get_absolute_url()).status_code == 404


def test_project_detail_in_english(world, client_for):
    client = client_for(world.office)
    page = client.get(world.project.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Coordinated" in page and "Voucher number" in page


def test_fund_entry_form_records_and_refuses_with_a_message(world, client_for):
    client = client_for(world.office)
    url = reverse("assistance:fund-entry-create", args=[world.project.pk])
    count = FundEntry.objects.count()
    response = client.post(
        url, {"kind": FundKind.SPENT, "amount": "900000.01", "date": "2019-06-01", "voucher_number": "V1"}
    )
    assert response.status_code == 400
    assert "可用资金不足" in response.content.decode()
    assert FundEntry.objects.count() == count
    response = client.post(url, {"kind": FundKind.SPENT, "amount": "100", "date": "2019-06-01"})
    assert response.status_code == 400 and "凭证号" in response.content.decode()
    response = client.post(
        url, {"kind": FundKind.SPENT, "amount": "100", "date": "2019-06-01", "voucher_number": "V1"}
    )
    assert response.status_code == 302
    assert project_balance(world.project)["spent"] == Decimal("300100.00")


def test_reversal_action_and_a_second_one_refused(world, client_for):
    client = client_for(world.office)
    entry = FundEntry.objects.get(kind=FundKind.SPENT)
    url = reverse("assistance:fund-entry-reverse", args=[entry.pk])
    assert client.post(url, {"note": "重复登记"}).status_code == 302
    assert FundEntry.objects.filter(reverses=entry).count() == 1
    response = client.post(url, {"note": "再来一次"})
    assert response.status_code == 400 and "已经冲销过" in response.content.decode()
    assert FundEntry.objects.filter(reverses=entry).count() == 1
    assert client_for(world.outsider).post(url, {"note": "x"}).status_code == 404


def test_partnership_create_and_detail(world, client_for, make_org):
    client = client_for(world.office)
    union = make_org(name="鲁山县总工会")
    response = client.post(
        reverse("assistance:partnership-create"),
        {"organization": union.pk, "kind": "paired", "region": DEMO_VILLAGE, "start_year": 2018},
    )
    assert response.status_code == 302
    partnership = Partnership.objects.get(organization=union)
    page = client.get(partnership.get_absolute_url()).content.decode()
    assert "鲁山县总工会" in page
    # a designated partnership with a village is refused on the form
    response = client.post(
        reverse("assistance:partnership-create"),
        {"organization": union.pk, "kind": "designated", "region": DEMO_VILLAGE, "start_year": 2018},
    )
    assert response.status_code == 400 and "定点帮扶须选择县" in response.content.decode()
    paired = client.get(world.paired.get_absolute_url()).content.decode()
    assert "肉牛养殖基地" in paired and "900000.00" in paired


def test_project_create_and_edit(world, client_for):
    client = client_for(world.office)
    response = client.post(
        reverse("assistance:project-create"),
        {
            "name": "村内道路硬化",
            "organization": world.enterprise.pk,
            "partnership": world.designated.pk,
            "region": DEMO_VILLAGE,
            "type": "infrastructure",
            "budget": "800000",
            "status": "planned",
            "start_date": "2020-03-01",
            "other_region_codes": "",
            "milestones": "2020-06-01 路基完成\n2020-10-01 验收",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(name="村内道路硬化")
    assert [m.title for m in project.milestones.all()] == ["路基完成", "验收"]
    response = client.post(
        reverse("assistance:project-edit", args=[project.pk]),
        {
            "name": "村内道路硬化",
            "partnership": world.designated.pk,
            "region": DEMO_VILLAGE,
            "type": "infrastructure",
            "budget": "850000",
            "status": "in_progress",
            "start_date": "2020-03-01",
            "other_region_codes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    project.refresh_from_db()
    assert (project.budget, project.status) == (Decimal("850000.00"), "in_progress")


def test_readers_cannot_write(world, client_for, make_user):
    leader = make_user(Role.LEADER, DEMO_COUNTY)
    client = client_for(leader)
    assert client.get(world.project.get_absolute_url()).status_code == 200
    url = reverse("assistance:fund-entry-create", args=[world.project.pk])
    count = FundEntry.objects.count()
    assert client.post(url, {"kind": "invested", "amount": "1", "date": "2019-06-01"}).status_code == 403
    assert FundEntry.objects.count() == count


def test_the_organisation_page_lists_its_partnerships_and_projects(world, client_for, make_user):
    admin = make_user(superuser=True)
    page = client_for(admin).get(world.enterprise.get_absolute_url()).content.decode()
    assert 'data-testid="organization-assistance"' in page
    assert "肉牛养殖基地" in page and "鲁山县" in page and "900000.00" in page
    # a user who may see the organisation but no assistance in its scope sees no section
    buyer = make_user(Role.BUYER, "410402000000")
    page = client_for(buyer).get(world.enterprise.get_absolute_url()).content.decode()
    assert "肉牛养殖基地" not in page and 'data-testid="organization-assistance"' not in page


def test_project_list_queries_do_not_grow_with_rows(world, client_for, region):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bangfu.assistance import services

    client = client_for(world.office)
    url = reverse("assistance:project-list")
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(10):
        project = services.project_create(
            actor=world.office,
            name=f"项目{number}",
            organization=world.enterprise,
            region=region(DEMO_VILLAGE),
            type="health",
            budget="1000",
            start_date=dt.date(2020, 1, 1),
        )
        services.fund_entry_record(
            actor=world.office, project=project, kind="invested", amount="10", date=dt.date(2020, 1, 2)
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "项目9" in page
    assert len(many) == len(few)


def test_the_organisation_page_reads_as_many_queries_for_many_projects_as_for_one(world, region, client_for):
    """No query per project row: the page's count stays the same when the organisation has more."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bangfu.assistance import services
    from bangfu.assistance.models import ProjectType

    client = client_for(world.office)
    url = reverse("accounts:organization-detail", args=[world.enterprise.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    for n in range(4):
        project = services.project_create(
            actor=world.office,
            name=f"新项目{n}",
            organization=world.enterprise,
            partnership=world.designated,
            region=region(DEMO_VILLAGE),
            type=ProjectType.HEALTH,
            budget="1000",
            start_date=datetime.date(2022, 1, 1),
        )
        services.fund_entry_record(
            actor=world.office,
            project=project,
            kind=FundKind.INVESTED,
            amount="10",
            date=datetime.date(2022, 2, 1),
        )
    assert queries() == before
    assert "新项目3" in client.get(url).content.decode()
