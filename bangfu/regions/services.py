"""Loading the administrative divisions from the shipped dataset."""

import csv
import gzip
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from django.db import connection, transaction

from .models import PREFIX_LENGTH, Region, RegionDataset

DATA_FILE = Path(__file__).parent / "data" / "regions.csv.gz"
SOURCE = "china-division (National Bureau of Statistics codes, 2023-06-30)"
VERSION = "2.7.0"
BATCH = 20_000

Progress = Callable[[int, int | None], None]


def dataset_rows(path: Path, prefix: str) -> Iterator[tuple[str, str, str, str | None]]:
    """Rows of the regions under ``prefix`` and of the ancestors that contain them."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for code, name, level, parent in reader:
            own_prefix = code[: PREFIX_LENGTH[level]]
            if code.startswith(prefix) or prefix.startswith(own_prefix):
                yield code, name, level, parent or None


def regions_load(*, prefix: str = "", path: Path = DATA_FILE, progress: Progress | None = None) -> int:
    """Insert or update all regions under ``prefix`` (and their ancestors). Returns rows loaded.

    Idempotent: loading twice leaves the same table. PostgreSQL loads through COPY
    into a staging table and one upsert; SQLite through batched upserts.
    """
    if prefix and (not (prefix.isascii() and prefix.isdigit()) or len(prefix) > 12):
        raise ValueError(f"region prefix must be up to 12 digits, not {prefix!r}")
    if prefix and _expected_count(path, prefix) == 0:
        raise ValueError(f"no region in the dataset has a code starting with {prefix}")
    if not prefix and connection.vendor == "postgresql":
        return _load_file_postgresql(path, progress)
    return load_rows(list(dataset_rows(path, prefix)), progress=progress)


STAGING_DROP = "DROP TABLE IF EXISTS region_staging"
STAGING = (
    "CREATE TEMP TABLE region_staging (code varchar(12), name varchar(100), "
    "level varchar(10), parent_id varchar(12)) ON COMMIT DROP"
)


def _upsert_from_staging(raw) -> int:
    raw.execute(
        f"INSERT INTO {Region._meta.db_table} (code, name, level, parent_id) "  # noqa: S608 - our table name
        "SELECT code, name, level, parent_id FROM region_staging ORDER BY code "
        "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level, "
        "parent_id = EXCLUDED.parent_id"
    )
    return raw.rowcount


def _load_file_postgresql(path: Path, progress: Progress | None) -> int:
    """The whole dataset: the gzip CSV streams straight into COPY, then one upsert."""
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(STAGING_DROP)
        raw.execute(STAGING)
        with (
            gzip.open(path, "rb") as handle,
            raw.copy(
                "COPY region_staging (code, name, level, parent_id) FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        total = _upsert_from_staging(raw)
        RegionDataset.objects.create(source=SOURCE, version=VERSION, rows=total)
    if progress:
        progress(total, total)
    return total


def load_rows(rows, *, progress: Progress | None = None) -> int:
    """Upsert already-read dataset rows (code, name, level, parent code)."""
    rows = list(rows)
    total = len(rows)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _load_postgresql(rows, progress)
        else:
            _load_generic(rows, progress)
        RegionDataset.objects.create(source=SOURCE, version=VERSION, rows=total)
    return total


def _load_postgresql(rows, progress: Progress | None) -> None:
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(STAGING_DROP)
        raw.execute(STAGING)
        with raw.copy("COPY region_staging (code, name, level, parent_id) FROM STDIN") as copy:
            for done, row in enumerate(rows, 1):
                copy.write_row(row)
                if progress and done % BATCH == 0:
                    progress(done, len(rows))
        _upsert_from_staging(raw)
    if progress:
        progress(len(rows), len(rows))


def _load_generic(rows, progress: Progress | None) -> None:
    table = Region._meta.db_table
    sql = (
        f"INSERT INTO {table} (code, name, level, parent_id) VALUES (%s, %s, %s, %s) "  # noqa: S608
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, "
        "parent_id = excluded.parent_id"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])
            if progress:
                progress(min(start + BATCH, len(rows)), len(rows))


@lru_cache(maxsize=32)
def _expected_count(path: Path, prefix: str) -> int:
    return sum(1 for code, *_rest in dataset_rows(path, prefix) if code.startswith(prefix))


def regions_complete(prefix: str = "") -> bool:
    """Whether the table holds as many regions under ``prefix`` as the shipped dataset."""
    from .selectors import regions_under

    return regions_under(prefix).count() >= _expected_count(DATA_FILE, prefix)
