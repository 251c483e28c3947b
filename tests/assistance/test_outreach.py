"""Beneficiaries, outcomes, dividends, activities, helpers and the overspend override: what each
service writes, and each bad input refused with its code and nothing written."""

import datetime
from decimal import Decimal

import pytest

from bangfu.assistance import selectors, services
from bangfu.assistance.errors import AssistanceError
from bangfu.assistance.errors import AssistanceErrorCode as Code
from bangfu.assistance.models import (
    ActivityKind,
    Beneficiary,
    DividendPayout,
    FundEntry,
    FundKind,
    HelperKind,
    HelperLevel,
    OutcomeKind,
)
from bangfu.audit.ledger import verify
from bangfu.audit.models import ChangeRecord
from bangfu.core.permissions import Role
from tests.conftest import DEMO_COUNTY, DEMO_VILLAGE

from .conftest import SECOND_VILLAGE

pytestmark = pytest.mark.django_db


def refused(unchanged, code, call, **kwargs):
    with unchanged(), pytest.raises(AssistanceError) as caught:
        call(**kwargs)
    assert caught.value.error_code == code
    return caught.value


# Beneficiaries ---------------------------------------------------------------------------------------


def test_registered_and_counted_beneficiaries(world, households):
    near = households["near"]
    added = services.beneficiary_add(actor=world.office, project=world.project, household=near.code)
    assert (added.household, added.region_code, added.households, added.persons) == (near, DEMO_VILLAGE, 1, 1)
    counted = services.beneficiary_count(
        actor=world.office, project=world.project, households=3, persons=8, reason="外村务工人员"
    )
    assert counted.household is None and counted.unregistered_reason == "外村务工人员"
    totals = selectors.beneficiary_counts(Beneficiary.objects.all())
    assert totals == {"households": 4, "persons": 9, "registered": 1}
    assert ChangeRecord.objects.filter(content_type__model="beneficiary", action="create").count() == 2


def test_a_beneficiary_outside_the_projects_regions_is_refused(world, households, unchanged):
    error = refused(
        unchanged,
        Code.OUTSIDE_PROJECT_REGIONS,
        services.beneficiary_add,
        actor=world.office,
        project=world.project,
        household=households["second"],
    )
    assert SECOND_VILLAGE in error.text and "household" in error.message_dict
    # The project reaching the second village too makes the household welcome.
    from bangfu.regions.models import Region

    world.project.other_regions.add(Region.objects.get(code=SECOND_VILLAGE))
    services.beneficiary_add(actor=world.office, project=world.project, household=households["second"])


def test_beneficiary_bad_input(world, households, unchanged, make_user):
    services.beneficiary_add(actor=world.office, project=world.project, household=households["near"])
    refused(
        unchanged,
        Code.BENEFICIARY_EXISTS,
        services.beneficiary_add,
        actor=world.office,
        project=world.project,
        household=households["near"],
    )
    refused(
        unchanged,
        Code.HOUSEHOLD_UNKNOWN,
        services.beneficiary_add,
        actor=world.office,
        project=world.project,
        household="NOPE",
    )
    # A household the user cannot see in the registry is as unknown as one that does not exist.
    refused(
        unchanged,
        Code.HOUSEHOLD_UNKNOWN,
        services.beneficiary_add,
        actor=world.office,
        project=world.project,
        household=households["far"].code,
    )
    refused(
        unchanged,
        Code.REASON_REQUIRED,
        services.beneficiary_count,
        actor=world.office,
        project=world.project,
        households=2,
        persons=4,
        reason="  ",
    )
    refused(
        unchanged,
        Code.COUNT_REQUIRED,
        services.beneficiary_count,
        actor=world.office,
        project=world.project,
        households=0,
        persons=0,
        reason="未建档",
    )
    refused(
        unchanged,
        Code.OUT_OF_SCOPE,
        services.beneficiary_count,
        actor=world.outsider,
        project=world.project,
        households=1,
        persons=1,
        reason="未建档",
    )


# Outcomes -------------------------------------------------------------------------------------------


def test_outcomes_latest_value_counts(world, unchanged):
    services.outcome_record(
        actor=world.office,
        project=world.project,
        kind=OutcomeKind.SALES,
        value="9800000",
        as_of=datetime.date(2020, 12, 31),
    )
    services.outcome_record(
        actor=world.office,
        project=world.project,
        kind=OutcomeKind.SALES,
        value="21520000",
        as_of=datetime.date(2022, 12, 31),
    )
    services.outcome_record(
        actor=world.office,
        project=world.project,
        kind=OutcomeKind.PEOPLE_HOME,
        value=93,
        as_of=datetime.date(2022, 12, 31),
    )
    from bangfu.assistance.models import Outcome

    assert selectors.latest_outcomes(Outcome.objects.all()) == {
        OutcomeKind.SALES: Decimal("21520000.00"),
        OutcomeKind.PEOPLE_HOME: Decimal("93.00"),
    }
    assert [o.kind for o in selectors.project_outcomes(world.project)] == [
        OutcomeKind.PEOPLE_HOME,
        OutcomeKind.SALES,
    ]
    for kind, value, as_of, code in [
        (OutcomeKind.SALES, "-1", datetime.date(2021, 1, 1), Code.INVALID_VALUE),
        (OutcomeKind.PEOPLE_HOME, "9.5", datetime.date(2021, 1, 1), Code.INVALID_VALUE),
        (OutcomeKind.SALES, "1", datetime.date(2018, 1, 1), Code.DATE_OUTSIDE_PROJECT),
        (OutcomeKind.SALES, "1", datetime.date(2999, 1, 1), Code.FUTURE_DATE),
        (OutcomeKind.SALES, "1", datetime.date(2022, 12, 31), Code.OUTCOME_EXISTS),
        ("happiness", "1", datetime.date(2021, 1, 1), Code.INVALID_KIND),
    ]:
        refused(
            unchanged,
            code,
            services.outcome_record,
            actor=world.office,
            project=world.project,
            kind=kind,
            value=value,
            as_of=as_of,
        )


# Dividends ------------------------------------------------------------------------------------------


def test_a_dividend_run_writes_one_line_per_shareholder_once_a_year(world, households, unchanged):
    services.shareholding_add(
        actor=world.office, project=world.project, household=households["near"], shares=1, since_year=2019
    )
    services.shareholding_add(
        actor=world.office, project=world.project, household=households["near2"], shares=2, since_year=2021
    )
    first = services.dividend_run(
        actor=world.office,
        project=world.project,
        year=2020,
        amount_per_share="700",
        paid_on=datetime.date(2020, 12, 20),
    )
    assert [(p.shareholding.household.code, p.amount) for p in first] == [("LS0001", Decimal("700.00"))]
    second = services.dividend_run(
        actor=world.office,
        project=world.project,
        year=2021,
        amount_per_share="700",
        paid_on=datetime.date(2021, 12, 20),
    )
    assert sorted(p.amount for p in second) == [Decimal("700.00"), Decimal("1400.00")]
    assert selectors.dividend_years(world.project) == [
        {"year": 2021, "households": 2, "shares": 3, "total": Decimal("2100.00")},
        {"year": 2020, "households": 1, "shares": 1, "total": Decimal("700.00")},
    ]
    error = refused(
        unchanged,
        Code.DIVIDEND_ALREADY_PAID,
        services.dividend_run,
        actor=world.office,
        project=world.project,
        year=2021,
        amount_per_share="700",
        paid_on=datetime.date(2021, 12, 21),
    )
    assert "2021" in error.text
    refused(
        unchanged,
        Code.NO_SHAREHOLDERS,
        services.dividend_run,
        actor=world.office,
        project=world.project,
        year=2018,
        amount_per_share="700",
        paid_on=datetime.date(2018, 12, 21),
    )
    refused(
        unchanged,
        Code.SHAREHOLDING_EXISTS,
        services.shareholding_add,
        actor=world.office,
        project=world.project,
        household=households["near"],
        shares=1,
        since_year=2020,
    )
    refused(
        unchanged,
        Code.OUTSIDE_PROJECT_REGIONS,
        services.shareholding_add,
        actor=world.office,
        project=world.project,
        household=households["second"],
        shares=1,
        since_year=2020,
    )
    assert DividendPayout.objects.count() == 3


# Activities and helpers -------------------------------------------------------------------------------


def test_activities_and_helpers(world, region, unchanged):
    helper = services.helper_create(
        actor=world.office,
        kind=HelperKind.WORKER,
        name="王建国",
        level=HelperLevel.NATIONAL,
        region=region(DEMO_COUNTY),
        honours="全国劳动模范",
        organization=world.enterprise,
        studio="王建国创新工作室",
    )
    services.helper_result_record(
        actor=world.office, helper=helper, year=2021, trainings_held=300, trainees=50000
    )
    services.helper_result_record(
        actor=world.office, helper=helper, year=2021, trainings_held=310, trainees=50000
    )
    assert helper.results.get().trainings_held == 310  # the year's numbers replaced, not added
    clinic = services.activity_record(
        actor=world.office,
        kind=ActivityKind.CLINIC,
        title="义诊",
        date=datetime.date(2021, 6, 1),
        region=region(DEMO_VILLAGE),
        person_times=150,
        distinct_people=140,
        value_given="14000",
        helper=helper,
        project=world.project,
    )
    assert (clinic.region_code, clinic.value_given) == (DEMO_VILLAGE, Decimal("14000.00"))
    base = {
        "actor": world.office,
        "kind": ActivityKind.TRAINING,
        "title": "培训",
        "date": datetime.date(2021, 6, 1),
        "region": region(DEMO_VILLAGE),
        "person_times": 10,
    }
    for change, code in [
        ({"distinct_people": 11}, Code.INVALID_PEOPLE),
        ({"person_times": 0}, Code.INVALID_PEOPLE),
        ({"date": datetime.date(2999, 1, 1)}, Code.FUTURE_DATE),
        ({"title": " "}, Code.TITLE_REQUIRED),
        ({"kind": "party"}, Code.INVALID_KIND),
        ({"value_given": "-3"}, Code.INVALID_VALUE),
        ({"project": world.project, "date": datetime.date(2019, 1, 1)}, Code.DATE_OUTSIDE_PROJECT),
        ({"project": world.project, "region": region(SECOND_VILLAGE)}, Code.OUTSIDE_PROJECT_REGIONS),
        ({"actor": world.outsider}, Code.OUT_OF_SCOPE),
    ]:
        refused(unchanged, code, services.activity_record, **{**base, **change})


# The overspend override --------------------------------------------------------------------------------


def spend(world, actor, amount, reason=""):
    return services.fund_entry_record(
        actor=actor,
        project=world.project,
        kind=FundKind.SPENT,
        amount=amount,
        date=datetime.date(2019, 6, 1),
        voucher_number="PZ-OVER",
        override_reason=reason,
    )


def test_the_office_overrides_an_overspend_with_a_reason(world, make_user, unchanged):
    with unchanged(), pytest.raises(AssistanceError) as caught:
        spend(world, world.office, "900000.01")
    assert caught.value.error_code == Code.INSUFFICIENT_FUNDS
    entry = spend(world, world.office, "950000", "县财政配套资金下月到位,先行支付工程款")
    assert entry.override_reason.startswith("县财政")
    assert selectors.project_balance(world.project)["available"] == Decimal("-50000.00")
    record = ChangeRecord.objects.filter(
        object_id=str(world.project.pk), content_type__model="project"
    ).latest("pk")
    change = record.changes["overspend_override"][1]
    assert (change["amount"], change["available"], record.actor) == ("950000.00", "900000.00", world.office)
    assert [p for p in verify() if not isinstance(p, int)] == []
    # The reason is in the hash: editing it behind the services' back is detected.
    FundEntry.objects.filter(pk=entry.pk).update(override_reason="")
    assert [p.kind for p in verify() if not isinstance(p, int)] == ["edited"]


def test_an_override_needs_the_capability(world, make_user, unchanged, monkeypatch):
    from bangfu.core.permissions import ROLE_CAPABILITIES, Cap

    assert Cap.FUNDS_OVERRIDE in ROLE_CAPABILITIES[Role.OFFICE]
    # An office whose roles were configured without the override may record, not override.
    monkeypatch.setitem(ROLE_CAPABILITIES, Role.OFFICE, ROLE_CAPABILITIES[Role.OFFICE] - {Cap.FUNDS_OVERRIDE})
    clerk = make_user(Role.OFFICE, DEMO_COUNTY, username="as-clerk")
    with unchanged(), pytest.raises(AssistanceError) as caught:
        spend(world, clerk, "950000", "想先付")
    assert caught.value.error_code == Code.OVERRIDE_NOT_ALLOWED
    assert "超支" in caught.value.text
    monkeypatch.undo()
    with unchanged(), pytest.raises(AssistanceError) as caught:
        spend(world, world.outsider, "950000", "想先付")
    assert caught.value.error_code == Code.OUT_OF_SCOPE


def test_a_reason_within_the_balance_is_not_kept(world):
    entry = spend(world, world.office, "100", "不需要")
    assert entry.override_reason == ""
