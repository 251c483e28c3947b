from django.utils.translation import gettext_lazy as _

from bangfu.core.listings import Listing, register
from bangfu.core.permissions import Cap
from bangfu.core.tables import Column, Table

from .filters import HouseholdFilterSet, PersonFilterSet
from .models import Household, Person

households = register(
    Listing(
        key="registry.household",
        title=_("农户"),
        model=Household,
        capability=Cap.REGISTRY_VIEW,
        queryset=lambda: Household.objects.select_related("region"),
        filterset_class=HouseholdFilterSet,
        default_sort="region_code",
        table=Table(
            [
                Column("code", _("户编号"), sort="code", link=True),
                Column("head_name", _("户主"), sort="head_name", link=True),
                Column("village", _("所在村"), accessor="region.name", sort="region_code"),
                Column("members_count", _("家庭人口"), sort="members_count", numeric=True),
                Column("registered", _("建档立卡户")),
                Column("status", _("当前状态"), sort="status"),
                Column("safety_net", _("兜底保障")),
                Column("lifted_year", _("脱贫年度"), sort="lifted_year", numeric=True),
                Column("latest_per_capita", _("最近人均纯收入"), sort="latest_per_capita", numeric=True),
            ]
        ),
    )
)

persons = register(
    Listing(
        key="registry.person",
        title=_("家庭成员"),
        model=Person,
        capability=Cap.REGISTRY_VIEW,
        queryset=lambda: Person.objects.filter(is_active=True).select_related("household"),
        filterset_class=PersonFilterSet,
        default_sort="region_code",
        table=Table(
            [
                Column("name", _("姓名"), sort="name", link=True),
                Column("household", _("户编号"), accessor="household.code", sort="household__code"),
                Column("relation", _("与户主关系")),
                Column(
                    "id_number",
                    _("身份证号"),
                    accessor="id_number_masked",
                    reveal_accessor="id_number",
                    sensitive=True,
                    masker=None,
                ),
                Column("gender", _("性别")),
                Column("birth_date", _("出生日期"), sort="birth_date"),
                Column("health", _("健康状况"), sensitive=True, masker=lambda v: "***"),
                Column("labor_capacity", _("劳动能力")),
                Column("employment", _("务工状况")),
            ]
        ),
    )
)
