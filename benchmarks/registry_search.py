"""Registry search at scale: each page beside the bare SQL query it needs.

    python benchmarks/registry_search.py [--quick]

Loads N persons (default 1,000,000; --quick: 50,000) in households of the demo county
straight through COPY (this benchmark measures reading, not importing), then times, as
the median of several runs:

- the household list page (first page, 50 rows, with its total),
- a search by Chinese name, by pinyin initials, and by an exact ID number,

each through Django's test client as a county office user, beside the bare SQL that
the page cannot avoid (the page's own SELECT … LIMIT 50 and COUNT, run through a raw
cursor), interleaved run for run. Goal (issue 3): no page more than 3 x its bare query.
``floor_page_ms`` is the lightest signed-in page (the empty job list): what every page
costs before its own work.
"""

import random
import statistics
import time

from _common import PERSON_COLUMNS, arguments, report, setup_django


def main() -> None:
    args = arguments(__doc__)
    persons = 50_000 if args.quick else 1_000_000
    repeat = args.repeat or 7
    setup_django("registry_search")
    import registry_data
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bangfu.accounts import services as accounts
    from bangfu.core import crypto, idnumber, pinyin
    from bangfu.core.bulk import insert_rows
    from bangfu.core.permissions import Role
    from bangfu.regions.models import Region
    from bangfu.regions.services import regions_load
    from bangfu.registry.models import Household, Person

    regions_load(prefix="410423")
    county = Region.objects.get(code="410423000000")
    villages = list(
        Region.objects.filter(level="village", code__startswith="410423").values_list("code", flat=True)
    )
    office = accounts.organization_create(
        actor=None, name="鲁山县乡村振兴局", kind="government", region=county
    )
    user = accounts.user_create(actor=None, username="bench-office", password="bench-password-2026")
    accounts.membership_create(actor=None, user=user, organization=office, role=Role.OFFICE, regions=[county])

    relations = {
        "户主": "head",
        "配偶": "spouse",
        "之子": "son",
        "之女": "daughter",
        "之孙子女": "grandchild",
    }
    now = time.time()
    from django.utils import timezone

    stamp = timezone.now()
    sample_names, sample_ids = [], []
    households, people = [], []
    for household_row, members in registry_data.generate(persons, villages):
        households.append(household_row)
        people.append(members)
    insert_rows(
        Household,
        [
            "code",
            "region_id",
            "region_code",
            "address",
            "registered",
            "status",
            "safety_net",
            "members_count",
            "head_name",
            "notes",
            "phone",
            "created_at",
            "updated_at",
        ],
        (
            [h[0], h[1], h[1], h[2], True, "lifted", "", len(m), m[0][1], "", "", stamp, stamp]
            for h, m in zip(households, people, strict=True)
        ),
    )
    ids = dict(Household.objects.values_list("code", "pk"))
    rng = random.Random(5)

    def person_rows():
        for members in people:
            for row in members:
                number = row[2]
                facts = idnumber.parse(number)
                if rng.random() < 0.0005:
                    sample_names.append(row[1])
                    sample_ids.append(number)
                yield [
                    ids[row[0]],
                    row[0][:12],
                    row[1],
                    pinyin.full(row[1]),
                    pinyin.initials(row[1]),
                    number,
                    crypto.lookup_hash(number),
                    facts.masked,
                    facts.gender,
                    facts.birth_date,
                    relations[row[3]],
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
                    stamp,
                ]

    insert_rows(
        Person,
        PERSON_COLUMNS,
        person_rows(),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_seconds = time.time() - now

    client = Client()
    client.force_login(user)
    name = sample_names[0]
    cases = {
        "list": "",
        "name_search": f"q={name}",
        "pinyin_search": f"q={pinyin.initials(name)}",
        "id_lookup": f"q={sample_ids[0]}",
    }
    figures = {
        "persons": Person.objects.count(),
        "households": Household.objects.count(),
        "load_seconds": round(load_seconds, 1),
    }
    worst = 0.0
    for case, query in cases.items():
        url = f"/registry/households/?{query}"
        response = client.get(url)
        assert response.status_code == 200, (case, response.status_code)
        connection.queries_log.clear()  # a full log (its maxlen) would hide the new queries
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        captured_count = len(captured.captured_queries)
        heavy = [
            q["sql"]
            for q in captured.captured_queries
            if "registry_household" in q["sql"] and ("COUNT" in q["sql"] or "LIMIT" in q["sql"])
        ]

        def page(url=url):
            client.get(url)

        def bare(heavy=heavy):
            with connection.cursor() as cursor:
                for sql in heavy:
                    cursor.execute(sql)
                    cursor.fetchall()

        page_runs, bare_runs = [], []
        for _ in range(repeat):  # interleaved: on a shared machine both see the same load
            page_runs.append(_time(page))
            bare_runs.append(_time(bare))
        page_ms, bare_ms = statistics.median(page_runs) * 1000, statistics.median(bare_runs) * 1000
        ratio = page_ms / bare_ms if bare_ms else float("inf")
        worst = max(worst, ratio)
        figures[case] = {
            "page_ms": round(page_ms, 1),
            "bare_sql_ms": round(bare_ms, 1),
            "ratio": round(ratio, 2),
            "queries": captured_count,
        }
    # What any page costs before its own work: the lightest signed-in page (the empty job list),
    # through the same client, sessions, scope and base layout.
    floor_url = reverse("core:job-list")
    assert client.get(floor_url).status_code == 200
    figures["floor_page_ms"] = round(
        statistics.median(_time(lambda: client.get(floor_url)) for _ in range(repeat)) * 1000, 1
    )
    report("registry_search", figures, {"ratio_max": 3}, worst <= 3)


def _time(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
