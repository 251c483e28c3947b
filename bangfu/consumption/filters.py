import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.core.scoping import prefix_q

from .models import (
    Certification,
    Channel,
    PaidBy,
    Product,
    ProductCategory,
    Purchase,
    Purpose,
    Supplier,
    SupplierKind,
)


def _by_prefix(field: str):
    def method(self, queryset, name, value):
        value = value.strip()
        if not value.isdigit() or len(value) > 12:
            return queryset.none()
        if len(value) == 12:  # a full code stands for everything under that region
            from bangfu.regions.models import Region

            region = Region.objects.filter(code=value).first()
            value = region.prefix if region is not None else value
        return queryset.filter(prefix_q(field, [value]))

    return method


class SupplierFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称 / 联系人"), method="search")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=SupplierKind.choices)
    region = django_filters.CharFilter(label=_("区划代码"), method="by_region")
    is_active = django_filters.BooleanFilter(label=_("有效"))

    class Meta:
        model = Supplier
        fields = ["q", "kind", "region", "is_active"]

    by_region = _by_prefix("region_code")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__contains=value) | Q(contact_name__contains=value))


class ProductFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("品名"), method="search")
    category = django_filters.ChoiceFilter(label=_("品类"), choices=ProductCategory.choices)
    supplier = django_filters.NumberFilter(label=_("供应商编号"), field_name="supplier_id")
    certified = django_filters.BooleanFilter(label=_("今日为认定产品"), method="by_certified")
    is_active = django_filters.BooleanFilter(label=_("在售"))

    class Meta:
        model = Product
        fields = ["q", "category", "supplier", "certified", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(name__contains=value.strip())

    def by_certified(self, queryset, name, value):
        certified = Product.objects.certified_on(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=certified) if value else queryset.exclude(pk__in=certified)


class CertificationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("认定编号 / 机构"), method="search")
    supplier = django_filters.NumberFilter(label=_("供应商编号"), field_name="supplier_id")
    valid_on = django_filters.DateFilter(label=_("在该日有效"), method="by_valid_on")
    is_revoked = django_filters.BooleanFilter(label=_("已撤销"))

    class Meta:
        model = Certification
        fields = ["q", "supplier", "valid_on", "is_revoked"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(number__contains=value) | Q(body__contains=value))

    def by_valid_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value, valid_to__gte=value, is_revoked=False)


class PurchaseFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("年度"), field_name="date__year")
    date_from = django_filters.DateFilter(label=_("起始日期"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("截止日期"), field_name="date", lookup_expr="lte")
    buyer = django_filters.NumberFilter(label=_("采购单位编号"), method="by_buyer")
    q = django_filters.CharFilter(label=_("采购单位 / 供应商名称"), method="search")
    supplier = django_filters.NumberFilter(label=_("供应商编号"), field_name="supplier_id")
    buyer_region = django_filters.CharFilter(label=_("采购单位区划代码"), method="by_buyer_region")
    supplier_region = django_filters.CharFilter(label=_("供应商区划代码"), method="by_supplier_region")
    channel = django_filters.ChoiceFilter(label=_("销售渠道"), choices=Channel.choices)
    purpose = django_filters.ChoiceFilter(label=_("用途"), choices=Purpose.choices)
    paid_by = django_filters.ChoiceFilter(label=_("付款方"), choices=PaidBy.choices)
    category = django_filters.ChoiceFilter(
        label=_("品类"), choices=ProductCategory.choices, method="by_category"
    )
    certified = django_filters.BooleanFilter(label=_("含认定产品"), method="by_certified")

    class Meta:
        model = Purchase
        fields = [
            "year",
            "date_from",
            "date_to",
            "q",
            "buyer",
            "supplier",
            "buyer_region",
            "supplier_region",
            "channel",
            "purpose",
            "paid_by",
            "category",
            "certified",
        ]

    by_buyer_region = _by_prefix("region_code")
    by_supplier_region = _by_prefix("supplier_region_code")

    def by_buyer(self, queryset, name, value):
        """The unit's own purchases and those its union made for it."""
        return queryset.filter(Q(buyer_id=value) | Q(union_id=value))

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(buyer__name__contains=value) | Q(supplier__name__contains=value))

    def by_category(self, queryset, name, value):
        from .models import PurchaseLine

        return queryset.filter(
            pk__in=PurchaseLine.objects.filter(product__category=value).values("purchase_id")
        )

    def by_certified(self, queryset, name, value):
        return queryset.filter(certified_amount__gt=0) if value else queryset.filter(certified_amount=0)
