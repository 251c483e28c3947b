"""Demo relapse monitoring: the province's and the county's lines, risk events on households of the
stationed villages (some from visits, some self-reported, some from the medical-insurance and
emergency-management bureaus' data), the rules run for last year, and cases at every stage of the
path — a new one, one under review, one with its public notice up, one overdue, monitored ones with
measures, one closing, one closed as risk eliminated and one not included.

Everything goes through the services, with the demo's office and cadre users as the actors.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from bangfu.core.demo import DEMO_COUNTY, DemoContext
from bangfu.regions.models import Region
from bangfu.registry import services as registry
from bangfu.registry.models import Household

from . import services
from .models import STEP_ORDER, RiskKind, RiskSource, Step

# The monitoring line of the province by year (yuan per person), and the county's own for the last year.
PROVINCE_LINES = {2021: 6000, 2022: 6500, 2023: 6900, 2024: 7300, 2025: 7600, 2026: 7800}
COUNTY_EXTRA = Decimal("200")
EVENTS_ELSEWHERE = 60  # risk events on households outside the stationed villages
DEPARTMENTS = {
    RiskKind.ILLNESS: "鲁山县医疗保障局",
    RiskKind.DISASTER: "鲁山县应急管理局",
    RiskKind.UNEMPLOYMENT: "鲁山县人力资源和社会保障局",
    RiskKind.DISABILITY: "鲁山县残疾人联合会",
}
AMOUNTS = {
    RiskKind.ILLNESS: (8_000, 120_000),
    RiskKind.DISABILITY: (0, 5_000),
    RiskKind.DISASTER: (3_000, 40_000),
    RiskKind.ACCIDENT: (5_000, 60_000),
    RiskKind.UNEMPLOYMENT: (0, 0),
    RiskKind.BUSINESS_FAILURE: (5_000, 50_000),
    RiskKind.SCHOOLING: (3_000, 15_000),
    RiskKind.OTHER: (1_000, 10_000),
}
NOTES = {
    RiskKind.ILLNESS: "住院治疗,医保报销后自付部分较多",
    RiskKind.DISABILITY: "新评定残疾",
    RiskKind.DISASTER: "暴雨致房屋受损、庄稼绝收",
    RiskKind.ACCIDENT: "务工时受伤",
    RiskKind.UNEMPLOYMENT: "务工企业停产,返乡",
    RiskKind.BUSINESS_FAILURE: "养殖亏损",
    RiskKind.SCHOOLING: "子女上大学学费",
    RiskKind.OTHER: "其他支出",
}
KIND_WEIGHTS = [
    (RiskKind.ILLNESS, 35),
    (RiskKind.DISASTER, 15),
    (RiskKind.UNEMPLOYMENT, 15),
    (RiskKind.ACCIDENT, 8),
    (RiskKind.DISABILITY, 7),
    (RiskKind.BUSINESS_FAILURE, 8),
    (RiskKind.SCHOOLING, 8),
    (RiskKind.OTHER, 4),
]


def _walk(case, *, start: datetime.date, upto: str | None, village_actor, office, note: str = "") -> None:
    """Takes ``case`` through its current path up to and including ``upto`` (None: all five steps)."""
    offsets = {
        Step.VERIFICATION: 1,
        Step.DEMOCRATIC_REVIEW: 3,
        Step.PUBLIC_NOTICE: 4,
        Step.TOWNSHIP_CHECK: 11,
        Step.COUNTY_DECISION: 13,
    }
    for step in STEP_ORDER:
        day = start + datetime.timedelta(days=offsets[step])
        extra = {}
        if step == Step.VERIFICATION:
            extra["authorisation_signed"] = True
        if step == Step.PUBLIC_NOTICE:
            extra.update(notice_starts_on=day, notice_ends_on=day + datetime.timedelta(days=6))
        actor = (
            village_actor
            if step in (Step.VERIFICATION, Step.DEMOCRATIC_REVIEW, Step.PUBLIC_NOTICE)
            else office
        )
        services.case_step_record(actor=actor, case=case, step=step, acted_on=day, note=note, **extra)
        if step == upto:
            return


def build(context: DemoContext) -> None:
    rng = context.rng
    made = context.made
    users = made["users"]
    office, cadre = users.get("office"), users.get("cadre")
    today = timezone.localdate()
    year = today.year - 1
    province = Region.objects.get(code=DEMO_COUNTY[:2].ljust(12, "0"))
    county = Region.objects.get(code=DEMO_COUNTY)
    for line_year, line in PROVINCE_LINES.items():
        services.threshold_save(actor=None, region=province, year=line_year, income_line=line)
    services.threshold_save(
        actor=None,
        region=county,
        year=year,
        income_line=Decimal(PROVINCE_LINES.get(year, 7600)) + COUNTY_EXTRA,
        expense_share=Decimal("0.50"),
        drop_share=Decimal("0.30"),
    )

    villages = made["villages"][:3]
    lifted = Household.objects.filter(region_code__startswith=DEMO_COUNTY[:6], status="lifted")
    households = list(lifted.filter(region__in=villages).prefetch_related("visits").order_by("pk"))
    others = list(lifted.exclude(region__in=villages).values_list("pk", flat=True).order_by("pk"))
    picked = set(rng.sample(others, min(len(others), EVENTS_ELSEWHERE)))
    households += list(Household.objects.filter(pk__in=picked).prefetch_related("visits").order_by("pk"))
    kinds, weights = zip(*KIND_WEIGHTS, strict=True)
    events = 0
    for household in households:
        if household.pk not in picked and rng.random() > 0.25:
            continue
        kind = rng.choices(kinds, weights=weights)[0]
        low, high = AMOUNTS[kind]
        visits = list(household.visits.all())
        source = rng.choice([RiskSource.VISIT, RiskSource.SELF_REPORT, RiskSource.DEPARTMENT])
        if source == RiskSource.VISIT and not visits:
            source = RiskSource.SELF_REPORT
        if source == RiskSource.DEPARTMENT and kind not in DEPARTMENTS:
            source = RiskSource.SELF_REPORT
        occurred_on = (
            datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
            if rng.random() < 0.7
            else (today - datetime.timedelta(days=rng.randint(1, 200)))
        )
        visit = visits[0] if source == RiskSource.VISIT else None
        if visit is not None:
            occurred_on = min(occurred_on, visit.visited_on)
        services.risk_event_record(
            actor=None,
            household=household,
            kind=kind,
            occurred_on=occurred_on,
            amount=Decimal(rng.randint(low, high)) if high else Decimal("0"),
            source=source,
            visit=visit,
            department=DEPARTMENTS.get(kind, "") if source == RiskSource.DEPARTMENT else "",
            description=NOTES[kind],
        )
        events += 1

    # seed 003: a family falls into 300,000 yuan of medical debt
    home = [h for h in households if h.region_id == villages[0].pk]
    debt = home[0] if home else households[0]
    services.risk_event_record(
        actor=None,
        household=debt,
        kind=RiskKind.ILLNESS,
        occurred_on=datetime.date(year, 9, 16),
        amount=Decimal("300000"),
        source=RiskSource.DEPARTMENT,
        department=DEPARTMENTS[RiskKind.ILLNESS],
        description="户主突发重病,多次住院,累计自付医疗费用约30万元",
    )
    counts = services.rules_run(year=year, prefix=DEMO_COUNTY[:6])

    # cases: in the cadre's village where possible, so the cadre's pages show them
    from .models import Flag

    stationed = list(
        Household.objects.filter(region__in=villages)
        .exclude(status__in=["moved", "dissolved"])
        .exclude(pk=debt.pk)
    )
    stationed.sort(key=lambda h: (h.region_id != villages[0].pk, h.pk))  # the cadre's village first
    pool = [debt, *stationed, *(h for h in households if h not in stationed and h != debt)]
    stages = [
        # (label, category, source, risk kind, days since opened, last step done or None)
        ("sudden", "sudden", "department", RiskKind.ILLNESS, 1, ""),
        ("review", "marginal", "survey", RiskKind.UNEMPLOYMENT, 3, Step.VERIFICATION),
        ("notice", "unstable", "application", RiskKind.DISASTER, 6, Step.PUBLIC_NOTICE),
        ("overdue", "marginal", "survey", RiskKind.ACCIDENT, 21, Step.DEMOCRATIC_REVIEW),
        ("township", "unstable", "department", RiskKind.ILLNESS, 13, Step.TOWNSHIP_CHECK),
        ("monitored", "unstable", "survey", RiskKind.ILLNESS, 150, None),
        ("monitored", "marginal", "application", RiskKind.SCHOOLING, 90, None),
        ("closing", "marginal", "survey", RiskKind.BUSINESS_FAILURE, 260, "closing"),
        ("closed", "unstable", "department", RiskKind.DISASTER, 400, "closed"),
        ("rejected", "marginal", "application", RiskKind.OTHER, 30, "rejected"),
    ]
    teams = {team.region_code: team for team in _teams(villages)}
    project = _project()
    opened = 0
    for (_label, category, source, risk_kind, days, upto), household in zip(stages, pool, strict=False):
        start = today - datetime.timedelta(days=days)
        village_actor = cadre if cadre is not None and household.region_id == villages[0].pk else office
        flags = (
            list(Flag.objects.filter(household=household, status="open")) if source == "department" else []
        )
        summary = {
            RiskKind.ILLNESS: "家庭成员患重病,医疗支出大,收入下降",
            RiskKind.UNEMPLOYMENT: "主要劳动力失业返乡,务工收入中断",
            RiskKind.DISASTER: "暴雨灾害造成房屋和农作物损失",
            RiskKind.ACCIDENT: "主要劳动力意外受伤,暂时不能务工",
            RiskKind.SCHOOLING: "两个孩子同时上学,教育支出大",
            RiskKind.BUSINESS_FAILURE: "养殖产业失败,负债经营",
            RiskKind.OTHER: "家庭支出骤增",
        }[risk_kind]
        if household == debt:
            summary = "户主突发重病,累计自付医疗费用约30万元,因病返贫风险大"
        case = services.case_open(
            actor=village_actor,
            household=household,
            category=category,
            source=source,
            risk_kind=risk_kind,
            summary=summary,
            opened_on=start,
            flags=flags,
        )
        opened += 1
        if upto == "rejected":
            services.case_step_record(
                actor=village_actor,
                case=case,
                step=Step.VERIFICATION,
                acted_on=start + datetime.timedelta(days=2),
                authorisation_signed=True,
                decision="rejected",
                note="经核实,家庭收入稳定,不符合纳入条件",
            )
            continue
        if upto == "":
            continue
        _walk(
            case,
            start=start,
            upto=upto if upto not in ("closing", "closed") else None,
            village_actor=village_actor,
            office=office,
        )
        if upto is not None and upto not in ("closing", "closed"):
            continue
        # monitored: measures that link to what carries them out
        team = teams.get(household.region_code)
        if team is not None:
            services.measure_add(
                actor=office,
                case=case,
                kind="team",
                team=team,
                description="工作队每周走访,跟踪收入变化",
                started_on=start + datetime.timedelta(days=14),
            )
        pairing = household.pairings.first() or registry.pairing_create(
            actor=None,
            household=household,
            helper_name=context.fake.name(),
            organization=made["enterprises"][0],
            start_date=start + datetime.timedelta(days=14),
            note="纳入监测后结对",
        )
        if pairing is not None:
            services.measure_add(
                actor=office,
                case=case,
                kind="pairing",
                pairing=pairing,
                description="结对干部每月入户,协调落实帮扶政策",
                started_on=start + datetime.timedelta(days=14),
            )
        if project is not None and rng.random() < 0.7:
            services.measure_add(
                actor=office,
                case=case,
                kind="project",
                project=project,
                description="安排到帮扶项目务工,增加工资性收入",
                started_on=start + datetime.timedelta(days=20),
            )
        from bangfu.supermarket.models import Enrolment

        enrolment = Enrolment.objects.filter(household=household, is_active=True).first()
        if enrolment is not None:
            services.measure_add(
                actor=office,
                case=case,
                kind="supermarket",
                enrolment=enrolment,
                description="纳入爱心超市救助,按月发放积分",
                started_on=start + datetime.timedelta(days=20),
            )
        services.measure_add(
            actor=office,
            case=case,
            kind="other",
            description="落实医疗保障和临时救助",
            started_on=start + datetime.timedelta(days=15),
        )
        if upto in ("closing", "closed"):
            close_start = today - datetime.timedelta(days=5 if upto == "closing" else 40)
            services.case_close_start(
                actor=village_actor,
                case=case,
                started_on=close_start,
                evidence="连续两年家庭人均纯收入稳定超过监测标准,务工收入稳定,医疗费用已按政策报销,风险已消除。",
            )
            _walk(
                case,
                start=close_start,
                upto=Step.VERIFICATION if upto == "closing" else None,
                village_actor=village_actor,
                office=office,
            )
    context.lines.append(
        f"monitoring: {events + 1} risk events, {sum(counts.values())} flags ({year}), {opened} cases at every stage"
    )


def _teams(villages):
    from bangfu.fieldwork.models import Team

    return list(Team.objects.filter(region__in=villages))


def _project():
    from bangfu.assistance.models import Project

    return Project.objects.filter(region_code__startswith=DEMO_COUNTY[:6]).order_by("pk").first()
