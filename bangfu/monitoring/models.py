"""Relapse monitoring (防止返贫动态监测): thresholds, risk events, flags, monitored cases.

A threshold is the yearly per-capita income line of the monitoring range for a province or a
county (the county's line wins), with the parameters of the rules that flag households.
Risk events are what happened to a household (an illness with its expense, a disaster…).
The rules job writes flags, each saying which rule and which numbers; a flag may lead to a
monitored case, which goes through the approval path step by step (see services).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

IDENTIFICATION_DAYS = 15  # identification should finish within 15 days of the case being opened
NOTICE_MIN_DAYS = 5  # a village public notice stays up for at least 5 days


class RiskKind(models.TextChoices):
    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    DISASTER = "disaster", _("因灾")
    ACCIDENT = "accident", _("意外事故")
    UNEMPLOYMENT = "unemployment", _("务工就业不稳")
    BUSINESS_FAILURE = "business_failure", _("产业经营失败")
    SCHOOLING = "schooling", _("因学")
    OTHER = "other", _("其他")


# Rigid expenses (刚性支出) counted by the expense rule: medical and disaster costs.
RIGID_KINDS = (RiskKind.ILLNESS, RiskKind.DISASTER)
DEFAULT_EVENT_KINDS = "illness,disability,disaster,accident"


class Threshold(models.Model):
    """The monitoring line and rule parameters of one year for a province (2-digit code) or county (6)."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码前缀"), max_length=12, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    income_line = models.DecimalField(_("监测范围人均纯收入标准(元)"), max_digits=10, decimal_places=2)
    expense_share = models.DecimalField(
        _("刚性支出占收入比例"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
        help_text=_("医疗、灾害等刚性支出超过家庭纯收入的这一比例时预警,例如0.50"),
    )
    drop_share = models.DecimalField(
        _("收入大幅下降比例"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.30"),
        help_text=_("人均纯收入比上年下降超过这一比例时预警,例如0.30"),
    )
    event_kinds = models.CharField(
        _("新发风险预警类型"),
        max_length=200,
        default=DEFAULT_EVENT_KINDS,
        help_text=_("发生这些类型的风险事件即预警"),
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("监测标准")
        verbose_name_plural = _("监测标准")
        ordering = ["-year", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="threshold_one_per_region_year"),
            models.CheckConstraint(condition=Q(income_line__gte=0), name="threshold_line_non_negative"),
            models.CheckConstraint(
                condition=Q(expense_share__gt=0, expense_share__lte=10, drop_share__gt=0, drop_share__lt=1),
                name="threshold_shares_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.region.name} {self.income_line}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:threshold-edit", args=[self.pk])

    @staticmethod
    def scope_query(prefixes) -> Q:
        """A user sees the lines of their own province and county, and all below their scope."""
        query = Q(pk__in=[])
        for prefix in prefixes:
            query |= Q(region_code__startswith=prefix) | Q(region_code__in=[prefix[:2], prefix[:6]])
        return query

    def kinds(self) -> list[str]:
        return [kind for kind in self.event_kinds.split(",") if kind]

    def kinds_display(self) -> str:
        labels = dict(RiskKind.choices)
        return "、".join(str(labels.get(kind, kind)) for kind in self.kinds())


class RiskSource(models.TextChoices):
    VISIT = "visit", _("走访发现")
    SELF_REPORT = "self_report", _("农户自主申报")
    DEPARTMENT = "department", _("部门数据")


class RiskEvent(models.Model):
    """Something that happened to a household and may push it (back) into poverty."""

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="risk_events"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, editable=False)
    kind = models.CharField(_("风险类型"), max_length=20, choices=RiskKind.choices)
    occurred_on = models.DateField(_("发生日期"))
    amount = models.DecimalField(
        _("金额(元)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("支出或损失金额,不能为负"),
    )
    source = models.CharField(_("来源"), max_length=12, choices=RiskSource.choices)
    visit = models.ForeignKey(
        "fieldwork.Visit",
        verbose_name=_("走访"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.CharField(_("数据来源部门"), max_length=100, blank=True)
    description = models.CharField(_("情况说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("风险事件")
        verbose_name_plural = _("风险事件")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["household", "occurred_on"], name="riskevent_household_date"),
            models.Index(fields=["region_code", "occurred_on"], name="riskevent_region_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="riskevent_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.occurred_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:event-list") + f"?household={self.household_id}"


class Rule(models.TextChoices):
    INCOME_BELOW_LINE = "income_below_line", _("人均纯收入低于监测标准")
    RIGID_EXPENSE = "rigid_expense", _("刚性支出超过收入比例")
    INCOME_DROP = "income_drop", _("收入大幅下降")
    RISK_EVENT = "risk_event", _("新发风险事件")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    CASE = "case", _("已纳入监测")
    DISMISSED = "dismissed", _("核实后排除")


class Flag(models.Model):
    """A household flagged for review by one rule, with the numbers that triggered it.

    ``measured`` is the household's figure, ``line`` the figure it crossed and ``base`` the one
    the line was derived from (net income for the expense rule, last year's per-capita income for
    the drop rule). One flag per household, rule, year and key (the risk event for that rule).
    """

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, editable=False)
    rule = models.CharField(_("预警规则"), max_length=20, choices=Rule.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    key = models.BigIntegerField(default=0, editable=False)
    measured = models.DecimalField(_("本户数值"), max_digits=14, decimal_places=2, null=True, blank=True)
    line = models.DecimalField(_("预警线"), max_digits=14, decimal_places=2, null=True, blank=True)
    base = models.DecimalField(_("基数"), max_digits=14, decimal_places=2, null=True, blank=True)
    risk_event = models.ForeignKey(
        RiskEvent,
        verbose_name=_("风险事件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    case = models.ForeignKey(
        "MonitoredCase",
        verbose_name=_("监测对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="flags",
    )
    raised_at = models.DateTimeField(_("预警时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.CharField(_("核实情况"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("预警线索")
        verbose_name_plural = _("预警线索")
        ordering = ["-raised_at", "pk"]
        indexes = [
            models.Index(fields=["status", "region_code"], name="flag_status_region"),
            models.Index(fields=["region_code", "raised_at"], name="flag_region_raised"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "rule", "year", "key"], name="flag_one_per_rule_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} · {self.household_id}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:flag-detail", args=[self.pk])

    def explanation(self) -> str:
        """Which rule and which numbers, in words."""
        from django.utils.translation import gettext

        if self.rule == Rule.INCOME_BELOW_LINE:
            return gettext("%(year)s年人均纯收入 %(measured)s 元,低于监测标准 %(line)s 元") % {
                "year": self.year,
                "measured": self.measured,
                "line": self.line,
            }
        if self.rule == Rule.RIGID_EXPENSE:
            return gettext(
                "%(year)s年医疗、灾害等刚性支出 %(measured)s 元,超过家庭纯收入 %(base)s 元的 %(share)s(%(line)s 元)"
            ) % {
                "year": self.year,
                "measured": self.measured,
                "base": self.base,
                "share": _share(self.line, self.base),
                "line": self.line,
            }
        if self.rule == Rule.INCOME_DROP:
            return gettext(
                "%(year)s年人均纯收入 %(measured)s 元,比上年 %(base)s 元下降超过预警比例(低于 %(line)s 元)"
            ) % {"year": self.year, "measured": self.measured, "base": self.base, "line": self.line}
        event = self.risk_event
        return gettext("新发风险事件:%(kind)s,金额 %(measured)s 元(%(day)s)") % {
            "kind": event.get_kind_display() if event else "—",
            "measured": self.measured,
            "day": event.occurred_on if event else "",
        }

    @property
    def age_days(self) -> int:
        return (timezone.localdate() - timezone.localdate(self.raised_at)).days


def _share(line, base) -> str:
    if not base:
        return "—"
    return f"{(Decimal(line) / Decimal(base) * 100).quantize(Decimal('1'))}%"


class CaseCategory(models.TextChoices):
    UNSTABLE = "unstable", _("脱贫不稳定户")
    MARGINAL = "marginal", _("边缘易致贫户")
    SUDDEN = "sudden", _("突发严重困难户")


class CaseSource(models.TextChoices):
    APPLICATION = "application", _("农户自主申报")
    SURVEY = "survey", _("干部排查")
    DEPARTMENT = "department", _("部门筛查预警")


class CaseStatus(models.TextChoices):
    IDENTIFYING = "identifying", _("识别中")
    MONITORED = "monitored", _("监测帮扶中")
    CLOSING = "closing", _("风险消除审核中")
    RISK_ELIMINATED = "risk_eliminated", _("风险已消除")
    NOT_INCLUDED = "not_included", _("未纳入")


class Path(models.TextChoices):
    IDENTIFY = "identify", _("识别纳入")
    CLOSE = "close", _("风险消除")


class Step(models.TextChoices):
    VERIFICATION = "verification", _("入户核实")
    DEMOCRATIC_REVIEW = "democratic_review", _("村级民主评议")
    PUBLIC_NOTICE = "public_notice", _("村级公示")
    TOWNSHIP_CHECK = "township_check", _("乡镇初审")
    COUNTY_DECISION = "county_decision", _("县级审定")


STEP_ORDER = list(Step.values)


class MonitoredCase(models.Model):
    """A household under monitoring (监测对象), from identification to the risk being eliminated."""

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="monitored_cases"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, editable=False)
    category = models.CharField(_("监测对象类别"), max_length=12, choices=CaseCategory.choices)
    source = models.CharField(_("发现方式"), max_length=12, choices=CaseSource.choices)
    risk_kind = models.CharField(_("主要风险类型"), max_length=20, choices=RiskKind.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.IDENTIFYING
    )
    path = models.CharField(_("当前流程"), max_length=10, choices=Path.choices, default=Path.IDENTIFY)
    next_step = models.CharField(
        _("下一步"), max_length=20, choices=Step.choices, default=Step.VERIFICATION, blank=True
    )
    summary = models.CharField(_("风险情况"), max_length=300)
    opened_on = models.DateField(_("启动识别日期"))
    due_on = models.DateField(_("识别期限"))
    identified_on = models.DateField(_("纳入日期"), null=True, blank=True)
    closing_started_on = models.DateField(_("启动风险消除日期"), null=True, blank=True)
    closing_evidence = models.TextField(_("风险消除依据"), blank=True)
    closed_on = models.DateField(_("风险消除日期"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("监测对象")
        verbose_name_plural = _("监测对象")
        ordering = ["status", "due_on", "pk"]
        indexes = [models.Index(fields=["status", "region_code"], name="case_status_region")]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status__in=["identifying", "monitored", "closing"]),
                name="case_one_open_per_household",
            ),
            models.CheckConstraint(condition=Q(due_on__gte=F("opened_on")), name="case_due_after_open"),
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:case-detail", args=[self.pk])

    @property
    def overdue(self) -> bool:
        return self.status == CaseStatus.IDENTIFYING and timezone.localdate() > self.due_on

    @property
    def open(self) -> bool:
        return self.status in (CaseStatus.IDENTIFYING, CaseStatus.MONITORED, CaseStatus.CLOSING)

    @property
    def age_days(self) -> int:
        return (timezone.localdate() - self.opened_on).days

    @property
    def days_left(self) -> int:
        return (self.due_on - timezone.localdate()).days


def identification_due(opened_on: datetime.date) -> datetime.date:
    return opened_on + datetime.timedelta(days=IDENTIFICATION_DAYS)


class Decision(models.TextChoices):
    APPROVED = "approved", _("通过")
    REJECTED = "rejected", _("不通过")


class CaseStep(models.Model):
    """One step of a case's approval path, recorded with who and when. Append-only."""

    case = models.ForeignKey(
        MonitoredCase, verbose_name=_("监测对象"), on_delete=models.PROTECT, related_name="steps"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, editable=False)
    path = models.CharField(_("流程"), max_length=10, choices=Path.choices)
    step = models.CharField(_("环节"), max_length=20, choices=Step.choices)
    decision = models.CharField(_("结论"), max_length=10, choices=Decision.choices, default=Decision.APPROVED)
    acted_on = models.DateField(_("办理日期"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("办理人"), max_length=100)
    note = models.CharField(_("意见"), max_length=300, blank=True)
    authorisation_signed = models.BooleanField(_("农户已签署授权承诺书"), default=False)
    notice_starts_on = models.DateField(_("公示开始日期"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示结束日期"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("审核环节")
        verbose_name_plural = _("审核环节")
        ordering = ["case_id", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(notice_starts_on__isnull=True) | Q(notice_ends_on__gte=F("notice_starts_on")),
                name="casestep_notice_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_path_display()} · {self.get_step_display()} · {self.get_decision_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("case steps are append-only")
        super().save(*args, **kwargs)


class MeasureKind(models.TextChoices):
    PROJECT = "project", _("帮扶项目")
    PAIRING = "pairing", _("结对帮扶")
    TEAM = "team", _("驻村工作队")
    SUPERMARKET = "supermarket", _("爱心超市救助")
    OTHER = "other", _("其他措施")


class Measure(models.Model):
    """An assistance measure for a monitored household, linked to what carries it out."""

    case = models.ForeignKey(
        MonitoredCase, verbose_name=_("监测对象"), on_delete=models.PROTECT, related_name="measures"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, editable=False)
    kind = models.CharField(_("措施类型"), max_length=12, choices=MeasureKind.choices)
    project = models.ForeignKey(
        "assistance.Project",
        verbose_name=_("帮扶项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pairing = models.ForeignKey(
        "registry.HouseholdPairing",
        verbose_name=_("结对帮扶"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        "fieldwork.Team",
        verbose_name=_("驻村工作队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enrolment = models.ForeignKey(
        "supermarket.Enrolment",
        verbose_name=_("爱心超市救助对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField(_("措施内容"), max_length=300)
    started_on = models.DateField(_("开始日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["case_id", "started_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}:{self.description[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:case-detail", args=[self.case_id])

    @property
    def target(self):
        return self.project or self.pairing or self.team or self.enrolment
