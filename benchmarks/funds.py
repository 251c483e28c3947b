"""Paired assistance at scale: an organisation's page and a region's yearly figures, each beside
the bare SQL aggregate it needs, and `bangfu audit verify` over the whole fund ledger.

    python benchmarks/funds.py [--quick] [--repeat N]

Builds in a scratch PostgreSQL database (or DATABASE_URL) 100 organisations with 10,000
projects in the villages of 平顶山市 (4104) and 1,000,000 fund entries (--quick: 1,000 projects,
50,000 entries): per project money invested and coordinated first, then spends that never
exceed it, each entry hashed onto its project's chain exactly as the services do, and loaded
with COPY. Then it times (median of --repeat runs):

1. an organisation's page (``/accounts/organizations/<pk>/``, a county office user through the
   Django test client: session, scope, the organisation, its partnerships, its projects with
   balances, fund totals, history, template) beside the bare SQL of the same assistance figures
   (partnerships; totals by kind; each project with its sums by kind);
2. a county's yearly figures (``/assistance/figures/?region=…&year=…``: money of the year and by
   year, projects, beneficiaries, outcomes, activities, dividends, helpers, the sentence) beside
   the same eight aggregates in bare SQL;
3. ``audit verify`` over every ledger (every fund entry re-hashed and linked), in rows/s.

Goals (issue 6): both pages <= 3 x their bare aggregates; verify is reported, with no goal.
The last line is one JSON object.
"""

import datetime
import io
import random
import time
from decimal import Decimal

from _common import arguments, report, setup_django, timed

YEAR = 2022
KINDS_IN = ("invested", "coordinated")


def build(sizes: dict) -> dict:
    from django.db import connection
    from django.utils import timezone

    from bangfu.accounts import services as accounts
    from bangfu.accounts.models import OrganizationKind
    from bangfu.assistance.models import FundEntry, Partnership, Project
    from bangfu.audit.ledger import compute_hash
    from bangfu.audit.models import LedgerChain
    from bangfu.core.permissions import Role
    from bangfu.regions.models import Region
    from bangfu.regions.services import regions_load

    rng = random.Random(6)
    if not Region.objects.filter(code="410423101001").exists():
        regions_load(prefix="4104")
    county = Region.objects.get(code="410423000000")
    villages = list(Region.objects.filter(level="village", code__startswith="4104").order_by("code"))
    organizations = [
        accounts.organization_create(
            actor=None, name=f"帮扶企业{n:03d}", kind=OrganizationKind.ENTERPRISE, region=county
        )
        for n in range(sizes["organizations"])
    ]
    office = accounts.user_create(actor=None, username="bench-office", password="Bench-password-1")
    accounts.membership_create(
        actor=None, user=office, organization=organizations[0], role=Role.OFFICE, regions=[county]
    )
    counties = sorted({v.code[:6] for v in villages})
    partnerships = Partnership.objects.bulk_create(
        [
            Partnership(
                organization=organization,
                kind="designated",
                region=Region.objects.get(code=counties[n % len(counties)] + "000000"),
                region_code=counties[n % len(counties)] + "000000",
                start_year=2013,
            )
            for n, organization in enumerate(organizations)
        ]
    )
    projects = []
    for n in range(sizes["projects"]):
        organization_index = n % len(organizations)
        partnership = partnerships[organization_index]
        in_county = [v for v in villages if v.code.startswith(partnership.region_code[:6])]
        village = in_county[rng.randrange(len(in_county))]
        start = datetime.date(rng.randint(2016, 2023), rng.randint(1, 12), 1)
        projects.append(
            Project(
                name=f"项目{n:05d}",
                organization=organizations[organization_index],
                partnership=partnership,
                region=village,
                region_code=village.code,
                type="industry",
                budget=Decimal(1_000_000),
                status="in_progress",
                start_date=start,
                end_date=None,
            )
        )
    Project.objects.bulk_create(projects, batch_size=5000)
    projects = list(Project.objects.order_by("pk").values_list("pk", "region_code", "start_date"))
    LedgerChain.objects.bulk_create(
        [LedgerChain(ledger=FundEntry.ledger_name, key=f"project:{pk}") for pk, _r, _s in projects],
        batch_size=5000,
    )
    chains = dict(LedgerChain.objects.filter(ledger=FundEntry.ledger_name).values_list("key", "pk"))

    now = timezone.now()
    per_project = sizes["entries"] // len(projects)
    columns = (
        "chain_id, seq, prev_hash, entry_hash, created_at, created_by_id, project_id, region_code, kind,"
        " date, amount, source, voucher_number, reverses_id, note, override_reason"
    )
    heads, rows = [], 0
    raw = connection.connection  # psycopg 3
    with raw.cursor() as cursor, cursor.copy(f"COPY assistance_fundentry ({columns}) FROM STDIN") as copy:
        for pk, region_code, start in projects:
            chain = chains[f"project:{pk}"]
            prev, balance = "0" * 64, Decimal(0)
            for seq in range(1, per_project + 1):
                if seq <= 2:
                    kind = KINDS_IN[seq - 1]
                    amount = Decimal(rng.randint(400_000, 600_000))
                else:
                    kind = "spent"
                    amount = Decimal(rng.randint(100, 9_000))
                    if amount > balance:
                        kind, amount = "invested", Decimal(50_000)
                balance += amount if kind in KINDS_IN else -amount
                day = start + datetime.timedelta(days=min(seq * 15, 3000))
                entry = FundEntry(
                    chain_id=chain,
                    seq=seq,
                    prev_hash=prev,
                    created_at=now,
                    created_by_id=None,
                    project_id=pk,
                    region_code=region_code,
                    kind=kind,
                    date=day,
                    amount=amount,
                    source="县财政局" if kind == "coordinated" else "",
                    voucher_number=f"PZ{pk}-{seq}" if kind == "spent" else "",
                    note="",
                    override_reason="",
                )
                entry.entry_hash = compute_hash(entry)
                prev = entry.entry_hash
                copy.write_row(
                    (
                        chain,
                        seq,
                        entry.prev_hash,
                        entry.entry_hash,
                        now,
                        None,
                        pk,
                        region_code,
                        kind,
                        day,
                        f"{amount:.2f}",
                        entry.source,
                        entry.voucher_number,
                        None,
                        "",
                        "",
                    )
                )
                rows += 1
            heads.append((per_project, prev, chain))
    buffer = io.StringIO()
    for seq, last, chain in heads:
        buffer.write(f"{chain}\t{seq}\t{last}\n")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE heads (id bigint, last_seq bigint, last_hash varchar(64))")
        with raw.cursor() as copy_cursor, copy_cursor.copy("COPY heads FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.execute(
            "UPDATE audit_ledgerchain c SET last_seq = h.last_seq, last_hash = h.last_hash FROM heads h"
            " WHERE c.id = h.id"
        )
        cursor.execute("DROP TABLE heads")
        cursor.execute("ANALYZE")
    # The organisation in designated assistance of the benchmark county: its page has projects in scope.
    assisting = organizations[counties.index(county.code[:6])]
    return {"office": office, "organization": assisting, "county": county, "rows": rows}


# The same figures the pages show, in bare SQL with the scope's code range and no ORM, session or template.
SCOPE = "region_code BETWEEN %(low)s AND %(high)s"
BARE_ORGANIZATION = [
    "SELECT p.id, p.region_code FROM assistance_partnership p WHERE p.organization_id = %(org)s"
    " AND p.region_code BETWEEN %(low)s AND %(high)s",
    "SELECT e.kind, SUM(e.amount) FROM assistance_fundentry e JOIN assistance_project p ON p.id = e.project_id"
    " WHERE p.organization_id = %(org)s AND e.region_code BETWEEN %(low)s AND %(high)s GROUP BY e.kind",
    "SELECT p.id, p.name, p.region_code, p.type, p.status, p.budget, p.start_date, e.kind, SUM(e.amount)"
    " FROM assistance_project p LEFT JOIN assistance_fundentry e ON e.project_id = p.id"
    " WHERE p.organization_id = %(org)s AND p.region_code BETWEEN %(low)s AND %(high)s"
    " GROUP BY p.id, e.kind",
]
BARE_FIGURES = [
    f"SELECT kind, SUM(amount) FROM assistance_fundentry WHERE {SCOPE}"
    " AND date BETWEEN %(first)s AND %(last)s GROUP BY kind",
    f"SELECT EXTRACT(YEAR FROM date), kind, SUM(amount) FROM assistance_fundentry WHERE {SCOPE} GROUP BY 1, 2",
    f"SELECT COUNT(*) FROM assistance_project WHERE {SCOPE} AND start_date <= %(last)s"
    " AND (end_date IS NULL OR end_date >= %(first)s)",
    "SELECT SUM(b.households), SUM(b.persons), COUNT(b.household_id) FROM assistance_beneficiary b"
    " JOIN assistance_project p ON p.id = b.project_id WHERE b.region_code BETWEEN %(low)s AND %(high)s"
    " AND p.start_date <= %(last)s AND (p.end_date IS NULL OR p.end_date >= %(first)s)",
    f"SELECT kind, SUM(value) FROM assistance_outcome o WHERE {SCOPE} AND as_of <= %(last)s AND as_of ="
    " (SELECT MAX(as_of) FROM assistance_outcome l WHERE l.project_id = o.project_id AND l.kind = o.kind)"
    " GROUP BY kind",
    f"SELECT kind, COUNT(*), SUM(person_times), SUM(value_given) FROM assistance_activity WHERE {SCOPE}"
    " AND date BETWEEN %(first)s AND %(last)s GROUP BY kind",
    f"SELECT COUNT(DISTINCT shareholding_id), SUM(amount) FROM assistance_dividendpayout WHERE {SCOPE}"
    " AND year = %(year)s",
    f"SELECT SUM(bases_built), SUM(trainings_held), SUM(trainees), SUM(jobs), SUM(households_lifted),"
    f" COUNT(DISTINCT helper_id) FROM assistance_helperresult WHERE {SCOPE} AND year = %(year)s",
]


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    quick = args.quick
    repeat = args.repeat or (5 if quick else 9)
    sizes = (
        {"organizations": 20, "projects": 1_000, "entries": 50_000}
        if quick
        else {"organizations": 100, "projects": 10_000, "entries": 1_000_000}
    )
    setup_django("funds")
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from bangfu.audit.ledger import verify

    started = time.perf_counter()
    world = build(sizes)
    build_seconds = time.perf_counter() - started

    client = Client()
    client.force_login(world["office"])
    organization_url = reverse("accounts:organization-detail", args=[world["organization"].pk])
    figures_url = reverse("assistance:figures") + f"?region={world['county'].code}&year={YEAR}"
    for url in (organization_url, figures_url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    page_text = client.get(organization_url).content.decode()
    assert "项目" in page_text and 'data-testid="organization-assistance"' in page_text
    params = {
        "org": world["organization"].pk,
        "low": "410423000000",
        "high": "410423999999",
        "first": datetime.date(YEAR, 1, 1),
        "last": datetime.date(YEAR, 12, 31),
        "year": YEAR,
    }

    def bare(statements):
        def run():
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement, params)
                    cursor.fetchall()

        return run

    organization_page, _ = timed(lambda: client.get(organization_url), repeat)
    organization_bare, _ = timed(bare(BARE_ORGANIZATION), repeat)
    figures_page, _ = timed(lambda: client.get(figures_url), repeat)
    figures_bare, _ = timed(bare(BARE_FIGURES), repeat)

    started = time.perf_counter()
    problems, checked = [], 0
    for item in verify():
        if isinstance(item, int):
            checked = item
        else:
            problems.append(item)
    verify_seconds = time.perf_counter() - started
    assert not problems, problems[:3]
    assert checked >= world["rows"], (checked, world["rows"])

    figures = {
        "projects": sizes["projects"],
        "fund_entries": world["rows"],
        "build_seconds": round(build_seconds, 1),
        "organization_page_ms": round(organization_page * 1000, 1),
        "organization_bare_sql_ms": round(organization_bare * 1000, 1),
        "organization_ratio": round(organization_page / organization_bare, 2),
        "figures_page_ms": round(figures_page * 1000, 1),
        "figures_bare_sql_ms": round(figures_bare * 1000, 1),
        "figures_ratio": round(figures_page / figures_bare, 2),
        "verify_seconds": round(verify_seconds, 1),
        "verify_rows_per_second": round(checked / verify_seconds),
    }
    goals = {"organization_ratio": "<= 3", "figures_ratio": "<= 3"}
    met = figures["organization_ratio"] <= 3 and figures["figures_ratio"] <= 3
    report("funds", figures, goals, met)


if __name__ == "__main__":
    main()
