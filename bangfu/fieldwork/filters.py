import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.core.scoping import prefix_q

from .models import Leave, LeaveStatus, Team


def by_prefix(field: str):
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


class TeamFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("村 / 派出单位"), method="search")
    region = django_filters.CharFilter(label=_("区划代码"), method="by_region")
    active = django_filters.BooleanFilter(label=_("今日在驻"), method="by_active")

    class Meta:
        model = Team
        fields = ["q", "region", "active"]

    by_region = by_prefix("region_code")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__contains=value) | Q(region__name__contains=value) | Q(organization__name__contains=value)
        )

    def by_active(self, queryset, name, value):
        today = timezone.localdate()
        active = Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        return queryset.filter(active) if value else queryset.exclude(active)


class LeaveFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=LeaveStatus.choices)
    region = django_filters.CharFilter(label=_("区划代码"), method="by_region")
    starts_on = django_filters.DateFromToRangeFilter(label=_("请假开始日期"))

    class Meta:
        model = Leave
        fields = ["status", "region", "starts_on"]

    by_region = by_prefix("region_code")
