from django.utils.translation import gettext_lazy as _

from bangfu.core.listings import Listing, register
from bangfu.core.permissions import Cap
from bangfu.core.tables import Column, Table

from .filters import CaseFilterSet, FlagFilterSet, RiskEventFilterSet, ThresholdFilterSet
from .models import Flag, MonitoredCase, RiskEvent, Threshold

thresholds = register(
    Listing(
        key="monitoring.threshold",
        title=_("监测标准"),
        model=Threshold,
        capability=Cap.MONITORING_VIEW,
        queryset=lambda: Threshold.objects.select_related("region"),
        filterset_class=ThresholdFilterSet,
        default_sort="-year",
        table=Table(
            [
                Column("year", _("年度"), sort="year", link=True),
                Column("region", _("地区"), accessor="region.name", sort="region_code"),
                Column("income_line", _("监测范围人均纯收入标准(元)"), numeric=True, sort="income_line"),
                Column("expense_share", _("刚性支出占收入比例"), numeric=True),
                Column("drop_share", _("收入大幅下降比例"), numeric=True),
                Column("event_kinds", _("新发风险预警类型"), accessor="kinds_display"),
            ]
        ),
    )
)

events = register(
    Listing(
        key="monitoring.risk_event",
        title=_("风险事件"),
        model=RiskEvent,
        capability=Cap.MONITORING_VIEW,
        queryset=lambda: RiskEvent.objects.select_related("household__region"),
        filterset_class=RiskEventFilterSet,
        default_sort="-occurred_on",
        table=Table(
            [
                Column("household", _("户编号"), accessor="household.code", link=True),
                Column("head", _("户主"), accessor="household.head_name"),
                Column("village", _("所在村"), accessor="household.region.name", sort="region_code"),
                Column("kind", _("风险类型"), sort="kind"),
                Column("occurred_on", _("发生日期"), sort="occurred_on"),
                Column("amount", _("金额(元)"), numeric=True, sort="amount"),
                Column("source", _("来源"), sort="source"),
                Column("department", _("数据来源部门")),
            ]
        ),
    )
)

flags = register(
    Listing(
        key="monitoring.flag",
        title=_("预警线索"),
        model=Flag,
        capability=Cap.MONITORING_VIEW,
        queryset=lambda: Flag.objects.select_related("household__region", "risk_event"),
        filterset_class=FlagFilterSet,
        default_sort="-raised_at",
        table=Table(
            [
                Column("household", _("户编号"), accessor="household.code", link=True),
                Column("head", _("户主"), accessor="household.head_name"),
                Column("village", _("所在村"), accessor="household.region.name", sort="region_code"),
                Column("rule", _("预警规则"), sort="rule"),
                Column("year", _("年度"), sort="year"),
                Column("explanation", _("触发情况"), accessor="explanation"),
                Column("status", _("状态"), sort="status"),
                Column("raised_at", _("预警时间"), sort="raised_at"),
                Column("age_days", _("已过天数"), numeric=True),
            ]
        ),
    )
)

cases = register(
    Listing(
        key="monitoring.case",
        title=_("监测对象"),
        model=MonitoredCase,
        capability=Cap.MONITORING_VIEW,
        queryset=lambda: MonitoredCase.objects.select_related("household__region"),
        filterset_class=CaseFilterSet,
        default_sort="due_on",
        table=Table(
            [
                Column("household", _("户编号"), accessor="household.code", link=True),
                Column("head", _("户主"), accessor="household.head_name"),
                Column("village", _("所在村"), accessor="household.region.name", sort="region_code"),
                Column("category", _("监测对象类别"), sort="category"),
                Column("source", _("发现方式"), sort="source"),
                Column("risk_kind", _("主要风险类型"), sort="risk_kind"),
                Column("status", _("状态"), sort="status"),
                Column("next_step", _("下一步")),
                Column("opened_on", _("启动识别日期"), sort="opened_on"),
                Column("due_on", _("识别期限"), sort="due_on"),
                Column("overdue", _("识别超期")),
            ]
        ),
    )
)
