"""Village work (驻村工作): stationed teams and their members.

A team (驻村工作队) is sent by an organisation to one village for a period. Its members
serve with a role and their own dates; a member who leaves gets an end date and stays
on the team's roll, so the rotation history is never lost.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A stationed team (驻村工作队) sent by an organisation to a village for a period."""

    organization_reach = "organization"  # an organisation from elsewhere works here

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("驻点村"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("派出单位"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=100, blank=True, help_text=_("留空时按派出单位和村命名"))
    starts_on = models.DateField(_("驻村开始日期"))
    ends_on = models.DateField(_("驻村结束日期"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("驻村工作队")
        verbose_name_plural = _("驻村工作队")
        ordering = ["region_code", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="team_period_order"
            )
        ]

    def __str__(self) -> str:
        return self.name or f"{self.region.name}驻村工作队"

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:team-detail", args=[self.pk])

    def active_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class TeamRole(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", _("第一书记")
    LEADER = "leader", _("工作队队长")
    MEMBER = "member", _("工作队队员")


class TeamMember(models.Model):
    """One stint of one person on one team; leaving sets ``ends_on`` (rows are never deleted)."""

    team = models.ForeignKey(Team, verbose_name=_("工作队"), on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("队员"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    role = models.CharField(_("职务"), max_length=20, choices=TeamRole.choices, default=TeamRole.MEMBER)
    starts_on = models.DateField(_("到岗日期"))
    ends_on = models.DateField(_("离岗日期"), null=True, blank=True)
    end_reason = models.CharField(_("离岗原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("工作队队员")
        verbose_name_plural = _("工作队队员")
        ordering = ["team", "ends_on", "role", "starts_on", "pk"]
        indexes = [models.Index(fields=["user", "starts_on"], name="teammember_user_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="teammember_period_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.user} · {self.get_role_display()}"

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:team-detail", args=[self.team_id])

    def active_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


# Attendance --------------------------------------------------------------------------------------


class CheckIn(models.Model):
    """One stay in the village: checked in, later checked out, times set by the server.

    Location is what the phone's browser reported (optional), with its accuracy in metres.
    """

    member = models.ForeignKey(
        TeamMember, verbose_name=_("队员"), on_delete=models.PROTECT, related_name="checkins"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    checked_in_at = models.DateTimeField(_("签到时间"), default=timezone.now)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    in_latitude = models.DecimalField(_("签到纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    in_longitude = models.DecimalField(_("签到经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    in_accuracy = models.PositiveIntegerField(_("签到定位精度(米)"), null=True, blank=True)
    out_latitude = models.DecimalField(_("签退纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    out_longitude = models.DecimalField(_("签退经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    out_accuracy = models.PositiveIntegerField(_("签退定位精度(米)"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")
        ordering = ["-checked_in_at", "-pk"]
        indexes = [models.Index(fields=["member", "checked_in_at"], name="checkin_member_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=F("checked_in_at")),
                name="checkin_out_after_in",
            ),
            # at most one open stay per member: a second check-in before checking out is refused
            models.UniqueConstraint(
                fields=["member"], condition=Q(checked_out_at__isnull=True), name="checkin_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member.user} · {timezone.localtime(self.checked_in_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:team-detail", args=[self.member.team_id])


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    CANCELLED = "cancelled", _("已撤销")


class Leave(models.Model):
    """A leave request (请假) of a member for whole days, decided by the team leader or the office."""

    member = models.ForeignKey(
        TeamMember, verbose_name=_("队员"), on_delete=models.PROTECT, related_name="leaves"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    starts_on = models.DateField(_("请假开始日期"))
    ends_on = models.DateField(_("请假结束日期"))
    reason = models.CharField(_("事由"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("请假")
        verbose_name_plural = _("请假")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["member", "starts_on"], name="leave_member_start")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="leave_period_order")
        ]

    def __str__(self) -> str:
        return f"{self.member.user} · {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:leave-decide", args=[self.pk])

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class PublicHoliday(models.Model):
    """A statutory public holiday (法定节假日): it reduces the week's requirement like a day of leave."""

    date = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        verbose_name = _("法定节假日")
        verbose_name_plural = _("法定节假日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


# Visits ------------------------------------------------------------------------------------------


class Visit(models.Model):
    """A cadre's visit to a household (走访/入户): what was found, with photos (its attachments,
    see bangfu.attachments); needs raised follow."""

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="visits"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, editable=False)
    visited_on = models.DateField(_("走访日期"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="+"
    )
    companions = models.CharField(_("同行人员"), max_length=100, blank=True)
    findings = models.TextField(_("走访情况"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("走访")
        verbose_name_plural = _("走访")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            models.Index(fields=["household", "visited_on"], name="visit_household_date"),
            models.Index(fields=["region_code", "visited_on"], name="visit_region_date"),
        ]

    def __str__(self) -> str:
        return f"{self.household.head_name or self.household.code} · {self.visited_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:visit-detail", args=[self.pk])


class NeedKind(models.TextChoices):
    EMPLOYMENT = "employment", _("就业")
    MEDICAL = "medical", _("医疗")
    EDUCATION = "education", _("教育")
    HOUSING = "housing", _("住房安全")
    INDUSTRY = "industry", _("产业发展")
    SOCIAL_SECURITY = "social_security", _("社会保障")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    OTHER = "other", _("其他")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("待办")
    IN_PROGRESS = "in_progress", _("办理中")
    CLOSED = "closed", _("已办结")


class Need(models.Model):
    """A need (诉求) a household raised, followed up by its owner until closed with a note."""

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="needs"
    )
    visit = models.ForeignKey(
        Visit, verbose_name=_("走访"), null=True, blank=True, on_delete=models.PROTECT, related_name="needs"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    kind = models.CharField(_("诉求类别"), max_length=20, choices=NeedKind.choices, default=NeedKind.OTHER)
    description = models.CharField(_("诉求内容"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("办理期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    closing_note = models.TextField(_("办结说明"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["status", "due_on", "pk"]
        indexes = [models.Index(fields=["household", "status"], name="need_household_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}:{self.description[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:need-edit", args=[self.pk])

    @property
    def overdue(self) -> bool:
        return (
            self.status != NeedStatus.CLOSED
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )
