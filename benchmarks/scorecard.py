"""Scorecards at province scale: the county and the province scorecard, each beside the sum of
the bare SQL aggregates it needs.

    python benchmarks/scorecard.py [--quick] [--repeat N]

Builds in a scratch PostgreSQL database (or DATABASE_URL) the small demo county (for its
organisations, users, projects, stores, suppliers and teams; --quick: a minimal base of one
office, project, store and supplier), one love supermarket per township (at most 2,000), then
adds with COPY, spread over every village of Henan (41; --quick: 平顶山市 4104): about
10,000,000 persons in 3,300,000 households and 5,000,000 ledger rows across modules —
purchases, fund entries, donations, redemptions and visits (--quick: 100,000 persons and
50,000 ledger rows). Rows are written in
bulk, not through the services: the point is to measure the reads.

Then it times (median of --repeat runs) ``build_scorecard`` for 2014–2025 cumulative:
1. the county (410423) for the county office user;
2. the province (41) for a nationwide user;
each beside the sum of the bare SQL aggregates its sections compute (the same counts and sums,
grouped the same way, written by hand). Goal (issue 8): scorecard <= 2 x the bare SQL, and the
province scorecard under a few seconds (5 s here). The last line is one JSON object.
"""

import datetime
import random
import time

from _common import arguments, report, setup_django, timed

FULL = {"prefix": "41", "persons": 10_000_000, "ledger": 5_000_000, "demo": True}
QUICK = {"prefix": "4104", "persons": 100_000, "ledger": 50_000, "demo": False}
SHARES = {"purchase": 0.3, "fund": 0.2, "donation": 0.1, "redemption": 0.3, "visit": 0.1}
FIRST, LAST = 2014, 2025
EPOCH = datetime.date(FIRST, 1, 1)
DAYS = (datetime.date(LAST, 12, 31) - EPOCH).days


def _copy(table: str, columns: list[str], rows) -> int:
    from django.db import connection

    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _next_id(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608 - fixed table names
        return cursor.fetchone()[0]


def _reset_sequence(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )  # noqa: S608


def minimal_base() -> None:
    """What the bulk rows refer to, without the demo county (--quick stays under a minute):
    a county office and its user, a nationwide administrator, a partnership and project,
    a store and a supplier with one purchase."""
    import datetime as dt

    from bangfu.accounts import services as accounts
    from bangfu.accounts.models import OrganizationKind
    from bangfu.assistance import services as assistance
    from bangfu.consumption.models import Purchase, Supplier
    from bangfu.core.permissions import Role
    from bangfu.regions.models import Region
    from bangfu.supermarket import services as supermarket

    county = Region.objects.get(code="410423000000")
    office_org = accounts.organization_create(
        actor=None, name="鲁山县帮扶办公室", kind=OrganizationKind.GOVERNMENT, region=county
    )
    office = accounts.user_create(actor=None, username="office", password="Bench-only-2026")  # noqa: S106
    accounts.membership_create(
        actor=None, user=office, organization=office_org, role=Role.OFFICE, regions=[county]
    )
    accounts.user_create(actor=None, username="admin", password="Bench-only-2026", is_superuser=True)  # noqa: S106
    partnership = assistance.partnership_create(
        actor=office, organization=office_org, kind="designated", region=county, start_year=2014
    )
    assistance.project_create(
        actor=office,
        name="产业帮扶",
        organization=office_org,
        region=county,
        type="industry",
        budget=1_000_000,
        start_date=dt.date(2015, 3, 1),
        partnership=partnership,
    )
    township = Region.objects.filter(code__startswith="410423", level="township").first()
    supermarket.store_create(
        actor=office, name="爱心超市", region=township, organization=office_org, opened_on=dt.date(2018, 3, 1)
    )
    supplier = Supplier.objects.create(
        name="合作社", kind="cooperative", region=county, region_code=county.code
    )
    Purchase.objects.create(
        buyer=office_org,
        region_code=county.code,
        supplier=supplier,
        supplier_region_code=county.code,
        date=dt.date(2020, 5, 1),
    )


def build(sizes: dict) -> dict:
    from django.db import connection
    from django.utils import timezone

    from bangfu.accounts.models import User
    from bangfu.assistance.models import Project
    from bangfu.audit.models import LedgerChain
    from bangfu.consumption.models import Purchase
    from bangfu.core.demo import build_demo
    from bangfu.regions.models import Region
    from bangfu.regions.services import regions_load
    from bangfu.supermarket.models import Store

    rng = random.Random(8)
    started = time.perf_counter()
    regions_load(prefix=sizes["prefix"])
    if sizes["demo"]:
        build_demo(scale="small", seed=1)
    else:
        minimal_base()
    demo_seconds = time.perf_counter() - started
    villages = list(
        Region.objects.filter(level="village", code__startswith=sizes["prefix"]).values_list(
            "code", flat=True
        )
    )
    now = timezone.now()
    office = User.objects.get(username="office")
    projects = list(Project.objects.values_list("pk", flat=True))
    # love supermarkets across the province, one per township (at most 2,000): a donation or a
    # redemption lies where its store is, as the services record it
    operator = Store.objects.values_list("organization_id", flat=True).first()
    townships = list(
        Region.objects.filter(level="township", code__startswith=sizes["prefix"]).values_list(
            "code", flat=True
        )
    )
    picked = rng.sample(townships, min(2000, len(townships)))
    Store.objects.bulk_create(
        Store(
            name=f"爱心超市{code}",
            region_id=code,
            region_code=code,
            organization_id=operator,
            opened_on=datetime.date(2016 + rng.randrange(8), 3, 1),
            point_value=1,
            created_at=timezone.now(),
        )
        for code in picked
    )
    stores = list(Store.objects.values_list("pk", "region_code"))
    buyers_suppliers = list(Purchase.objects.values_list("buyer_id", "supplier_id").distinct())

    def day() -> datetime.date:
        return EPOCH + datetime.timedelta(days=rng.randrange(DAYS))

    started = time.perf_counter()
    # households and persons ----------------------------------------------------------------------
    first_household = _next_id("registry_household")
    household_count = sizes["persons"] * 10 // 30
    household_villages = [villages[rng.randrange(len(villages))] for _ in range(household_count)]

    def households():
        for i in range(household_count):
            village = household_villages[i]
            lifted = rng.choice((None, 2016, 2017, 2018, 2019, 2020))
            yield (
                first_household + i,
                f"B{i:09d}",
                village,
                village,
                "",
                "",
                "",
                True,
                2014,
                lifted,
                rng.choice(("", "", "", "dibao", "tekun")),
                "lifted" if lifted else "poor",
                3,
                None,
                "",
                now,
                now,
            )

    _copy(
        "registry_household",
        [
            "id",
            "code",
            "region_code",
            "region_id",
            "address",
            "head_name",
            "phone",
            "registered",
            "registered_year",
            "lifted_year",
            "safety_net",
            "status",
            "members_count",
            "latest_per_capita",
            "notes",
            "created_at",
            "updated_at",
        ],
        households(),
    )
    _reset_sequence("registry_household")

    def persons():
        birth = datetime.date(1970, 1, 1)
        previous = -1
        for i in range(sizes["persons"]):
            h = i * household_count // sizes["persons"]
            relation = "head" if h != previous else "child"
            previous = h
            yield (
                household_villages[h],
                "张三",
                "zhangsan",
                "zs",
                "x",
                f"b{i}",
                "4104**********000X",
                "male",
                birth,
                relation,
                "healthy",
                "",
                "",
                "ordinary",
                "",
                "",
                True,
                False,
                False,
                True,
                now,
                first_household + h,
            )

    _copy(
        "registry_person",
        [
            "region_code",
            "name",
            "name_pinyin",
            "name_initials",
            "id_number",
            "id_number_hash",
            "id_number_masked",
            "gender",
            "birth_date",
            "relation",
            "health",
            "education",
            "school_stage",
            "labor_capacity",
            "employment",
            "employer",
            "medical_insurance",
            "pension_insurance",
            "serious_illness_insurance",
            "is_active",
            "created_at",
            "household_id",
        ],
        persons(),
    )
    # ledgers -------------------------------------------------------------------------------------
    total = sizes["ledger"]
    n = {kind: int(total * share) for kind, share in SHARES.items()}

    def purchases():
        for _ in range(n["purchase"]):
            buyer, supplier = buyers_suppliers[rng.randrange(len(buyers_suppliers))]
            amount = rng.randrange(100, 50_000)
            yield (
                villages[rng.randrange(len(villages))],
                villages[rng.randrange(len(villages))],
                day(),
                rng.choice(("direct", "online", "canteen")),
                "welfare",
                "",
                "unit",
                "",
                amount,
                amount if rng.random() < 0.8 else 0,
                "import",
                "",
                "",
                now,
                buyer,
                supplier,
            )

    _copy(
        "consumption_purchase",
        [
            "region_code",
            "supplier_region_code",
            "date",
            "channel",
            "purpose",
            "invoice_number",
            "paid_by",
            "staff_name",
            "total_amount",
            "certified_amount",
            "source",
            "idempotency_key",
            "note",
            "recorded_at",
            "buyer_id",
            "supplier_id",
        ],
        purchases(),
    )
    fund_chain = LedgerChain.objects.create(ledger="assistance.fund", key="benchmark")
    donation_chain = LedgerChain.objects.create(ledger="supermarket.donation", key="benchmark")

    def funds():
        for i in range(n["fund"]):
            yield (
                i + 1,
                "",
                "",
                now,
                villages[rng.randrange(len(villages))],
                rng.choice(("invested", "coordinated", "spent")),
                day(),
                rng.randrange(1_000, 500_000),
                "",
                "",
                "",
                "",
                fund_chain.pk,
                projects[rng.randrange(len(projects))],
            )

    _copy(
        "assistance_fundentry",
        [
            "seq",
            "prev_hash",
            "entry_hash",
            "created_at",
            "region_code",
            "kind",
            "date",
            "amount",
            "source",
            "voucher_number",
            "note",
            "override_reason",
            "chain_id",
            "project_id",
        ],
        funds(),
    )

    def donations():
        for i in range(n["donation"]):
            store, store_region = stores[rng.randrange(len(stores))]
            yield (
                i + 1,
                "",
                "",
                now,
                store_region,
                f"BD{i:09d}",
                "person",
                "",
                False,
                day(),
                rng.randrange(0, 2_000),
                rng.randrange(0, 5_000),
                "",
                "",
                donation_chain.pk,
                store,
            )

    _copy(
        "supermarket_donation",
        [
            "seq",
            "prev_hash",
            "entry_hash",
            "created_at",
            "region_code",
            "receipt_number",
            "donor_kind",
            "donor_name",
            "show_on_board",
            "date",
            "cash",
            "goods_value",
            "lines_digest",
            "note",
            "chain_id",
            "store_id",
        ],
        donations(),
    )

    def redemptions():
        for i in range(n["redemption"]):
            h = rng.randrange(household_count)
            store, store_region = stores[rng.randrange(len(stores))]
            yield (
                store_region,
                f"BR{i:09d}",
                day(),
                "counter",
                20,
                20,
                now,
                first_household + h,
                store,
            )

    _copy(
        "supermarket_redemption",
        [
            "region_code",
            "receipt_number",
            "date",
            "delivery",
            "points",
            "value",
            "created_at",
            "household_id",
            "store_id",
        ],
        redemptions(),
    )

    def visits():
        for _ in range(n["visit"]):
            h = rng.randrange(household_count)
            yield household_villages[h], day(), "", "入户走访", now, first_household + h, office.pk

    _copy(
        "fieldwork_visit",
        ["region_code", "visited_on", "companions", "findings", "created_at", "household_id", "visitor_id"],
        visits(),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "villages": len(villages),
        "households": household_count,
        "persons": sizes["persons"],
        "ledger_rows": sum(n.values()),
        "demo_seconds": round(demo_seconds, 1),
        "load_seconds": round(time.perf_counter() - started, 1),
    }


def bare_sql(prefix: str) -> list[tuple[str, list]]:
    """The aggregates the scorecard's sections compute, written by hand (one statement each)."""
    low, high = prefix.ljust(12, "0"), prefix.ljust(12, "9")
    lo, hi = datetime.date(FIRST, 1, 1), datetime.date(LAST, 12, 31)
    part = len(prefix) + (2 if len(prefix) < 6 else 3)
    r = [low, high]
    return [
        # registry
        (
            "SELECT count(*), count(*) FILTER (WHERE registered), count(*) FILTER (WHERE safety_net <> ''), "
            "count(*) FILTER (WHERE lifted_year BETWEEN %s AND %s) FROM registry_household "
            "WHERE region_code BETWEEN %s AND %s",
            [FIRST, LAST, *r],
        ),
        (
            "SELECT lifted_year, count(*) FROM registry_household WHERE region_code BETWEEN %s AND %s "
            "AND lifted_year BETWEEN %s AND %s GROUP BY 1",
            [*r, FIRST, LAST],
        ),
        (
            "SELECT safety_net, count(*) FROM registry_household WHERE region_code BETWEEN %s AND %s "
            "AND safety_net <> '' GROUP BY 1",
            r,
        ),
        (
            "SELECT c.povertycause_id, count(*) FROM registry_household h JOIN registry_household_causes c "
            "ON c.household_id = h.id WHERE h.region_code BETWEEN %s AND %s GROUP BY 1",
            r,
        ),
        (
            f"SELECT substr(region_code, 1, {part}), count(*) FROM registry_household "  # noqa: S608
            "WHERE region_code BETWEEN %s AND %s GROUP BY 1",
            r,
        ),
        ("SELECT count(*) FROM registry_person WHERE is_active AND region_code BETWEEN %s AND %s", r),
        # assistance
        (
            "SELECT kind, count(*) FROM assistance_partnership WHERE region_code BETWEEN %s AND %s "
            "AND start_year <= %s AND (end_year IS NULL OR end_year >= %s) GROUP BY 1",
            [*r, LAST, FIRST],
        ),
        (
            "SELECT type, count(*), sum(budget) FROM assistance_project WHERE region_code BETWEEN %s AND %s "
            "AND start_date BETWEEN %s AND %s GROUP BY 1",
            [*r, lo, hi],
        ),
        (
            "SELECT extract(year FROM date), kind, sum(amount) FROM assistance_fundentry "
            "WHERE region_code BETWEEN %s AND %s AND date BETWEEN %s AND %s GROUP BY 1, 2",
            [*r, lo, hi],
        ),
        (
            f"SELECT substr(region_code, 1, {part}), sum(amount) FROM assistance_fundentry "  # noqa: S608
            "WHERE region_code BETWEEN %s AND %s AND date BETWEEN %s AND %s AND kind = 'invested' GROUP BY 1",
            [*r, lo, hi],
        ),
        # consumption
        (
            "SELECT extract(year FROM date), count(*), sum(total_amount), sum(certified_amount) "
            "FROM consumption_purchase WHERE (region_code BETWEEN %s AND %s OR supplier_region_code BETWEEN %s "
            "AND %s) AND date BETWEEN %s AND %s GROUP BY 1",
            [*r, *r, lo, hi],
        ),
        (
            "SELECT channel, sum(total_amount) FROM consumption_purchase WHERE (region_code BETWEEN %s AND %s "
            "OR supplier_region_code BETWEEN %s AND %s) AND date BETWEEN %s AND %s GROUP BY 1",
            [*r, *r, lo, hi],
        ),
        # supermarket
        (
            "SELECT extract(year FROM date), sum(cash + goods_value), count(*) FROM supermarket_donation "
            "WHERE region_code BETWEEN %s AND %s AND date BETWEEN %s AND %s GROUP BY 1",
            [*r, lo, hi],
        ),
        (
            "SELECT extract(year FROM date), count(*) FROM supermarket_redemption "
            "WHERE region_code BETWEEN %s AND %s AND date BETWEEN %s AND %s GROUP BY 1",
            [*r, lo, hi],
        ),
        (
            "SELECT count(DISTINCT household_id) FROM supermarket_redemption "
            "WHERE region_code BETWEEN %s AND %s AND date BETWEEN %s AND %s",
            [*r, lo, hi],
        ),
        (
            f"SELECT substr(region_code, 1, {part}), count(*) FROM supermarket_redemption "  # noqa: S608
            "WHERE region_code BETWEEN %s AND %s AND date BETWEEN %s AND %s GROUP BY 1",
            [*r, lo, hi],
        ),
        # fieldwork
        (
            "SELECT count(*) FROM fieldwork_team WHERE region_code BETWEEN %s AND %s AND starts_on <= %s "
            "AND (ends_on IS NULL OR ends_on >= %s)",
            [*r, hi, lo],
        ),
        (
            "SELECT count(*), count(DISTINCT household_id) FROM fieldwork_visit "
            "WHERE region_code BETWEEN %s AND %s AND visited_on BETWEEN %s AND %s",
            [*r, lo, hi],
        ),
        (
            "SELECT extract(year FROM visited_on), count(*) FROM fieldwork_visit "
            "WHERE region_code BETWEEN %s AND %s AND visited_on BETWEEN %s AND %s GROUP BY 1",
            [*r, lo, hi],
        ),
        (
            f"SELECT substr(region_code, 1, {part}), count(*) FROM fieldwork_visit "  # noqa: S608
            "WHERE region_code BETWEEN %s AND %s AND visited_on BETWEEN %s AND %s GROUP BY 1",
            [*r, lo, hi],
        ),
    ]


def run_bare(statements) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()


def main() -> None:
    args = arguments(
        "Scorecards at province scale beside their bare SQL aggregates.",
        reuse="measure the data already in DATABASE_URL (loaded by an earlier run) instead of loading",
    )
    sizes = QUICK if args.quick else FULL
    repeat = args.repeat or (3 if args.quick else 3)
    setup_django("scorecard")
    from django.db import reset_queries

    from bangfu.accounts.models import User
    from bangfu.registry.models import Person
    from bangfu.reports import rollups
    from bangfu.reports.scorecard import Period, Scope, build_scorecard

    if args.reuse and Person.objects.exists():
        built = {"persons": Person.objects.count(), "reused": True}
    else:
        built = build(sizes)
    print(f"built: {built}", flush=True)
    # the rollup cells, built whole from the records once after the bulk load (as `bangfu rollups` does)
    started = time.perf_counter()
    cells = rollups.rebuild()
    built["rollup_build_s"] = round(time.perf_counter() - started, 1)
    built["rollup_cells"] = sum(cells.values())
    print(f"rollups: {cells} in {built['rollup_build_s']} s", flush=True)
    period = Period(FIRST, LAST, cumulative=True)
    today = datetime.date(2026, 6, 30)
    office = User.objects.get(username="office")
    admin = User.objects.get(username="admin")
    figures: dict = {**built}
    met = True
    for name, user, prefix in (("county", office, "410423"), ("province", admin, sizes["prefix"])):
        scope = Scope(prefixes=(prefix,), label=prefix)
        statements = bare_sql(prefix)
        run_bare(statements)  # warm the cache alike for both
        build_scorecard(user=user, scope=scope, period=period, today=today)
        bare, _ = timed(lambda s=statements: run_bare(s), repeat)
        card_seconds, _ = timed(
            lambda u=user, s=scope: build_scorecard(user=u, scope=s, period=period, today=today), repeat
        )
        reset_queries()
        marks = [time.perf_counter()]
        card = build_scorecard(
            user=user,
            scope=scope,
            period=period,
            today=today,
            progress=lambda *_, m=marks: m.append(time.perf_counter()),
        )
        sections = {
            sec.key: round(b - a, 3) for sec, a, b in zip(card.sections, marks[:-1], marks[1:], strict=True)
        }
        figures[f"{name}_sections_s"] = sections
        print(f"{name} sections: {sections}", flush=True)
        ratio = card_seconds / bare if bare else None
        figures[f"{name}_scorecard_s"] = round(card_seconds, 3)
        figures[f"{name}_bare_sql_s"] = round(bare, 3)
        figures[f"{name}_ratio"] = round(ratio, 2) if ratio else None
        print(f"{name}: scorecard {card_seconds:.3f}s, bare SQL {bare:.3f}s, ratio {ratio:.2f}", flush=True)
        met = met and ratio is not None and ratio <= 2
    met = met and figures["province_scorecard_s"] < 5
    report(
        "scorecard",
        figures,
        {"ratio_max": 2, "province_scorecard_s_max": 5, "size": "quick" if args.quick else "full"},
        met,
    )


if __name__ == "__main__":
    main()
