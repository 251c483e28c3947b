"""Demo consumption data: suppliers in the demo county with certified products, dozens of
buyer units (unions and budget units) with two years of purchases, quotas, declarations,
and suppliers' links to registered households.

Suppliers, products, certifications and quotas go through the services (a few dozen rows);
purchases are written in bulk with their change records (hundreds of rows), so the
default demo stays fast.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from bangfu.accounts import services as accounts
from bangfu.accounts.models import OrganizationKind
from bangfu.audit.services import record_bulk
from bangfu.core.demo import DemoContext
from bangfu.registry.models import Household

from . import services
from .models import (
    Certification,
    Channel,
    LinkKind,
    PaidBy,
    Purchase,
    PurchaseLine,
    PurchaseSource,
    Purpose,
    QuotaKind,
    SupplierKind,
)

# name, category, unit, specification, price
CATALOGUE = {
    "香菇": ("fungus", "箱", "2.5公斤", "68.00"),
    "甜柿": ("fruit", "箱", "5公斤", "88.00"),
    "蜂蜜": ("processed", "瓶", "500克", "45.00"),
    "小米": ("grain_oil", "袋", "5公斤", "52.00"),
    "黑木耳": ("fungus", "盒", "250克", "39.00"),
    "柴鸡蛋": ("meat_egg", "箱", "30枚", "42.00"),
    "花生": ("grain_oil", "袋", "2.5公斤", "36.00"),
    "红薯粉条": ("processed", "袋", "2公斤", "30.00"),
    "核桃": ("fruit", "袋", "1公斤", "48.00"),
    "艾草": ("handicraft", "盒", "艾条10支", "58.00"),
    "山羊肉": ("meat_egg", "公斤", "", "86.00"),
    "杂粮礼盒": ("grain_oil", "盒", "8种杂粮", "98.00"),
}
BUDGET_UNITS = [
    "教育局",
    "财政局",
    "民政局",
    "卫生健康委员会",
    "交通运输局",
    "水利局",
    "林业局",
    "农业农村局",
    "住房和城乡建设局",
    "自然资源局",
    "人力资源和社会保障局",
    "审计局",
    "统计局",
    "市场监督管理局",
    "文化广电和旅游局",
    "司法局",
    "应急管理局",
    "发展和改革委员会",
]
CERTIFIER = "鲁山县乡村振兴局"
FESTIVALS = [(1, 20), (4, 28), (6, 10), (9, 20), (12, 25)]  # 春节, 五一, 端午, 中秋/国庆, 元旦


def build(context: DemoContext) -> None:
    rng, made = context.rng, context.made
    county, townships = made["county"], made["townships"]
    today = timezone.localdate()
    years = [today.year - 1, today.year]

    # Suppliers: the demo supplier user's base, the cooperatives, a household supplier
    suppliers = [
        services.supplier_create(
            actor=None,
            region=made["supplier"].region,
            name=made["supplier"].name,
            kind=SupplierKind.BASE,
            organization=made["supplier"],
            contact_name=made["supplier"].contact_name,
            contact_phone=made["supplier"].contact_phone,
            address=made["supplier"].address,
            description="县级扶贫基地,统一收购、分拣、包装全县农户的山货。",
        )
    ]
    for cooperative in made["cooperatives"]:
        suppliers.append(
            services.supplier_create(
                actor=None,
                region=cooperative.region,
                name=cooperative.name,
                kind=SupplierKind.COOPERATIVE,
                organization=cooperative,
                contact_name=cooperative.contact_name,
                contact_phone=cooperative.contact_phone,
                address=cooperative.address,
            )
        )
    names = list(CATALOGUE)
    products = {}
    for index, supplier in enumerate(suppliers):
        chosen = (
            names[:4] if index == 0 else [names[(index + k) % len(names)] for k in range(rng.randint(2, 3))]
        )
        products[supplier.pk] = [
            services.product_create(
                actor=None,
                supplier=supplier,
                name=name,
                category=CATALOGUE[name][0],
                unit=CATALOGUE[name][1],
                specification=CATALOGUE[name][2],
                price=CATALOGUE[name][3],
            )
            for name in chosen
        ]
    # Certifications: most products certified for both years; some certified only from mid-year,
    # one revoked, and the last product of every third supplier never certified
    certifications: dict[int, list[Certification]] = {}
    for index, supplier in enumerate(suppliers):
        items = products[supplier.pk]
        covered = items[:-1] if index % 3 == 2 else items
        start = datetime.date(years[0], 7, 1) if index % 4 == 3 else datetime.date(years[0] - 1, 1, 1)
        certifications[supplier.pk] = [
            services.certification_create(
                actor=None,
                supplier=supplier,
                body=CERTIFIER,
                number=f"LSRD-{years[0]}-{index + 1:03d}",
                valid_from=start,
                valid_to=datetime.date(years[1] + 1, 12, 31),
                products=covered,
                is_revoked=index == len(suppliers) - 1,
                notes="抽检不合格,已撤销" if index == len(suppliers) - 1 else "",
            )
        ]

    # Buyer units: the federation and its grassroots unions, enterprises, the hospital, the school,
    # and the county's budget units (each with its own union)
    budget_units = [made["hospital"], made["school"]]
    budget_unions = {}
    for name in BUDGET_UNITS:
        unit = accounts.organization_create(
            actor=None, name=f"鲁山县{name}", kind=OrganizationKind.GOVERNMENT, region=county
        )
        budget_units.append(unit)
        budget_unions[unit.pk] = accounts.organization_create(
            actor=None,
            name=f"鲁山县{name}工会委员会",
            kind=OrganizationKind.UNION,
            region=county,
            parent=made["federation"],
        )
    unions = [made["federation"], *made["unions"], *budget_unions.values()]
    enterprises = list(made["enterprises"])

    purchases: list[Purchase] = []
    lines: list[list[PurchaseLine]] = []
    certified_from = {}  # product -> (valid from, valid to, certification)
    for supplier_id, certs in certifications.items():
        for cert in certs:
            if not cert.is_revoked:
                for product in _covered_of(cert, products[supplier_id]):
                    certified_from[product.pk] = (cert.valid_from, cert.valid_to, cert)

    def purchase(buyer, date, purpose, channel, paid_by=PaidBy.UNIT, union=None, staff_name=""):
        supplier = rng.choice(suppliers)
        chosen = rng.sample(products[supplier.pk], k=min(len(products[supplier.pk]), rng.randint(1, 2)))
        row_lines = []
        for product in chosen:
            quantity = rng.randint(5, 120) if paid_by != PaidBy.STAFF else rng.randint(1, 4)
            window = certified_from.get(product.pk)
            certification = window[2] if window and window[0] <= date <= window[1] else None
            row_lines.append(
                PurchaseLine(
                    product=product,
                    quantity=quantity,
                    unit_price=product.price,
                    amount=product.price * quantity,
                    certified=certification is not None,
                    certification=certification,
                )
            )
        total = sum((line.amount for line in row_lines), Decimal("0"))
        purchases.append(
            Purchase(
                buyer=buyer,
                region_code=buyer.region_code,
                supplier=supplier,
                supplier_region_code=supplier.region_code,
                date=date,
                channel=channel,
                purpose=purpose,
                invoice_number=f"{date:%Y%m%d}{len(purchases) + 1:05d}",
                paid_by=paid_by,
                union=union,
                staff_name=staff_name,
                total_amount=total,
                certified_amount=sum((line.amount for line in row_lines if line.certified), Decimal("0")),
                source=PurchaseSource.IMPORT if rng.random() < 0.4 else PurchaseSource.FORM,
            )
        )
        lines.append(row_lines)

    def day(year, month, around):
        date = datetime.date(year, month, max(1, min(28, around + rng.randint(-8, 3))))
        return date if date <= today else None

    for year in years:
        for union in unions:
            for month, around in FESTIVALS:
                if rng.random() < 0.8 and (date := day(year, month, around)):
                    purchase(union, date, Purpose.WELFARE, rng.choice([Channel.DIRECT, Channel.ONLINE]))
        for unit in [*budget_units, *enterprises]:
            for month in range(1, 13):
                if rng.random() < 0.6 and (date := day(year, month, 15)):
                    purchase(unit, date, Purpose.CANTEEN, Channel.CANTEEN)
            union = budget_unions.get(unit.pk)
            if union is not None and rng.random() < 0.5 and (date := day(year, 9, 20)):
                purchase(unit, date, Purpose.WELFARE, Channel.DIRECT, paid_by=PaidBy.UNION, union=union)
            if rng.random() < 0.3 and (date := day(year, 11, 11)):
                purchase(
                    unit,
                    date,
                    Purpose.OTHER,
                    Channel.ONLINE,
                    paid_by=PaidBy.STAFF,
                    staff_name=context.fake.name(),
                )
    Purchase.objects.bulk_create(purchases)
    for purchase_row, row_lines in zip(purchases, lines, strict=True):
        for line in row_lines:
            line.purchase = purchase_row
    PurchaseLine.objects.bulk_create([line for row_lines in lines for line in row_lines])
    record_bulk(
        actor=None,
        model=Purchase,
        created=[
            (p.pk, {f.attname: getattr(p, f.attname) for f in Purchase._meta.concrete_fields})
            for p in purchases
        ],
        describe=lambda pk, values: (f"{values['date']} {values['total_amount']}", values["region_code"]),
    )

    # Quotas and declarations: unions under the 80% welfare rule, budget units with a reserved share;
    # two units without a canteen, two sharing one canteen, one outsourced
    for year in years:
        for union in unions:
            services.quota_save(actor=None, organization=union, year=year, kind=QuotaKind.UNION_WELFARE)
        for index, unit in enumerate(budget_units):
            services.quota_save(
                actor=None,
                organization=unit,
                year=year,
                kind=QuotaKind.RESERVED_SHARE,
                share_percent=Decimal("10.00") if index % 5 else Decimal("15.00"),
                has_canteen=index not in (5, 9),
                canteen_outsourced=index == 3,
                filed_by=budget_units[6] if index == 7 else None,
            )
        for unit in [*unions, *budget_units]:
            spent = sum(
                (p.total_amount for p in purchases if p.buyer_id == unit.pk and p.date.year == year),
                Decimal("0"),
            )
            if spent and rng.random() < 0.7:
                services.declaration_save(
                    actor=None,
                    organization=unit,
                    year=year,
                    welfare_total=(spent * Decimal(rng.uniform(1.0, 1.3))).quantize(Decimal("0.01"))
                    if unit.kind == OrganizationKind.UNION
                    else None,
                    food_total=(spent * Decimal(rng.uniform(3, 8))).quantize(Decimal("0.01"))
                    if unit.kind != OrganizationKind.UNION
                    else None,
                )

    # Household links: each supplier buys from, employs or pays dividends to registered households near it
    registered = dict(
        Household.objects.filter(region_code__startswith=county.code[:6], registered=True)
        .order_by("code")
        .values_list("pk", "region_code")
    )
    links = 0
    if registered:
        for supplier in suppliers:
            nearby = [
                pk for pk, code in registered.items() if code.startswith(supplier.region_code[:9])
            ] or list(registered)
            for household_id in rng.sample(nearby, k=min(len(nearby), rng.randint(3, 10))):
                kind = rng.choice(list(LinkKind.values))
                amount = {
                    LinkKind.BUYS_FROM: Decimal(rng.randint(800, 6000)),
                    LinkKind.EMPLOYS: Decimal(rng.randint(6, 20) * 1000),
                    LinkKind.DIVIDEND: Decimal("700.00"),
                }[kind]
                services.household_link_save(
                    actor=None,
                    supplier=supplier,
                    household=Household(pk=household_id, region_code=registered[household_id]),
                    kind=kind,
                    year=years[0],
                    amount=amount if rng.random() < 0.85 else None,
                )
                links += 1
    made.update(suppliers=suppliers, budget_units=budget_units, buyer_unions=unions)
    units = len({p.buyer_id for p in purchases})
    context.lines.append(
        f"consumption: {len(suppliers)} suppliers, {sum(len(v) for v in products.values())} products, "
        f"{units} buyer units, {len(purchases)} purchases, {links} household links; "
        f"{len(townships)} townships"
    )


def _covered_of(certification: Certification, candidates) -> list:
    ids = set(certification.products.values_list("pk", flat=True))
    return [product for product in candidates if product.pk in ids]
