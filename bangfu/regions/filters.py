import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Level, Region


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称或代码"), method="search")
    level = django_filters.ChoiceFilter(label=_("级别"), choices=Level.choices)
    parent = django_filters.CharFilter(label=_("上级代码"), field_name="parent_id")

    class Meta:
        model = Region
        fields = ["q", "level", "parent"]

    def search(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            return queryset.filter(code__startswith=value)
        return queryset.filter(name__contains=value)
