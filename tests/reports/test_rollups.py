"""Rollup cells equal the raw aggregates they stand for, after writes of every kind.

For every registered cube, every grouping a section may ask for, and scopes from the whole
country down to a township, ``Cube.read`` from the cells must return exactly what the same
read computes from the records — on the demo county, and again after rows are created,
changed (by save, queryset update and raw SQL), moved to another region and deleted, and
after many-to-many changes. Triggers mark regions in the writing transaction; a refresh clears
only the marks it has read."""

import datetime
import itertools

import pytest
from django.db import connection

from bangfu.accounts.models import User
from bangfu.core.permissions import Cap
from bangfu.registry.models import Household, PovertyCause, SafetyNet
from bangfu.reports import rollups
from bangfu.reports.models import RollupCell, RollupDirty, RollupState
from bangfu.reports.scorecard import Card, Period, Scope

pytestmark = pytest.mark.django_db

CAPABILITY = {
    "registry": Cap.REGISTRY_VIEW,
    "assistance": Cap.ASSISTANCE_VIEW,
    "consumption": Cap.CONSUMPTION_VIEW,
    "supermarket": Cap.SUPERMARKET_VIEW,
    "fieldwork": Cap.FIELDWORK_VIEW,
}
TODAY = datetime.date(2026, 6, 30)


def _card(user, prefixes=()):
    return Card(user=user, scope=Scope(prefixes=tuple(prefixes)), period=Period(2014, 2026), today=TODAY)


def _groupings(cube):
    names = ["year"] if cube.year else []
    names += [f"d{i}" for i in range(1, len(cube.dims) + 1)]
    names += [f"region:{cube.level}", "region:6"]
    if cube.region2:
        names.append(f"region2:{cube.level}")
    yield ()
    for size in (1, 2):
        yield from itertools.combinations(names, size)


def _both(cube, card, capability, **kwargs):
    """What the cells say and what the records say, for one read."""
    cells = sorted(cube.read(card, capability, **kwargs))
    raw = sorted(cube._read_source(card, capability, kwargs.get("group", ()), kwargs.get("years"), None))
    return cells, raw


def _assert_cells_equal_records(users_and_scopes):
    checked = 0
    for name, cube in sorted(rollups.CUBES.items()):
        capability = CAPABILITY[name.split(".")[0]]
        for user, prefixes in users_and_scopes:
            card = _card(user, prefixes)
            assert cube.usable_prefixes(user, capability, prefixes) is not None, (name, prefixes)
            for group in _groupings(cube):
                for years in (None, (2018, 2020)) if cube.year else (None,):
                    cells, raw = _both(cube, card, capability, group=group, years=years)
                    assert cells == raw, (name, prefixes, group, years)
                    checked += 1
    return checked


@pytest.fixture
def people(demo):
    admin = User.objects.get(username="admin")
    office = User.objects.get(username="office")
    township = Household.objects.order_by("region_code").values_list("region_code", flat=True).first()[:9]
    return admin, office, township


def _scopes(people):
    admin, office, township = people
    return [(admin, ()), (admin, ("41",)), (office, ()), (office, (township,)), (office, (township[:6],))]


def test_triggers_are_installed_for_every_watched_table(demo):
    tables = {watch.table for cube in rollups.CUBES.values() for watch in cube.watched()}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'rollup\\_%'")
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rollup_%'"
            )
        found = {row[0] for row in cursor.fetchall()}
    assert tables and tables <= found


def test_cells_equal_the_records_on_the_demo(people):
    assert _assert_cells_equal_records(_scopes(people)) > 50
    assert RollupCell.objects.filter(cube="registry.household").exists()


def test_cells_follow_every_kind_of_write(people):
    admin, office, township = people
    scopes = _scopes(people)
    _assert_cells_equal_records(scopes)  # builds the cells first
    assert not RollupDirty.objects.exists()
    households = list(Household.objects.filter(region_code__startswith=township).order_by("pk")[:6])
    assert len(households) == 6
    other = Household.objects.exclude(region_code__startswith=township).order_by("pk").first()
    cause = PovertyCause.objects.order_by("code").first()

    # save(): a changed lift year and safety net
    first = households[0]
    first.lifted_year, first.safety_net = 2019, SafetyNet.TEKUN
    first.save()
    assert RollupDirty.objects.filter(cube="registry.household", region_code=township.ljust(12, "0")).exists()
    # a queryset update, moving a household to another township (both regions are marked)
    Household.objects.filter(pk=households[1].pk).update(region_code=other.region_code, region=other.region)
    # raw SQL, as a bulk statement or a restore would write
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_household SET registered = %s WHERE id = %s", [False, households[2].pk]
        )
    # many-to-many: a cause added and all causes removed
    households[3].causes.add(cause)
    households[4].causes.clear()
    # a new household and a deleted one
    copy = Household.objects.create(
        code="ROLLUP-TEST-1", region=first.region, region_code=first.region_code, lifted_year=2020
    )
    copy.causes.add(cause)
    Household.objects.filter(pk=copy.pk).delete()
    Household.objects.create(code="ROLLUP-TEST-2", region=first.region, region_code=first.region_code)

    assert RollupDirty.objects.count() >= 6
    _assert_cells_equal_records(scopes)
    assert not RollupDirty.objects.exists()


def test_a_refresh_clears_only_the_marks_it_read(people, monkeypatch):
    admin, office, township = people
    card = _card(office)
    cube = rollups.CUBES["registry.household"]
    cube.read(card, Cap.REGISTRY_VIEW)
    region = township.ljust(12, "0")
    # a mark the refresh did not read (committed after it looked) must survive it
    seen = RollupDirty.objects.create(cube=cube.name, region_code=region)
    original = RollupDirty.objects.filter

    def late_mark(*args, **kwargs):
        result = original(*args, **kwargs)
        if kwargs.get("pk__in"):
            RollupDirty.objects.create(cube=cube.name, region_code=region)
        return result

    monkeypatch.setattr(RollupDirty.objects, "filter", late_mark)
    rollups.refresh([cube.name])
    monkeypatch.undo()
    assert not RollupDirty.objects.filter(pk=seen.pk).exists()
    assert RollupDirty.objects.filter(cube=cube.name, region_code=region).count() == 1


def test_a_changed_definition_rebuilds_the_cube(people):
    admin, _office, _township = people
    cube = rollups.CUBES["registry.person"]
    cube.read(_card(admin), Cap.REGISTRY_VIEW)
    RollupCell.objects.filter(cube=cube.name).update(n=999_999)  # cells gone wrong
    RollupState.objects.filter(cube=cube.name).update(signature="an older definition")
    cells, raw = _both(cube, _card(admin), Cap.REGISTRY_VIEW)
    assert cells == raw and cells[0][0] != 999_999


def test_scopes_the_cells_cannot_answer_read_the_records(people):
    admin, _office, township = people
    cube = rollups.CUBES["registry.household"]
    village = Household.objects.filter(region_code__startswith=township).values_list(
        "region_code", flat=True
    )[0]
    assert cube.usable_prefixes(admin, Cap.REGISTRY_VIEW, (village,)) is None
    RollupCell.objects.all().delete()
    RollupState.objects.all().delete()
    rows = cube.read(_card(admin, (village,)), Cap.REGISTRY_VIEW)
    assert rows == [(Household.objects.filter(region_code=village).count(), rollups.ZERO, rollups.ZERO)]
    assert not RollupCell.objects.exists()  # answered from the records, nothing built


def test_the_rollups_command_rebuilds_every_cube(people, capsys):
    from bangfu.cli import main

    RollupCell.objects.update(n=0)  # cells gone wrong, no mark says so
    assert main(["rollups"]) == 0
    printed = capsys.readouterr().out
    assert all(f"{name}: " in printed for name in rollups.CUBES)
    assert RollupState.objects.count() == len(rollups.CUBES)
    admin = people[0]
    for cube in rollups.CUBES.values():
        capability = CAPABILITY[cube.name.split(".")[0]]
        cells, raw = _both(cube, _card(admin), capability)
        assert cells == raw and raw, cube.name


def test_purchases_count_where_bought_and_where_supplied(people):
    """A purchase is in a scope when its buyer or its supplier is: the rollups add those bought
    in the scope and those supplied from it and take off those both bought and supplied there."""
    from django.db.models import Count, Sum
    from django.db.models.functions import ExtractYear

    from bangfu.consumption.models import Purchase
    from bangfu.consumption.scorecard import _one_prefix, purchase_totals

    admin, office, township = people
    ids = list(Purchase.objects.order_by("pk").values_list("pk", flat=True)[:9])
    assert len(ids) == 9
    elsewhere = "410402001001"  # another county of the same city
    Purchase.objects.filter(pk__in=ids[0:3]).update(supplier_region_code=elsewhere)
    Purchase.objects.filter(pk__in=ids[3:6]).update(region_code=elsewhere)
    Purchase.objects.filter(pk__in=ids[6:9]).update(region_code=elsewhere, supplier_region_code=elsewhere)
    scopes = [(admin, ()), (admin, ("41",)), (admin, ("4104",)), (admin, ("410402",)), (admin, (township,))]
    scopes += [(office, ()), (office, (township,))]
    for user, prefixes in scopes:
        card = _card(user, prefixes)
        assert _one_prefix(card) is not None, prefixes
        raw = (
            card.rows(Purchase.objects.all(), Cap.CONSUMPTION_VIEW)
            .filter(card.period_q("date"))
            .order_by()
            .annotate(year=ExtractYear("date"))
            .values("year", "channel")
            .annotate(n=Count("pk"), amount=Sum("total_amount"), cert=Sum("certified_amount"))
            .values_list("year", "channel", "n", "amount", "cert")
        )
        assert purchase_totals(card) == sorted(raw), prefixes
    assert sum(row[2] for row in purchase_totals(_card(admin, ("410402",)))) == 9
