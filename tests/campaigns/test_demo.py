import pytest
from django.urls import reverse

from bangfu.consumption.campaigns.models import Campaign, Order, OrderStatus
from bangfu.consumption.campaigns.selectors import sites_for_staff
from bangfu.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_demo_campaign_is_open_to_the_member_login_and_staffed_by_buyer(demo, client):
    campaign = Campaign.objects.get()
    assert campaign.is_open() and campaign.organizer.name == "鲁山县总工会"
    assert Order.objects.filter(status=OrderStatus.PLACED).exists()
    assert Order.objects.filter(status=OrderStatus.COLLECTED).exists()

    assert client.login(username="member", password=DEMO_PASSWORD)
    page = client.get(reverse("campaigns:member-campaign", args=[campaign.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    response = client.post(
        reverse("campaigns:member-campaign", args=[campaign.pk]),
        {
            "item": campaign.items.order_by("pk").first().pk,
            "quantity": 1,
            "slot": form.fields["slot"].queryset.filter(remaining__gt=0).first().pk,
            "idempotency_key": form.initial["idempotency_key"],
        },
    )
    assert response.status_code == 302
    member_order = Order.objects.filter(member__username="member").get()

    client.logout()
    assert client.login(username="buyer", password=DEMO_PASSWORD)
    from bangfu.accounts.models import User

    buyer = User.objects.get(username="buyer")
    assert set(sites_for_staff(user=buyer)) == set(campaign.sites.all())
    site = member_order.site
    client.post(reverse("campaigns:scan-confirm", args=[site.pk]), {"code": member_order.short_code})
    member_order.refresh_from_db()
    assert member_order.status == OrderStatus.COLLECTED
