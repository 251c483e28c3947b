import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.permissions import Role

from .models import Organization, OrganizationKind, User


class OrganizationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=OrganizationKind.choices)
    region = django_filters.CharFilter(label=_("区划代码前缀"), method="region_prefix")

    class Meta:
        model = Organization
        fields = ["q", "kind", "region"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(credit_code=value))

    def region_prefix(self, queryset, name, value):
        return (
            queryset.filter(region_code__startswith=value.strip())
            if value.strip().isdigit()
            else queryset.none()
        )


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    role = django_filters.ChoiceFilter(label=_("角色"), choices=Role.choices, method="by_role")

    class Meta:
        model = User
        fields = ["q", "role"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(display_name__icontains=value))

    def by_role(self, queryset, name, value):
        return queryset.filter(memberships__role=value, memberships__is_active=True).distinct()
