"""A supplier sees what campaigns ask of it: boxes ordered and collected, units to prepare."""

import pytest
from django.urls import reverse

from bangfu.accounts.models import Organization, OrganizationKind
from bangfu.consumption.campaigns import selectors, services
from bangfu.core.permissions import Role

from .conftest import DEMO_COUNTY

pytestmark = pytest.mark.django_db


def _order(world, member, quantity, key):
    order, _created = services.order_place(
        member=member, item=world.item, slot=world.slots[0], quantity=quantity, idempotency_key=key
    )
    return order


def test_demand_counts_boxes_and_units_without_cancelled_orders(world, member_of):
    first, second, third = (member_of(world.union) for _ in range(3))
    collected = _order(world, first, 2, "a")
    _order(world, second, 1, "b")
    cancelled = _order(world, third, 2, "c")
    services.order_cancel(actor=third, order=cancelled)
    services.pickup_confirm(staff=world.staff[0], site=world.sites[0], code=collected.short_code)

    supplier = world.products[0].supplier
    rows = {row["product"].name: row for row in selectors.supplier_demand(supplier=supplier)}
    assert set(rows) == {"小米", "黑木耳"}
    millet = rows["小米"]  # two bags in each box
    assert (millet["boxes_ordered"], millet["boxes_collected"], millet["units_ordered"]) == (3, 2, 6)
    assert rows["黑木耳"]["units_ordered"] == 3


def test_the_supplier_user_sees_it_on_the_supplier_page(world, member_of, make_user, client_for):
    _order(world, member_of(world.union), 2, "a")
    supplier = world.products[0].supplier
    organization = Organization.objects.create(
        name=supplier.name,
        kind=OrganizationKind.SUPPLIER,
        region=supplier.region,
        region_code=supplier.region_code,
    )
    supplier.organization = organization
    supplier.save(update_fields=["organization"])
    user = make_user(Role.SUPPLIER, DEMO_COUNTY, organization=organization)
    page = client_for(user).get(reverse("consumption:supplier-detail", args=[supplier.pk])).content.decode()
    demand = page.split('data-testid="supplier-demand"')[1].split("</table>")[0]
    assert "杂粮礼盒" in demand and "小米" in demand
    assert "4 袋" in demand  # two boxes of two bags of millet
