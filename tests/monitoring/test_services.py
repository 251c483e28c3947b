import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bangfu.monitoring import models, services
from bangfu.monitoring.errors import ErrorCode
from tests.conftest import DEMO_COUNTY, DEMO_VILLAGE, OTHER_COUNTY

from .conftest import LINE, YEAR, income, walk

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> set[str]:
    return {e.code for errors in error.error_dict.values() for e in errors}


def test_threshold_per_county_overrides_province(world, region):
    services.threshold_save(actor=None, region=region("410000000000"), year=YEAR, income_line=6000)
    assert services.threshold_for(region_code=DEMO_VILLAGE, year=YEAR).income_line == LINE
    assert services.threshold_for(region_code="410402001001", year=YEAR).income_line == Decimal("6000.00")
    again = services.threshold_save(
        actor=world.office, region=region(DEMO_COUNTY), year=YEAR, income_line=7200
    )
    assert again.pk == world.threshold.pk and again.income_line == Decimal("7200.00")


def test_threshold_refused_outside_scope_or_level(world, region, unchanged):
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.threshold_save(actor=world.outsider, region=region(DEMO_COUNTY), year=YEAR, income_line=1)
    assert codes(caught.value) == {ErrorCode.OUT_OF_SCOPE}
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.threshold_save(actor=None, region=region(DEMO_VILLAGE), year=YEAR, income_line=1)
    assert codes(caught.value) == {ErrorCode.NOT_A_THRESHOLD_LEVEL}
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.threshold_save(
            actor=None, region=region(DEMO_COUNTY), year=YEAR, income_line=1, drop_share=1
        )
    assert codes(caught.value) == {ErrorCode.SHARE_RANGE}


def test_risk_event_with_negative_amount_writes_nothing(world, unchanged):
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.risk_event_record(
            actor=world.cadre,
            household=world.poor,
            kind="illness",
            occurred_on=timezone.localdate(),
            amount=Decimal("-1.00"),
            source="self_report",
        )
    assert codes(caught.value) == {ErrorCode.NEGATIVE_AMOUNT}
    assert "不能为负" in caught.value.message_dict["amount"][0]


def test_risk_event_checks(world, unchanged):
    day = timezone.localdate()
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.risk_event_record(
            actor=world.outsider, household=world.poor, kind="illness", occurred_on=day, source="self_report"
        )
    assert codes(caught.value) == {ErrorCode.OUT_OF_SCOPE}
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.risk_event_record(
            actor=world.cadre, household=world.poor, kind="illness", occurred_on=day, source="department"
        )
    assert codes(caught.value) == {ErrorCode.DEPARTMENT_REQUIRED}
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.risk_event_record(
            actor=world.cadre,
            household=world.poor,
            kind="illness",
            occurred_on=day + datetime.timedelta(days=1),
            source="self_report",
        )
    assert codes(caught.value) == {ErrorCode.FUTURE_DATE}
    event = services.risk_event_record(
        actor=world.cadre,
        household=world.poor,
        kind="illness",
        occurred_on=day,
        amount=300000,
        source="self_report",
    )
    assert event.amount == Decimal("300000.00") and event.recorded_by == world.cadre


def _flags(rule):
    return list(models.Flag.objects.filter(rule=rule).order_by("household_id"))


def test_rules_flag_with_the_numbers(world, region):
    drop = world.fine
    income(drop, YEAR, 20_000)  # 10,000 per head, from 20,000: a 50% drop
    services.risk_event_record(
        actor=None,
        household=world.fine,
        kind="illness",
        occurred_on=datetime.date(YEAR, 5, 1),
        amount=15_000,
        source="department",
        department="县医保局",
    )
    services.risk_event_record(
        actor=None,
        household=world.poor,
        kind="unemployment",
        occurred_on=datetime.date(YEAR, 6, 1),
        amount=0,
        source="self_report",
    )
    counts = services.rules_run(year=YEAR, prefix=DEMO_COUNTY[:6])
    assert counts == {"income_below_line": 1, "rigid_expense": 1, "income_drop": 1, "risk_event": 1}
    below = _flags("income_below_line")[0]
    assert below.household == world.poor and below.measured == Decimal("5000.00") and below.line == LINE
    assert "5000.00" in below.explanation() and "7000.00" in below.explanation()
    rigid = _flags("rigid_expense")[0]
    assert (rigid.measured, rigid.line, rigid.base) == (
        Decimal("15000.00"),
        Decimal("10000.00"),
        Decimal("20000.00"),
    )
    fall = _flags("income_drop")[0]
    assert (fall.measured, fall.base, fall.line) == (
        Decimal("10000.00"),
        Decimal("20000.00"),
        Decimal("14000.00"),
    )
    event = _flags("risk_event")[0]
    assert (
        event.household == world.fine and event.risk_event.kind == "illness"
    )  # unemployment is not configured
    # running again raises nothing new
    assert sum(services.rules_run(year=YEAR, prefix="").values()) == 0


def test_rules_skip_households_with_open_case_and_other_scopes(world):
    services.case_open(
        actor=world.cadre,
        household=world.poor,
        category="marginal",
        source="survey",
        risk_kind="illness",
        summary="x",
    )
    assert services.rules_run(year=YEAR, prefix=OTHER_COUNTY[:6])["income_below_line"] == 0
    assert services.rules_run(year=YEAR, prefix=DEMO_COUNTY[:6])["income_below_line"] == 0


def test_rules_report_progress_over_chunks(world):
    seen = []
    services.rules_run(year=YEAR, progress=lambda done, total: seen.append((done, total)), chunk=1)
    assert seen[-1][0] == seen[-1][1] and len(seen) == seen[-1][1]


def test_case_full_path_then_closing(world):
    start = timezone.localdate() - datetime.timedelta(days=30)
    case = services.case_open(
        actor=world.cadre,
        household=world.poor,
        category="sudden",
        source="application",
        risk_kind="illness",
        summary="大病住院",
        opened_on=start,
    )
    assert case.due_on == start + datetime.timedelta(days=15)
    walk(case, world, upto=models.Step.COUNTY_DECISION, start=start)
    case.refresh_from_db()
    assert case.status == models.CaseStatus.MONITORED and case.identified_on == start + datetime.timedelta(
        days=9
    )
    world.poor.refresh_from_db()
    assert world.poor.status == "monitored"
    assert [s.actor_name for s in case.steps.all()] == ["cadre", "cadre", "cadre", "township", "office"]
    services.case_close_start(
        actor=world.cadre,
        case=case,
        evidence="连续两年收入超过监测标准",
        started_on=start + datetime.timedelta(days=12),
    )
    walk(case, world, upto=models.Step.COUNTY_DECISION, start=start + datetime.timedelta(days=12))
    case.refresh_from_db()
    world.poor.refresh_from_db()
    assert case.status == models.CaseStatus.RISK_ELIMINATED and world.poor.status == "risk_eliminated"


def test_case_closed_without_evidence_writes_nothing(world, unchanged):
    start = timezone.localdate() - datetime.timedelta(days=20)
    case = services.case_open(
        actor=world.cadre,
        household=world.poor,
        category="marginal",
        source="survey",
        risk_kind="illness",
        summary="x",
        opened_on=start,
    )
    walk(case, world, upto=models.Step.COUNTY_DECISION, start=start)
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.case_close_start(actor=world.cadre, case=case, evidence="  ")
    assert codes(caught.value) == {ErrorCode.EVIDENCE_REQUIRED}
    case.refresh_from_db()
    assert case.status == models.CaseStatus.MONITORED


@pytest.mark.parametrize(
    ("who", "step"),
    [
        ("cadre", "township_check"),  # a village cadre lacks the township capability
        ("village_office", "township_check"),  # the right role, but a scope smaller than the township
        ("township", "county_decision"),  # the right role, but a scope smaller than the county
        ("outsider", "township_check"),  # another county
    ],
)
def test_step_by_someone_without_the_role_or_scope_writes_nothing(world, unchanged, who, step):
    start = timezone.localdate() - datetime.timedelta(days=12)
    case = services.case_open(
        actor=world.cadre,
        household=world.poor,
        category="marginal",
        source="survey",
        risk_kind="illness",
        summary="x",
        opened_on=start,
    )
    before = models.Step.TOWNSHIP_CHECK if step == "township_check" else models.Step.TOWNSHIP_CHECK
    walk(case, world, upto=models.Step.PUBLIC_NOTICE if step == "township_check" else before, start=start)
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.case_step_record(
            actor=getattr(world, who), case=case, step=step, acted_on=timezone.localdate()
        )
    assert codes(caught.value) & {ErrorCode.NOT_ALLOWED, ErrorCode.OUT_OF_SCOPE}


def test_step_order_authorisation_and_notice_rules(world, unchanged):
    start = timezone.localdate() - datetime.timedelta(days=3)
    case = services.case_open(
        actor=world.cadre,
        household=world.poor,
        category="marginal",
        source="survey",
        risk_kind="illness",
        summary="x",
        opened_on=start,
    )
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.case_step_record(actor=world.cadre, case=case, step="democratic_review", acted_on=start)
    assert codes(caught.value) == {ErrorCode.STEP_ORDER}
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.case_step_record(actor=world.cadre, case=case, step="verification", acted_on=start)
    assert codes(caught.value) == {ErrorCode.AUTHORISATION_REQUIRED}
    services.case_step_record(
        actor=world.cadre, case=case, step="verification", acted_on=start, authorisation_signed=True
    )
    services.case_step_record(actor=world.cadre, case=case, step="democratic_review", acted_on=start)
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.case_step_record(
            actor=world.cadre,
            case=case,
            step="public_notice",
            acted_on=start,
            notice_starts_on=start,
            notice_ends_on=start + datetime.timedelta(days=3),
        )
    assert codes(caught.value) == {ErrorCode.NOTICE_TOO_SHORT}
    services.case_step_record(
        actor=world.cadre,
        case=case,
        step="public_notice",
        acted_on=start,
        notice_starts_on=start,
        notice_ends_on=start + datetime.timedelta(days=4),
    )
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.case_step_record(
            actor=world.township, case=case, step="township_check", acted_on=timezone.localdate()
        )
    assert codes(caught.value) == {ErrorCode.NOTICE_NOT_OVER}


def test_overdue_and_rejection(world):
    case = services.case_open(
        actor=world.cadre,
        household=world.poor,
        category="marginal",
        source="survey",
        risk_kind="illness",
        summary="x",
        opened_on=timezone.localdate() - datetime.timedelta(days=16),
    )
    assert case.overdue
    services.case_step_record(
        actor=world.cadre,
        case=case,
        step="verification",
        decision="rejected",
        authorisation_signed=True,
        note="收入稳定",
    )
    case.refresh_from_db()
    assert case.status == models.CaseStatus.NOT_INCLUDED and not case.overdue


def test_one_open_case_per_household(world, unchanged):
    services.case_open(
        actor=world.cadre,
        household=world.poor,
        category="marginal",
        source="survey",
        risk_kind="illness",
        summary="x",
    )
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.case_open(
            actor=world.cadre,
            household=world.poor,
            category="sudden",
            source="survey",
            risk_kind="illness",
            summary="y",
        )
    assert codes(caught.value) == {ErrorCode.CASE_OPEN}


def test_measure_links_and_refuses_others(world, region, unchanged):
    from bangfu.registry import services as registry

    case = services.case_open(
        actor=world.cadre,
        household=world.poor,
        category="marginal",
        source="survey",
        risk_kind="illness",
        summary="x",
    )
    pairing = registry.pairing_create(
        actor=None, household=world.poor, helper_name="李干部", start_date=timezone.localdate()
    )
    other = registry.pairing_create(
        actor=None, household=world.fine, helper_name="王干部", start_date=timezone.localdate()
    )
    measure = services.measure_add(
        actor=world.cadre, case=case, kind="pairing", pairing=pairing, description="每月走访"
    )
    assert measure.target == pairing
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.measure_add(actor=world.cadre, case=case, kind="pairing", pairing=other, description="x")
    assert codes(caught.value) == {ErrorCode.MEASURE_TARGET}
    with unchanged(), pytest.raises(ValidationError) as caught:
        services.measure_add(actor=world.cadre, case=case, kind="project", pairing=pairing, description="x")
    assert codes(caught.value) == {ErrorCode.MEASURE_TARGET}


def test_flag_to_case_and_dismissal(world):
    services.rules_run(year=YEAR)
    flag = models.Flag.objects.get(household=world.poor)
    case = services.case_open(
        actor=world.cadre,
        household=world.poor,
        category="marginal",
        source="department",
        risk_kind="other",
        summary=flag.explanation(),
        flags=[flag],
    )
    flag.refresh_from_db()
    assert flag.status == models.FlagStatus.CASE and flag.case == case
    with pytest.raises(ValidationError):
        services.flag_dismiss(actor=world.cadre, flag=flag, note="x")


def test_rules_job_records_the_counts(world):
    from bangfu.core.jobs import job_run_now
    from bangfu.core.models import Job

    job = Job.objects.create(
        kind="monitoring_rules", title="rules", params={"year": YEAR, "prefix": "410423"}
    )
    done = job_run_now(job)
    assert done.status == "succeeded"
    assert done.result["flags"]["income_below_line"] == 1 and done.result["total"] == 1
