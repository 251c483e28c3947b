import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.scoping import prefix_q

from .models import (
    Activity,
    ActivityKind,
    Feedback,
    FeedbackStatus,
    Helper,
    HelperKind,
    HelperLevel,
    Partnership,
    PartnershipKind,
    Project,
    ProjectStatus,
    ProjectType,
)


def _by_region(self, queryset, name, value):
    value = value.strip()
    if not value.isdigit() or len(value) > 12:
        return queryset.none()
    return queryset.filter(prefix_q("region_code", [value.rstrip("0") or value]))


class PartnershipFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("帮扶类型"), choices=PartnershipKind.choices)
    region = django_filters.CharFilter(label=_("区划代码"), method="by_region")
    organization = django_filters.CharFilter(label=_("帮扶单位"), method="by_organization")

    class Meta:
        model = Partnership
        fields = ["kind", "region", "organization"]

    by_region = _by_region

    def by_organization(self, queryset, name, value):
        return queryset.filter(organization__name__contains=value.strip())


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("项目名称"), field_name="name", lookup_expr="contains")
    type = django_filters.ChoiceFilter(label=_("项目类型"), choices=ProjectType.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ProjectStatus.choices)
    region = django_filters.CharFilter(label=_("区划代码"), method="by_region")
    organization = django_filters.CharFilter(label=_("帮扶单位"), method="by_organization")
    year = django_filters.NumberFilter(label=_("年度"), method="by_year")

    class Meta:
        model = Project
        fields = ["q", "type", "status", "region", "organization", "year"]

    by_region = _by_region

    def by_organization(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            return queryset.filter(organization_id=int(value))
        return queryset.filter(organization__name__contains=value)

    def by_year(self, queryset, name, value):
        """Projects running at some time in the year."""
        year = int(value)
        return queryset.filter(start_date__year__lte=year).filter(
            Q(end_date__isnull=True) | Q(end_date__year__gte=year)
        )


class ActivityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("活动名称"), field_name="title", lookup_expr="contains")
    kind = django_filters.ChoiceFilter(label=_("活动类型"), choices=ActivityKind.choices)
    region = django_filters.CharFilter(label=_("区划代码"), method="by_region")
    year = django_filters.NumberFilter(label=_("年度"), field_name="date", lookup_expr="year")
    organization = django_filters.NumberFilter(label=_("组织单位"), field_name="organization_id")
    helper = django_filters.NumberFilter(label=_("劳模/先进集体"), field_name="helper_id")

    class Meta:
        model = Activity
        fields = ["q", "kind", "region", "year", "organization", "helper"]

    by_region = _by_region


class HelperFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名/名称"), field_name="name", lookup_expr="contains")
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=HelperKind.choices)
    level = django_filters.ChoiceFilter(label=_("级别"), choices=HelperLevel.choices)
    region = django_filters.CharFilter(label=_("区划代码"), method="by_region")

    class Meta:
        model = Helper
        fields = ["q", "kind", "level", "region"]

    by_region = _by_region


class FeedbackFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=FeedbackStatus.choices)
    region = django_filters.CharFilter(label=_("区划代码"), method="by_region")

    class Meta:
        model = Feedback
        fields = ["status", "region"]

    by_region = _by_region
