import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Campaign, CampaignStatus, Order, OrderStatus


class CampaignFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称"))
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices, label=_("状态"))

    class Meta:
        model = Campaign
        fields = ["q", "status"]


class OrderFilterSet(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id", label=_("活动编号"))
    site = django_filters.NumberFilter(field_name="site_id", label=_("领取点编号"))
    slot = django_filters.NumberFilter(field_name="slot_id", label=_("领取时段编号"))
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, label=_("状态"))

    class Meta:
        model = Order
        fields = ["campaign", "site", "slot", "status"]
