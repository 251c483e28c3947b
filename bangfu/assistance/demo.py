"""Demo assistance (seeds 000–003): an enterprise in designated assistance of the county since
2013 and the county union paired with three villages since 2018, a dozen projects of every kind
with money invested, coordinated and spent on their ledgers, and one correction by reversal.

Everything goes through the services, so the ledgers verify and the balances are their sums.
"""

import datetime
from decimal import ROUND_DOWN, Decimal

from bangfu.core.demo import DemoContext

from . import services
from .models import FundEntry, FundKind, PartnershipKind, ProjectStatus, ProjectType

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
