"""Rollups: the counts and sums a scorecard reads, kept per region and year.

At province scale the raw aggregates a scorecard needs take longer than a page may (counting
10 million persons, grouping 3 million households). A ``Cube`` names a source queryset and
the dimensions its figures are read by — the region (cut to a township, or a county for
coarse cubes), a year, and up to three more fields — and keeps one ``RollupCell`` per
combination with the count and up to two sums. ``Cube.read()`` returns the same grouped rows
whether it reads the cells or, where cells cannot answer (a village scope, a user bound to an
organisation), the source itself: a section is written once.

Keeping the cells right: database triggers (installed after every ``migrate``) append a
``RollupDirty`` mark for the region of every row inserted, updated or deleted in a watched
table, in the writing transaction itself — whichever service, import, bulk statement or COPY
wrote it. Before a cube is read its marked regions are recomputed from the records; a cube
whose definition changed, or that was never built, is rebuilt whole. ``bangfu rollups``
rebuilds everything (after a restore, or to build the cells ahead of the first reader).
``tests/reports/test_rollups.py`` checks that the cells equal the raw aggregates after
writes of every kind.
"""

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear, Substr

from bangfu.core.scoping import NATIONWIDE, collapse, prefix_q, region_q, user_prefixes

ZERO = Decimal("0.00")
PAD = "000000000000"
CUBES: dict[str, "Cube"] = {}


@dataclass(frozen=True)
class Watch:
    """A table whose writes change a cube, and the SQL for the region of one of its rows
    (``{r}`` stands for the row: ``{r}.region_code``, or a lookup through a parent table)."""

    table: str
    region_sql: str


@dataclass(frozen=True)
class Cube:
    name: str
    source: Callable[[], QuerySet]
    region: str = "region_code"  # source field holding the region's 12-digit code
    region2: str | None = None  # a second region a row is also counted in (a purchase's supplier)
    year: tuple[str, str] | None = None  # (field, "date" | "year")
    dims: tuple[Any, ...] = ()  # up to three more source fields (or expressions)
    sums: tuple[Any, ...] = ()  # up to two sum expressions (field names or expressions)
    level: int = 9  # the region length cells keep; scopes longer than this read the source
    watch: tuple[Watch, ...] = ()
    # rows are in a scope when the cube's own region field is (not by the model's scope rule)
    own_scope: bool = False

    def __post_init__(self):
        if len(self.dims) > 3 or len(self.sums) > 2 or self.level not in (2, 4, 6, 9):
            raise ValueError(f"cube {self.name}: too many dimensions or sums, or a bad level")

    @property
    def model(self):
        return self.source().model

    def signature(self) -> str:
        text = repr(
            (self.region, self.region2, self.year, self.dims, [str(s) for s in self.sums], self.level)
        )
        text += str(self.source().query)
        return hashlib.sha256(text.encode()).hexdigest()

    def watched(self) -> tuple[Watch, ...]:
        if self.watch:
            return self.watch
        column = self.model._meta.get_field(self.region).column
        return (Watch(self.model._meta.db_table, f"{{r}}.{column}"),)

    # reading -------------------------------------------------------------------------------------

    def usable_prefixes(self, user, capability: str, prefixes: Iterable[str]) -> tuple[list, list] | None:
        """The user's and the card's prefixes when cells can answer for them, else None."""
        own = collapse(user_prefixes(user, capability))
        wanted = collapse(prefixes) if prefixes else [NATIONWIDE]
        extra = getattr(self.model, "scope_extra", None) is not None and not self.own_scope
        if extra and NATIONWIDE not in own:
            return None
        if any(len(p) > self.level for p in (*own, *wanted)):
            return None
        return own, wanted

    def _cells_answer(self, group: tuple[str, ...]) -> bool:
        return all(int(name.partition(":")[2]) <= self.level for name in group if name.startswith("region"))

    def read(
        self,
        card,
        capability: str,
        *,
        group: tuple[str, ...] = (),
        years: tuple[int, int] | None = None,
        where: dict[str, Any] | None = None,
    ) -> list[tuple]:
        """Rows of ``group`` values (among "year", "d1".."d3", "region:<length>", "region2:<length>")
        followed by the count and the two sums, for the card's scope and the user's, the years
        ``years`` (inclusive) and dimension values ``where`` ({"d1": "x"})."""
        usable = self.usable_prefixes(card.user, capability, card.scope.prefixes)
        if usable is None or not self._cells_answer(group):
            return self._read_source(card, capability, group, years, where)
        refresh([self.name])
        own, wanted = usable
        cells = _cell_model().objects.filter(cube=self.name)
        for prefixes in (own, wanted):
            if not prefixes:
                return []
            if NATIONWIDE not in prefixes:
                cells = cells.filter(self._cell_q(prefixes))
        if years:
            cells = cells.filter(year__gte=years[0], year__lte=years[1])
        for key, value in (where or {}).items():
            cells = cells.filter(**{key: _text(value)})
        names, expressions = _group_expressions(group, region="region_code", region2="region_code2")
        measures = {"n_": Sum("n"), "a_": Sum("a"), "b_": Sum("b")}
        if not names:
            total = cells.aggregate(**measures)
            return [_measures(total.values())] if total["n_"] else []
        rows = cells.order_by().annotate(**expressions).values(*names).annotate(**measures)
        return [
            (
                *(_cell_value(name, v) for name, v in zip(group, row[: len(names)], strict=True)),
                *_measures(row[len(names) :]),
            )
            for row in rows.values_list(*names, "n_", "a_", "b_")
        ]

    def _cell_q(self, prefixes: list[str]) -> Q:
        if self.own_scope:
            return prefix_q("region_code", prefixes)
        return region_q(self.model, prefixes)  # the model's own rule, read on the cells' region_code

    def _read_source(self, card, capability, group, years, where) -> list[tuple]:
        if self.own_scope:
            rows = self.source()
            for prefixes in (user_prefixes(card.user, capability), card.scope.prefixes or [NATIONWIDE]):
                rows = rows.filter(prefix_q(self.region, prefixes))
        else:
            rows = card.rows(self.source(), capability)
        if years:
            rows = rows.filter(self._year_q(*years))
        expressions = self._expressions()
        for key, value in (where or {}).items():
            name, _sep, lookup = key.partition("__")
            alias = f"where_{name}"
            rows = rows.alias(**{alias: expressions[name]}).filter(**{f"{alias}__{lookup or 'exact'}": value})
        return [
            (
                *(_cell_value(name, v) for name, v in zip(group, row[: len(group)], strict=True)),
                *row[len(group) :],
            )
            for row in self._aggregate(rows, group)
        ]

    def _year_q(self, first: int, last: int) -> Q:
        from .scorecard import period_q

        if self.year is None:
            return Q(pk__in=[]) if not first <= 0 <= last else Q()
        return period_q(self.year[0], self.year[1], first, last)

    # computing -----------------------------------------------------------------------------------

    def _expressions(self) -> dict[str, Any]:
        expressions: dict[str, Any] = {}
        if self.year:
            name, kind = self.year
            expressions["year"] = Coalesce(ExtractYear(name) if kind == "date" else F(name), Value(0))
        for index, name in enumerate(self.dims, start=1):
            expressions[f"d{index}"] = F(name) if isinstance(name, str) else name
        return expressions

    def _aggregate(self, rows: QuerySet, group: tuple[str, ...]) -> list[tuple]:
        """``rows`` counted and summed by ``group`` (cube dimension names): one grouped query."""
        names, expressions = _group_expressions(group, region=self.region, region2=self.region2)
        expressions = {**{k: v for k, v in self._expressions().items() if k in names}, **expressions}
        measures = {"n_": Count("pk")}
        for index, expression in enumerate(self.sums):
            measures["ab"[index] + "_"] = Sum(expression)
        if not names:
            total = rows.aggregate(**measures)
            found = [tuple(total.values())] if total["n_"] else []
        else:
            query = rows.order_by().annotate(**expressions).values(*names).annotate(**measures)
            found = query.values_list(*names, *measures)
        result = []
        for row in found:
            a = row[len(names) + 1] if len(self.sums) > 0 else ZERO
            b = row[len(names) + 2] if len(self.sums) > 1 else ZERO
            result.append((*row[: len(names)], row[len(names)] or 0, a or ZERO, b or ZERO))
        return result

    def compute(self, regions: list[str] | None) -> list:
        """The cells of ``regions`` (padded codes at the cube's level; None: everywhere), from the records."""
        rows = self.source()
        if regions is not None:
            rows = rows.filter(prefix_q(self.region, [code[: self.level] for code in regions]))
        group = (f"region:{self.level}",)
        if self.region2:
            group += (f"region2:{self.level}",)
        if self.year:
            group += ("year",)
        group += tuple(f"d{i}" for i in range(1, len(self.dims) + 1))
        cells = []
        for row in self._aggregate(rows, group):
            values = dict(zip(group, row, strict=False))
            n, a, b = row[len(group) :]
            cells.append(
                _cell_model()(
                    cube=self.name,
                    region_code=_pad(values[group[0]]),
                    region_code2=_pad(values.get(f"region2:{self.level}")),
                    year=values.get("year") or 0,
                    d1=_text(values.get("d1")),
                    d2=_text(values.get("d2")),
                    d3=_text(values.get("d3")),
                    n=n,
                    a=a,
                    b=b,
                )
            )
        return cells


def _cell_model():
    """The cell model, imported late: apps' scorecard modules import this one while apps load."""
    from .models import RollupCell

    return RollupCell


def _measures(values) -> tuple:
    n, a, b = values
    return (n or 0, a or ZERO, b or ZERO)


def _pad(code) -> str:
    return (code or "")[:12].ljust(12, "0") if code else ""


def _text(value) -> str:
    if value is None:
        return ""
    return str(value)[:40]


def _cell_value(name: str, value):
    """Cells keep dimensions as text; both paths hand them back as text, years as numbers."""
    if name == "year":
        return int(value or 0)
    if name.startswith("region"):
        return value or ""
    return _text(value)


def _group_expressions(group: tuple[str, ...], *, region: str, region2: str | None) -> tuple[list[str], dict]:
    names, expressions = [], {}
    for name in group:
        base, _sep, length = name.partition(":")
        if base in ("region", "region2"):
            source = region if base == "region" else region2
            alias = f"{base}_{length}"
            expressions[alias] = Substr(source, 1, int(length))
            names.append(alias)
        else:
            names.append(name)
    return names, expressions


def register(cube: Cube) -> Cube:
    CUBES[cube.name] = cube
    return cube


# Keeping the cells right ----------------------------------------------------------------------------


def _lock(cursor) -> None:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('bangfu.rollups'))")


def refresh(names: Iterable[str] | None = None) -> dict[str, int]:
    """Bring the cells of cubes ``names`` (all when None) up to date with the records: cubes
    never built or redefined are rebuilt whole, marked regions are recomputed. Returns the
    number of regions recomputed per cube (-1: rebuilt whole)."""
    from .models import RollupCell as Cell
    from .models import RollupDirty, RollupState

    cubes = [CUBES[name] for name in (names if names is not None else CUBES)]
    done: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        states = dict(
            RollupState.objects.filter(cube__in=[c.name for c in cubes]).values_list("cube", "signature")
        )
        marks = defaultdict(dict)
        for pk, cube_name, region in RollupDirty.objects.filter(cube__in=[c.name for c in cubes]).values_list(
            "pk", "cube", "region_code"
        ):
            marks[cube_name][pk] = region
        for cube in cubes:
            signature = cube.signature()
            if states.get(cube.name) != signature:
                Cell.objects.filter(cube=cube.name).delete()
                Cell.objects.bulk_create(cube.compute(None), batch_size=5000)
                RollupState.objects.update_or_create(cube=cube.name, defaults={"signature": signature})
                done[cube.name] = -1
            elif marks.get(cube.name):
                regions = sorted({code[: cube.level].ljust(12, "0") for code in marks[cube.name].values()})
                for chunk in _chunks(regions, 500):
                    Cell.objects.filter(cube=cube.name, region_code__in=chunk).delete()
                    Cell.objects.bulk_create(cube.compute(chunk), batch_size=5000)
                done[cube.name] = len(regions)
            for chunk in _chunks(sorted(marks.get(cube.name, {})), 1000):
                RollupDirty.objects.filter(pk__in=chunk).delete()
    return done


def rebuild(names: Iterable[str] | None = None, progress=None) -> dict[str, int]:
    """Rebuild cubes ``names`` (all when None) whole from the records; returns cells per cube."""
    from .models import RollupState

    chosen = list(names if names is not None else CUBES)
    counts = {}
    for done, name in enumerate(chosen, start=1):
        RollupState.objects.filter(cube=name).delete()
        refresh([name])
        counts[name] = _cell_model().objects.filter(cube=name).count()
        if progress:
            progress(done, len(chosen))
    return counts


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Triggers ---------------------------------------------------------------------------------------------

_EVENTS = {"insert": ("new_rows",), "update": ("old_rows", "new_rows"), "delete": ("old_rows",)}


def _branches(table: str, rows: dict[str, str]) -> list[str]:
    """SELECTs of (cube, padded region) for every cube watching ``table``; ``rows`` maps the
    transition alias to what stands for a row ({"new_rows": "r"} on PostgreSQL)."""
    branches = []
    for cube in CUBES.values():
        for watch in cube.watched():
            if watch.table != table:
                continue
            for source, alias in rows.items():
                region = watch.region_sql.format(r=alias)
                sql = f"SELECT '{cube.name}' AS c, substr(substr({region}, 1, {cube.level}) || '{PAD}', 1, 12) AS g"
                branches.append(f"{sql} FROM {source} {alias}" if source else sql)
    return branches


def _watched_tables() -> list[str]:
    return sorted({watch.table for cube in CUBES.values() for watch in cube.watched()})


def trigger_sql(vendor: str) -> list[str]:
    """The statements that (re)create every rollup trigger, after dropping the old ones."""
    statements = []
    for table in _watched_tables():
        for event, sources in _EVENTS.items():
            name = f"rollup_{table}_{event}"[:63]
            if vendor == "postgresql":
                union = " UNION ".join(_branches(table, {source: "r" for source in sources}))
                statements.append(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN "  # noqa: S608
                    f"INSERT INTO reports_rollupdirty (cube, region_code) SELECT DISTINCT c, g FROM ({union}) s "
                    "WHERE g IS NOT NULL; RETURN NULL; END $body$"
                )
                referencing = " ".join(f"{'OLD' if s == 'old_rows' else 'NEW'} TABLE AS {s}" for s in sources)
                statements.append(
                    f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} REFERENCING {referencing} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                )
            else:
                rows = {"": "NEW"} if event == "insert" else {"": "OLD"} if event == "delete" else None
                if rows is None:
                    branches = _branches(table, {"": "OLD"}) + _branches(table, {"": "NEW"})
                else:
                    branches = _branches(table, rows)
                statements.append(
                    f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} FOR EACH ROW BEGIN "  # noqa: S608
                    f"INSERT INTO reports_rollupdirty (cube, region_code) SELECT DISTINCT c, g FROM "
                    f"({' UNION '.join(branches)}) WHERE g IS NOT NULL; END"
                )
    return statements


def drop_triggers(using: str = "default") -> None:
    from django.db import connections

    conn = connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'rollup\\_%' AND NOT tgisinternal"
            )
            for name, table in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON {table}')
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rollup\\_%' ESCAPE '\\'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def install_triggers(using: str = "default") -> None:
    from django.db import connections

    conn = connections[using]
    drop_triggers(using)
    with conn.cursor() as cursor:
        for statement in trigger_sql(conn.vendor):
            cursor.execute(statement)
