"""The registry's consistency rules (issue 3, item 2), enforced by the services as field errors."""

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from bangfu.audit.models import Action, ChangeRecord
from bangfu.core import crypto, idnumber
from bangfu.registry import services
from bangfu.registry.models import (
    Household,
    HouseholdPairing,
    HouseholdStatus,
    IncomeRecord,
    MemberHistory,
    Person,
    PovertyCause,
    Relation,
    StatusChange,
    StatusKind,
)
from tests.conftest import DEMO_VILLAGE

from .conftest import NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def fields_of(error: ValidationError) -> set[str]:
    return set(error.value.error_dict)


def refreshed(household: Household) -> Household:
    return Household.objects.select_related("head").get(pk=household.pk)


def active_members(household: Household):
    return Person.objects.filter(household=household, is_active=True)


def assert_consistent(household: Household) -> None:
    """head, head_name and members_count agree with the members actually in the household."""
    fresh = refreshed(household)
    heads = list(active_members(household).filter(relation=Relation.HEAD))
    assert len(heads) <= 1
    assert fresh.members_count == active_members(household).count()
    if heads:
        assert (fresh.head_id, fresh.head_name) == (heads[0].pk, heads[0].name)
    else:
        assert (fresh.head_id, fresh.head_name) == (None, "")


def records_for(instance) -> list[ChangeRecord]:
    content_type = ContentType.objects.get_for_model(instance)
    return list(ChangeRecord.objects.filter(content_type=content_type, object_id=str(instance.pk)))


@pytest.fixture
def actor(office):
    return office


@pytest.fixture
def family(household, person_data, actor):
    """A household of three: head 周耀伟, spouse 李秀兰, son 周强."""
    home = household(head_name="周耀伟", actor=actor)
    spouse = services.person_add(actor=actor, household=home, data=person_data("李秀兰", "spouse"))
    son = services.person_add(actor=actor, household=home, data=person_data("周强", "son", male=True))
    return home, Person.objects.get(pk=home.head_id), spouse, son


# Exactly one head -------------------------------------------------------------------------------


def test_a_new_household_has_its_head(household, actor):
    home = household(head_name="周耀伟", actor=actor)
    head = Person.objects.get(household=home)
    assert head.relation == Relation.HEAD
    assert (home.head_id, home.head_name, home.members_count) == (head.pk, "周耀伟", 1)
    assert MemberHistory.objects.filter(person=head, household=home, left_on__isnull=True).count() == 1
    assert_consistent(home)


def test_adding_a_second_head_fails(family, person_data, actor, unchanged):
    home, head, _, _ = family
    with unchanged(), pytest.raises(ValidationError) as error:
        services.person_add(actor=actor, household=home, data=person_data("周二", "head", male=True))
    assert fields_of(error) == {"relation"}
    assert refreshed(home).head_id == head.pk


def test_the_head_cannot_simply_become_another_relation(family, actor, unchanged):
    home, head, _, _ = family
    with unchanged(), pytest.raises(ValidationError) as error:
        services.person_update(actor=actor, person=head, data={"relation": Relation.SPOUSE})
    assert fields_of(error) == {"relation"}
    assert Person.objects.get(pk=head.pk).relation == Relation.HEAD
    assert_consistent(home)


def test_a_member_cannot_become_a_second_head(family, actor, unchanged):
    home, head, spouse, _ = family
    with unchanged(), pytest.raises(ValidationError) as error:
        services.person_update(actor=actor, person=spouse, data={"relation": Relation.HEAD})
    assert fields_of(error) == {"relation"}
    assert Person.objects.get(pk=spouse.pk).relation == Relation.SPOUSE
    assert refreshed(home).head_id == head.pk


def test_head_change_swaps_the_head(family, actor):
    home, head, spouse, son = family
    records = ChangeRecord.objects.count()
    services.head_change(actor=actor, household=home, new_head=spouse, old_head_relation=Relation.SPOUSE)
    assert Person.objects.get(pk=spouse.pk).relation == Relation.HEAD
    assert Person.objects.get(pk=head.pk).relation == Relation.SPOUSE
    assert Person.objects.get(pk=son.pk).relation == Relation.SON
    fresh = refreshed(home)
    assert (fresh.head_id, fresh.head_name, fresh.members_count) == (spouse.pk, "李秀兰", 3)
    assert ChangeRecord.objects.count() == records + 2  # the two persons whose relation changed
    assert_consistent(home)


@pytest.mark.parametrize("case", ["outsider", "old_relation_head"])
def test_head_change_rejects_bad_input(family, household, actor, unchanged, case):
    home, head, spouse, _ = family
    if case == "outsider":
        stranger = Person.objects.get(pk=household(head_name="赵六").head_id)
        kwargs = {"new_head": stranger, "old_head_relation": Relation.OTHER}
    else:
        kwargs = {"new_head": spouse, "old_head_relation": Relation.HEAD}
    with unchanged(), pytest.raises(ValidationError):
        services.head_change(actor=actor, household=home, **kwargs)
    assert refreshed(home).head_id == head.pk
    assert Person.objects.get(pk=head.pk).relation == Relation.HEAD


def test_moving_the_head_out_requires_a_new_head_from_those_who_remain(family, household, actor, unchanged):
    home, head, spouse, son = family
    target = household(head_name="王芳", village=NEIGHBOUR_VILLAGE)
    stranger = Person.objects.get(pk=target.head_id)
    for new_head in (None, stranger):
        with unchanged(), pytest.raises(ValidationError) as error:
            services.person_move(
                actor=actor,
                person=head,
                to_household=target,
                relation=Relation.OTHER,
                date=datetime.date(2025, 5, 1),
                new_head=new_head,
            )
        assert fields_of(error) == {"new_head"}
    assert Person.objects.get(pk=head.pk).household_id == home.pk

    services.person_move(
        actor=actor,
        person=head,
        to_household=target,
        relation=Relation.OTHER,
        date=datetime.date(2025, 5, 1),
        new_head=son,
    )
    fresh = refreshed(home)
    assert (fresh.head_id, fresh.head_name, fresh.members_count) == (son.pk, "周强", 2)
    assert Person.objects.get(pk=son.pk).relation == Relation.HEAD
    moved = Person.objects.get(pk=head.pk)
    assert (moved.household_id, moved.relation, moved.region_code) == (
        target.pk,
        Relation.OTHER,
        NEIGHBOUR_VILLAGE,
    )
    assert refreshed(target).members_count == 2
    assert refreshed(target).head_id == stranger.pk
    assert_consistent(home)
    assert_consistent(target)


def test_a_head_moving_alone_leaves_an_empty_household(household, actor):
    home = household(head_name="周耀伟")
    target = household(head_name="王芳")
    head = Person.objects.get(pk=home.head_id)
    services.person_move(
        actor=actor,
        person=head,
        to_household=target,
        relation=Relation.SPOUSE,
        date=datetime.date(2025, 5, 1),
    )
    fresh = refreshed(home)
    assert (fresh.head_id, fresh.head_name, fresh.members_count) == (None, "", 0)
    assert_consistent(target)


def test_a_new_head_is_refused_when_the_person_moving_is_not_the_head(family, household, actor, unchanged):
    """``new_head`` only applies when the head leaves: the household must not end up with two heads."""
    home, head, spouse, son = family
    target = household(head_name="王芳")
    with unchanged(), pytest.raises(ValidationError) as error:
        services.person_move(
            actor=actor,
            person=son,
            to_household=target,
            relation=Relation.SON,
            date=datetime.date(2025, 5, 1),
            new_head=spouse,
        )
    assert fields_of(error) == {"new_head"}
    assert Person.objects.get(pk=spouse.pk).relation == Relation.SPOUSE
    assert Person.objects.get(pk=son.pk).household_id == home.pk
    assert_consistent(home)


def test_moving_in_as_head_where_there_is_one_fails(family, household, actor, unchanged):
    _, _, _, son = family
    target = household(head_name="王芳")
    with unchanged(), pytest.raises(ValidationError) as error:
        services.person_move(
            actor=actor,
            person=son,
            to_household=target,
            relation=Relation.HEAD,
            date=datetime.date(2025, 5, 1),
        )
    assert fields_of(error) == {"relation"}


def test_household_keeps_head_name_and_members_count_after_each_change(family, person_data, household, actor):
    home, head, spouse, son = family
    assert_consistent(home)
    assert refreshed(home).members_count == 3

    services.person_update(actor=actor, person=head, data={"name": "周耀武"})
    assert refreshed(home).head_name == "周耀武"
    assert_consistent(home)

    daughter = services.person_add(actor=actor, household=home, data=person_data("周小红"))
    assert refreshed(home).members_count == 4

    target = household(head_name="王芳")
    services.person_move(
        actor=actor,
        person=daughter,
        to_household=target,
        relation=Relation.DAUGHTER_IN_LAW,
        date=datetime.date(2025, 6, 1),
    )
    assert refreshed(home).members_count == 3
    assert refreshed(target).members_count == 2

    services.head_change(actor=actor, household=home, new_head=son, old_head_relation=Relation.PARENT)
    assert refreshed(home).head_name == "周强"
    for each in (home, target):
        assert_consistent(each)


# ID numbers: valid, unique nationwide, agreeing with gender and birth date ---------------------------


def test_id_number_is_stored_encrypted_hashed_and_masked(household):
    home = household(head_name="周耀伟")
    head = Person.objects.get(pk=home.head_id)
    number = head.id_number
    assert head.id_number_hash == crypto.lookup_hash(number)
    assert head.id_number_masked == number[:4] + "*" * 10 + number[-4:]
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Person._meta.db_table)
        cursor.execute(f"SELECT id_number FROM {table} WHERE id = %s", [head.pk])  # noqa: S608
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1:")
    assert number not in stored


@pytest.mark.parametrize("typed", ["as_stored", "full_width", "lower_x"])
def test_the_same_id_number_in_another_household_fails(household, x_id_number, actor, unchanged, typed):
    first = household(head_name="周耀伟", head={"id_number": x_id_number})
    second = household(head_name="王芳")
    value = {
        "as_stored": x_id_number,
        "full_width": x_id_number.translate(FULL_WIDTH),
        "lower_x": x_id_number.lower(),
    }[typed]
    with unchanged(), pytest.raises(ValidationError) as error:
        services.person_add(
            actor=actor,
            household=second,
            data={"name": "周耀伟", "relation": Relation.OTHER, "id_number": value},
        )
    assert fields_of(error) == {"id_number"}
    assert x_id_number[-4:] in " ".join(error.value.message_dict["id_number"])  # masked, not in clear
    assert x_id_number not in " ".join(error.value.message_dict["id_number"])
    assert Person.objects.get(pk=first.head_id).household_id == first.pk


def test_a_household_whose_head_is_already_registered_is_not_created(household, region, actor, unchanged):
    first = household(head_name="周耀伟")
    number = Person.objects.get(pk=first.head_id).id_number
    with unchanged(), pytest.raises(ValidationError) as error:
        services.household_create(
            actor=actor,
            code="LS-NEW",
            region=region(DEMO_VILLAGE),
            head={"name": "周耀伟", "id_number": number},
        )
    assert fields_of(error) == {"id_number"}
    assert not Household.objects.filter(code="LS-NEW").exists()


def test_changing_an_id_number_to_one_already_used_fails(family, actor, unchanged):
    _, head, spouse, _ = family
    with unchanged(), pytest.raises(ValidationError) as error:
        services.person_update(actor=actor, person=spouse, data={"id_number": head.id_number})
    assert fields_of(error) == {"id_number"}
    assert Person.objects.get(pk=spouse.pk).id_number_hash != head.id_number_hash


def test_full_width_and_lower_case_input_is_stored_normalised(household, x_id_number, actor):
    home = household(head_name="周耀伟")
    person = services.person_add(
        actor=actor,
        household=home,
        data={
            "name": "李四",
            "relation": Relation.OTHER,
            "id_number": x_id_number.lower().translate(FULL_WIDTH),
        },
    )
    stored = Person.objects.get(pk=person.pk)
    assert stored.id_number == x_id_number
    assert stored.id_number_hash == crypto.lookup_hash(x_id_number)


@pytest.mark.parametrize(
    "bad", ["short", "checksum", "impossible_date", "letters", "unknown_region", "future"]
)
def test_malformed_id_numbers_fail_on_the_field(household, id_number, actor, unchanged, bad):
    home = household(head_name="周耀伟")
    valid = id_number(datetime.date(1980, 1, 1))
    wrong_check = "0" if valid[-1] != "0" else "1"
    value = {
        "short": valid[:17],
        "checksum": valid[:17] + wrong_check,
        "impossible_date": idnumber.make("410423", datetime.date(1980, 2, 1), 11).replace(
            "19800201", "19800230"
        ),
        "letters": "ABC",
        "unknown_region": idnumber.make("999999", datetime.date(1980, 1, 1), 11),
        "future": idnumber.make("410423", timezone.localdate() + datetime.timedelta(days=1), 11),
    }[bad]
    with unchanged(), pytest.raises(ValidationError) as error:
        services.person_add(
            actor=actor, household=home, data={"name": "李四", "relation": Relation.OTHER, "id_number": value}
        )
    assert fields_of(error) == {"id_number"}


def test_gender_and_birth_date_come_from_the_id_number(household, id_number, actor):
    home = household(head_name="周耀伟")
    number = id_number(datetime.date(1988, 2, 29), male=False)
    person = services.person_add(
        actor=actor,
        household=home,
        data={
            "name": "李秀兰",
            "relation": Relation.SPOUSE,
            "id_number": number,
            "gender": "female",
            "birth_date": datetime.date(1988, 2, 29),
        },
    )
    stored = Person.objects.get(pk=person.pk)
    assert (stored.gender, stored.birth_date) == ("female", datetime.date(1988, 2, 29))


@pytest.mark.parametrize(
    ("typed", "fields"),
    [
        ({"gender": "male"}, {"gender"}),
        ({"birth_date": datetime.date(1988, 3, 1)}, {"birth_date"}),
        ({"gender": "male", "birth_date": datetime.date(1988, 3, 1)}, {"gender", "birth_date"}),
    ],
)
def test_gender_and_birth_date_must_agree_with_the_id_number(
    household, id_number, actor, unchanged, typed, fields
):
    home = household(head_name="周耀伟")
    number = id_number(datetime.date(1988, 2, 29), male=False)
    with unchanged(), pytest.raises(ValidationError) as error:
        services.person_add(
            actor=actor,
            household=home,
            data={"name": "李秀兰", "relation": Relation.SPOUSE, "id_number": number, **typed},
        )
    assert fields_of(error) == fields


def test_an_update_must_agree_with_the_id_number_too(family, actor, unchanged):
    _, _, spouse, _ = family
    with unchanged(), pytest.raises(ValidationError) as error:
        services.person_update(actor=actor, person=spouse, data={"gender": "male"})
    assert fields_of(error) == {"gender"}
    assert Person.objects.get(pk=spouse.pk).gender == "female"


def test_person_update_refuses_fields_that_bypass_the_rules(family, household, actor, unchanged):
    """A move goes through person_move (history); deactivation is not a plain field edit."""
    home, _, spouse, _ = family
    other = household(head_name="王芳")
    for data in ({"household": other}, {"is_active": False}, {"id_number_hash": "0" * 64}):
        with unchanged(), pytest.raises(ValidationError):
            services.person_update(actor=actor, person=Person.objects.get(pk=spouse.pk), data=data)
    fresh = Person.objects.get(pk=spouse.pk)
    assert (fresh.household_id, fresh.is_active) == (home.pk, True)


# One household at a time; moving keeps history -----------------------------------------------------


def test_moving_closes_and_opens_history(family, household, actor):
    home, _, spouse, _ = family
    target = household(head_name="王芳", village=OTHER_TOWNSHIP_VILLAGE)
    moved_on = datetime.date(2025, 3, 6)
    services.person_move(
        actor=actor,
        person=spouse,
        to_household=target,
        relation=Relation.SPOUSE,
        date=moved_on,
        reason="婚嫁",
    )
    entries = list(MemberHistory.objects.filter(person=spouse).order_by("pk"))
    assert len(entries) == 2
    old, new = entries
    assert (old.household_id, old.left_on, old.reason) == (home.pk, moved_on, "婚嫁")
    assert (new.household_id, new.joined_on, new.left_on, new.relation) == (
        target.pk,
        moved_on,
        None,
        "spouse",
    )
    fresh = Person.objects.get(pk=spouse.pk)
    assert (fresh.household_id, fresh.region_code) == (target.pk, OTHER_TOWNSHIP_VILLAGE)
    assert Person.objects.filter(pk=spouse.pk).count() == 1  # the same person, not a copy
    assert [r.action for r in records_for(spouse)] == [Action.UPDATE, Action.CREATE]


def test_moving_to_the_same_household_fails(family, actor, unchanged):
    home, _, spouse, _ = family
    with unchanged(), pytest.raises(ValidationError) as error:
        services.person_move(
            actor=actor,
            person=spouse,
            to_household=home,
            relation=Relation.SPOUSE,
            date=datetime.date(2025, 3, 6),
        )
    assert fields_of(error) == {"to_household"}
    assert MemberHistory.objects.get(person=spouse).left_on is None


# Incomes ------------------------------------------------------------------------------------------

AMOUNTS = {
    "wage_income": Decimal("8000.00"),
    "production_income": Decimal("3000.50"),
    "property_income": Decimal("120.00"),
    "transfer_income": Decimal("1500.00"),
    "production_cost": Decimal("620.49"),
}


@pytest.mark.parametrize("component", list(AMOUNTS))
def test_negative_income_components_fail(household, actor, unchanged, component):
    home = household(head_name="周耀伟")
    with unchanged(), pytest.raises(ValidationError) as error:
        services.income_record_save(
            actor=actor, household=home, year=2024, **{**AMOUNTS, component: Decimal("-0.01")}
        )
    assert fields_of(error) == {component}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"year": 1979}, "year"),
        ({"year": timezone.localdate().year + 1}, "year"),
        ({"year": 2024, "members": 0}, "members"),
        ({"year": 2024, "wage_income": "abc"}, "wage_income"),
        ({"year": 2024, "wage_income": "NaN"}, "wage_income"),
        ({"year": 2024, "wage_income": "Infinity"}, "wage_income"),
        ({"year": 2024, "per_capita_net": "99999"}, "__all__"),
    ],
)
def test_bad_income_input_fails_on_the_field(household, actor, unchanged, kwargs, field):
    home = household(head_name="周耀伟")
    with unchanged(), pytest.raises(ValidationError) as error:
        services.income_record_save(actor=actor, household=home, **{**AMOUNTS, **kwargs})
    assert field in fields_of(error)


@pytest.mark.parametrize(
    ("amounts", "members", "net", "per_head"),
    [
        (AMOUNTS, 3, "12000.01", "4000.00"),  # 12000.01 / 3 = 4000.0033
        ({"wage_income": "100.01"}, 2, "100.01", "50.01"),  # 50.005 rounds half up, not to even
        ({"wage_income": "100.03"}, 2, "100.03", "50.02"),  # 50.015 -> 50.02
        ({"wage_income": "20"}, 3, "20.00", "6.67"),
        ({"wage_income": "10", "production_cost": "50.01"}, 2, "-40.01", "-20.01"),  # a loss year
    ],
)
def test_per_capita_is_derived(household, actor, amounts, members, net, per_head):
    home = household(head_name="周耀伟")
    record = services.income_record_save(actor=actor, household=home, year=2024, members=members, **amounts)
    stored = IncomeRecord.objects.get(pk=record.pk)
    assert (stored.net_income, stored.per_capita_net, stored.members) == (
        Decimal(net),
        Decimal(per_head),
        members,
    )
    total = sum(Decimal(str(amounts.get(k, 0))) for k in AMOUNTS if k != "production_cost")
    assert stored.net_income == total - Decimal(str(amounts.get("production_cost", 0)))


def test_members_default_to_the_current_members(family, actor):
    home, _, _, _ = family
    record = services.income_record_save(actor=actor, household=home, year=2024, wage_income="9000")
    assert (record.members, record.per_capita_net) == (3, Decimal("3000.00"))


def test_saving_the_same_year_again_replaces_it(household, actor):
    home = household(head_name="周耀伟")
    first = services.income_record_save(actor=actor, household=home, year=2024, members=2, wage_income="8000")
    second = services.income_record_save(
        actor=actor, household=home, year=2024, members=2, wage_income="9000"
    )
    assert first.pk == second.pk
    assert IncomeRecord.objects.filter(household=home).count() == 1
    stored = IncomeRecord.objects.get(household=home, year=2024)
    assert (stored.wage_income, stored.per_capita_net) == (Decimal("9000.00"), Decimal("4500.00"))
    assert [r.action for r in records_for(stored)] == [Action.UPDATE, Action.CREATE]


def test_latest_per_capita_follows_the_latest_year(household, actor):
    home = household(head_name="周耀伟")
    assert refreshed(home).latest_per_capita is None
    services.income_record_save(actor=actor, household=home, year=2023, members=1, wage_income="5000")
    assert refreshed(home).latest_per_capita == Decimal("5000.00")
    services.income_record_save(actor=actor, household=home, year=2024, members=1, wage_income="7000")
    assert refreshed(home).latest_per_capita == Decimal("7000.00")
    services.income_record_save(actor=actor, household=home, year=2021, members=1, wage_income="3000")
    assert refreshed(home).latest_per_capita == Decimal("7000.00")  # an older year does not take over
    services.income_record_save(actor=actor, household=home, year=2024, members=2, wage_income="7000")
    assert refreshed(home).latest_per_capita == Decimal("3500.00")


# Status timeline ----------------------------------------------------------------------------------


def test_status_changes_are_append_only(household, actor):
    home = household(head_name="周耀伟")
    change = services.status_change_add(
        actor=actor, household=home, kind=StatusKind.REGISTERED, date=datetime.date(2014, 10, 1)
    )
    change.reason = "改写历史"
    with pytest.raises(ValueError, match="append-only"):
        change.save()
    assert StatusChange.objects.get(pk=change.pk).reason == ""


def test_lifted_sets_status_and_lifted_year(household, actor):
    home = household(head_name="周耀伟")
    services.status_change_add(
        actor=actor,
        household=home,
        kind=StatusKind.REGISTERED,
        date=datetime.date(2014, 10, 1),
        approved_by="鲁山县扶贫办",
    )
    fresh = refreshed(home)
    assert (fresh.status, fresh.registered_year, fresh.lifted_year) == (HouseholdStatus.POOR, 2014, None)
    records = ChangeRecord.objects.count()
    change = services.status_change_add(
        actor=actor,
        household=home,
        kind=StatusKind.LIFTED,
        date=datetime.date(2019, 12, 20),
        reason="两不愁三保障",
    )
    fresh = refreshed(home)
    assert (fresh.status, fresh.lifted_year) == (HouseholdStatus.LIFTED, 2019)
    assert change.recorded_by == actor
    assert ChangeRecord.objects.count() == records + 2  # the new step and the household's status
    services.status_change_add(
        actor=actor, household=home, kind=StatusKind.MONITORED, date=datetime.date(2019, 12, 20)
    )  # the same day is not out of order
    assert refreshed(home).status == HouseholdStatus.MONITORED
    assert refreshed(home).lifted_year == 2019


@pytest.mark.parametrize(
    ("kind", "date", "field"),
    [
        (StatusKind.LIFTED, datetime.date(2019, 12, 31), "date"),  # before the previous step
        (StatusKind.LIFTED, None, "date"),  # tomorrow
        ("promoted", datetime.date(2021, 1, 1), "kind"),
    ],
)
def test_bad_status_changes_fail(household, actor, unchanged, kind, date, field):
    home = household(head_name="周耀伟")
    services.status_change_add(
        actor=actor, household=home, kind=StatusKind.LIFTED, date=datetime.date(2020, 1, 1)
    )
    date = date or timezone.localdate() + datetime.timedelta(days=1)
    with unchanged(), pytest.raises(ValidationError) as error:
        services.status_change_add(actor=actor, household=home, kind=kind, date=date)
    assert fields_of(error) == {field}
    assert refreshed(home).lifted_year == 2020


# Pairings -----------------------------------------------------------------------------------------


def test_pairing_create_and_end(household, actor):
    home = household(head_name="周耀伟")
    pairing = services.pairing_create(
        actor=actor, household=home, helper_name="王书记", start_date=datetime.date(2021, 3, 1)
    )
    assert (pairing.region_code, pairing.end_date) == (DEMO_VILLAGE, None)
    services.pairing_end(actor=actor, pairing=pairing, end_date=datetime.date(2023, 3, 1))
    assert HouseholdPairing.objects.get(pk=pairing.pk).end_date == datetime.date(2023, 3, 1)
    assert [r.action for r in records_for(pairing)] == [Action.UPDATE, Action.CREATE]


def test_a_pairing_cannot_end_before_it_starts(household, actor, unchanged):
    home = household(head_name="周耀伟")
    pairings = HouseholdPairing.objects.count()
    with unchanged(), pytest.raises(ValidationError) as error:
        services.pairing_create(
            actor=actor,
            household=home,
            helper_name="王书记",
            start_date=datetime.date(2021, 3, 1),
            end_date=datetime.date(2021, 2, 28),
        )
    assert fields_of(error) == {"end_date"}
    with unchanged(), pytest.raises(ValidationError) as error:
        services.pairing_create(
            actor=actor, household=home, helper_name="  ", start_date=datetime.date(2021, 3, 1)
        )
    assert fields_of(error) == {"helper_name"}
    pairing = services.pairing_create(
        actor=actor, household=home, helper_name="王书记", start_date=datetime.date(2021, 3, 1)
    )
    with unchanged(), pytest.raises(ValidationError) as error:
        services.pairing_end(actor=actor, pairing=pairing, end_date=datetime.date(2020, 1, 1))
    assert fields_of(error) == {"end_date"}
    assert HouseholdPairing.objects.get(pk=pairing.pk).end_date is None
    assert HouseholdPairing.objects.count() == pairings + 1


# Households -------------------------------------------------------------------------------------


def test_households_are_registered_in_villages_only(region, id_number, actor, unchanged):
    with unchanged(), pytest.raises(ValidationError) as error:
        services.household_create(
            actor=actor,
            code="LS-T",
            region=region("410423101000"),
            head={"name": "周耀伟", "id_number": id_number()},
        )
    assert fields_of(error) == {"region"}


def test_household_codes_are_unique(household, actor, unchanged):
    household(code="LS-1")
    with unchanged(), pytest.raises(ValidationError) as error:
        household(code="LS-1", head_name="王芳")
    assert fields_of(error) == {"code"}


def test_moving_a_household_moves_everything_scoped_by_its_region(family, region, actor):
    home, _, _, _ = family
    services.income_record_save(actor=actor, household=home, year=2024, wage_income="9000")
    services.status_change_add(
        actor=actor, household=home, kind=StatusKind.REGISTERED, date=datetime.date(2014, 10, 1)
    )
    services.pairing_create(
        actor=actor, household=home, helper_name="王书记", start_date=datetime.date(2021, 3, 1)
    )
    services.household_update(actor=actor, household=home, data={"region": region(OTHER_TOWNSHIP_VILLAGE)})
    assert refreshed(home).region_code == OTHER_TOWNSHIP_VILLAGE
    for model in (Person, IncomeRecord, StatusChange, HouseholdPairing):
        assert set(model.objects.filter(household=home).values_list("region_code", flat=True)) == {
            OTHER_TOWNSHIP_VILLAGE
        }, model.__name__


def test_changing_causes_is_recorded(household, actor):
    home = household(head_name="周耀伟", causes=["01"])
    services.household_update(
        actor=actor,
        household=home,
        data={"notes": "因病"},
        causes=list(PovertyCause.objects.filter(code__in=["01", "03"])),
    )
    assert sorted(home.causes.values_list("code", flat=True)) == ["01", "03"]
    changes = [r.changes for r in records_for(home) if "causes" in r.changes]
    assert changes == [{"causes": [["01"], ["01", "03"]]}, {"causes": [[], ["01"]]}]  # newest first
    records = ChangeRecord.objects.count()
    services.household_update(
        actor=actor, household=home, data={}, causes=list(PovertyCause.objects.filter(code__in=["03", "01"]))
    )
    assert len([r for r in records_for(home) if "causes" in r.changes]) == 2  # no change, no causes record
    assert ChangeRecord.objects.count() == records  # nothing changed (updated_at is not audited)


def test_household_update_validates_the_village(household, region, actor, unchanged):
    home = household(head_name="周耀伟")
    with unchanged(), pytest.raises(ValidationError) as error:
        services.household_update(actor=actor, household=home, data={"region": region("410423101000")})
    assert fields_of(error) == {"region"}
    assert refreshed(home).region_code == DEMO_VILLAGE


# The audit trail ----------------------------------------------------------------------------------


def test_every_service_writes_change_records_without_the_clear_id_number(
    household, person_data, region, id_number, x_id_number, actor
):
    def written(call):
        before = set(ChangeRecord.objects.values_list("pk", flat=True))
        result = call()
        new = list(ChangeRecord.objects.exclude(pk__in=before))
        assert new, "a successful service must write a change record"
        assert {r.actor_id for r in new} == {actor.pk}
        return result, new

    head_number = id_number()
    home, _ = written(
        lambda: services.household_create(
            actor=actor,
            code="LS-A",
            region=region(DEMO_VILLAGE),
            head={"name": "周耀伟", "id_number": head_number},
        )
    )
    target = household(head_name="王芳", actor=actor)
    spouse_data = person_data("李秀兰", "spouse")
    son_data = person_data("周强", "son", male=True)
    spouse, _ = written(lambda: services.person_add(actor=actor, household=home, data=spouse_data))
    son, _ = written(lambda: services.person_add(actor=actor, household=home, data=son_data))
    _, records = written(
        lambda: services.person_update(
            actor=actor, person=spouse, data={"id_number": x_id_number.lower(), "name": "李秀芝"}
        )
    )
    assert [list(r.changes["id_number"]) for r in records if "id_number" in r.changes]  # shown as changed
    written(
        lambda: services.head_change(
            actor=actor, household=home, new_head=spouse, old_head_relation=Relation.SPOUSE
        )
    )
    written(
        lambda: services.person_move(
            actor=actor,
            person=son,
            to_household=target,
            relation=Relation.OTHER,
            date=datetime.date(2025, 1, 1),
        )
    )
    written(lambda: services.income_record_save(actor=actor, household=home, year=2024, wage_income="1"))
    written(
        lambda: services.status_change_add(
            actor=actor, household=home, kind=StatusKind.LIFTED, date=datetime.date(2020, 1, 1)
        )
    )
    pairing, _ = written(
        lambda: services.pairing_create(
            actor=actor, household=home, helper_name="王书记", start_date=datetime.date(2021, 3, 1)
        )
    )
    written(lambda: services.pairing_end(actor=actor, pairing=pairing, end_date=datetime.date(2022, 3, 1)))
    written(lambda: services.household_update(actor=actor, household=home, data={"address": "新街1号"}))

    numbers = [
        head_number,
        Person.objects.get(pk=target.head_id).id_number,
        spouse_data["id_number"],
        son_data["id_number"],
        x_id_number,
    ]
    assert ChangeRecord.objects.count() > 15
    text = " ".join(
        json.dumps(r.changes, ensure_ascii=False) + r.object_repr for r in ChangeRecord.objects.all()
    )
    for number in numbers:
        assert number not in text
        assert number.lower() not in text
        assert number[:17] not in text
