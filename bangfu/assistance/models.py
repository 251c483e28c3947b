"""Partnerships, projects and the project fund ledger.

The fund ledger is hash-chained and append-only (one chain per project): a correction
is a new reversing entry with the opposite amount, and every balance is a sum over it.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.audit.models import ChainedEntry

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class PartnershipKind(models.TextChoices):
    DESIGNATED = "designated", _("定点帮扶")
    PAIRED = "paired", _("结对帮扶")


class Partnership(models.Model):
    """An organisation assigned to a county (定点帮扶) or paired with a village (结对帮扶)."""

    organization_reach = "organization"  # an organisation from elsewhere works here

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("帮扶单位"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("帮扶类型"), max_length=20, choices=PartnershipKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("帮扶地区"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    start_year = models.PositiveSmallIntegerField(_("开始年份"))
    end_year = models.PositiveSmallIntegerField(_("结束年份"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("帮扶关系")
        verbose_name_plural = _("帮扶关系")
        ordering = ["region_code", "organization_id", "start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "region", "start_year"], name="partnership_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=models.F("start_year")),
                name="partnership_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.region} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("assistance:partnership-detail", args=[self.pk])

    def covers_year(self, year: int) -> bool:
        return self.start_year <= year and (self.end_year is None or year <= self.end_year)


class ProjectType(models.TextChoices):
    INDUSTRY = "industry", _("产业")
    EMPLOYMENT = "employment", _("就业")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    EDUCATION = "education", _("教育")
    HEALTH = "health", _("健康")
    CONSUMPTION = "consumption", _("消费")
    PARTY_BUILDING = "party_building", _("党建")
    ECOLOGY = "ecology", _("生态")
    FINANCE = "finance", _("金融")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    IN_PROGRESS = "in_progress", _("实施中")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class Project(models.Model):
    """A funded piece of work (帮扶项目) of one organisation, in one primary region and maybe others."""

    name = models.CharField(_("项目名称"), max_length=200)
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("帮扶单位"), on_delete=models.PROTECT, related_name="+"
    )
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("帮扶关系"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("实施地区"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    other_regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("其他受益地区"), blank=True, related_name="+"
    )
    type = models.CharField(_("项目类型"), max_length=20, choices=ProjectType.choices)
    budget = models.DecimalField(_("预算(元)"), **MONEY)
    status = models.CharField(
        _("状态"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    description = models.TextField(_("项目内容"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("帮扶项目")
        verbose_name_plural = _("帮扶项目")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="project_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["region_code", "start_date"], name="project_region_start")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assistance:project-detail", args=[self.pk])


class Milestone(models.Model):
    """A dated step of a project: planned for a date, done on another."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    planned_on = models.DateField(_("计划日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    region_code = models.CharField(max_length=12, db_index=True, editable=False)

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["project_id", "planned_on", "pk"]

    def __str__(self) -> str:
        return self.title


class FundKind(models.TextChoices):
    INVESTED = "invested", _("投入资金")
    COORDINATED = "coordinated", _("协调资金")
    SPENT = "spent", _("支出")


class FundEntry(ChainedEntry):
    """One movement of a project's money, on the project's hash-chained fund ledger.

    ``amount`` is positive, except on a reversing entry, which carries the opposite of
    the amount of the entry it reverses (``reverses``) and the same kind.
    """

    ledger_name = "assistance.fund"
    hash_fields = ("project", "kind", "date", "amount", "source", "voucher_number", "reverses", "note")

    project = models.ForeignKey(
        Project, verbose_name=_("帮扶项目"), on_delete=models.PROTECT, related_name="fund_entries"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    kind = models.CharField(_("资金类型"), max_length=20, choices=FundKind.choices)
    date = models.DateField(_("日期"))
    amount = models.DecimalField(_("金额(元)"), **MONEY)
    source = models.CharField(_("资金来源"), max_length=200, blank=True)
    voucher_number = models.CharField(_("凭证号"), max_length=50, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲销"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta(ChainedEntry.Meta):
        verbose_name = _("资金记录")
        verbose_name_plural = _("资金记录")
        constraints = [
            *ChainedEntry.Meta.constraints,
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, amount__gt=0) | Q(reverses__isnull=False, amount__lt=0),
                name="fund_entry_amount_sign",
            ),
        ]
        indexes = [
            models.Index(fields=["region_code", "date"], name="fund_entry_region_date"),
            models.Index(fields=["project", "kind"], name="fund_entry_project_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.date}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None
