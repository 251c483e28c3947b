"""The demo county's households: valid and consistent (the same seed giving the same rows is
checked on two builds in tests/test_cli.py)."""

import json
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q

from bangfu.audit.models import Action, ChangeRecord
from bangfu.core import crypto, idnumber
from bangfu.registry.models import (
    Household,
    IncomeRecord,
    MemberHistory,
    Person,
    Relation,
    StatusChange,
)
from bangfu.registry.services import STATUS_AFTER

CENT = Decimal("0.01")
IDS = re.compile(r"\d{17}[\dX]")

pytestmark = pytest.mark.django_db


def test_demo_builds_600_households(demo):
    assert Household.objects.count() == 600
    assert Household.objects.filter(region_code__startswith="410423").count() == 600
    assert Person.objects.count() > 1200  # a household averages about three members


def test_demo_id_numbers_are_valid_unique_and_inside_the_county(demo):
    seen = set()
    for person in Person.objects.all().iterator(chunk_size=2000):
        parsed = idnumber.parse(person.id_number)
        assert parsed.region_code == "410423"
        assert (person.gender, person.birth_date) == (parsed.gender, parsed.birth_date)
        assert person.id_number_hash == crypto.lookup_hash(person.id_number)
        assert person.id_number_masked == parsed.masked
        seen.add(person.id_number)
    assert len(seen) == Person.objects.count()
    assert Person.objects.values("id_number_hash").distinct().count() == len(seen)


def test_demo_households_have_one_head_and_the_right_member_count(demo):
    households = Household.objects.annotate(
        active=Count("members", filter=Q(members__is_active=True)),
        heads=Count("members", filter=Q(members__is_active=True, members__relation=Relation.HEAD)),
    )
    assert Counter(h.heads for h in households) == {1: 600}
    assert all(h.members_count == h.active >= 1 for h in households)
    head_names = dict(Person.objects.filter(relation=Relation.HEAD).values_list("pk", "name"))
    for household in households:
        assert household.head_name == head_names[household.head_id]
        assert Person.objects.get(pk=household.head_id).household_id == household.pk
    # everyone has one open history entry, in the household they are in
    open_entries = MemberHistory.objects.filter(left_on__isnull=True)
    assert open_entries.count() == Person.objects.count()
    assert not open_entries.exclude(household_id=F("person__household_id")).exists()


def test_demo_incomes_are_consistent_with_their_components(demo):
    members = dict(Household.objects.values_list("pk", "members_count"))
    latest = {}
    for record in IncomeRecord.objects.all().iterator(chunk_size=2000):
        components = (
            record.wage_income,
            record.production_income,
            record.property_income,
            record.transfer_income,
            record.production_cost,
        )
        assert min(components) >= 0
        net = record.wage_income + record.production_income + record.property_income + record.transfer_income
        net -= record.production_cost
        assert record.net_income == net
        assert record.members == members[record.household_id]
        assert record.per_capita_net == (net / record.members).quantize(CENT, rounding=ROUND_HALF_UP)
        if record.year > latest.get(record.household_id, (0, None))[0]:
            latest[record.household_id] = (record.year, record.per_capita_net)
    assert len(latest) == 600
    for pk, per_capita in Household.objects.values_list("pk", "latest_per_capita"):
        assert per_capita == latest[pk][1]


def test_demo_status_follows_the_timeline(demo):
    steps = {}
    for change in StatusChange.objects.order_by("household_id", "date", "pk"):
        steps.setdefault(change.household_id, []).append(change)
    assert len(steps) == 600
    for household in Household.objects.all():
        timeline = steps[household.pk]
        assert [c.date for c in timeline] == sorted(c.date for c in timeline)
        assert household.status == STATUS_AFTER[timeline[-1].kind]
        lifted = [c.date.year for c in timeline if c.kind == "lifted"]
        assert household.lifted_year == (lifted[-1] if lifted else None)


def test_demo_rows_are_audited_without_clear_id_numbers(demo):
    for model in (Household, Person, IncomeRecord, StatusChange):
        content_type = ContentType.objects.get_for_model(model)
        audited = set(
            ChangeRecord.objects.filter(content_type=content_type, action=Action.CREATE).values_list(
                "object_id", flat=True
            )
        )
        assert audited == {str(pk) for pk in model.objects.values_list("pk", flat=True)}, model.__name__
    numbers = {p.id_number for p in Person.objects.all()}
    text = " ".join(
        json.dumps(r.changes, ensure_ascii=False) + r.object_repr for r in ChangeRecord.objects.all()
    )
    assert not set(IDS.findall(text)) & numbers
    assert not IDS.findall(text.upper())  # nothing shaped like an ID number at all
    person_records = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(Person))
    assert all(r.changes["id_number"][1].startswith("******") for r in person_records)


# The same seed gives the same households (and every other row): tests/test_cli.py checks
# it on two builds of the demo.
