import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.core import crypto, idnumber
from bangfu.core.pinyin import looks_like_initials
from bangfu.core.scoping import prefix_q

from .models import Health, Household, HouseholdStatus, LaborCapacity, Person, PovertyCause, SafetyNet

INCOME_BANDS = [
    ("lt4000", _("4000元以下")),
    ("4000-6000", _("4000–6000元")),
    ("6000-10000", _("6000–10000元")),
    ("gte10000", _("10000元以上")),
    ("none", _("无收入记录")),
]
BAND_BOUNDS = {
    "lt4000": (None, 4000),
    "4000-6000": (4000, 6000),
    "6000-10000": (6000, 10000),
    "gte10000": (10000, None),
}


class HouseholdFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名 / 拼音首字母 / 户编号 / 身份证号"), method="search")
    township = django_filters.CharFilter(label=_("乡镇代码"), method="by_prefix")
    village = django_filters.CharFilter(label=_("村代码"), method="by_prefix")
    registered = django_filters.BooleanFilter(label=_("建档立卡户"))
    status = django_filters.ChoiceFilter(label=_("当前状态"), choices=HouseholdStatus.choices)
    safety_net = django_filters.ChoiceFilter(
        label=_("兜底保障"), choices=[c for c in SafetyNet.choices if c[0]]
    )
    cause = django_filters.ModelChoiceFilter(
        label=_("致贫原因"), queryset=PovertyCause.objects.all(), method="by_cause"
    )
    labor_capacity = django_filters.ChoiceFilter(
        label=_("有成员的劳动能力为"), choices=LaborCapacity.choices, method="by_member"
    )
    health = django_filters.ChoiceFilter(
        label=_("有成员的健康状况为"), choices=Health.choices, method="by_member"
    )
    lifted_year = django_filters.NumberFilter(label=_("脱贫年度"))
    income_band = django_filters.ChoiceFilter(
        label=_("最近人均纯收入"), choices=INCOME_BANDS, method="by_income"
    )

    class Meta:
        model = Household
        fields = [
            "q",
            "township",
            "village",
            "registered",
            "status",
            "safety_net",
            "cause",
            "labor_capacity",
            "health",
            "lifted_year",
            "income_band",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        normalized = idnumber.normalize(value)
        if len(normalized) == 18 and normalized[:17].isdigit():
            people = Person.objects.filter(id_number_hash=crypto.lookup_hash(normalized))
            return queryset.filter(pk__in=people.values("household_id"))
        if looks_like_initials(value):
            people = Person.objects.filter(name_initials__startswith=value.lower(), is_active=True)
            return queryset.filter(pk__in=people.values("household_id"))
        if value.isascii() and value.replace("-", "").isalnum():
            return queryset.filter(code__startswith=value)
        people = Person.objects.filter(name__contains=value, is_active=True)
        return queryset.filter(Q(pk__in=people.values("household_id")) | Q(code=value))

    def by_prefix(self, queryset, name, value):
        value = value.strip()
        if not value.isdigit() or len(value) > 12:
            return queryset.none()
        prefix = value[:9] if name == "township" and len(value) == 12 else value
        return queryset.filter(prefix_q("region_code", [prefix]))

    def by_cause(self, queryset, name, value):
        return queryset.filter(causes=value)

    def by_member(self, queryset, name, value):
        people = Person.objects.filter(is_active=True, **{name: value})
        return queryset.filter(pk__in=people.values("household_id"))

    def by_income(self, queryset, name, value):
        if value == "none":
            return queryset.filter(latest_per_capita__isnull=True)
        low, high = BAND_BOUNDS[value]
        if low is not None:
            queryset = queryset.filter(latest_per_capita__gte=low)
        if high is not None:
            queryset = queryset.filter(latest_per_capita__lt=high)
        return queryset


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名 / 拼音首字母 / 身份证号"), method="search")
    village = django_filters.CharFilter(label=_("村代码"), method="by_prefix")
    health = django_filters.ChoiceFilter(label=_("健康状况"), choices=Health.choices)
    labor_capacity = django_filters.ChoiceFilter(label=_("劳动能力"), choices=LaborCapacity.choices)

    class Meta:
        model = Person
        fields = ["q", "village", "health", "labor_capacity"]

    def search(self, queryset, name, value):
        value = value.strip()
        normalized = idnumber.normalize(value)
        if len(normalized) == 18 and normalized[:17].isdigit():
            return queryset.filter(id_number_hash=crypto.lookup_hash(normalized))
        if looks_like_initials(value):
            return queryset.filter(name_initials__startswith=value.lower())
        return queryset.filter(name__contains=value)

    def by_prefix(self, queryset, name, value):
        value = value.strip()
        if not value.isdigit() or len(value) > 12:
            return queryset.none()
        return queryset.filter(prefix_q("region_code", [value]))
