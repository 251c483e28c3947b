"""The demo's love supermarkets: stores over three years, ledgers that verify, a keeper with households."""

import datetime

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.audit.ledger import verify
from bangfu.supermarket import selectors
from bangfu.supermarket.models import (
    Donation,
    Enrolment,
    PointAccount,
    PointEntry,
    Redemption,
    StockBalance,
    StockMove,
    Store,
)

pytestmark = pytest.mark.django_db


def test_demo_builds_love_supermarkets(demo):
    context = demo
    assert any(line.startswith("love supermarkets:") for line in context.lines)

    opened = sorted(Store.objects.values_list("opened_on__year", flat=True))
    assert {2018, 2019, 2020} <= set(opened)
    assert Donation.objects.values("date__year").distinct().count() >= 5
    # the running year is not empty: donations so far this year
    today = datetime.date.today()  # noqa: DTZ011 - the demo's calendar
    assert Donation.objects.filter(date__year=today.year, date__lte=today).exists()
    assert not Redemption.objects.filter(date__gt=today).exists()
    assert Redemption.objects.filter(delivery="home").exists()
    assert Redemption.objects.values("date__year").distinct().count() >= 5
    # the ledgers verify and the balances are their sums
    assert [p for p in verify() if not isinstance(p, int)] == []
    assert (
        PointAccount.objects.aggregate(s=Sum("balance"))["s"]
        == PointEntry.objects.aggregate(s=Sum("points"))["s"]
    )
    assert (
        StockBalance.objects.aggregate(s=Sum("quantity"))["s"]
        == StockMove.objects.aggregate(s=Sum("quantity"))["s"]
    )

    keeper = User.objects.get(username="keeper")
    store = selectors.counter_stores(user=keeper).get()
    assert Enrolment.objects.filter(store=store, is_active=True).count() >= 8
    client = Client()
    client.force_login(keeper)
    assert client.get(reverse("supermarket:counter", args=[store.pk])).status_code == 200
    office = Client()
    office.force_login(User.objects.get(username="office"))
    report = office.get(reverse("supermarket:figures")).content.decode()
    assert "2018年，全县累计创建爱心超市" in report
