from django.utils.translation import gettext_lazy as _

from bangfu.core.listings import Listing, register
from bangfu.core.permissions import Cap
from bangfu.core.tables import Column, Table

from .filters import (
    ActivityFilterSet,
    FeedbackFilterSet,
    HelperFilterSet,
    PartnershipFilterSet,
    ProjectFilterSet,
)
from .models import Activity, Feedback, Helper, Partnership, Project
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

activities = register(
    Listing(
        key="assistance.activity",
        title=_("帮扶活动"),
        model=Activity,
        capability=Cap.ASSISTANCE_VIEW,
        queryset=lambda: Activity.objects.select_related("region", "organization", "helper"),
        filterset_class=ActivityFilterSet,
        default_sort="-date",
        table=Table(
            [
                Column("title", _("活动名称"), sort="title", link=True),
                Column("kind", _("活动类型"), sort="kind"),
                Column("date", _("日期"), sort="date"),
                Column("region", _("活动地区"), accessor="region.name", sort="region_code"),
                Column("organization", _("组织单位"), accessor="organization.name"),
                Column("person_times", _("服务人次"), sort="person_times", numeric=True),
                Column("distinct_people", _("服务人数"), numeric=True),
                Column("value_given", _("折合价值(元)"), sort="value_given", numeric=True),
            ]
        ),
    )
)

helpers = register(
    Listing(
        key="assistance.helper",
        title=_("劳模助力"),
        model=Helper,
        capability=Cap.ASSISTANCE_VIEW,
        queryset=lambda: Helper.objects.select_related("region", "organization"),
        filterset_class=HelperFilterSet,
        default_sort="name",
        table=Table(
            [
                Column("name", _("姓名/名称"), sort="name", link=True),
                Column("kind", _("类别"), sort="kind"),
                Column("level", _("级别"), sort="level"),
                Column("honours", _("荣誉称号")),
                Column("organization", _("所在单位"), accessor="organization.name"),
                Column("studio", _("创新工作室")),
                Column("region", _("帮扶地区"), accessor="region.name", sort="region_code"),
            ]
        ),
    )
)

feedback = register(
    Listing(
        key="assistance.feedback",
        title=_("公示意见"),
        model=Feedback,
        capability=Cap.PROJECT_MANAGE,
        queryset=lambda: Feedback.objects.select_related("project"),
        filterset_class=FeedbackFilterSet,
        default_sort="-created_at",
        table=Table(
            [
                Column("created_at", _("提交时间"), sort="created_at", link=True),
                Column("project", _("帮扶项目"), accessor="project.name"),
                Column("message", _("意见内容")),
                Column("contact", _("联系方式")),
                Column("status", _("状态"), sort="status"),
                Column("reply", _("处理情况")),
            ]
        ),
    )
)
