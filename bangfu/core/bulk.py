"""Writing many rows of one model at once, bypassing per-row ORM work.

PostgreSQL gets COPY (into the table for inserts, into a temporary table and one
``UPDATE … FROM`` for updates); other databases get ``executemany``. Values pass
through each field's ``get_prep_value`` first, so encrypted fields are encrypted and
JSON fields serialised exactly as the ORM would.
"""

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

from .fields import EncryptedTextField


def _prepare(field: models.Field, value: Any, *, for_copy: bool) -> Any:
    if value is None:
        return None
    if isinstance(field, EncryptedTextField):
        return field.get_prep_value(value)
    if isinstance(field, models.JSONField):
        return json.dumps(value, cls=field.encoder or DjangoJSONEncoder, ensure_ascii=False)
    if for_copy:
        return value  # psycopg's COPY writer formats dates, decimals and booleans itself
    return field.get_db_prep_save(value, connection)


def _copy_row_maker(fields: Sequence[models.Field]):
    """A function turning one row of values into what COPY takes; only the fields that need
    preparing (encrypted, JSON) cost a call, the rest pass through as they are."""
    special = [
        (index, field)
        for index, field in enumerate(fields)
        if isinstance(field, EncryptedTextField | models.JSONField)
    ]
    if not special:
        return list

    def make(row: Sequence[Any]) -> list[Any]:
        values = list(row)
        for index, field in special:
            values[index] = _prepare(field, values[index], for_copy=True)
        return values

    return make


def _fields(model: type[models.Model], columns: Sequence[str]) -> list[models.Field]:
    return [model._meta.get_field(name) for name in columns]


ANALYZE_AFTER = 10_000
_inserted: dict[str, list[int]] = {}  # table -> [rows inserted since its last ANALYZE, rows then]


def _keep_statistics(cursor, table: str, added: int) -> None:
    """ANALYZE a table this process has grown a lot (PostgreSQL).

    A big import writes into one transaction, which autovacuum cannot see: the planner
    would go on believing a table that was empty still is, and scan it whole for every
    batch's lookups (each batch slower than the last). ANALYZE inside the transaction
    sees its own rows. It runs when the rows added reach the rows the table had at the
    last count (at least ANALYZE_AFTER), so a table grown from empty to a million is
    counted about seven times, and a big table not at all.
    """
    seen = _inserted.get(table)
    if seen is None:
        cursor.execute(
            "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass", [table]
        )
        seen = _inserted[table] = [0, cursor.fetchone()[0]]
    seen[0] += added
    if seen[0] >= max(ANALYZE_AFTER, seen[1]):
        cursor.execute(f"ANALYZE {table}")
        seen[1] += seen[0]
        seen[0] = 0


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows (values in ``columns`` order; use attnames like ``household_id`` for foreign keys)."""
    fields = _fields(model, columns)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    count = 0
    if connection.vendor == "postgresql":
        make = _copy_row_maker(fields)
        width = len(fields)
        with (
            connection.wrap_database_errors,
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                if len(row) != width:
                    raise ValueError(f"{len(row)} values for {width} columns")
                copy.write_row(make(row))
                count += 1
        with connection.cursor() as cursor:
            _keep_statistics(cursor.cursor, table, count)
        return count
    placeholders = ", ".join(["%s"] * len(fields))
    prepared = [[_prepare(f, v, for_copy=False) for f, v in zip(fields, row, strict=True)] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", prepared)  # noqa: S608
    return len(prepared)


def update_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Update rows given as (pk, value for each column …)."""
    fields = _fields(model, columns)
    pk = model._meta.pk
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = [connection.ops.quote_name(f.column) for f in fields]
    if connection.vendor == "postgresql":
        stage = "bulk_update_stage"
        with connection.wrap_database_errors, connection.cursor() as cursor:
            raw = cursor.cursor
            raw.execute(f"DROP TABLE IF EXISTS {stage}")
            raw.execute(
                f"CREATE TEMP TABLE {stage} AS SELECT {pk.column}, {', '.join(quoted)} "  # noqa: S608 - our names
                f"FROM {table} WITH NO DATA"
            )
            count = 0
            with raw.copy(f"COPY {stage} ({pk.column}, {', '.join(quoted)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [
                            row[0],
                            *(_prepare(f, v, for_copy=True) for f, v in zip(fields, row[1:], strict=True)),
                        ]
                    )
                    count += 1
            assignments = ", ".join(f"{q} = s.{q}" for q in quoted)
            raw.execute(
                f"UPDATE {table} AS t SET {assignments} FROM {stage} AS s "  # noqa: S608
                f"WHERE t.{pk.column} = s.{pk.column}"
            )
            raw.execute(f"DROP TABLE {stage}")
        return count
    assignments = ", ".join(f"{q} = %s" for q in quoted)
    prepared = [
        [*(_prepare(f, v, for_copy=False) for f, v in zip(fields, row[1:], strict=True)), row[0]]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk.column} = %s", prepared)  # noqa: S608
    return len(prepared)


class UpsertResult:
    def __init__(self):
        self.created: list[tuple[Any, dict]] = []  # (pk, values)
        self.updated: list[tuple[Any, dict, dict]] = []  # (pk, before, after) of the changed fields
        self.unchanged = 0


def upsert(
    model: type[models.Model], rows: list[dict], *, key: tuple[str, ...], compare: Sequence[str]
) -> UpsertResult:
    """Insert rows whose key is new, update the ``compare`` fields of rows that differ.

    ``rows`` map attnames (``household_id``) to values; fields a row leaves out take the
    model's defaults on insert and are left alone on update. Keys must be unique in ``rows``.
    """
    result = UpsertResult()
    if not rows:
        return result
    pk_name = model._meta.pk.attname
    first = key[0]
    existing: dict[tuple, dict] = {}
    wanted = {tuple(row[k] for k in key) for row in rows}
    lookup_values = list({row[first] for row in rows})
    member = "in" if model._meta.get_field(first).is_relation else "any"  # see core.lookups
    for start in range(0, len(lookup_values), 5000):
        chunk = lookup_values[start : start + 5000]
        for found in model._default_manager.filter(**{f"{first}__{member}": chunk}).values(
            pk_name, *key, *compare
        ):
            found_key = tuple(found[k] for k in key)
            if found_key in wanted:
                existing[found_key] = found
    concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
    insert_columns = [f.attname for f in concrete]
    defaults = {f.attname: f.get_default() for f in concrete}
    new_rows, changed = [], []
    for row in rows:
        row_key = tuple(row[k] for k in key)
        current = existing.get(row_key)
        if current is None:
            values = {**defaults, **row}
            new_rows.append(values)
            continue
        before = {name: current[name] for name in compare if name in row and current[name] != row[name]}
        if before:
            after = {name: row[name] for name in before}
            merged = {name: row.get(name, current[name]) for name in compare}
            changed.append((current[pk_name], before, after, merged))
        else:
            result.unchanged += 1
    if new_rows:
        insert_rows(model, insert_columns, ([values[c] for c in insert_columns] for values in new_rows))
        new_keys = {tuple(values[k] for k in key): values for values in new_rows}
        new_first = list({values[first] for values in new_rows})
        for start in range(0, len(new_first), 5000):
            found = model._default_manager.filter(**{f"{first}__{member}": new_first[start : start + 5000]})
            for item in found.values(pk_name, *key):
                item_key = tuple(item[k] for k in key)
                if item_key in new_keys:
                    result.created.append((item[pk_name], new_keys[item_key]))
    if changed:
        update_rows(
            model, list(compare), ([pk, *(merged[c] for c in compare)] for pk, _b, _a, merged in changed)
        )
        result.updated = [(pk, before, after) for pk, before, after, _merged in changed]
    return result
