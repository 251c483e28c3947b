"""Demo love supermarkets (seed 002): the county union runs a store in each township, opened
over 2018–2020; society donates goods and money every year; safety-net households are enrolled,
earn points at village evaluation meetings and spend them at the counter or by home delivery.

The demo ``keeper`` login keeps the store of the first township, which has enrolled households.
Everything goes through the services, so the ledgers verify and the figures add up.
"""

import datetime
from decimal import Decimal

from bangfu.core.demo import DemoContext
from bangfu.regions.models import Region
from bangfu.registry.models import Household, SafetyNet

from . import services
from .errors import SupermarketError
from .models import Delivery, Store

FIRST_YEAR = 2018
CATALOGUE = [
    ("大米", "grain_oil", "袋", 25, "25.00"),
    ("面粉", "grain_oil", "袋", 20, "20.00"),
    ("食用油", "grain_oil", "桶", 45, "45.00"),
    ("挂面", "food", "把", 5, "5.00"),
    ("鸡蛋", "food", "盒", 15, "15.00"),
    ("牛奶", "food", "箱", 40, "40.00"),
    ("洗衣粉", "daily", "袋", 10, "10.00"),
    ("肥皂", "daily", "块", 3, "3.00"),
    ("牙膏", "daily", "支", 6, "6.00"),
    ("毛巾", "daily", "条", 8, "8.00"),
    ("棉被", "clothing", "床", 90, "90.00"),
    ("书包", "study", "个", 30, "30.00"),
]
SCORES = [
    ("public_works", "参加村道清扫"),
    ("public_works", "义务植树"),
    ("disputes", "调解邻里纠纷"),
    ("customs", "红白事简办"),
    ("honours", "评为好媳妇"),
    ("hygiene", "庭院整洁"),
]


def _opened_on(rng, index: int, count: int) -> datetime.date:
    """Most stores in 2018, some in 2019, the last in 2020: the seed's 44 → 49 → 51, scaled."""
    year = 2018 if index < round(count * 44 / 51) else (2019 if index < round(count * 49 / 51) else 2020)
    return datetime.date(year, rng.randint(3, 10), rng.randint(1, 28))


def build(context: DemoContext) -> None:
    rng = context.rng
    made = context.made
    county: Region = made["county"]
    office = made["users"].get("office")
    keeper = made["users"].get("keeper")
    federation = made["federation"]
    today = datetime.date.today()  # noqa: DTZ011 - demo dates, not instants

    items = [
        services.item_create(
            actor=office,
            region=county,
            name=name,
            category=category,
            unit=unit,
            points_price=points,
            reference_value=Decimal(value),
        )
        for name, category, unit, points, value in CATALOGUE
    ]
    townships = list(made["townships"])
    stores: list[Store] = []
    for index, township in enumerate(townships[:51]):
        stores.append(
            services.store_create(
                actor=office,
                name=f"{township.name}爱心超市",
                region=township,
                organization=federation,
                opened_on=_opened_on(rng, index, min(len(townships), 51)),
                keepers=[keeper] if index == 0 and keeper else [],
                address=f"{township.name}政府院内",
            )
        )
    by_township = {store.region_code[:9]: store for store in stores}

    # Enrolment: every safety-net household at its township's store; a few more by the office.
    enrolled: dict[int, list[Household]] = {store.pk: [] for store in stores}
    households = Household.objects.filter(region_code__startswith=county.code[:6]).order_by("pk")
    for household in households.filter(safety_net__in=[SafetyNet.DIBAO, SafetyNet.TEKUN]):
        store = by_township.get(household.region_code[:9])
        if store is None:
            continue
        services.enrolment_create(
            actor=office,
            store=store,
            household=household,
            enrolled_on=max(store.opened_on, datetime.date(2018, 6, 1)),
        )
        enrolled[store.pk].append(household)
    first = stores[0]
    if len(enrolled[first.pk]) < 8:
        others = households.filter(region_code__startswith=first.region_code[:9]).exclude(
            pk__in=[h.pk for h in enrolled[first.pk]]
        )
        for household in others[: 8 - len(enrolled[first.pk])]:
            services.enrolment_create(
                actor=office,
                store=first,
                household=household,
                reason="因病致贫,家中缺劳动力",
                enrolled_on=first.opened_on,
            )
            enrolled[first.pk].append(household)

    donors = [federation, *made["enterprises"], made["hospital"], made["school"], made["charity"]]
    counts = {"donations": 0, "redemptions": 0, "deliveries": 0, "meetings": 0}
    # Every year since the first, this one up to today: the running year's figures are not empty.
    for year in range(FIRST_YEAR, today.year + 1):
        for store in stores:
            if store.opened_on.year > year:
                continue
            start = max(store.opened_on, datetime.date(year, 1, 1))
            if start > today:
                continue
            # Donations: goods in spring, sometimes money at the year's end.
            for _n in range(rng.randint(1, 2)):
                chosen = rng.sample(items, 3)
                kind = rng.choice(["organization", "organization", "person", "anonymous"])
                donor = rng.choice(donors) if kind == "organization" else None
                services.donation_record(
                    actor=keeper if store is first else office,
                    store=store,
                    donor_kind=kind,
                    donor_organization=donor,
                    donor_name=context.fake.name() if kind == "person" else "",
                    show_on_board=rng.random() < 0.8,
                    date=_day(rng, start, min(datetime.date(year, 4, 30), today)),
                    lines=[
                        services.DonationLineInput(
                            item=item, quantity=(q := rng.randint(20, 60)), value=item.reference_value * q
                        )
                        for item in chosen
                    ],
                    cash=Decimal(rng.choice([0, 0, 1000, 5000])),
                )
                counts["donations"] += 1
            households_here = list(enrolled[store.pk])
            if not households_here:
                continue
            # The village evaluation meeting in April; points spendable after three days.
            # Village by village at the keeper's store; elsewhere one township-wide meeting a year.
            if store is first:
                places = sorted({h.region_code for h in households_here})
            else:
                places = [store.region_code]
            for place in places:
                village = Region.objects.get(code=place)
                held = datetime.date(year, 4, rng.randint(1, 20))
                if held < store.opened_on:
                    held = store.opened_on
                if held > today - datetime.timedelta(days=7):
                    continue  # this year's meeting is still to come
                meeting = services.meeting_create(actor=office, store=store, region=village, held_on=held)
                for household in (
                    h for h in households_here if h.region_code.startswith(services.region_prefix(place))
                ):
                    for category, reason in rng.sample(SCORES, 2):
                        services.meeting_score_add(
                            actor=office,
                            meeting=meeting,
                            household=household,
                            category=category,
                            points=rng.randint(30, 80),
                            reason=reason,
                        )
                services.meeting_publicise(actor=office, meeting=meeting, on=held)
                services.meeting_confirm(actor=office, meeting=meeting, today=today)
                counts["meetings"] += 1
            # Redemptions through the year; some households get their goods at home.
            spend_from = max(start, datetime.date(year, 5, 1))
            if spend_from > today:
                continue
            for household in households_here:
                for _n in range(rng.randint(0, 2)):
                    basket = [
                        services.BasketLine(item=item, quantity=rng.randint(1, 2))
                        for item in rng.sample(items[:10], 2)
                    ]
                    try:
                        if rng.random() < 0.15:
                            _deliver(
                                store,
                                household,
                                basket,
                                _day(rng, spend_from, min(datetime.date(year, 12, 20), today)),
                                keeper if store is first else office,
                            )
                            counts["deliveries"] += 1
                        else:
                            services.redemption_create(
                                actor=keeper if store is first else office,
                                store=store,
                                household=household,
                                lines=basket,
                                date=_day(rng, spend_from, min(datetime.date(year, 12, 31), today)),
                                delivery=Delivery.COUNTER,
                            )
                        counts["redemptions"] += 1
                    except SupermarketError:
                        continue  # short of points or stock that day: the keeper says so and nothing is written
    # One meeting of this year still under publicity, to show the step.
    village = Region.objects.get(code=enrolled[first.pk][0].region_code)
    pending = services.meeting_create(actor=office, store=first, region=village, held_on=today)
    services.meeting_score_add(
        actor=office,
        meeting=pending,
        household=enrolled[first.pk][0],
        category="public_works",
        points=20,
        reason="清扫村道",
    )
    services.meeting_publicise(actor=office, meeting=pending, on=today)
    made.update(stores=stores, supermarket_items=items)
    enrolled_total = sum(len(v) for v in enrolled.values())
    context.lines.append(
        f"love supermarkets: {len(stores)} stores, {enrolled_total} enrolled households, "
        f"{counts['donations']} donations, {counts['meetings']} meetings, "
        f"{counts['redemptions']} redemptions ({counts['deliveries']} delivered home); "
        f"keeper keeps {first.name}"
    )


def _day(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _deliver(store, household, basket, day, actor) -> None:
    import zoneinfo

    from django.conf import settings

    request = services.delivery_request_create(
        actor=actor, store=store, household=household, lines=basket, note="行动不便"
    )
    trip = services.trip_create(
        actor=actor, store=store, date=day, staff="爱心超市专车 王师傅", vehicle="豫D·A1234"
    )
    services.delivery_assign(actor=actor, request=request, trip=trip)
    when = datetime.datetime.combine(day, datetime.time(10, 30), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    try:
        services.delivery_complete(actor=actor, request=request, delivered_by="王师傅", delivered_at=when)
    except SupermarketError:
        services.delivery_cancel(actor=actor, request=request, reason="积分或库存不足")
        raise
