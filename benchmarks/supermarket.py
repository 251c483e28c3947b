"""Love supermarkets at county scale: the yearly figures page and a counter redemption,
each beside the bare SQL it needs.

    python benchmarks/supermarket.py [--quick] [--repeat N]

Builds in a scratch PostgreSQL database (or DATABASE_URL) 50 stores, 30,000 enrolled
households with points accounts, and about 1,000,000 ledger rows over 2018–2025: redemptions
with their lines and stock movements, and hash-chained point entries (--quick: 5 stores,
3,000 households, about 100,000 rows). Rows are written in bulk, not through the services:
the point is to measure the reads and one write against tables of that size.

Then it times (median of --repeat runs):
1. the figures page (``/supermarket/figures/``, an office user of the county, through the
   Django test client: session, scope, queries, template) beside the bare aggregate SQL of
   the same figures;
2. a counter redemption (``services.redemption_create``: checks, conditional updates of
   points and stock, redemption, line, movement, chained point entry) beside a bare
   conditional UPDATE of the points plus one INSERT of a redemption row.

Goals (issue 5): figures page <= 3 x its bare aggregate; redemption <= 5 x the bare
insert+update. The last line is one JSON object.
"""

import datetime
import random
import time
from decimal import Decimal

from _common import arguments, report, setup_django, timed

YEARS = list(range(2018, 2026))


def build(sizes: dict) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from bangfu.accounts import services as accounts
    from bangfu.accounts.models import OrganizationKind
    from bangfu.audit.ledger import compute_hash
    from bangfu.audit.models import LedgerChain
    from bangfu.core.permissions import Role
    from bangfu.regions.models import Region
    from bangfu.regions.services import regions_load
    from bangfu.registry.models import Household
    from bangfu.supermarket import services
    from bangfu.supermarket.models import (
        Enrolment,
        PointAccount,
        PointEntry,
        Redemption,
        RedemptionLine,
        StockBalance,
        StockMove,
    )

    rng = random.Random(5)
    if not Region.objects.filter(code="410423101001").exists():
        regions_load(prefix="4104")
    county = Region.objects.get(code="410423000000")
    townships = list(Region.objects.filter(level="township", code__startswith="410423").order_by("code"))
    villages = list(Region.objects.filter(level="village", code__startswith="410423").order_by("code"))
    union = accounts.organization_create(
        actor=None, name="鲁山县总工会", kind=OrganizationKind.UNION, region=county
    )
    office = accounts.user_create(actor=None, username="bench-office", password="Bench-password-1")
    accounts.membership_create(
        actor=None, user=office, organization=union, role=Role.OFFICE, regions=[county]
    )
    keeper = accounts.user_create(actor=None, username="bench-keeper", password="Bench-password-1")
    accounts.membership_create(
        actor=None, user=keeper, organization=union, role=Role.STORE_KEEPER, regions=[county]
    )

    stores = []
    for index in range(sizes["stores"]):
        township = townships[index % len(townships)]
        stores.append(
            services.store_create(
                actor=None,
                name=f"{township.name}爱心超市{index}",
                region=township,
                organization=union,
                opened_on=datetime.date(2018 + index % 3, 3, 1),
                keepers=[keeper],
            )
        )
    items = [
        services.item_create(
            actor=None,
            region=county,
            name=f"物品{n}",
            category="grain_oil",
            unit="袋",
            points_price=5 + n,
            reference_value=Decimal(5 + n),
        )
        for n in range(12)
    ]
    by_township: dict[str, list] = {}
    for store in stores:
        by_township.setdefault(store.region_code[:9], []).append(store)
    store_villages = [v for v in villages if v.code[:9] in by_township]

    now = timezone.now()
    households = []
    for n in range(sizes["households"]):
        village = store_villages[n % len(store_villages)]
        households.append(
            Household(
                code=f"BENCH{n:07d}",
                region=village,
                region_code=village.code,
                safety_net="dibao",
                head_name=f"户主{n}",
            )
        )
    Household.objects.bulk_create(households, batch_size=5000)
    households = list(Household.objects.filter(code__startswith="BENCH").order_by("pk"))
    home = {
        h.pk: by_township[h.region_code[:9]][h.pk % len(by_township[h.region_code[:9]])] for h in households
    }
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                store=home[h.pk],
                household=h,
                region_code=h.region_code,
                basis="safety_net",
                enrolled_on=datetime.date(2018, 6, 1),
            )
            for h in households
        ],
        batch_size=5000,
    )
    per_year = sizes["redemptions_per_household_year"]
    credit = 60 * len(YEARS)
    PointAccount.objects.bulk_create(
        [
            PointAccount(household=h, store=home[h.pk], region_code=h.region_code, balance=0)
            for h in households
        ],
        batch_size=5000,
    )
    accounts_by_household = dict(PointAccount.objects.values_list("household_id", "pk"))
    LedgerChain.objects.bulk_create(
        [
            LedgerChain(ledger=PointEntry.ledger_name, key=f"account:{pk}")
            for pk in accounts_by_household.values()
        ],
        batch_size=5000,
    )
    chains = dict(LedgerChain.objects.filter(ledger=PointEntry.ledger_name).values_list("key", "pk"))

    # Redemptions, lines and movements by year; the points they took, then the credits before them.
    redemptions, rows = [], 0
    for h in households:
        for year in YEARS:
            for _ in range(rng.randint(0, per_year * 2)):
                item = rng.choice(items)
                redemptions.append(
                    Redemption(
                        store=home[h.pk],
                        household=h,
                        region_code=h.region_code,
                        receipt_number=f"B{len(redemptions):09d}",
                        date=datetime.date(year, rng.randint(5, 12), rng.randint(1, 28)),
                        points=item.points_price,
                        value=item.reference_value,
                        created_at=now,
                    )
                )
    with transaction.atomic():
        Redemption.objects.bulk_create(redemptions, batch_size=5000)
    item_of = {item.points_price: item for item in items}
    lines, moves = [], []
    for r in (
        Redemption.objects.filter(receipt_number__startswith="B")
        .values_list("pk", "store_id", "region_code", "date", "points")
        .iterator(chunk_size=20000)
    ):
        pk, store_id, region_code, date, points = r
        item = item_of[points]
        lines.append(
            RedemptionLine(redemption_id=pk, item=item, quantity=1, points=points, value=item.reference_value)
        )
        moves.append(
            StockMove(
                store_id=store_id,
                region_code=region_code,
                item=item,
                kind="redemption_out",
                quantity=-1,
                date=date,
                redemption_id=pk,
            )
        )
    RedemptionLine.objects.bulk_create(lines, batch_size=5000)
    StockMove.objects.bulk_create(moves, batch_size=5000)
    rows += len(redemptions) + len(lines) + len(moves)
    # Stock: what was handed out plus a reserve, as opening stock.
    handed: dict[tuple[int, int], int] = {}
    for move in moves:
        handed[(move.store_id, move.item_id)] = handed.get((move.store_id, move.item_id), 0) + 1
    openings = [
        StockMove(
            store=store,
            region_code=store.region_code,
            item=item,
            kind="opening",
            quantity=handed.get((store.pk, item.pk), 0) + 1000,
            date=datetime.date(2018, 1, 1),
        )
        for store in stores
        for item in items
    ]
    StockMove.objects.bulk_create(openings)
    StockBalance.objects.bulk_create(
        [
            StockBalance(store=store, item=item, region_code=store.region_code, quantity=1000)
            for store in stores
            for item in items
        ]
    )
    # Point entries: a yearly meeting credit, then the redemptions, chained per account.
    spent: dict[int, list] = {}
    for pk, household_id, date, points in (
        Redemption.objects.filter(receipt_number__startswith="B")
        .values_list("pk", "household_id", "date", "points")
        .order_by("household_id", "date", "pk")
        .iterator(chunk_size=20000)
    ):
        spent.setdefault(household_id, []).append((pk, date, points))
    entries, heads = [], []
    for h in households:
        account = accounts_by_household[h.pk]
        chain = chains[f"account:{account}"]
        seq, prev, balance = 0, "0" * 64, 0
        events = [(datetime.date(year, 4, 10), "meeting", 60, None) for year in YEARS]
        events += [(date, "redemption", -points, pk) for pk, date, points in spent.get(h.pk, [])]
        events.sort(key=lambda e: (e[0], e[1] != "meeting"))
        for date, kind, points, redemption in events:
            seq += 1
            entry = PointEntry(
                chain_id=chain,
                seq=seq,
                prev_hash=prev,
                created_at=now,
                account_id=account,
                region_code=h.region_code,
                kind=kind,
                points=points,
                date=date,
                redemption_id=redemption,
            )
            entry.entry_hash = compute_hash(entry)
            prev = entry.entry_hash
            balance += points
            entries.append(entry)
        heads.append((chain, seq, prev, account, balance))
        if len(entries) >= 20000:
            PointEntry.objects.bulk_create(entries, batch_size=5000)
            rows += len(entries)
            entries = []
    PointEntry.objects.bulk_create(entries, batch_size=5000)
    rows += len(entries)
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE audit_ledgerchain SET last_seq = %s, last_hash = %s WHERE id = %s",
            [(seq, last, chain) for chain, seq, last, _a, _b in heads],
        )
        cursor.executemany(
            "UPDATE supermarket_pointaccount SET balance = %s WHERE id = %s",
            [(balance + credit, account) for _c, _s, _l, account, balance in heads],
        )
        cursor.execute("ANALYZE")
    # The extra credit above keeps every account able to redeem in the timed runs.
    return {
        "office": office,
        "keeper": keeper,
        "stores": stores,
        "items": items,
        "households": households,
        "rows": rows,
    }


BARE_FIGURES = [
    "SELECT EXTRACT(YEAR FROM date), SUM(cash + goods_value) FROM supermarket_donation GROUP BY 1",
    "SELECT EXTRACT(YEAR FROM date), COUNT(*), COUNT(DISTINCT household_id), SUM(points)"
    " FROM supermarket_redemption GROUP BY 1",
    "SELECT EXTRACT(YEAR FROM e.date), SUM(e.points) FROM supermarket_pointentry e"
    " JOIN supermarket_pointaccount a ON a.id = e.account_id"
    " WHERE e.points > 0 AND e.kind NOT IN ('redemption', 'reversal') GROUP BY 1",
    "SELECT EXTRACT(YEAR FROM m.date), SUM(m.quantity * i.reference_value) FROM supermarket_stockmove m"
    " JOIN supermarket_item i ON i.id = m.item_id GROUP BY 1",
    "SELECT COUNT(DISTINCT household_id) FROM supermarket_redemption",
    "SELECT SUM(b.quantity * i.reference_value) FROM supermarket_stockbalance b"
    " JOIN supermarket_item i ON i.id = b.item_id",
    "SELECT id, opened_on, closed_on FROM supermarket_store",
]


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    quick = args.quick
    repeat = args.repeat or (5 if quick else 9)
    sizes = (
        {"stores": 5, "households": 3_000, "redemptions_per_household_year": 1}
        if quick
        else {"stores": 50, "households": 30_000, "redemptions_per_household_year": 1}
    )
    setup_django("supermarket")
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from bangfu.supermarket import services

    started = time.perf_counter()
    world = build(sizes)
    build_seconds = time.perf_counter() - started

    client = Client()
    client.force_login(world["office"])
    url = reverse("supermarket:figures")
    assert client.get(url).status_code == 200
    page, _ = timed(lambda: client.get(url), repeat)

    def bare_figures():
        with connection.cursor() as cursor:
            for statement in BARE_FIGURES:
                cursor.execute(statement)
                cursor.fetchall()

    bare, _ = timed(bare_figures, repeat)

    rng = random.Random(9)
    store = world["stores"][0]
    from bangfu.supermarket.models import Enrolment

    enrolled = list(Enrolment.objects.filter(store=store).values_list("household_id", flat=True)[:500])
    from bangfu.registry.models import Household

    people = {h.pk: h for h in Household.objects.filter(pk__in=enrolled)}
    item = world["items"][0]

    def redeem():
        services.redemption_create(
            actor=world["keeper"],
            store=store,
            household=people[rng.choice(enrolled)],
            lines=[services.BasketLine(item=item, quantity=1)],
        )

    counter = iter(range(10**9))

    def bare_redeem():
        household = rng.choice(enrolled)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE supermarket_pointaccount SET balance = balance - %s WHERE household_id = %s AND balance >= %s",
                [item.points_price, household, item.points_price],
            )
            cursor.execute(
                "INSERT INTO supermarket_redemption (store_id, household_id, region_code, receipt_number, date,"
                " delivery, points, value, created_at) VALUES (%s, %s, %s, %s, CURRENT_DATE, 'counter', %s, %s, now())",
                [
                    store.pk,
                    household,
                    store.region_code,
                    f"BARE{next(counter):09d}",
                    item.points_price,
                    item.reference_value,
                ],
            )

    redeem()
    bare_redeem()
    redemption, _ = timed(redeem, repeat * 4)
    bare_write, _ = timed(bare_redeem, repeat * 4)

    figures = {
        "stores": sizes["stores"],
        "enrolled_households": sizes["households"],
        "ledger_rows": world["rows"],
        "build_seconds": round(build_seconds, 1),
        "figures_page_ms": round(page * 1000, 1),
        "figures_bare_sql_ms": round(bare * 1000, 1),
        "figures_ratio": round(page / bare, 2),
        "redemption_ms": round(redemption * 1000, 2),
        "bare_insert_update_ms": round(bare_write * 1000, 2),
        "redemption_ratio": round(redemption / bare_write, 2),
    }
    goals = {"figures_ratio": "<= 3", "redemption_ratio": "<= 5"}
    met = figures["figures_ratio"] <= 3 and figures["redemption_ratio"] <= 5
    report("supermarket", figures, goals, met)


if __name__ == "__main__":
    main()
