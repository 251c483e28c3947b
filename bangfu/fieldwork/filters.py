import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.core.scoping import prefix_q

from .models import Leave, LeaveStatus, Need, NeedKind, NeedStatus, Team, Visit


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


class VisitFilterSet(django_filters.FilterSet):
    household = django_filters.CharFilter(label=_("户编号"), field_name="household__code")
    region = django_filters.CharFilter(label=_("区划代码"), method="by_region")
    visited_on = django_filters.DateFromToRangeFilter(label=_("走访日期"))
    visitor = django_filters.CharFilter(label=_("走访人用户名"), field_name="visitor__username")

    class Meta:
        model = Visit
        fields = ["household", "region", "visited_on", "visitor"]

    by_region = by_prefix("region_code")


class NeedFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=NeedStatus.choices)
    open = django_filters.BooleanFilter(label=_("未办结"), method="by_open")
    overdue = django_filters.BooleanFilter(label=_("已超期"), method="by_overdue")
    kind = django_filters.ChoiceFilter(label=_("诉求类别"), choices=NeedKind.choices)
    region = django_filters.CharFilter(label=_("区划代码"), method="by_region")
    owner = django_filters.CharFilter(label=_("责任人用户名"), field_name="owner__username")

    class Meta:
        model = Need
        fields = ["status", "open", "overdue", "kind", "region", "owner"]

    by_region = by_prefix("region_code")

    def by_open(self, queryset, name, value):
        closed = Q(status=NeedStatus.CLOSED)
        return queryset.exclude(closed) if value else queryset.filter(closed)

    def by_overdue(self, queryset, name, value):
        overdue = ~Q(status=NeedStatus.CLOSED) & Q(due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


DEFAULT_COVERAGE_DAYS = 90


class CoverageFilterSet(django_filters.FilterSet):
    """Households not visited in the last N days (90 unless asked), or never."""

    days = django_filters.NumberFilter(label=_("未走访天数"), method="by_days", min_value=1, max_value=3650)
    region = django_filters.CharFilter(label=_("区划代码"), method="by_region")
    registered = django_filters.BooleanFilter(label=_("建档立卡户"))

    class Meta:
        from bangfu.registry.models import Household

        model = Household
        fields = ["days", "region", "registered"]

    by_region = by_prefix("region_code")

    def by_days(self, queryset, name, value):
        return queryset  # applied in filter_queryset, with its default

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        days = self.form.cleaned_data.get("days") or DEFAULT_COVERAGE_DAYS
        since = timezone.localdate() - datetime.timedelta(days=int(days))
        return queryset.filter(Q(last_visited_on__isnull=True) | Q(last_visited_on__lt=since))
