from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from bangfu.core.listings import Listing, register
from bangfu.core.permissions import Cap
from bangfu.core.tables import Column, Table

from .filters import CoverageFilterSet, LeaveFilterSet, NeedFilterSet, TeamFilterSet, VisitFilterSet
from .models import Leave, Need, Team, TeamMember, Visit

teams = register(
    Listing(
        key="fieldwork.team",
        title=_("驻村工作队"),
        model=Team,
        capability=Cap.FIELDWORK_VIEW,
        queryset=lambda: Team.objects.select_related("region", "organization"),
        filterset_class=TeamFilterSet,
        default_sort="region_code",
        table=Table(
            [
                Column("name", _("工作队"), accessor=str, link=True),
                Column("region", _("驻点村"), accessor="region.name", sort="region_code"),
                Column("region_code", _("区划代码"), sort="region_code"),
                Column(
                    "organization", _("派出单位"), accessor="organization.name", sort="organization__name"
                ),
                Column("starts_on", _("驻村开始日期"), sort="starts_on"),
                Column("ends_on", _("驻村结束日期"), sort="ends_on"),
            ]
        ),
    )
)

leaves = register(
    Listing(
        key="fieldwork.leave",
        title=_("请假"),
        model=Leave,
        capability=Cap.FIELDWORK_VIEW,
        queryset=lambda: Leave.objects.select_related("member__user", "member__team__region", "decided_by"),
        filterset_class=LeaveFilterSet,
        default_sort="-starts_on",
        table=Table(
            [
                Column("member", _("队员"), accessor="member.user.username", link=True),
                Column("village", _("驻点村"), accessor="member.team.region.name", sort="region_code"),
                Column("starts_on", _("请假开始日期"), sort="starts_on"),
                Column("ends_on", _("请假结束日期"), sort="ends_on"),
                Column("days", _("天数"), numeric=True),
                Column("reason", _("事由")),
                Column("status", _("状态"), sort="status"),
                Column("decided_by", _("审批人"), accessor="decided_by.username"),
            ]
        ),
    )
)

# The weekly report is computed, not a table: this declaration gives its export the columns.
compliance = Listing(
    key="fieldwork.compliance",
    title=_("五天四夜"),
    model=TeamMember,
    capability=Cap.FIELDWORK_VIEW,
    queryset=lambda: TeamMember.objects.none(),
    table=Table(
        [
            Column("name", _("队员")),
            Column("role", _("职务")),
            Column("team", _("工作队")),
            Column("village", _("驻点村")),
            Column("week", _("周一"), accessor="week.start"),
            Column("days", _("在村天数"), accessor="week.days", numeric=True),
            Column("nights", _("在村夜数"), accessor="week.nights", numeric=True),
            Column("required_days", _("要求天数"), accessor="week.required_days", numeric=True),
            Column("required_nights", _("要求夜数"), accessor="week.required_nights", numeric=True),
            Column("leave_days", _("请假天数"), accessor="week.leave_days", numeric=True),
            Column("holiday_days", _("节假日天数"), accessor="week.holiday_days", numeric=True),
            Column("off_duty_days", _("不在岗天数"), accessor="week.off_duty_days", numeric=True),
            Column("complies", _("达标")),
            Column("reason", _("说明")),
        ]
    ),
)

visits = register(
    Listing(
        key="fieldwork.visit",
        title=_("走访"),
        model=Visit,
        capability=Cap.FIELDWORK_VIEW,
        queryset=lambda: Visit.objects.select_related("household__region", "visitor"),
        filterset_class=VisitFilterSet,
        default_sort="-visited_on",
        table=Table(
            [
                Column("visited_on", _("走访日期"), sort="visited_on", link=True),
                Column("household", _("户编号"), accessor="household.code", sort="household__code"),
                Column("head_name", _("户主"), accessor="household.head_name"),
                Column("village", _("所在村"), accessor="household.region.name", sort="region_code"),
                Column("visitor", _("走访人"), accessor="visitor.username", sort="visitor__username"),
                Column("findings", _("走访情况")),
            ]
        ),
    )
)

needs = register(
    Listing(
        key="fieldwork.need",
        title=_("诉求"),
        model=Need,
        capability=Cap.FIELDWORK_VIEW,
        queryset=lambda: Need.objects.select_related("household__region", "owner"),
        filterset_class=NeedFilterSet,
        default_sort="due_on",
        table=Table(
            [
                Column("description", _("诉求内容"), link=True),
                Column("kind", _("诉求类别"), sort="kind"),
                Column("household", _("户编号"), accessor="household.code", sort="household__code"),
                Column("head_name", _("户主"), accessor="household.head_name"),
                Column("village", _("所在村"), accessor="household.region.name", sort="region_code"),
                Column("owner", _("责任人"), accessor="owner.username"),
                Column("due_on", _("办理期限"), sort="due_on"),
                Column("status", _("状态"), sort="status"),
                Column("overdue", _("已超期")),
                Column("closing_note", _("办结说明")),
            ]
        ),
    )
)


def _coverage_queryset():
    from bangfu.registry.models import Household, HouseholdStatus

    last = Visit.objects.filter(household=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1]
    return (
        Household.objects.exclude(status__in=[HouseholdStatus.MOVED, HouseholdStatus.DISSOLVED])
        .select_related("region")
        .annotate(last_visited_on=Subquery(last))
    )


coverage = register(
    Listing(
        key="fieldwork.coverage",
        title=_("走访覆盖"),
        model=Visit.household.field.related_model,
        capability=Cap.FIELDWORK_VIEW,
        queryset=_coverage_queryset,
        filterset_class=CoverageFilterSet,
        default_sort="region_code",
        table=Table(
            [
                Column("code", _("户编号"), sort="code", link=True),
                Column("head_name", _("户主"), sort="head_name"),
                Column("village", _("所在村"), accessor="region.name", sort="region_code"),
                Column("registered", _("建档立卡户")),
                Column("status", _("当前状态"), sort="status"),
                Column("last_visited_on", _("最近走访日期"), sort="last_visited_on"),
            ]
        ),
    )
)
