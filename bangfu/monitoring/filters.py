import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.fieldwork.filters import by_prefix

from .models import (
    CaseCategory,
    CaseSource,
    CaseStatus,
    Flag,
    FlagStatus,
    MonitoredCase,
    RiskEvent,
    RiskKind,
    RiskSource,
    Rule,
    Threshold,
)


class ThresholdFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("年度"))

    class Meta:
        model = Threshold
        fields = ["year"]


def _search(queryset, value):
    value = value.strip()
    return queryset.filter(Q(household__code__startswith=value) | Q(household__head_name__contains=value))


class RiskEventFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("户编号 / 户主"), method="search")
    region = django_filters.CharFilter(label=_("区划代码"), method="by_region")
    kind = django_filters.ChoiceFilter(label=_("风险类型"), choices=RiskKind.choices)
    source = django_filters.ChoiceFilter(label=_("来源"), choices=RiskSource.choices)
    household = django_filters.NumberFilter(field_name="household_id", label=_("农户ID"))

    class Meta:
        model = RiskEvent
        fields = ["q", "region", "kind", "source", "household"]

    by_region = by_prefix("region_code")

    def search(self, queryset, name, value):
        return _search(queryset, value)


class FlagFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("户编号 / 户主"), method="search")
    region = django_filters.CharFilter(label=_("区划代码"), method="by_region")
    rule = django_filters.ChoiceFilter(label=_("预警规则"), choices=Rule.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=FlagStatus.choices)
    year = django_filters.NumberFilter(label=_("年度"))

    class Meta:
        model = Flag
        fields = ["q", "region", "rule", "status", "year"]

    by_region = by_prefix("region_code")

    def search(self, queryset, name, value):
        return _search(queryset, value)


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("户编号 / 户主"), method="search")
    region = django_filters.CharFilter(label=_("区划代码"), method="by_region")
    category = django_filters.ChoiceFilter(label=_("监测对象类别"), choices=CaseCategory.choices)
    source = django_filters.ChoiceFilter(label=_("发现方式"), choices=CaseSource.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=CaseStatus.choices)
    risk_kind = django_filters.ChoiceFilter(label=_("主要风险类型"), choices=RiskKind.choices)
    overdue = django_filters.BooleanFilter(label=_("识别超期"), method="by_overdue")

    class Meta:
        model = MonitoredCase
        fields = ["q", "region", "category", "source", "status", "risk_kind", "overdue"]

    by_region = by_prefix("region_code")

    def search(self, queryset, name, value):
        return _search(queryset, value)

    def by_overdue(self, queryset, name, value):
        from django.utils import timezone

        overdue = Q(status=CaseStatus.IDENTIFYING, due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
