"""Partnerships, projects and the fund ledger: what is written, and what is refused with nothing written."""

import datetime
from decimal import Decimal

import pytest

from bangfu.assistance import services
from bangfu.assistance.errors import AssistanceError
from bangfu.assistance.errors import AssistanceErrorCode as Code
from bangfu.assistance.models import (
    FundEntry,
    FundKind,
    Milestone,
    Partnership,
    PartnershipKind,
    Project,
    ProjectStatus,
    ProjectType,
)
from bangfu.assistance.selectors import project_balance
from bangfu.audit.ledger import verify
from bangfu.audit.models import ChangeRecord, LedgerChain
from tests.conftest import DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE, OTHER_COUNTY

from .conftest import OTHER_VILLAGE

pytestmark = pytest.mark.django_db


def counts():
    return (
        Partnership.objects.count(),
        Project.objects.count(),
        Milestone.objects.count(),
        FundEntry.objects.count(),
        ChangeRecord.objects.count(),
        list(LedgerChain.objects.order_by("pk").values_list("last_seq", "last_hash")),
    )


def refused(code, call, **kwargs):
    before = counts()
    with pytest.raises(AssistanceError) as caught:
        call(**kwargs)
    assert caught.value.error_code == code
    assert counts() == before
    return caught.value


def test_the_world_is_written_with_audit_and_a_verified_chain(world):
    assert world.project.region_code == DEMO_VILLAGE
    assert [m.title for m in world.project.milestones.all()] == ["牛舍建成", "首批出栏"]
    balance = project_balance(world.project)
    assert balance == {
        "invested": Decimal("1000000.00"),
        "coordinated": Decimal("200000.00"),
        "received": Decimal("1200000.00"),
        "spent": Decimal("300000.00"),
        "available": Decimal("900000.00"),
    }
    assert ChangeRecord.objects.filter(object_repr="肉牛养殖基地", action="create").count() == 1
    entries = list(FundEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].created_by == world.office
    assert [p for p in verify() if not isinstance(p, int)] == []


def test_an_edited_fund_entry_is_detected_by_verify(world):
    entry = FundEntry.objects.get(kind=FundKind.SPENT)
    # Behind the services' back, as someone with database access would.
    FundEntry.objects.filter(pk=entry.pk).update(amount=Decimal("3000.00"))
    problems = [p for p in verify() if not isinstance(p, int)]
    assert [(p.ledger, p.chain, p.seq, p.kind) for p in problems] == [
        ("assistance.fund", f"project:{world.project.pk}", entry.seq, "edited")
    ]


def test_a_deleted_fund_entry_is_detected_by_verify(world):
    FundEntry.objects.filter(kind=FundKind.SPENT).delete()  # a queryset delete bypasses the model's refusal
    problems = [p for p in verify() if not isinstance(p, int)]
    assert [p.kind for p in problems] == ["deleted"]


def test_the_cli_verify_covers_the_fund_ledger(world, capsys):
    from bangfu.cli import cmd_audit_verify

    assert cmd_audit_verify(None) == 0
    assert "ok: 3 ledger entries verified" in capsys.readouterr().out
    FundEntry.objects.filter(kind=FundKind.INVESTED).update(note="改过")
    assert cmd_audit_verify(None) == 1
    assert "ledger=assistance.fund" in capsys.readouterr().out


def test_entries_cannot_be_saved_again_or_deleted(world):
    entry = FundEntry.objects.first()
    entry.amount = Decimal("1.00")
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert not hasattr(services, "fund_entry_update")
    assert not hasattr(services, "fund_entry_delete")


@pytest.mark.parametrize("amount", ["0", "-5", "0.001", "abc", "NaN", "Infinity", None, "1e13"])
def test_bad_amounts_are_refused(world, amount):
    refused(
        Code.INVALID_AMOUNT,
        services.fund_entry_record,
        actor=world.office,
        project=world.project,
        kind=FundKind.INVESTED,
        amount=amount,
        date=datetime.date(2019, 6, 1),
    )


def test_spending_more_than_available_is_refused_and_the_last_yuan_can_be_spent(world):
    error = refused(
        Code.INSUFFICIENT_FUNDS,
        services.fund_entry_record,
        actor=world.office,
        project=world.project,
        kind=FundKind.SPENT,
        amount="900000.01",
        date=datetime.date(2019, 6, 1),
        voucher_number="PZ-2",
    )
    assert error.facts == {"needed": Decimal("900000.01"), "available": Decimal("900000.00")}
    assert "900000.00" in error.text
    services.fund_entry_record(
        actor=world.office,
        project=world.project,
        kind=FundKind.SPENT,
        amount="900000.00",
        date=datetime.date(2019, 6, 1),
        voucher_number="PZ-2",
    )
    assert project_balance(world.project)["available"] == Decimal("0.00")


@pytest.mark.parametrize(
    ("kind", "extra", "code"),
    [
        (FundKind.SPENT, {"voucher_number": "  "}, Code.VOUCHER_REQUIRED),
        (FundKind.COORDINATED, {"source": ""}, Code.SOURCE_REQUIRED),
        ("gift", {}, Code.INVALID_KIND),
        (FundKind.INVESTED, {"date": datetime.date(2019, 2, 28)}, Code.DATE_OUTSIDE_PROJECT),
        (FundKind.INVESTED, {"date": datetime.date(2999, 1, 1)}, Code.FUTURE_DATE),
    ],
)
def test_incomplete_entries_are_refused(world, kind, extra, code):
    kwargs = {"date": datetime.date(2019, 6, 1), **extra}
    refused(
        code,
        services.fund_entry_record,
        actor=world.office,
        project=world.project,
        kind=kind,
        amount="10",
        **kwargs,
    )


def test_dates_after_the_project_end_are_refused(world):
    services.project_update(
        actor=world.office, project=world.project, data={"end_date": datetime.date(2020, 12, 31)}
    )
    refused(
        Code.DATE_OUTSIDE_PROJECT,
        services.fund_entry_record,
        actor=world.office,
        project=world.project,
        kind=FundKind.INVESTED,
        amount="10",
        date=datetime.date(2021, 1, 1),
    )


def test_a_project_outside_the_users_scope_is_refused(world):
    refused(
        Code.OUT_OF_SCOPE,
        services.fund_entry_record,
        actor=world.outsider,
        project=world.project,
        kind=FundKind.INVESTED,
        amount="10",
        date=datetime.date(2019, 6, 1),
    )
    refused(
        Code.OUT_OF_SCOPE,
        services.fund_entry_reverse,
        actor=world.outsider,
        entry=FundEntry.objects.first(),
    )


def test_a_cadre_cannot_record_funds(world, make_user):
    from bangfu.core.permissions import Role

    cadre = make_user(Role.CADRE, DEMO_VILLAGE)
    refused(
        Code.OUT_OF_SCOPE,
        services.fund_entry_record,
        actor=cadre,
        project=world.project,
        kind=FundKind.INVESTED,
        amount="10",
        date=datetime.date(2019, 6, 1),
    )


def test_a_cancelled_project_takes_no_new_money(world):
    services.project_update(
        actor=world.office, project=world.project, data={"status": ProjectStatus.CANCELLED}
    )
    refused(
        Code.PROJECT_CANCELLED,
        services.fund_entry_record,
        actor=world.office,
        project=world.project,
        kind=FundKind.INVESTED,
        amount="10",
        date=datetime.date(2019, 6, 1),
    )


def test_a_reversal_is_a_new_entry_naming_the_one_it_corrects(world):
    spent = FundEntry.objects.get(kind=FundKind.SPENT)
    reversal = services.fund_entry_reverse(actor=world.office, entry=spent, note="金额录错")
    assert reversal.pk != spent.pk and reversal.reverses == spent
    assert (reversal.kind, reversal.amount, reversal.voucher_number) == (
        FundKind.SPENT,
        Decimal("-300000.00"),
        "PZ-2019-001",
    )
    spent.refresh_from_db()
    assert spent.amount == Decimal("300000.00")  # untouched
    assert project_balance(world.project)["spent"] == Decimal("0.00")
    assert [p for p in verify() if not isinstance(p, int)] == []
    # a second reversal of the same entry, and a reversal of the reversal, are refused
    refused(Code.ALREADY_REVERSED, services.fund_entry_reverse, actor=world.office, entry=spent)
    refused(Code.REVERSAL_OF_REVERSAL, services.fund_entry_reverse, actor=world.office, entry=reversal)


def test_reversing_money_already_spent_is_refused(world):
    invested = FundEntry.objects.get(kind=FundKind.INVESTED)
    # 1,200,000 in, 300,000 out: taking back the 1,000,000 would leave -100,000
    refused(Code.INSUFFICIENT_FUNDS, services.fund_entry_reverse, actor=world.office, entry=invested)
    coordinated = FundEntry.objects.get(kind=FundKind.COORDINATED)
    services.fund_entry_reverse(actor=world.office, entry=coordinated)
    assert project_balance(world.project)["available"] == Decimal("700000.00")


def test_partnership_levels_years_and_duplicates(world, region):
    refused(
        Code.WRONG_REGION_LEVEL,
        services.partnership_create,
        actor=world.office,
        organization=world.enterprise,
        kind=PartnershipKind.DESIGNATED,
        region=region(DEMO_VILLAGE),
        start_year=2013,
    )
    refused(
        Code.WRONG_REGION_LEVEL,
        services.partnership_create,
        actor=world.office,
        organization=world.enterprise,
        kind=PartnershipKind.PAIRED,
        region=region(DEMO_TOWNSHIP),
        start_year=2013,
    )
    refused(
        Code.INVALID_YEARS,
        services.partnership_create,
        actor=world.office,
        organization=world.enterprise,
        kind=PartnershipKind.PAIRED,
        region=region(DEMO_VILLAGE),
        start_year=2020,
        end_year=2019,
    )
    refused(
        Code.PARTNERSHIP_EXISTS,
        services.partnership_create,
        actor=world.office,
        organization=world.enterprise,
        kind=PartnershipKind.DESIGNATED,
        region=region(DEMO_COUNTY),
        start_year=2013,
    )
    refused(
        Code.OUT_OF_SCOPE,
        services.partnership_create,
        actor=world.office,
        organization=world.enterprise,
        kind=PartnershipKind.DESIGNATED,
        region=region(OTHER_COUNTY),
        start_year=2013,
    )


def test_partnership_update_closes_it_with_a_change_record(world):
    services.partnership_update(
        actor=world.office, partnership=world.designated, end_year=2025, note="已到期"
    )
    world.designated.refresh_from_db()
    assert (world.designated.end_year, world.designated.note) == (2025, "已到期")
    record = ChangeRecord.objects.filter(object_id=str(world.designated.pk), action="update").get()
    assert record.changes["end_year"] == [None, 2025]
    refused(
        Code.INVALID_YEARS,
        services.partnership_update,
        actor=world.office,
        partnership=world.designated,
        end_year=2000,
    )


def test_project_must_match_its_partnership(world, region, make_org):
    other = make_org(name="另一家企业")
    base = {
        "actor": world.office,
        "name": "路灯",
        "region": region(DEMO_VILLAGE),
        "type": ProjectType.INFRASTRUCTURE,
        "budget": "1000",
        "start_date": datetime.date(2020, 1, 1),
    }
    refused(
        Code.PARTNERSHIP_MISMATCH,
        services.project_create,
        organization=other,
        partnership=world.paired,
        **base,
    )
    # a paired partnership covers its own village only; a designated one its whole county
    village2 = region(DEMO_TOWNSHIP).children.exclude(code=DEMO_VILLAGE).first()
    refused(
        Code.PARTNERSHIP_MISMATCH,
        services.project_create,
        organization=world.enterprise,
        partnership=world.paired,
        **{**base, "region": village2},
    )
    project = services.project_create(
        organization=world.enterprise, partnership=world.designated, **{**base, "region": village2}
    )
    assert project.region_code == village2.code
    refused(
        Code.OUT_OF_SCOPE,
        services.project_create,
        organization=world.enterprise,
        **{**base, "region": region(OTHER_VILLAGE)},
    )
    refused(
        Code.INVALID_DATES,
        services.project_create,
        organization=world.enterprise,
        **{**base, "end_date": datetime.date(2019, 1, 1)},
    )
    refused(
        Code.INVALID_AMOUNT,
        services.project_create,
        organization=world.enterprise,
        **{**base, "budget": "-1"},
    )
    refused(
        Code.TITLE_REQUIRED, services.project_create, organization=world.enterprise, **{**base, "name": " "}
    )


def test_project_update_records_fields_and_other_regions(world, region):
    township_villages = list(region(DEMO_TOWNSHIP).children.exclude(code=DEMO_VILLAGE)[:2])
    services.project_update(
        actor=world.office,
        project=world.project,
        data={"status": ProjectStatus.IN_PROGRESS, "budget": "1600000", "other_regions": township_villages},
    )
    world.project.refresh_from_db()
    assert world.project.status == ProjectStatus.IN_PROGRESS
    assert world.project.budget == Decimal("1600000.00")
    assert sorted(r.code for r in world.project.other_regions.all()) == sorted(
        r.code for r in township_villages
    )
    records = ChangeRecord.objects.filter(object_id=str(world.project.pk), action="update")
    changed = set()
    for record in records:
        changed |= set(record.changes)
    assert {"status", "budget", "other_regions"} <= changed
    # a project with money on its ledger keeps its region
    refused(
        Code.REGION_LOCKED,
        services.project_update,
        actor=world.office,
        project=world.project,
        data={"region": township_villages[0], "partnership": world.designated},
    )


def test_milestones_are_added_and_completed(world):
    milestone = services.milestone_add(
        actor=world.office, project=world.project, title="验收", planned_on=datetime.date(2021, 1, 1)
    )
    services.milestone_complete(actor=world.office, milestone=milestone, done_on=datetime.date(2021, 1, 5))
    milestone.refresh_from_db()
    assert milestone.done_on == datetime.date(2021, 1, 5)
    refused(
        Code.FUTURE_DATE,
        services.milestone_complete,
        actor=world.office,
        milestone=milestone,
        done_on=datetime.date(2999, 1, 1),
    )
    refused(
        Code.OUT_OF_SCOPE,
        services.milestone_add,
        actor=world.outsider,
        project=world.project,
        title="x",
        planned_on=datetime.date(2021, 1, 1),
    )
