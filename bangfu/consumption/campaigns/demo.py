"""Demo campaign: the county union federation's gift-box pre-order (seed 004), open now,
for the members of its grassroots unions, with two pickup sites, orders and some pickups.

The demo ``member`` login can order; ``buyer`` is on both sites' staff lists, ``supplier``
on the first, ``office`` on the second.
"""

import datetime
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from bangfu.accounts.models import Membership, User
from bangfu.audit.services import audited_create
from bangfu.consumption.models import Product, Supplier
from bangfu.core.demo import DemoContext
from bangfu.core.permissions import Role

from . import services
from .errors import CampaignError

MEMBERS = {"small": 60, "county": 400, "province": 1000}
SLOT_HOURS = [(9, 12), (14, 17)]
DAYS = 7


def _products(context: DemoContext) -> list[Product]:
    """Products of the demo county's suppliers; a small catalogue of our own if there are none yet."""
    county = context.made["county"]
    found = list(
        Product.objects.filter(region_code__startswith=county.code[:6], is_active=True).order_by("pk")[:6]
    )
    if len(found) >= 3:
        return found
    township = context.made["townships"][0]
    supplier = audited_create(
        actor=None,
        instance=Supplier(
            name=f"鲁山县{township.name}杂粮专业合作社",
            kind="cooperative",
            region=township,
            region_code=township.code,
        ),
    )
    catalogue = [
        ("小米", "grain_oil", "袋", "2.5kg"),
        ("黑木耳", "fungus", "袋", "250g"),
        ("香菇", "fungus", "袋", "500g"),
    ]
    return [
        audited_create(
            actor=None,
            instance=Product(
                supplier=supplier,
                region_code=supplier.region_code,
                name=name,
                category=category,
                unit=unit,
                specification=spec,
                price=Decimal("20.00"),
            ),
        )
        for name, category, unit, spec in catalogue
    ]


def _members(context: DemoContext, count: int) -> list[User]:
    """Synthetic union members who never sign in (no usable password): they only hold orders."""
    unions = context.made["unions"]
    fake = context.fake
    User.objects.bulk_create(
        [
            User(username=f"demo-member-{i:04d}", display_name=fake.name(), password=make_password(None))
            for i in range(count)
        ]
    )
    users = list(User.objects.filter(username__startswith="demo-member-").order_by("username"))
    memberships = Membership.objects.bulk_create(
        [
            Membership(user=user, organization=unions[i % len(unions)], role=Role.MEMBER)
            for i, user in enumerate(users)
        ]
    )
    through = Membership.regions.through
    county = context.made["county"]
    through.objects.bulk_create([through(membership_id=m.pk, region_id=county.pk) for m in memberships])
    return users


def build(context: DemoContext) -> None:
    rng, made = context.rng, context.made
    users = made["users"]
    townships = made["townships"]
    now = timezone.now()
    today = timezone.localdate()
    products = _products(context)

    campaign = services.campaign_create(
        actor=None,
        organizer=made["federation"],
        name="消费帮扶杂粮礼盒线上预订",
        description="为辖区职工会员预订来自脱贫地区的杂粮礼盒,线上预订、线下扫码领取。领取前请电话预约,避免人员聚集。",
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=DAYS),
        pickup_closes_at=now + datetime.timedelta(days=DAYS + 14),
        per_member_limit=2,
        eligible_organizations=[made["federation"]],
        include_suborganizations=True,
        status="published",
    )
    grain = services.item_create(
        actor=None,
        campaign=campaign,
        name="杂粮礼盒",
        price=Decimal("88.00"),
        stock=2000,
        lines=[(products[0], 2), (products[1], 1)],
    )
    mushrooms = services.item_create(
        actor=None,
        campaign=campaign,
        name="山珍礼盒",
        price=Decimal("128.00"),
        paid_by="member",
        stock=300,
        lines=[(products[1], 2), (products[2], 2)],
    )
    supplier_township = users["supplier"].memberships.get().regions.get()
    sites = [
        services.site_create(
            actor=None,
            campaign=campaign,
            name="县总工会职工服务站(室外领取点)",
            address=f"{supplier_township.name}人民路1号",
            region=supplier_township,
            contact_phone="0375-5050123",
            staff=[users["buyer"], users["supplier"]],
        ),
        services.site_create(
            actor=None,
            campaign=campaign,
            name="职工之家领取点",
            address=f"{townships[1].name}建设路8号",
            region=townships[1],
            contact_phone="0375-5050456",
            staff=[users["buyer"], users["office"]],
        ),
    ]
    slots = []
    for day in range(DAYS):
        date = today + datetime.timedelta(days=day)
        for site in sites:
            for start, end in SLOT_HOURS:
                starts = timezone.make_aware(datetime.datetime.combine(date, datetime.time(start)))
                ends = timezone.make_aware(datetime.datetime.combine(date, datetime.time(end)))
                slots.append(
                    services.slot_create(actor=None, site=site, starts_at=starts, ends_at=ends, capacity=80)
                )
    open_slots = [slot for slot in slots if slot.ends_at > now]

    members = _members(context, MEMBERS.get(context.scale, 60))
    orders = []
    for index, member in enumerate(members):
        item = grain if rng.random() < 0.8 else mushrooms
        try:
            order, _created = services.order_place(
                member=member,
                item=item,
                slot=rng.choice(open_slots[: len(sites) * len(SLOT_HOURS) * 2]),
                quantity=rng.choice([1, 1, 2]),
                idempotency_key=f"demo-{index}",
            )
        except CampaignError:
            continue
        orders.append(order)
    collected = cancelled = 0
    for order in orders:
        draw = rng.random()
        if draw < 0.35:
            staff = users["buyer"] if order.site == sites[0] else users["office"]
            services.pickup_confirm(staff=staff, site=order.site, code=order.short_code)
            collected += 1
        elif draw < 0.40:
            services.order_cancel(actor=order.member, order=order)
            cancelled += 1
    made.update(campaign=campaign, campaign_sites=sites)
    context.lines.append(
        f"campaign {campaign.name}: {len(orders)} orders by {len(members)} members, "
        f"{collected} collected, {cancelled} cancelled; staff buyer/supplier/office at {len(sites)} sites"
    )
