"""Balances per project, partnership, organisation, region and year, within the user's scope."""

import datetime
from decimal import Decimal

import pytest

from bangfu.assistance import selectors, services
from bangfu.assistance.models import FundKind, ProjectType
from bangfu.core.permissions import Cap, Role
from tests.conftest import DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def two_projects(world, region):
    """A second project, in another village of the county under the designated partnership, in 2020."""
    village2 = region(DEMO_TOWNSHIP).children.exclude(code=DEMO_VILLAGE).first()
    second = services.project_create(
        actor=world.office,
        name="光伏电站",
        organization=world.enterprise,
        partnership=world.designated,
        region=village2,
        type=ProjectType.INFRASTRUCTURE,
        budget="500000",
        start_date=datetime.date(2020, 1, 1),
    )
    services.fund_entry_record(
        actor=world.office,
        project=second,
        kind=FundKind.INVESTED,
        amount="500000",
        date=datetime.date(2020, 2, 1),
    )
    spent = services.fund_entry_record(
        actor=world.office,
        project=second,
        kind=FundKind.SPENT,
        amount="120000.50",
        date=datetime.date(2020, 3, 1),
        voucher_number="PZ-2020-9",
    )
    services.fund_entry_reverse(actor=world.office, entry=spent, date=datetime.date(2020, 3, 2))
    services.fund_entry_record(
        actor=world.office,
        project=second,
        kind=FundKind.SPENT,
        amount="100000.50",
        date=datetime.date(2020, 3, 2),
        voucher_number="PZ-2020-10",
    )
    return world, second, village2


def _pick(rows, key, value):
    return next(row for row in rows if row[key] == value)


def test_balances_by_each_grouping(two_projects):
    world, second, village2 = two_projects
    by_project = selectors.fund_balances(user=world.office, by="project")
    assert _pick(by_project, "project_id", world.project.pk)["available"] == D("900000.00")
    assert _pick(by_project, "project_id", second.pk)["spent"] == D("100000.50")
    assert _pick(by_project, "project_id", second.pk)["available"] == D("399999.50")

    by_partnership = selectors.fund_balances(user=world.office, by="partnership")
    assert _pick(by_partnership, "project__partnership_id", world.designated.pk)["received"] == D("500000.00")
    assert _pick(by_partnership, "project__partnership_id", world.paired.pk)["received"] == D("1200000.00")

    (organization,) = selectors.fund_balances(user=world.office, by="organization")
    assert organization["project__organization_id"] == world.enterprise.pk
    assert (organization["invested"], organization["coordinated"], organization["spent"]) == (
        D("1500000.00"),
        D("200000.00"),
        D("400000.50"),
    )

    by_village = selectors.fund_balances(user=world.office, by="region", region_length=12)
    assert {row["region"] for row in by_village} == {DEMO_VILLAGE, village2.code}
    (county,) = selectors.fund_balances(user=world.office, by="region", region_length=6)
    assert county["region"] == DEMO_COUNTY[:6] and county["available"] == D("1299999.50")

    by_year = selectors.fund_balances(user=world.office, by="year")
    assert [(row["year"], row["received"], row["spent"]) for row in by_year] == [
        (2019, D("1200000.00"), D("300000.00")),
        (2020, D("500000.00"), D("100000.50")),
    ]


def test_balances_agree_with_the_per_project_annotation(two_projects):
    world, second, _village2 = two_projects
    projects = {p.pk: p for p in selectors.with_balances(selectors.project_list(user=world.office))}
    for project in (world.project, second):
        balance = selectors.project_balance(project)
        annotated = projects[project.pk]
        assert (annotated.invested, annotated.coordinated, annotated.spent) == (
            balance["invested"],
            balance["coordinated"],
            balance["spent"],
        )


def test_scope_narrows_every_read(two_projects, make_user):
    world, second, village2 = two_projects
    assert selectors.fund_balances(user=world.outsider, by="organization") == []
    assert not selectors.project_list(user=world.outsider).exists()
    assert not selectors.partnership_list(user=world.outsider).exists()
    cadre = make_user(Role.CADRE, village2.code)
    assert list(selectors.project_list(user=cadre)) == [second]
    (row,) = selectors.fund_balances(user=cadre, by="project")
    assert row["project_id"] == second.pk
    summary = selectors.organization_assistance(user=cadre, organization=world.enterprise)
    assert list(summary["partnerships"]) == []  # the county partnership is outside a village's scope
    assert summary["totals"]["received"] == D("500000.00")


def test_an_unknown_grouping_is_an_error(world):
    with pytest.raises(ValueError, match="cannot group"):
        selectors.fund_balances(user=world.office, by="colour")


def test_the_organisation_page_lists_the_latest_projects_and_counts_them_all(world, region):
    import datetime

    from bangfu.assistance import services
    from bangfu.assistance.models import ProjectType

    for n in range(selectors.ORGANIZATION_PAGE_PROJECTS + 1):
        services.project_create(
            actor=world.office,
            name=f"项目{n:02d}",
            organization=world.enterprise,
            region=region(DEMO_VILLAGE),
            type=ProjectType.EDUCATION,
            budget="1000",
            start_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
        )
    summary = selectors.organization_assistance(user=world.office, organization=world.enterprise)
    assert summary["project_count"] == selectors.ORGANIZATION_PAGE_PROJECTS + 2
    shown = [p.name for p in summary["projects"]]
    assert len(shown) == selectors.ORGANIZATION_PAGE_PROJECTS and shown[0] == "项目20"
    assert summary["totals"]["received"] == D("1200000.00")  # every project's money, not only those shown


def _ledger_sums(entries) -> dict[str, Decimal]:
    """Sums per kind straight from the ledger rows, in Python."""
    sums = dict.fromkeys(FundKind.values, D("0.00"))
    for entry in entries:
        sums[entry.kind] += entry.amount
    return sums


def test_the_organisation_page_totals_and_balances_equal_the_ledger_sums(two_projects, make_org, client_for):
    from django.urls import reverse

    from bangfu.assistance.models import FundEntry
    from bangfu.core.templatetags.bangfu import yuan

    world, second, _village2 = two_projects
    other = make_org("另一家企业")  # its project's money is not this organisation's
    foreign = services.project_create(
        actor=world.office,
        name="别家项目",
        organization=other,
        region=world.project.region,
        type=ProjectType.HEALTH,
        budget="1000",
        start_date=datetime.date(2021, 1, 1),
    )
    services.fund_entry_record(
        actor=world.office,
        project=foreign,
        kind=FundKind.INVESTED,
        amount="777",
        date=datetime.date(2021, 2, 1),
    )

    summary = selectors.organization_assistance(user=world.office, organization=world.enterprise)
    ledger = _ledger_sums(FundEntry.objects.filter(project__organization=world.enterprise))
    totals = summary["totals"]
    assert (totals["invested"], totals["coordinated"], totals["spent"]) == (
        ledger["invested"],
        ledger["coordinated"],
        ledger["spent"],
    )
    assert totals["available"] == ledger["invested"] + ledger["coordinated"] - ledger["spent"]
    assert summary["project_count"] == 2 and {p.pk for p in summary["projects"]} == {
        world.project.pk,
        second.pk,
    }
    for project in summary["projects"]:
        sums = _ledger_sums(FundEntry.objects.filter(project=project))
        assert (project.invested, project.coordinated, project.spent) == (
            sums["invested"],
            sums["coordinated"],
            sums["spent"],
        )

    page = client_for(world.office).get(reverse("accounts:organization-detail", args=[world.enterprise.pk]))
    text = page.content.decode()
    for amount in (totals["invested"], totals["coordinated"], totals["spent"], totals["available"]):
        assert yuan(amount) in text
    assert yuan(D("777")) not in text


def test_the_organisation_page_reads_its_assistance_in_three_queries(
    world, region, django_assert_num_queries
):
    """Partnerships, the latest projects with their count, the fund sums: not one query per project."""
    for n in range(5):
        project = services.project_create(
            actor=world.office,
            name=f"项目{n}",
            organization=world.enterprise,
            region=region(DEMO_VILLAGE),
            type=ProjectType.EDUCATION,
            budget="1000",
            start_date=datetime.date(2021, 1, 1),
        )
        services.fund_entry_record(
            actor=world.office,
            project=project,
            kind=FundKind.INVESTED,
            amount="10",
            date=datetime.date(2021, 2, 1),
        )
    world.office.scope_prefixes(Cap.ASSISTANCE_VIEW)  # the user's scope is read once per request
    with django_assert_num_queries(3):
        summary = selectors.organization_assistance(user=world.office, organization=world.enterprise)
        names = [(p.name, p.region.name, p.spent) for p in summary["projects"]]
    assert len(names) == 6 and summary["project_count"] == 6


def test_the_organisation_page_of_an_organisation_without_projects_in_scope(world, make_user):
    cadre = make_user(Role.CADRE, "410423101002")  # a village with none of its projects
    summary = selectors.organization_assistance(user=cadre, organization=world.enterprise)
    assert summary["projects"] == [] and summary["project_count"] == 0
    assert summary["totals"]["received"] == D("0.00") and summary["totals"]["available"] == D("0.00")


def test_a_project_labels_its_type_and_status_in_the_active_language(world):
    from django.utils import translation

    from bangfu.assistance.models import Project

    with translation.override("zh-hans"):
        assert (world.project.get_type_display(), world.project.get_status_display()) == ("产业", "计划中")
    with translation.override("en"):
        english = (world.project.get_type_display(), world.project.get_status_display())
    assert english[0] not in ("产业", "industry") and english[1] not in ("计划中", "planned")
    assert Project(type="unknown", status="").get_type_display() == "unknown"
