"""The demo's consumption data: dozens of buyer units with a year of purchases, quotas and links."""

import pytest
from django.db.models import Sum

from bangfu.accounts.models import User
from bangfu.consumption import selectors
from bangfu.consumption.models import HouseholdLink, Purchase, PurchaseLine, Quota, Supplier

pytestmark = pytest.mark.django_db


def test_demo_builds_consumption_data(demo):
    context = demo
    assert Supplier.objects.count() >= 5
    assert Purchase.objects.values("buyer").distinct().count() >= 24  # dozens of buyer units
    assert Purchase.objects.filter(certified_amount__gt=0).exists()
    assert Purchase.objects.filter(certified_amount=0).exists()
    totals = Purchase.objects.aggregate(total=Sum("total_amount"))["total"]
    assert totals == PurchaseLine.objects.aggregate(total=Sum("amount"))["total"]
    assert (
        Quota.objects.filter(has_canteen=False).exists()
        and Quota.objects.filter(filed_by__isnull=False).exists()
    )
    assert HouseholdLink.objects.exists()
    assert any(line.startswith("consumption:") for line in context.lines)
    office = User.objects.get(username="office")
    year = Purchase.objects.order_by("date").first().date.year
    assert selectors.compliance_board(user=office, year=year)
    supplier = User.objects.get(username="supplier")
    assert list(selectors.suppliers_of(user=supplier))  # the demo supplier login manages a supplier
    fingerprint = list(
        Purchase.objects.order_by("pk").values_list("date", "total_amount", "buyer__name")[:50]
    )
    assert fingerprint[0][1] > 0
