"""Hash-chained, append-only ledgers: appending entries and verifying chains."""

import datetime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from .models import ChainedEntry, LedgerChain


def _canonical(field, value):
    """A value as the database gives it back, so an entry hashes the same before and after saving.

    Decimal("100") is read back as Decimal("100.00"), an int 100 as Decimal("100.00").
    """
    value = field.to_python(value)
    if isinstance(value, Decimal):
        if getattr(field, "decimal_places", None) is not None:
            value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
        return format(value, "f")
    return value


def compute_hash(entry: ChainedEntry) -> str:
    content = {
        "ledger": entry.ledger_name,
        "chain": entry.chain_id,
        "seq": entry.seq,
        "prev": entry.prev_hash,
        # Read back in UTC whatever time zone it was written in.
        "created_at": entry.created_at.astimezone(datetime.UTC).isoformat(),
        "created_by": entry.created_by_id,
    }
    for name in entry.hash_fields:
        field = entry._meta.get_field(name)
        content[name] = _canonical(field, getattr(entry, field.attname))
    for name in entry.hash_fields_when_set:
        field = entry._meta.get_field(name)
        if (value := getattr(entry, field.attname)) not in (None, ""):
            content[name] = _canonical(field, value)
    encoded = json.dumps(content, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def ledger_append(model: type[ChainedEntry], *, key: str, actor=None, **fields) -> ChainedEntry:
    """Append one entry to the chain ``key`` of ``model``'s ledger, under a row lock on its head."""
    with transaction.atomic():
        chain, _ = LedgerChain.objects.get_or_create(ledger=model.ledger_name, key=key)
        chain = LedgerChain.objects.select_for_update().get(pk=chain.pk)
        entry = model(
            chain=chain, seq=chain.last_seq + 1, prev_hash=chain.last_hash, created_by=actor, **fields
        )
        entry.entry_hash = compute_hash(entry)
        entry.save(force_insert=True)
        LedgerChain.objects.filter(pk=chain.pk).update(last_seq=entry.seq, last_hash=entry.entry_hash)
    return entry


def ledger_models() -> list[type[ChainedEntry]]:
    return [m for m in apps.get_models() if issubclass(m, ChainedEntry)]


@dataclass(frozen=True)
class Problem:
    ledger: str
    chain: str
    seq: int | None
    kind: str  # edited | deleted | inserted | head
    message: str


def _check_head(ledger: str, chain: LedgerChain | None, chain_id: int, last_seq: int, last_hash: str):
    """Entries that run past or stop short of their chain head mean rows were added or removed."""
    if chain is None:
        return Problem(ledger, str(chain_id), None, "inserted", "entries belong to no chain head")
    if chain.last_seq < last_seq:
        return Problem(
            ledger,
            chain.key,
            chain.last_seq + 1,
            "inserted",
            f"chain head says {chain.last_seq} entries, found {last_seq}",
        )
    if chain.last_seq > last_seq:
        return Problem(
            ledger,
            chain.key,
            last_seq + 1,
            "deleted",
            f"chain head says {chain.last_seq} entries, found {last_seq}",
        )
    if chain.last_hash != last_hash:
        return Problem(ledger, chain.key, last_seq, "head", "last entry does not match the chain head")
    return None


def verify(models: list[type[ChainedEntry]] | None = None) -> Iterator[Problem | int]:
    """Yield a Problem for every broken link, and the running count of entries checked."""
    checked = 0
    for model in models or ledger_models():
        ledger = model.ledger_name
        chains = {c.pk: c for c in LedgerChain.objects.filter(ledger=ledger)}
        seen: set[int] = set()
        current, expected_seq, prev_hash = None, 1, "0" * 64
        for entry in model._base_manager.order_by("chain_id", "seq").iterator(chunk_size=5000):
            if entry.chain_id != current:
                if current is not None:
                    problem = _check_head(ledger, chains.get(current), current, expected_seq - 1, prev_hash)
                    if problem:
                        yield problem
                current, expected_seq, prev_hash = entry.chain_id, 1, "0" * 64
                seen.add(entry.chain_id)
            key = chains[entry.chain_id].key if entry.chain_id in chains else str(entry.chain_id)
            if entry.seq > expected_seq:  # reported at the first missing entry
                yield Problem(ledger, key, expected_seq, "deleted", f"next entry found is {entry.seq}")
            elif entry.seq < expected_seq:
                yield Problem(ledger, key, entry.seq, "inserted", f"expected entry {expected_seq}")
            elif entry.prev_hash != prev_hash:
                yield Problem(ledger, key, entry.seq, "inserted", "does not link to the entry before")
            if compute_hash(entry) != entry.entry_hash:
                yield Problem(ledger, key, entry.seq, "edited", "content does not match its hash")
            expected_seq, prev_hash = entry.seq + 1, entry.entry_hash
            checked += 1
            if checked % 10_000 == 0:
                yield checked
        if current is not None:
            problem = _check_head(ledger, chains.get(current), current, expected_seq - 1, prev_hash)
            if problem:
                yield problem
        for chain in chains.values():
            if chain.pk not in seen and chain.last_seq:
                yield Problem(ledger, chain.key, 1, "deleted", "every entry of the chain is gone")
        for key, seq, message in model.detail_problems():
            yield Problem(ledger, key, seq, "edited", message)
    yield checked
