from django.utils.translation import gettext_lazy as _

from bangfu.core.listings import Listing, register
from bangfu.core.permissions import Cap
from bangfu.core.tables import Column, Table

from .filters import LeaveFilterSet, TeamFilterSet
from .models import Leave, Team, TeamMember

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
