import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import (
    Delivery,
    DeliveryRequest,
    DeliveryStatus,
    Donation,
    DonorKind,
    Enrolment,
    EnrolmentBasis,
    Item,
    ItemCategory,
    Meeting,
    MeetingStatus,
    MoveKind,
    Redemption,
    StockMove,
    Store,
    StoreStatus,
)


class StoreFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称"), field_name="name", lookup_expr="contains")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=StoreStatus.choices)
    opened_year = django_filters.NumberFilter(label=_("创建年度"), field_name="opened_on__year")

    class Meta:
        model = Store
        fields = ["q", "status", "opened_year"]


class ItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("物品名称"), field_name="name", lookup_expr="contains")
    category = django_filters.ChoiceFilter(label=_("类别"), choices=ItemCategory.choices)

    class Meta:
        model = Item
        fields = ["q", "category"]


class DonationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("捐赠方 / 收据编号"), method="search")
    store = django_filters.NumberFilter(label=_("超市编号"), field_name="store_id")
    year = django_filters.NumberFilter(label=_("年度"), field_name="date__year")
    donor_kind = django_filters.ChoiceFilter(label=_("捐赠方类型"), choices=DonorKind.choices)

    class Meta:
        model = Donation
        fields = ["q", "store", "year", "donor_kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(donor_name__contains=value) | Q(receipt_number__icontains=value))


class StockMoveFilterSet(django_filters.FilterSet):
    store = django_filters.NumberFilter(label=_("超市编号"), field_name="store_id")
    item = django_filters.NumberFilter(label=_("物品编号"), field_name="item_id")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=MoveKind.choices)
    year = django_filters.NumberFilter(label=_("年度"), field_name="date__year")

    class Meta:
        model = StockMove
        fields = ["store", "item", "kind", "year"]


class EnrolmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("户主 / 户编号"), method="search")
    store = django_filters.NumberFilter(label=_("超市编号"), field_name="store_id")
    basis = django_filters.ChoiceFilter(label=_("纳入依据"), choices=EnrolmentBasis.choices)
    is_active = django_filters.BooleanFilter(label=_("有效"))

    class Meta:
        model = Enrolment
        fields = ["q", "store", "basis", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(household__head_name__contains=value) | Q(household__code__icontains=value))


class MeetingFilterSet(django_filters.FilterSet):
    store = django_filters.NumberFilter(label=_("超市编号"), field_name="store_id")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=MeetingStatus.choices)
    year = django_filters.NumberFilter(label=_("年度"), field_name="held_on__year")

    class Meta:
        model = Meeting
        fields = ["store", "status", "year"]


class RedemptionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("单号 / 户编号"), method="search")
    store = django_filters.NumberFilter(label=_("超市编号"), field_name="store_id")
    year = django_filters.NumberFilter(label=_("年度"), field_name="date__year")
    delivery = django_filters.ChoiceFilter(label=_("方式"), choices=Delivery.choices)

    class Meta:
        model = Redemption
        fields = ["q", "store", "year", "delivery"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(receipt_number__icontains=value) | Q(household__code__icontains=value))


class DeliveryFilterSet(django_filters.FilterSet):
    store = django_filters.NumberFilter(label=_("超市编号"), field_name="store_id")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=DeliveryStatus.choices)

    class Meta:
        model = DeliveryRequest
        fields = ["store", "status"]
