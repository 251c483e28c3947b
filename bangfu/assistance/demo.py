"""Demo assistance (seeds 000–003): an enterprise in designated assistance of the county since
2013 and the county union paired with three villages since 2018, a dozen projects of every kind
with money invested, coordinated and spent on their ledgers, and one correction by reversal.

Everything goes through the services, so the ledgers verify and the balances are their sums.
"""

import datetime
from decimal import ROUND_DOWN, Decimal

from bangfu.core.demo import DemoContext

from . import services
from .models import (
    ActivityKind,
    FundEntry,
    FundKind,
    HelperKind,
    HelperLevel,
    OutcomeKind,
    PartnershipKind,
    Project,
    ProjectStatus,
    ProjectType,
)

# name, type, budget (yuan), start year, paired (True: the union's village) or designated
PROJECTS = [
    ("肉牛养殖基地", ProjectType.INDUSTRY, 3_000_000, 2016, False),
    ("食用菌大棚", ProjectType.INDUSTRY, 1_200_000, 2017, False),
    ("扶贫车间", ProjectType.EMPLOYMENT, 800_000, 2018, False),
    ("村内道路硬化", ProjectType.INFRASTRUCTURE, 1_500_000, 2015, False),
    ("助学金发放", ProjectType.EDUCATION, 300_000, 2019, False),
    ("乡村医生培训", ProjectType.HEALTH, 200_000, 2020, False),
    ("农产品展销", ProjectType.CONSUMPTION, 150_000, 2021, False),
    ("党员活动室", ProjectType.PARTY_BUILDING, 120_000, 2019, False),
    ("荒山绿化", ProjectType.ECOLOGY, 400_000, 2020, False),
    ("小额信贷贴息", ProjectType.FINANCE, 250_000, 2022, False),
    ("文化广场", ProjectType.INFRASTRUCTURE, 600_000, 2018, True),
    ("太阳能路灯", ProjectType.INFRASTRUCTURE, 350_000, 2019, True),
    ("光伏电站", ProjectType.INDUSTRY, 900_000, 2020, True),
    ("饮水井", ProjectType.INFRASTRUCTURE, 280_000, 2021, True),
]
SOURCES = ["省农业农村厅", "县财政局", "市总工会", "爱心企业捐赠"]


def build(context: DemoContext) -> None:
    rng = context.rng
    made = context.made
    county = made["county"]
    villages = list(made["villages"])
    office = made["users"].get("office")
    enterprise = made["enterprises"][0]
    union = made["federation"]
    today = datetime.date.today()  # noqa: DTZ011 - demo dates, not instants

    designated = services.partnership_create(
        actor=office, organization=enterprise, kind=PartnershipKind.DESIGNATED, region=county, start_year=2013
    )
    paired_villages = villages[:3]
    paired = [
        services.partnership_create(
            actor=office, organization=union, kind=PartnershipKind.PAIRED, region=village, start_year=2018
        )
        for village in paired_villages
    ]
    entries = 0
    for index, (name, kind, budget, year, is_paired) in enumerate(PROJECTS):
        if is_paired:
            partnership = paired[index % len(paired)]
            organization, region = union, partnership.region
        else:
            partnership, organization = designated, enterprise
            region = villages[rng.randrange(len(villages))]
        start = datetime.date(year, rng.randint(1, 6), 1)
        end = min(datetime.date(year + 1, 12, 31), today)
        done = end < today
        project = services.project_create(
            actor=office,
            name=f"{region.name}{name}",
            organization=organization,
            partnership=partnership,
            region=region,
            type=kind,
            budget=Decimal(budget),
            start_date=start,
            end_date=end,
            status=ProjectStatus.COMPLETED if done else ProjectStatus.IN_PROGRESS,
            description=f"{organization.name}{name}项目",
            milestones=[("开工", start), ("竣工验收", end)],
        )
        # Money in: mostly the organisation's own, part coordinated from others.
        invested = (Decimal(budget) * Decimal(rng.choice([60, 70, 80])) / 100).quantize(Decimal("0.01"))
        coordinated = Decimal(budget) - invested
        services.fund_entry_record(
            actor=office, project=project, kind=FundKind.INVESTED, amount=invested, date=start
        )
        services.fund_entry_record(
            actor=office,
            project=project,
            kind=FundKind.COORDINATED,
            amount=coordinated,
            date=start + datetime.timedelta(days=20),
            source=rng.choice(SOURCES),
        )
        # Money out in a few payments, each with its voucher.
        share = Decimal(rng.choice([85, 95, 100])) / 100 if done else Decimal("0.5")
        payments = rng.randint(2, 4)
        for payment in range(payments):
            day = min(start + datetime.timedelta(days=60 * (payment + 1)), end)
            services.fund_entry_record(
                actor=office,
                project=project,
                kind=FundKind.SPENT,
                amount=(Decimal(budget) * share / payments).quantize(Decimal("0.01"), rounding=ROUND_DOWN),
                date=day,
                voucher_number=f"PZ{year}-{index + 1:02d}-{payment + 1:02d}",
                note=f"第{payment + 1}期工程款",
            )
        entries += 2 + payments
    # One correction: a payment recorded twice, reversed by a new entry.
    first_spend = FundEntry.objects.filter(kind=FundKind.SPENT).order_by("pk").first()
    services.fund_entry_reverse(actor=office, entry=first_spend, note="重复登记,冲销", date=first_spend.date)
    context.lines.append(
        f"assistance: {1 + len(paired)} partnerships, {len(PROJECTS)} projects, {entries + 1} fund entries"
    )
    _outreach(context, office=office, enterprise=enterprise, union=union, today=today)
    from .demo_attachments import build_attachments

    context.lines.append(
        f"assistance: {build_attachments(context, office=office)} photos and vouchers attached"
    )


def _outreach(context: DemoContext, *, office, enterprise, union, today: datetime.date) -> None:
    """Seeds 002–004: the cattle project's beneficiaries, outcomes and dividends; model workers and
    their trainings; free clinics and other activities; disclosure pages with some feedback."""
    from bangfu.registry.models import Household

    rng = context.rng
    projects = list(Project.objects.select_related("region").order_by("pk"))
    cattle = next(p for p in projects if p.name.endswith("肉牛养殖基地"))
    households = list(Household.objects.filter(region_code=cattle.region_code).order_by("code")[:60])
    for household in households:
        services.beneficiary_add(actor=office, project=cattle, household=household)
    services.beneficiary_count(
        actor=office, project=cattle, households=12, persons=31, reason="邻村务工农户,未在本村建档"
    )
    as_of = min(cattle.end_date or today, today)
    for kind, value in (
        (OutcomeKind.PEOPLE_HOME, 93),
        (OutcomeKind.JOBS_CREATED, 65),
        (OutcomeKind.INCOME_PER_HOUSEHOLD, 15_000),
        (OutcomeKind.COLLECTIVE_INCOME, 160_000),
        (OutcomeKind.SALES, 21_520_000),
        (OutcomeKind.PROFIT, 1_770_000),
    ):
        services.outcome_record(actor=office, project=cattle, kind=kind, value=value, as_of=as_of)
    first_year_end = cattle.start_date.replace(month=12, day=31)
    if first_year_end < as_of:  # an earlier value, superseded by the latest in the figures
        services.outcome_record(
            actor=office, project=cattle, kind=OutcomeKind.SALES, value=9_800_000, as_of=first_year_end
        )
    holders = households[:47]
    for household in holders:
        services.shareholding_add(
            actor=office, project=cattle, household=household, shares=1, since_year=cattle.start_date.year
        )
    runs = 0
    if holders:
        for year in range(cattle.start_date.year + 1, today.year):
            services.dividend_run(
                actor=office,
                project=cattle,
                year=year,
                amount_per_share=Decimal(700),
                paid_on=datetime.date(year, 12, 20),
            )
            runs += 1
    # Disclosure: the newest projects are on show now (taking feedback), the rest were shown once.
    for index, project in enumerate(sorted(projects, key=lambda p: p.start_date, reverse=True)):
        if index < 3:
            start, end = today - datetime.timedelta(days=5), today + datetime.timedelta(days=25)
        else:
            start = project.end_date or project.start_date
            end = start + datetime.timedelta(days=30)
        services.project_disclose(actor=office, project=project, disclosed_from=start, disclosed_until=end)
    open_project = sorted(projects, key=lambda p: p.start_date, reverse=True)[0]
    for number, message in enumerate(["路灯晚上有两盏不亮,请维修。", "建议公示每期工程的验收照片。"]):
        services.feedback_submit(project=open_project, message=message, address=f"demo-{number}")
    # Model workers (seed 003): trainings for growers, bases built, jobs.
    county = context.made["county"]
    villages = list(context.made["villages"])
    workers = [
        services.helper_create(
            actor=office,
            kind=HelperKind.WORKER,
            name=name,
            level=level,
            region=county,
            honours=honours,
            organization=enterprise,
            studio=studio,
        )
        for name, level, honours, studio in (
            ("王建国", HelperLevel.NATIONAL, "全国劳动模范", "王建国食用菌创新工作室"),
            ("李秀兰", HelperLevel.PROVINCIAL, "省五一劳动奖章", "李秀兰养殖技术工作室"),
        )
    ]
    unit = services.helper_create(
        actor=office,
        kind=HelperKind.UNIT,
        name=f"{enterprise.name}工会",
        level=HelperLevel.PROVINCIAL,
        region=county,
        honours="省模范职工之家",
        organization=enterprise,
    )
    for helper in [*workers, unit]:
        for year in range(today.year - 4, today.year):
            services.helper_result_record(
                actor=office,
                helper=helper,
                year=year,
                bases_built=rng.randint(1, 3),
                trainings_held=rng.randint(50, 80),
                trainees=rng.randint(8_000, 12_000),
                jobs=rng.randint(40, 120),
                households_lifted=rng.randint(20, 60),
            )
    activities = 0
    for number in range(7):  # seed 004: 7 free clinics, 1,000+ person-times, 100,000 yuan of medicine
        village = villages[number % len(villages)]
        day = today - datetime.timedelta(days=40 * (number + 1))
        times = rng.randint(140, 170)
        services.activity_record(
            actor=office,
            kind=ActivityKind.CLINIC,
            title=f"{village.name}义诊",
            date=day,
            region=village,
            organization=union,
            organiser="县总工会",
            person_times=times,
            distinct_people=times - rng.randint(5, 20),
            value_given=Decimal(rng.randint(13_000, 15_500)),
            description="免费测血压血糖、发放常用药品",
        )
        activities += 1
    for helper in workers:
        for number in range(4):
            village = villages[rng.randrange(len(villages))]
            services.activity_record(
                actor=office,
                kind=ActivityKind.TRAINING,
                title=f"{helper.name}种养技术培训",
                date=today - datetime.timedelta(days=30 * number + rng.randint(1, 20)),
                region=village,
                organization=enterprise,
                helper=helper,
                organiser=helper.name,
                person_times=rng.randint(60, 200),
            )
            activities += 1
    for kind, title, value in (
        (ActivityKind.EDUCATION_AID, "金秋助学", 60_000),
        (ActivityKind.GOODS_DONATION, "冬季送温暖物资", 45_000),
        (ActivityKind.VISIT, "春节走访慰问", 20_000),
        (ActivityKind.PARTY_BUILDING, "支部共建主题党日", 0),
    ):
        village = villages[rng.randrange(len(villages))]
        services.activity_record(
            actor=office,
            kind=kind,
            title=f"{village.name}{title}",
            date=today - datetime.timedelta(days=rng.randint(10, 300)),
            region=village,
            organization=union,
            organiser="县总工会",
            person_times=rng.randint(20, 80),
            value_given=Decimal(value),
        )
        activities += 1
    context.lines.append(
        f"assistance: {len(households) + 1} beneficiary rows, {len(holders)} shareholders, {runs} dividend runs, "
        f"3 helpers, {activities} activities"
    )
