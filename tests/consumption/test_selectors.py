"""The compliance board, the yearly summary and household reach, checked against hand-computed figures."""

import datetime
from decimal import Decimal

import pytest

from bangfu.consumption import selectors, services
from bangfu.consumption.models import PaidBy, Purpose
from tests.conftest import DEMO_VILLAGE

from .conftest import DAY

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 1)  # the year 2025 is over: the whole target is due


def row_of(rows, organization):
    return next(row for row in rows if row.quota.organization_id == organization.pk)


def test_union_welfare_share_gap_and_declared_base(world, office):
    world.buy(world.union, lines=[(world.mushroom, 10, "100.00")], purpose=Purpose.WELFARE)  # 1000 certified
    world.buy(world.union, lines=[(world.fungus, 10, "25.00")], purpose=Purpose.WELFARE)  # 250 not certified
    world.buy(world.union, lines=[(world.mushroom, 1, "500.00")], purpose=Purpose.OFFICE)  # not welfare
    services.quota_save(actor=None, organization=world.union, year=2025, kind="union_welfare")

    row = row_of(selectors.compliance_board(user=office, year=2025, today=TODAY), world.union)
    assert (row.base, row.certified, row.share, row.target, row.gap) == (
        Decimal("1250.00"),
        Decimal("1000.00"),
        Decimal("80.0"),
        Decimal("1000.00"),
        Decimal("0"),
    )
    assert row.met and not row.base_declared

    services.declaration_save(actor=None, organization=world.union, year=2025, welfare_total=Decimal("2000"))
    row = row_of(selectors.compliance_board(user=office, year=2025, today=TODAY), world.union)
    assert (row.base, row.target, row.gap, row.base_declared) == (
        Decimal("2000.00"),
        Decimal("1600.00"),
        Decimal("600.00"),
        True,
    )
    services.declaration_save(actor=None, organization=world.union, year=2025, welfare_total=Decimal("100"))
    row = row_of(selectors.compliance_board(user=office, year=2025, today=TODAY), world.union)
    assert (
        row.base == Decimal("1250.00") and not row.base_declared
    )  # a declaration below the records is not the base


def test_reserved_share_counts_the_units_union_and_staff_and_shared_canteens(world, office, make_org):
    partner = make_org(name="县卫健委")
    world.buy(world.hospital, lines=[(world.mushroom, 5, "100.00")], purpose=Purpose.CANTEEN)  # 500 certified
    world.buy(
        world.hospital,
        lines=[(world.mushroom, 3, "100.00")],
        purpose=Purpose.WELFARE,
        paid_by=PaidBy.UNION,
        union=world.union,
    )  # 300
    world.buy(
        world.hospital, lines=[(world.mushroom, 1, "100.00")], paid_by=PaidBy.STAFF, staff_name="王芳"
    )  # 100
    world.buy(
        partner, lines=[(world.mushroom, 2, "100.00")], purpose=Purpose.CANTEEN
    )  # 200, files with the hospital
    world.buy(
        world.hospital,
        lines=[(world.fungus, 10, "10.00")],
        purpose=Purpose.CANTEEN,
        date=datetime.date(2024, 6, 1),
    )
    services.quota_save(actor=None, organization=world.hospital, year=2025, kind="reserved_share")
    services.quota_save(
        actor=None, organization=partner, year=2025, kind="reserved_share", filed_by=world.hospital
    )
    services.declaration_save(actor=None, organization=world.hospital, year=2025, food_total=Decimal("8000"))
    services.declaration_save(actor=None, organization=partner, year=2025, food_total=Decimal("4000"))

    rows = selectors.compliance_board(user=office, year=2025, today=TODAY)
    assert [row.quota.organization for row in rows] == [world.hospital]  # the partner files with the hospital
    row = rows[0]
    assert row.filed_for == [partner.name]
    assert (row.base, row.certified, row.target, row.gap) == (
        Decimal("12000.00"),
        Decimal("1100.00"),
        Decimal("1200.00"),
        Decimal("100.00"),
    )
    assert not row.met and row.behind


def test_no_canteen_is_exempt_and_ranking_goes_by_share(world, office, make_org):
    second = make_org(name="县教育局")
    world.buy(world.hospital, lines=[(world.mushroom, 1, "100.00")], purpose=Purpose.CANTEEN)
    world.buy(second, lines=[(world.fungus, 1, "100.00")], purpose=Purpose.CANTEEN)
    exempt = make_org(name="县档案馆")
    for unit in (world.hospital, second):
        services.quota_save(actor=None, organization=unit, year=2025, kind="reserved_share")
    services.quota_save(actor=None, organization=exempt, year=2025, kind="reserved_share", has_canteen=False)

    rows = selectors.compliance_board(user=office, year=2025, today=TODAY)
    assert [(row.quota.organization, row.rank) for row in rows] == [
        (world.hospital, 1),
        (second, 2),
        (exempt, None),
    ]
    assert rows[2].exempt and rows[2].gap == 0
    summary = selectors.board_summary(rows)
    assert (summary["units"], summary["met"], summary["exempt"]) == (2, 1, 1)


def test_year_to_date_progress(world, office):
    world.buy(world.union, lines=[(world.mushroom, 1, "100.00")])
    services.quota_save(actor=None, organization=world.union, year=2025, kind="union_welfare")
    row = row_of(
        selectors.compliance_board(user=office, year=2025, today=datetime.date(2025, 7, 2)), world.union
    )
    assert row.expected_by_now == (row.target * Decimal(183) / Decimal(365)).quantize(Decimal("0.01"))


def test_board_and_summary_are_scoped(world, office, far_office):
    world.buy(world.union)
    world.buy(world.far_buyer, supplier=world.far, lines=[(world.rice, 2, "50.00")])
    services.quota_save(actor=None, organization=world.union, year=2025, kind="union_welfare")
    services.quota_save(actor=None, organization=world.far_buyer, year=2025, kind="union_welfare")
    assert [r.quota.organization for r in selectors.compliance_board(user=office, year=2025)] == [world.union]
    assert [r.quota.organization for r in selectors.compliance_board(user=far_office, year=2025)] == [
        world.far_buyer
    ]
    summary = selectors.yearly_summary(user=office, year=2025)
    assert (summary["units"], summary["certified_units"], summary["total"], summary["certified"]) == (
        1,
        1,
        Decimal("680.00"),
        Decimal("680.00"),
    )


def test_household_reach_shares_purchases_out_by_recorded_amounts(world, office, region):
    from bangfu.core import idnumber
    from bangfu.registry import services as registry

    def household(code, village, n):
        return registry.household_create(
            actor=None,
            code=code,
            region=region(village),
            head={"name": "周耀伟", "id_number": idnumber.make("410423", datetime.date(1970, 1, 1), n)},
        )

    a = household("H1", DEMO_VILLAGE, 1)
    b = household("H2", "410423101002", 3)
    world.buy(world.union, lines=[(world.mushroom, 10, "100.00")])  # 1000 to the cooperative
    world.buy(world.union, supplier=world.base, lines=[(world.honey, 1, "45.00")])  # no links: not attributed
    services.household_link_save(
        actor=None, supplier=world.coop, household=a, kind="employs", year=2025, amount=Decimal("300")
    )
    services.household_link_save(
        actor=None, supplier=world.coop, household=b, kind="dividend", year=2025, amount=Decimal("100")
    )

    figures = selectors.household_reach(user=office, year=2025)
    by_code = {v.code: v for v in figures["villages"]}
    assert by_code[DEMO_VILLAGE].attributed == Decimal("750.00")
    assert by_code["410423101002"].attributed == Decimal("250.00")
    assert (
        figures["households"],
        figures["registered"],
        figures["linked_total"],
        figures["unlinked_total"],
    ) == (
        2,
        2,
        Decimal("1000.00"),
        Decimal("45.00"),
    )
    assert figures["paid"] == Decimal("400.00")

    services.household_link_save(
        actor=None, supplier=world.coop, household=b, kind="buys_from", year=2025
    )  # no amount
    figures = selectors.household_reach(user=office, year=2025)
    assert [v.attributed for v in figures["villages"]] == [
        Decimal("500.00"),
        Decimal("500.00"),
    ]  # equal shares


def test_supplier_selectors_for_supplier_users(world, supplier_user, office):
    purchase = world.buy()
    world.buy(supplier=world.base, lines=[(world.honey, 1, "45.00")])
    assert list(selectors.suppliers_of(user=supplier_user)) == [world.coop]
    assert list(selectors.suppliers_of(user=office)) == []
    assert list(selectors.purchases_for_supplier(supplier=world.coop, user=supplier_user)) == [purchase]
    assert DAY.year == 2025
