"""Importing persons from CSV and xlsx, beside the limits and beside django-import-export.

    python benchmarks/import_registry.py [--quick] [--million]

Builds N persons (default 200,000; --million: 1,000,000; --quick: 20,000) in households
of the demo county, imports the households first, then times on PostgreSQL, in one run:

- bangfu's persons import from CSV and from xlsx (validated, ID numbers encrypted and
  hashed, pinyin, one audit record per row, one transaction);
- the limits: a raw COPY of the same CSV into an unindexed staging table, and the bare
  python-calamine read of the same xlsx;
- django-import-export importing the same CSV into the same table (what a Django user
  would reach for), when the package is installed (pip install django-import-export);
- peak memory of a separate `bangfu import persons` process (ru_maxrss), for each file.

Goals (issue 3): CSV import >= 0.3 x raw COPY, xlsx import >= 0.5 x the bare calamine read,
both >= 10 x django-import-export, peak memory under 500 MB for 1,000,000 rows.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, arguments, report, setup_django


def main() -> None:
    args = arguments(__doc__, million="1,000,000 persons")
    million = args.million
    persons = 20_000 if args.quick else (1_000_000 if million else 200_000)
    url = setup_django("import_registry")
    import registry_data
    from django.db import connection

    from bangfu.accounts.models import User
    from bangfu.imports import engine
    from bangfu.regions.models import Region
    from bangfu.regions.services import regions_load
    from bangfu.registry.models import Household, Person

    regions_load(prefix="410423")
    villages = list(
        Region.objects.filter(level="village", code__startswith="410423").values_list("code", flat=True)
    )
    user = User.objects.create_superuser("bench", password="bench-password-2026")
    folder = Path(tempfile.mkdtemp(prefix="bangfu-bench-"))
    info = registry_data.make_files(folder, persons, villages)
    files = info["files"]

    def run(kind: str, path: Path):
        record = engine.import_create(
            user=user, kind=kind, source=path, original_name=path.name, mode="all", dry_run=False
        )
        started = time.perf_counter()
        record = engine.import_execute(record)
        seconds = time.perf_counter() - started
        assert record.status == "imported", (record.status, record.message, list(record.issues.all()[:5]))
        return seconds

    def clear_persons():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM registry_memberhistory")
            cursor.execute("UPDATE registry_household SET head_id = NULL, members_count = 0, head_name = ''")
            cursor.execute("DELETE FROM registry_person")
            cursor.execute("DELETE FROM audit_changerecord")

    run("households", files["households"])
    csv_seconds = run("persons", files["persons_csv"])
    assert Person.objects.count() == info["persons"]
    clear_persons()
    xlsx_seconds = run("persons", files["persons_xlsx"])
    assert Person.objects.count() == info["persons"]

    # For context (not a goal): the database's own cost of this write — the same person rows,
    # already encrypted and derived, COPYed back into the real table with its indexes.
    with connection.cursor() as cursor:
        dumped = bytearray()
        with cursor.cursor.copy("COPY registry_person TO STDOUT") as out:
            for block in out:
                dumped += block
    clear_persons()
    started = time.perf_counter()
    with connection.cursor() as cursor, cursor.cursor.copy("COPY registry_person FROM STDIN") as into:
        into.write(bytes(dumped))
    table_copy_seconds = time.perf_counter() - started
    del dumped

    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(
            "CREATE TEMP TABLE copy_limit (c1 text, c2 text, c3 text, c4 text, c5 text, c6 text, c7 text, "
            "c8 text, c9 text, c10 text)"
        )
        with (
            files["persons_csv"].open("rb") as handle,
            raw.copy("COPY copy_limit FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
    copy_seconds = time.perf_counter() - started

    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    rows = sum(
        1 for _ in CalamineWorkbook.from_path(str(files["persons_xlsx"])).get_sheet_by_index(0).iter_rows()
    )
    calamine_seconds = time.perf_counter() - started
    assert rows == info["persons"] + 1

    die_rate = django_import_export_rate(files["persons_csv"], clear_persons)

    env = {**os.environ, "DATABASE_URL": url}

    def peak_of_command(path: Path) -> float:
        """Peak RSS (MB) of a separate `bangfu import persons` process on ``path``."""
        clear_persons()
        code = (
            "import resource, sys; from bangfu.cli import main; status = main(sys.argv[1:]); "
            "print('peak_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(status)"
        )
        command = subprocess.run(
            [sys.executable, "-c", code, "import", "persons", str(path), "--user", "bench", "--show", "0"],
            cwd=ROOT,
            env=env,
            check=False,
            capture_output=True,
        )
        if command.returncode:
            sys.exit(command.stdout.decode() + command.stderr.decode())
        return int(command.stdout.decode().split("peak_kb")[-1].split()[0]) / 1024

    peak_mb = peak_of_command(files["persons_csv"])
    peak_xlsx_mb = peak_of_command(files["persons_xlsx"])

    n = info["persons"]
    figures = {
        "persons": n,
        "households": Household.objects.count(),
        "bangfu_csv_rows_per_s": round(n / csv_seconds),
        "bangfu_xlsx_rows_per_s": round(n / xlsx_seconds),
        "raw_copy_rows_per_s": round(n / copy_seconds),
        "copy_into_person_table_rows_per_s": round(n / table_copy_seconds),
        "calamine_read_rows_per_s": round(n / calamine_seconds),
        "django_import_export_rows_per_s": round(die_rate) if die_rate else None,
        "csv_ratio_to_copy": round(copy_seconds / csv_seconds, 3),
        "xlsx_ratio_to_calamine": round(calamine_seconds / xlsx_seconds, 3),
        "csv_ratio_to_django_import_export": round((n / csv_seconds) / die_rate, 1) if die_rate else None,
        "peak_rss_mb_csv_import": round(peak_mb),
        "peak_rss_mb_xlsx_import": round(peak_xlsx_mb),
    }
    goals = {
        "csv_ratio_to_copy_min": 0.3,
        "xlsx_ratio_to_calamine_min": 0.5,
        "ratio_to_django_import_export_min": 10,
        "peak_rss_mb_max": 500,
    }
    met = (
        figures["csv_ratio_to_copy"] >= 0.3
        and figures["xlsx_ratio_to_calamine"] >= 0.5
        and (die_rate is None or n / csv_seconds >= 10 * die_rate and n / xlsx_seconds >= 10 * die_rate)
        and max(peak_mb, peak_xlsx_mb) <= 500
        and die_rate is not None
    )
    report("import_registry", figures, goals, met)


def django_import_export_rate(path: Path, clear, sample: int = 5_000) -> float | None:
    """Rows/s of django-import-export importing (a sample of) the same CSV into the same table."""
    try:
        import tablib
        from import_export import fields, resources
        from import_export.widgets import ForeignKeyWidget
    except ImportError:
        return None
    from bangfu.core import crypto, idnumber, pinyin
    from bangfu.registry.models import Household, Person, Relation

    relations = {str(label): value for value, label in Relation.choices}

    class PersonResource(resources.ModelResource):
        household = fields.Field(
            attribute="household", column_name="户编号", widget=ForeignKeyWidget(Household, "code")
        )
        name = fields.Field(attribute="name", column_name="姓名")
        id_number = fields.Field(attribute="id_number", column_name="身份证号")
        relation = fields.Field(attribute="relation", column_name="与户主关系")
        id_number_hash = fields.Field(attribute="id_number_hash", column_name="id_number_hash")

        class Meta:
            model = Person
            import_id_fields = ("id_number_hash",)
            fields = ("household", "name", "id_number", "relation", "id_number_hash")

        def before_import_row(self, row, **kwargs):
            row["与户主关系"] = relations.get(row["与户主关系"], "other")

        def before_save_instance(self, instance, row, **kwargs):
            facts = idnumber.parse(instance.id_number)
            instance.region_code = instance.household.region_code
            instance.id_number_masked, instance.gender, instance.birth_date = (
                facts.masked,
                facts.gender,
                facts.birth_date,
            )
            instance.name_pinyin, instance.name_initials = (
                pinyin.full(instance.name),
                pinyin.initials(instance.name),
            )

    clear()
    lines = path.read_text(encoding="utf-8").splitlines()[: sample + 1]
    dataset = tablib.Dataset().load("\n".join(lines), format="csv")
    started = time.perf_counter()
    dataset.append_col(
        [crypto.lookup_hash(idnumber.parse(r[2]).number) for r in dataset], header="id_number_hash"
    )
    result = PersonResource().import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
    seconds = time.perf_counter() - started
    assert not result.has_errors()
    clear()
    return (len(lines) - 1) / seconds


if __name__ == "__main__":
    main()
