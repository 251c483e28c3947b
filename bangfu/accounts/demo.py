"""Demo organisations and one user per role in the demo county."""

from bangfu.core.demo import DEMO_COUNTY, DEMO_PASSWORD, DemoContext
from bangfu.core.permissions import Role
from bangfu.regions.models import Region

from . import services
from .models import Organization, OrganizationKind, User

# username, role, what they see
DEMO_USERS = [
    ("admin", "superuser", "全国 nationwide administrator"),
    ("office", Role.OFFICE, "鲁山县帮扶办公室 county office"),
    ("cadre", Role.CADRE, "驻村干部, one village"),
    ("buyer", Role.BUYER, "采购单位 buyer unit"),
    ("supplier", Role.SUPPLIER, "供应商 supplier"),
    ("member", Role.MEMBER, "工会会员 union member"),
    ("keeper", Role.STORE_KEEPER, "爱心超市 keeper, one township"),
    ("leader", Role.LEADER, "领导 read-only, county"),
    ("auditor", Role.AUDITOR, "审计 auditor, county"),
]

ENTERPRISE_WORDS = ["电力", "能源", "电子科技", "化工", "建设", "通信", "钢铁", "粮油", "交通投资", "水务"]
PRODUCTS = ["香菇", "甜柿", "蜂蜜", "小米", "黑木耳", "柴鸡蛋", "花生", "红薯粉条", "核桃", "艾草"]


def build(context: DemoContext) -> None:
    rng, fake, sizes = context.rng, context.fake, context.sizes
    county = Region.objects.get(code=DEMO_COUNTY)
    counties = [county]
    if sizes["counties"] > 1:
        counties += list(
            Region.objects.filter(level="county", code__startswith=DEMO_COUNTY[:4])
            .exclude(code=DEMO_COUNTY)
            .order_by("code")[: sizes["counties"] - 1]
        )
    townships = list(Region.objects.filter(level="township", parent=county).order_by("code"))
    villages = list(Region.objects.filter(level="village", code__startswith=DEMO_COUNTY[:6]).order_by("code"))

    def org(name, kind, region, parent=None, **extra):
        return services.organization_create(
            actor=None,
            name=name,
            kind=kind,
            region=region,
            parent=parent,
            contact_name=fake.name(),
            contact_phone=fake.phone_number(),
            address=f"{region.name}{fake.street_address()}",
            **extra,
        )

    office = org("鲁山县乡村振兴局", OrganizationKind.GOVERNMENT, county)
    federation = org("鲁山县总工会", OrganizationKind.UNION, county)
    unions = [
        org(
            f"{fake.company_prefix()}{rng.choice(['公司', '医院', '学校', '局', '中心'])}工会委员会",
            OrganizationKind.UNION,
            rng.choice(townships),
            parent=federation,
        )
        for _ in range(sizes["grassroots_unions"])
    ]
    enterprises = []
    for index in range(sizes["enterprises"]):
        word = ENTERPRISE_WORDS[index % len(ENTERPRISE_WORDS)]
        enterprises.append(
            org(f"中原{word}集团有限公司{'' if index < 10 else index}", OrganizationKind.ENTERPRISE, county)
        )
    hospital = org("鲁山县人民医院", OrganizationKind.HOSPITAL, county)
    school = org("鲁山县第一高级中学", OrganizationKind.SCHOOL, county)
    charity = org("鲁山县慈善总会", OrganizationKind.SOCIAL, county)
    cooperatives = []
    for index in range(sizes["cooperatives"]):
        township = townships[index % len(townships)]
        product = PRODUCTS[index % len(PRODUCTS)]
        cooperatives.append(
            org(f"鲁山县{township.name}{product}专业合作社", OrganizationKind.COOPERATIVE, township)
        )
    supplier = org("鲁山县山货扶贫基地有限公司", OrganizationKind.SUPPLIER, townships[0])
    committees = [org(f"{v.name}", OrganizationKind.VILLAGE_COMMITTEE, v) for v in villages[:20]]
    for other in counties[1:]:
        org(f"{other.name}乡村振兴局", OrganizationKind.GOVERNMENT, other)
        org(f"{other.name}总工会", OrganizationKind.UNION, other)

    village = villages[0]
    scopes = {
        Role.OFFICE: (office, counties),
        Role.CADRE: (enterprises[0], [village]),
        Role.BUYER: (unions[0], [county]),
        Role.SUPPLIER: (supplier, [supplier.region]),
        Role.MEMBER: (unions[0], [county]),
        Role.STORE_KEEPER: (federation, [townships[0]]),
        Role.LEADER: (office, counties),
        Role.AUDITOR: (office, counties),
    }
    for username, role, _label in DEMO_USERS:
        name = fake.name()
        if role == "superuser":
            services.user_create(
                actor=None, username=username, password=DEMO_PASSWORD, display_name=name, is_superuser=True
            )
            continue
        user = services.user_create(actor=None, username=username, password=DEMO_PASSWORD, display_name=name)
        organization, regions = scopes[role]
        services.membership_create(
            actor=None, user=user, organization=organization, role=role, regions=regions
        )

    context.made.update(
        county=county,
        counties=counties,
        townships=townships,
        villages=villages,
        office=office,
        federation=federation,
        unions=unions,
        enterprises=enterprises,
        cooperatives=cooperatives,
        supplier=supplier,
        hospital=hospital,
        school=school,
        charity=charity,
        committees=committees,
        users={u.username: u for u in User.objects.filter(username__in=[d[0] for d in DEMO_USERS])},
    )
    count = Organization.objects.count()
    context.lines.append(
        f"demo county {county.name} ({county.code}): {count} organisations, "
        f"{len(DEMO_USERS)} users, {len(villages)} villages"
    )
