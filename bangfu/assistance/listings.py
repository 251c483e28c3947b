from django.utils.translation import gettext_lazy as _

from bangfu.core.listings import Listing, register
from bangfu.core.permissions import Cap
from bangfu.core.tables import Column, Table

from .filters import PartnershipFilterSet, ProjectFilterSet
from .models import Partnership, Project
from .selectors import with_balances

partnerships = register(
    Listing(
        key="assistance.partnership",
        title=_("帮扶关系"),
        model=Partnership,
        capability=Cap.ASSISTANCE_VIEW,
        queryset=lambda: Partnership.objects.select_related("organization", "region"),
        filterset_class=PartnershipFilterSet,
        default_sort="region_code",
        table=Table(
            [
                Column("organization", _("帮扶单位"), accessor="organization.name", link=True),
                Column("kind", _("帮扶类型"), sort="kind"),
                Column("region", _("帮扶地区"), accessor="region.name", sort="region_code"),
                Column("region_code", _("区划代码")),
                Column("start_year", _("开始年份"), sort="start_year", numeric=True),
                Column("end_year", _("结束年份"), sort="end_year", numeric=True),
            ]
        ),
    )
)

projects = register(
    Listing(
        key="assistance.project",
        title=_("帮扶项目"),
        model=Project,
        capability=Cap.ASSISTANCE_VIEW,
        queryset=lambda: with_balances(Project.objects.select_related("organization", "region")),
        filterset_class=ProjectFilterSet,
        default_sort="-start_date",
        table=Table(
            [
                Column("name", _("项目名称"), sort="name", link=True),
                Column("organization", _("帮扶单位"), accessor="organization.name"),
                Column("region", _("实施地区"), accessor="region.name", sort="region_code"),
                Column("type", _("项目类型"), sort="type"),
                Column("status", _("状态"), sort="status"),
                Column("start_date", _("开始日期"), sort="start_date"),
                Column("budget", _("预算(元)"), sort="budget", numeric=True),
                Column(
                    "received", _("到位资金(元)"), accessor=lambda p: p.invested + p.coordinated, numeric=True
                ),
                Column("spent", _("已支出(元)"), sort="spent", numeric=True),
            ]
        ),
    )
)
