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
