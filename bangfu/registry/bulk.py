"""Writing many households at once: the demo county and (later) big imports.

The same rules as the services, applied to batches: ID numbers validated, encrypted
and hashed, one head per household, per-capita income derived, status derived from
the timeline, and one audit record per created row.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction

from bangfu.audit.services import record_bulk

from .models import (
    Household,
    HouseholdPairing,
    IncomeRecord,
    MemberHistory,
    Person,
    Relation,
    StatusChange,
    StatusKind,
)
from .services import STATUS_AFTER, identity, per_capita

BATCH = 500


def _person(household: Household, data: dict, relation: str) -> Person:
    facts = identity(data["id_number"])
    values = {k: v for k, v in data.items() if k not in ("id_number", "name")}
    return Person(
        household=household,
        region_code=household.region_code,
        relation=relation,
        **facts.person_values(data["name"]),
        **values,
    )


def _audit(objects: list, actor=None) -> None:
    """One creation record per row, through the audit app's bulk writer (the same one imports use)."""
    if not objects:
        return
    by_pk = {obj.pk: obj for obj in objects}
    record_bulk(
        actor=actor,
        model=type(objects[0]),
        created=[
            (obj.pk, {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields})
            for obj in objects
        ],
        describe=lambda pk, values: (str(by_pk[pk]), values.get("region_code", "") or ""),
    )


def households_write(rows: Iterable[dict], *, actor=None) -> int:
    """Create households from demo-shaped rows (see registry.demo.household_rows)."""
    rows = list(rows)
    with transaction.atomic():
        households = [
            Household(
                code=r["code"],
                region=r["village"],
                region_code=r["village"].code,
                address=r["address"],
                registered=True,
                registered_year=r["registered_year"],
                safety_net=r["safety_net"],
            )
            for r in rows
        ]
        Household.objects.bulk_create(households, batch_size=BATCH)
        through = Household.causes.through
        through.objects.bulk_create(
            [
                through(household_id=h.pk, povertycause_id=c)
                for h, r in zip(households, rows, strict=True)
                for c in r["causes"]
            ],
            batch_size=BATCH,
        )
        persons, heads = [], []
        for household, row in zip(households, rows, strict=True):
            head = _person(household, row["head"], Relation.HEAD)
            heads.append(head)
            persons.append(head)
            persons.extend(_person(household, member, relation) for relation, member in row["members"])
        Person.objects.bulk_create(persons, batch_size=BATCH)
        today = datetime.date(2026, 1, 1)
        MemberHistory.objects.bulk_create(
            [
                MemberHistory(person=p, household_id=p.household_id, relation=p.relation, joined_on=today)
                for p in persons
            ],
            batch_size=BATCH,
        )
        sizes: dict[int, int] = {}
        for person in persons:
            sizes[person.household_id] = sizes.get(person.household_id, 0) + 1
        incomes, steps = [], []
        for household, row, head in zip(households, rows, heads, strict=True):
            household.head, household.head_name = head, head.name
            household.members_count = sizes[household.pk]
            for income in row["incomes"]:
                net, per_head = per_capita(
                    members=household.members_count, **{k: v for k, v in income.items() if k != "year"}
                )
                incomes.append(
                    IncomeRecord(
                        household=household,
                        region_code=household.region_code,
                        members=household.members_count,
                        net_income=net,
                        per_capita_net=per_head,
                        **income,
                    )
                )
                household.latest_per_capita = per_head
            for kind, date in row["steps"]:
                steps.append(
                    StatusChange(
                        household=household,
                        region_code=household.region_code,
                        kind=kind,
                        date=date,
                        approved_by=row.get("approved_by", ""),
                    )
                )
                household.status = STATUS_AFTER[kind]
                if kind == StatusKind.LIFTED:
                    household.lifted_year = date.year
        Household.objects.bulk_update(
            households,
            ["head", "head_name", "members_count", "latest_per_capita", "status", "lifted_year"],
            batch_size=BATCH,
        )
        IncomeRecord.objects.bulk_create(incomes, batch_size=BATCH)
        StatusChange.objects.bulk_create(steps, batch_size=BATCH)
        _audit(households, actor)
        _audit(persons, actor)
        _audit(incomes, actor)
        _audit(steps, actor)
    return len(households)


def pairings_write(pairings: list[HouseholdPairing], *, actor=None) -> None:
    HouseholdPairing.objects.bulk_create(pairings, batch_size=BATCH)
    _audit(pairings, actor)
