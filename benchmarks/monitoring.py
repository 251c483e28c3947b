"""Relapse monitoring and the weekly compliance report at scale, each beside its bare SQL.

    python benchmarks/monitoring.py [--quick]

Loads, straight through COPY, 1,000,000 persons in 300,000 households of one county
(--quick: 33,000 / 10,000) with 5 years of incomes each and 200,000 risk events (--quick:
7,000), the province's and county's monitoring lines; then times, as the median of
several runs interleaved run for run:

- ``rules_s``: ``services.rules_run`` — all four rules (income under the line, rigid
  expenses above the share of income, a sharp drop, a new risk event of the configured
  kinds) over the county, writing the flags, in chunks of household ids with progress;
  the flags are deleted (not timed) before each run so every run writes them all;
- ``rules_bare_s``: the bare SQL that selects the same households — the four SELECTs
  of the rules over the whole county in one go, fetched, without INSERT, chunking or
  the check for flags already raised.

And for village work: 5,000 stationed members (--quick: 200) with a year of check-ins
(two stays a week: about 520,000 rows), timing ``compliance_report`` for the 52 weeks
beside the bare SQL that reads the same stays (the query the report cannot avoid).
Goal (issue 7): each at most 3 x its bare SQL.
"""

import datetime
import random
import statistics
import time
from decimal import Decimal

from _common import PERSON_COLUMNS, arguments, report, setup_django

COUNTY = "410423"


def main() -> None:
    args = arguments(__doc__, rules_only="time the rules only, not the compliance report")
    quick = args.quick
    households_n = 10_000 if quick else 300_000
    persons_n = 33_000 if quick else 1_000_000
    events_n = 7_000 if quick else 200_000
    members_n = 200 if quick else 5_000
    repeat = args.repeat or (3 if quick else 5)
    setup_django("monitoring")
    from django.db import connection
    from django.utils import timezone

    from bangfu.accounts import services as accounts
    from bangfu.accounts.models import User
    from bangfu.core.bulk import insert_rows
    from bangfu.core.permissions import Role
    from bangfu.fieldwork import selectors as fieldwork_selectors
    from bangfu.fieldwork.models import CheckIn, Team, TeamMember
    from bangfu.monitoring import services
    from bangfu.monitoring.models import Flag, RiskEvent
    from bangfu.regions.models import Region
    from bangfu.regions.services import regions_load
    from bangfu.registry.models import Household, IncomeRecord, Person

    rng = random.Random(7)
    regions_load(prefix=COUNTY)
    county = Region.objects.get(code=f"{COUNTY}000000")
    villages = list(
        Region.objects.filter(level="village", code__startswith=COUNTY).values_list("code", flat=True)
    )
    year = timezone.localdate().year - 1
    now = timezone.now()
    started = time.perf_counter()

    # Households, persons, incomes, events ---------------------------------------------------------
    sizes = [rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5, 6]) for _ in range(households_n)]
    scale = persons_n / sum(sizes)
    sizes = [max(1, round(size * scale)) for size in sizes]
    household_village = [villages[i % len(villages)] for i in range(households_n)]
    insert_rows(
        Household,
        [
            "code",
            "region_id",
            "region_code",
            "address",
            "phone",
            "safety_net",
            "notes",
            "head_name",
            "registered",
            "lifted_year",
            "status",
            "members_count",
            "created_at",
            "updated_at",
        ],
        (
            (
                f"B{i:07d}",
                household_village[i],
                household_village[i],
                "",
                "",
                "",
                "",
                "周某",
                True,
                2019,
                "lifted",
                sizes[i],
                now,
                now,
            )
            for i in range(households_n)
        ),
    )
    ids = list(Household.objects.order_by("pk").values_list("pk", flat=True))
    birth = datetime.date(1970, 1, 1)
    insert_rows(
        Person,
        PERSON_COLUMNS,
        (
            (
                pk,
                household_village[i],
                "周某",
                "zhou mou",
                "zm",
                "",
                f"h{pk}-{k}",
                "",
                "male",
                birth,
                "head" if k == 0 else "son",
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
            )
            for i, pk in enumerate(ids)
            for k in range(sizes[i])
        ),
    )

    zero = Decimal("0.00")

    def incomes():
        for i, pk in enumerate(ids):
            members = sizes[i]
            per_head = rng.lognormvariate(9.6, 0.45)  # a median near 15,000 yuan
            for offset in range(5):
                drift = per_head * (1 + 0.06 * offset) * rng.uniform(0.8, 1.15)
                if offset == 4 and rng.random() < 0.03:
                    drift *= 0.5  # a sharp drop in the last year
                wage = Decimal(str(round(drift * members, 2)))
                yield (
                    pk,
                    household_village[i],
                    year - 4 + offset,
                    wage,
                    zero,
                    zero,
                    zero,
                    zero,
                    members,
                    wage,
                    (wage / members).quantize(Decimal("0.01")),
                )

    insert_rows(
        IncomeRecord,
        [
            "household_id",
            "region_code",
            "year",
            "wage_income",
            "production_income",
            "property_income",
            "transfer_income",
            "production_cost",
            "members",
            "net_income",
            "per_capita_net",
        ],
        incomes(),
    )
    kinds = (
        ["illness"] * 35
        + ["disaster"] * 15
        + ["unemployment"] * 15
        + ["accident"] * 8
        + ["disability"] * 7
        + ["business_failure"] * 8
        + ["schooling"] * 8
        + ["other"] * 4
    )
    insert_rows(
        RiskEvent,
        [
            "household_id",
            "region_code",
            "kind",
            "occurred_on",
            "amount",
            "source",
            "department",
            "description",
            "created_at",
        ],
        (
            (
                ids[i],
                household_village[i],
                rng.choice(kinds),
                datetime.date(rng.choice([year - 1, year]), rng.randint(1, 12), rng.randint(1, 28)),
                Decimal(rng.randint(0, 80_000)),
                "department",
                "县医疗保障局",
                "",
                now,
            )
            for i in (rng.randrange(households_n) for _ in range(events_n))
        ),
    )
    province = Region.objects.get(code="410000000000")
    services.threshold_save(actor=None, region=province, year=year, income_line=7600)
    services.threshold_save(actor=None, region=county, year=year, income_line=7800)
    with connection.cursor() as cursor:
        for table in (
            "registry_household",
            "registry_person",
            "registry_incomerecord",
            "monitoring_riskevent",
        ):
            cursor.execute(f"ANALYZE {table}")
    load_s = time.perf_counter() - started

    def clear():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE monitoring_flag")

    def ours():
        services.rules_run(year=year, prefix=COUNTY)

    def bare():
        params = services.rules_params(year=year, prefix=COUNTY, first=ids[0], last=ids[-1])
        found = set()
        with connection.cursor() as cursor:
            for sql in services.CONDITIONS.values():
                cursor.execute(sql, params)
                found.update(row[0] for row in cursor.fetchall())
        return found

    clear()
    ours()
    flagged = Flag.objects.count()
    flagged_households = Flag.objects.values("household_id").distinct().count()
    bare_households = len(bare())
    assert flagged_households == bare_households, (flagged_households, bare_households)
    rules_runs, bare_runs = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        bare()
        bare_runs.append(time.perf_counter() - t)
        clear()  # not timed: every run writes every flag again
        t = time.perf_counter()
        ours()
        rules_runs.append(time.perf_counter() - t)
    rules_s, rules_bare_s = statistics.median(rules_runs), statistics.median(bare_runs)

    figures = {
        "households": households_n,
        "persons": Person.objects.count(),
        "income_records": IncomeRecord.objects.count(),
        "risk_events": RiskEvent.objects.count(),
        "flags": flagged,
        "flagged_households": flagged_households,
        "load_s": round(load_s, 1),
        "rules_s": round(rules_s, 3),
        "rules_bare_s": round(rules_bare_s, 3),
        "rules_ratio": round(rules_s / rules_bare_s, 2),
        "repeat": repeat,
    }
    if args.rules_only:
        report("monitoring", figures, {"rules_ratio": 3}, figures["rules_ratio"] <= 3)
        return

    # Village work: members and a year of check-ins ---------------------------------------------------
    started = time.perf_counter()
    office_org = accounts.organization_create(
        actor=None, name="鲁山县乡村振兴局", kind="government", region=county
    )
    office = accounts.user_create(actor=None, username="bench-office", password="bench-password-2026")
    accounts.membership_create(
        actor=None, user=office, organization=office_org, role=Role.OFFICE, regions=[county]
    )
    insert_rows(
        User,
        [
            "username",
            "password",
            "is_superuser",
            "is_staff",
            "is_active",
            "first_name",
            "last_name",
            "email",
            "date_joined",
            "display_name",
            "phone",
            "failed_logins",
        ],
        (
            (f"bench-member-{i}", "!", False, False, True, "", "", "", now, "", "", 0)
            for i in range(members_n)
        ),
    )
    user_ids = list(
        User.objects.filter(username__startswith="bench-member-").order_by("pk").values_list("pk", flat=True)
    )
    teams_n = members_n // 5
    first_monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday() + 7 * 52)
    insert_rows(
        Team,
        ["region_id", "region_code", "organization_id", "name", "starts_on", "notes", "created_at"],
        (
            (
                villages[i % len(villages)],
                villages[i % len(villages)],
                office_org.pk,
                f"工作队{i}",
                first_monday,
                "",
                now,
            )
            for i in range(teams_n)
        ),
    )
    teams = list(Team.objects.order_by("pk").values_list("pk", "region_code"))
    insert_rows(
        TeamMember,
        ["team_id", "user_id", "region_code", "role", "starts_on", "end_reason", "created_at"],
        (
            (
                teams[i // 5][0],
                uid,
                teams[i // 5][1],
                "leader" if i % 5 == 0 else "member",
                first_monday,
                "",
                now,
            )
            for i, uid in enumerate(user_ids)
        ),
    )
    member_rows = list(TeamMember.objects.order_by("pk").values_list("pk", "region_code"))
    zone = datetime.timezone(datetime.timedelta(hours=8))

    def stays():
        for member_id, region_code in member_rows:
            for week in range(52):
                monday = datetime.datetime.combine(
                    first_monday + datetime.timedelta(weeks=week), datetime.time(8), tzinfo=zone
                )
                if rng.random() < 0.8:
                    yield (member_id, region_code, monday, monday + datetime.timedelta(days=2, hours=5), "")
                    yield (
                        member_id,
                        region_code,
                        monday + datetime.timedelta(days=2, hours=11),
                        monday + datetime.timedelta(days=4, hours=9),
                        "",
                    )
                else:
                    yield (member_id, region_code, monday, monday + datetime.timedelta(days=2, hours=7), "")

    checkins = insert_rows(
        CheckIn, ["member_id", "region_code", "checked_in_at", "checked_out_at", "note"], stays()
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE fieldwork_checkin")
    work_load_s = time.perf_counter() - started
    first = first_monday
    last = first_monday + datetime.timedelta(weeks=51)
    office = User.objects.get(pk=office.pk)

    def report_ours():
        return fieldwork_selectors.compliance_report(user=office, first=first, last=last)

    since = datetime.datetime.combine(first, datetime.time(), tzinfo=zone)
    until = datetime.datetime.combine(last + datetime.timedelta(days=7), datetime.time(6), tzinfo=zone)

    def report_bare():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.member_id, c.checked_in_at, c.checked_out_at FROM fieldwork_checkin c"
                " JOIN fieldwork_teammember m ON m.id = c.member_id"
                " WHERE m.region_code BETWEEN %s AND %s AND c.checked_in_at < %s AND c.checked_out_at > %s",
                [f"{COUNTY}000000", f"{COUNTY}999999", until, since],
            )
            return cursor.fetchall()

    rows = report_ours()
    assert len(rows) == members_n * 52, len(rows)
    report_runs, report_bare_runs = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        report_bare()
        report_bare_runs.append(time.perf_counter() - t)
        t = time.perf_counter()
        report_ours()
        report_runs.append(time.perf_counter() - t)
    report_s, report_bare_s = statistics.median(report_runs), statistics.median(report_bare_runs)

    figures.update(
        {
            "members": members_n,
            "checkins": checkins,
            "member_weeks": len(rows),
            "work_load_s": round(work_load_s, 1),
            "report_s": round(report_s, 3),
            "report_bare_s": round(report_bare_s, 3),
            "report_ratio": round(report_s / report_bare_s, 2),
        }
    )
    goals = {"rules_ratio": 3, "report_ratio": 3}
    report(
        "monitoring",
        figures,
        goals,
        figures["rules_ratio"] <= goals["rules_ratio"] and figures["report_ratio"] <= goals["report_ratio"],
    )


if __name__ == "__main__":
    main()
