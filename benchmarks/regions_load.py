"""Loading the administrative divisions: bangfu's loader beside a bare COPY of the same rows.

    python benchmarks/regions_load.py [--quick]

bangfu's loader streams the shipped gzip CSV through COPY into a staging table and
upserts into the indexed regions table (idempotent, foreign keys to parents). The
reference is the floor: a bare COPY of the same file into an unindexed table. Goal (the
issue's "seconds on PostgreSQL"): the whole country in under 15 s. The ratio to the bare
COPY is reported: it is the price of the upsert and the table's four indexes.
--quick loads one province (Henan), whose rows must be picked out of the file first;
its reference is a bare COPY of the already-picked rows.
"""

import gzip

from _common import arguments, report, setup_django, timed

QUICK_PREFIX = "41"  # Henan: 55k rows


def main() -> None:
    args = arguments(__doc__)
    setup_django("regions")
    from django.db import connection

    from bangfu.regions.models import Region
    from bangfu.regions.services import DATA_FILE, dataset_rows, regions_load

    prefix = QUICK_PREFIX if args.quick else ""
    repeat = args.repeat or (3 if args.quick else 3)
    rows = list(dataset_rows(DATA_FILE, prefix))

    def bangfu_load():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Region._meta.db_table} CASCADE")
        regions_load(prefix=prefix)

    def bare_copy():
        """The floor: the same rows into an unindexed table, with no parsing on our side."""
        with connection.cursor() as cursor:
            raw = cursor.cursor
            raw.execute("DROP TABLE IF EXISTS bench_copy")
            raw.execute("CREATE TABLE bench_copy (code text, name text, level text, parent text)")
            if prefix:
                with raw.copy("COPY bench_copy FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                with (
                    gzip.open(DATA_FILE, "rb") as handle,
                    raw.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
                ):
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
            raw.execute("DROP TABLE bench_copy")

    bangfu_seconds, bangfu_runs = timed(bangfu_load, repeat)
    copy_seconds, copy_runs = timed(bare_copy, repeat)
    loaded = Region.objects.count()
    ratio = bangfu_seconds / copy_seconds
    figures = {
        "rows": loaded,
        "bangfu_load_s_median": round(bangfu_seconds, 2),
        "bare_copy_s_median": round(copy_seconds, 2),
        "bangfu_rows_per_s": round(loaded / bangfu_seconds),
        "ratio_to_bare_copy": round(ratio, 2),
        "runs": {"bangfu": [round(r, 2) for r in bangfu_runs], "bare_copy": [round(r, 2) for r in copy_runs]},
    }
    goals = {"bangfu_load_s_max": 15 if not args.quick else 5}
    met = bangfu_seconds <= goals["bangfu_load_s_max"]
    assert loaded == len({row[0] for row in rows})
    report("regions_load", figures, goals, met)


if __name__ == "__main__":
    main()
