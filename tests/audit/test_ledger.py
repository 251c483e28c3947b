"""Hash-chained, append-only ledgers: appending, verifying, and catching every kind of tampering."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from bangfu import cli
from bangfu.audit.ledger import compute_hash, ledger_append, verify
from bangfu.audit.models import LedgerChain
from tests.testapp.models import MoneyEntry, PointEntry

pytestmark = pytest.mark.django_db

ZERO = "0" * 64
TABLE = PointEntry._meta.db_table


def append_points(count: int, *, key: str = "H1", actor=None) -> list[PointEntry]:
    return [
        ledger_append(PointEntry, key=key, actor=actor, household=key, points=10 * n, memo=f"第{n}次")
        for n in range(1, count + 1)
    ]


def problems(models=None) -> list[tuple[str, str, int | None]]:
    """(kind, chain key, seq) of every problem verify() reports, in order."""
    return [(p.kind, p.chain, p.seq) for p in verify(models) if not isinstance(p, int)]


def checked_count(models=None) -> int:
    counts = [item for item in verify(models) if isinstance(item, int)]
    return counts[-1]


def sql(statement: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{table}", connection.ops.quote_name(TABLE)), params)
        return cursor.rowcount


def raw_insert(entry: PointEntry) -> None:
    """Insert a row as a forger with database access would: straight into the table."""
    sql(
        "INSERT INTO {table} (chain_id, seq, prev_hash, entry_hash, created_at, created_by_id,"
        " household, points, memo) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            entry.chain_id,
            entry.seq,
            entry.prev_hash,
            entry.entry_hash,
            connection.ops.adapt_datetimefield_value(entry.created_at),
            entry.created_by_id,
            entry.household,
            entry.points,
            entry.memo,
        ],
    )


def forged(chain_id: int, seq: int, prev_hash: str, points: int = 999) -> PointEntry:
    """A well-formed entry: the forger knows the (public) hashing rule."""
    entry = PointEntry(
        chain_id=chain_id, seq=seq, prev_hash=prev_hash, household="H1", points=points, memo="伪造"
    )
    entry.entry_hash = compute_hash(entry)
    return entry


def table_rows() -> list[tuple]:
    return list(PointEntry.objects.order_by("pk").values_list())


# Appending --------------------------------------------------------------------------------------


def test_append_builds_a_chain(make_user):
    actor = make_user()
    entries = append_points(5, actor=actor)
    stored = list(PointEntry.objects.order_by("seq"))
    assert [e.seq for e in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == ZERO
    for before, after in zip(stored, stored[1:], strict=False):
        assert after.prev_hash == before.entry_hash
    assert [e.entry_hash for e in stored] == [e.entry_hash for e in entries]
    assert all(compute_hash(e) == e.entry_hash for e in stored)
    assert len({e.entry_hash for e in stored}) == 5
    assert {e.created_by_id for e in stored} == {actor.pk}
    head = LedgerChain.objects.get(ledger="test-points", key="H1")
    assert (head.last_seq, head.last_hash) == (5, stored[-1].entry_hash)


def test_each_key_is_its_own_chain():
    append_points(3, key="H1")
    append_points(2, key="H2")
    heads = {c.key: c.last_seq for c in LedgerChain.objects.filter(ledger="test-points")}
    assert heads == {"H1": 3, "H2": 2}
    assert list(PointEntry.objects.filter(household="H2").values_list("seq", "prev_hash")[:1]) == [(1, ZERO)]


def test_hash_covers_every_hashed_field():
    entry = append_points(1)[0]
    for name, value in [
        ("points", 11),
        ("household", "H9"),
        ("memo", "改"),
        ("seq", 2),
        ("prev_hash", "1" * 64),
    ]:
        altered = PointEntry.objects.get(pk=entry.pk)
        setattr(altered, name, value)
        assert compute_hash(altered) != entry.entry_hash, name


def test_clean_ledger_verifies():
    append_points(5, key="H1")
    append_points(3, key="H2")
    assert problems() == []
    assert checked_count() == 8


def test_empty_ledger_verifies():
    assert problems() == []
    assert checked_count() == 0


# Append-only ------------------------------------------------------------------------------------


def test_save_on_an_existing_entry_is_refused():
    entry = append_points(3)[1]
    before = table_rows()
    entry.points = 1_000
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.save(update_fields=["points"])
    assert table_rows() == before
    assert problems() == []


def test_delete_is_refused():
    entry = append_points(3)[1]
    before = table_rows()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert table_rows() == before
    assert problems() == []


# Tampering through SQL --------------------------------------------------------------------------


def test_edited_value_is_reported():
    append_points(5)
    assert sql("UPDATE {table} SET points = 10000 WHERE seq = 3") == 1
    assert problems() == [("edited", "H1", 3)]


def test_deleted_middle_row_is_reported_at_its_seq():
    append_points(5)
    assert sql("DELETE FROM {table} WHERE seq = 3") == 1
    assert problems() == [("deleted", "H1", 3)]


def test_deleted_first_row_is_reported():
    append_points(3)
    sql("DELETE FROM {table} WHERE seq = 1")
    assert problems() == [("deleted", "H1", 1)]


def test_deleted_last_row_is_reported():
    append_points(5)
    assert sql("DELETE FROM {table} WHERE seq = 5") == 1
    assert problems() == [("deleted", "H1", 5)]


def test_every_row_deleted_is_reported():
    append_points(3)
    sql("DELETE FROM {table}")
    assert problems() == [("deleted", "H1", 1)]


def test_forged_row_appended_after_the_head_is_reported_as_inserted():
    entries = append_points(5)
    raw_insert(forged(entries[-1].chain_id, 6, entries[-1].entry_hash))
    assert problems() == [("inserted", "H1", 6)]


def test_forged_row_inserted_by_renumbering_is_reported():
    entries = append_points(5)
    chain_id = entries[0].chain_id
    for seq in (5, 4, 3):  # from the end, as the unique (chain, seq) constraint requires
        assert sql("UPDATE {table} SET seq = seq + 1 WHERE chain_id = %s AND seq = %s", [chain_id, seq]) == 1
    raw_insert(forged(chain_id, 3, entries[1].entry_hash))
    assert sorted(PointEntry.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert problems() == [
        ("inserted", "H1", 4),  # the old 3rd entry no longer links to the one before it
        ("edited", "H1", 4),  # … and every renumbered entry no longer matches its hash
        ("edited", "H1", 5),
        ("edited", "H1", 6),
        ("inserted", "H1", 6),  # the chain runs past its head
    ]


def test_row_rehashed_after_an_edit_breaks_the_next_link():
    entries = append_points(5)
    edited = PointEntry.objects.get(pk=entries[2].pk)
    edited.points = 10_000
    sql(
        "UPDATE {table} SET points = %s, entry_hash = %s WHERE id = %s",
        [10_000, compute_hash(edited), edited.pk],
    )
    assert problems() == [("inserted", "H1", 4)]


def test_last_row_rehashed_after_an_edit_breaks_the_head():
    entries = append_points(5)
    edited = PointEntry.objects.get(pk=entries[-1].pk)
    edited.points = 10_000
    sql(
        "UPDATE {table} SET points = %s, entry_hash = %s WHERE id = %s",
        [10_000, compute_hash(edited), edited.pk],
    )
    assert problems() == [("head", "H1", 5)]


def test_only_the_tampered_chain_is_reported():
    append_points(4, key="H1")
    append_points(4, key="H2")
    sql("UPDATE {table} SET memo = 'x' WHERE household = 'H2' AND seq = 2")
    assert problems() == [("edited", "H2", 2)]
    assert problems([MoneyEntry]) == []


# Values that change shape on their way through the database -----------------------------------


@pytest.mark.parametrize("amount", [Decimal("100"), Decimal("12.5"), 100, "7.10", Decimal("-3.00")])
def test_amounts_verify_whatever_form_they_were_given_in(amount):
    """A Decimal("100") is read back as Decimal("100.00"): the hash must not depend on that."""
    entry = ledger_append(MoneyEntry, key="P1", project="P1", amount=amount)
    stored = MoneyEntry.objects.get(pk=entry.pk)
    assert stored.amount == Decimal(str(amount))
    assert compute_hash(stored) == entry.entry_hash
    assert problems([MoneyEntry]) == []


def test_local_created_at_verifies():
    """A timestamp given in local time is read back in UTC: the hash must not depend on that."""
    moment = timezone.localtime(timezone.now())
    assert moment.utcoffset() == datetime.timedelta(hours=8)
    ledger_append(PointEntry, key="H1", household="H1", points=1, memo="", created_at=moment)
    assert problems() == []


def test_edited_amount_is_reported():
    ledger_append(MoneyEntry, key="P1", project="P1", amount=Decimal("100.00"))
    ledger_append(MoneyEntry, key="P1", project="P1", amount=Decimal("50.00"))
    MoneyEntry.objects.filter(seq=1).update(amount=Decimal("100.01"))
    assert problems([MoneyEntry]) == [("edited", "P1", 1)]


# The command ------------------------------------------------------------------------------------


def test_cli_verify_clean(capsys):
    append_points(5)
    assert cli.main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "ok: 5 ledger entries verified" in out


def test_cli_verify_after_tampering(capsys):
    append_points(5)
    sql("UPDATE {table} SET points = 10000 WHERE seq = 3")
    sql("DELETE FROM {table} WHERE seq = 5")
    assert cli.main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "EDITED    ledger=test-points chain=H1 entry=3: content does not match its hash" in out
    assert "DELETED   ledger=test-points chain=H1 entry=5" in out
    assert "2 problem(s) in 4 ledger entries" in out
