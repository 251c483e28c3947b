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


def _choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The label of ``value`` (the value itself when unknown), as ``get_FOO_display`` gives it."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


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
    disclosed_from = models.DateField(_("公示开始"), null=True, blank=True)
    disclosed_until = models.DateField(_("公示截止"), null=True, blank=True)
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

    # Django's generated get_FOO_display builds a dict of every choice, translating each label, on
    # each call, and a table of projects calls both per row; the enum looks up the one label.
    def get_type_display(self) -> str:
        return _choice_label(ProjectType, self.type)

    def get_status_display(self) -> str:
        return _choice_label(ProjectStatus, self.status)

    def region_prefixes(self) -> list[str]:
        """The code prefixes of the regions the project serves: its own and the other ones."""
        return [self.region.prefix, *(r.prefix for r in self.other_regions.all())]

    def is_disclosed(self, day) -> bool:
        return self.disclosed_from is not None and self.disclosed_from <= day

    def takes_feedback(self, day) -> bool:
        return self.is_disclosed(day) and (self.disclosed_until is None or day <= self.disclosed_until)


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
    hash_fields = (
        "project",
        "kind",
        "date",
        "amount",
        "source",
        "voucher_number",
        "reverses",
        "note",
    )
    hash_fields_when_set = ("override_reason",)

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
    override_reason = models.CharField(_("超支说明"), max_length=200, blank=True)

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


# Beneficiaries, outcomes and dividends ---------------------------------------------------------------


class Beneficiary(models.Model):
    """Who a project reaches: a household of the registry (and maybe one person in it), or a count
    of households and persons that are not registered, with the reason they are only counted."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="beneficiaries")
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("受益户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("受益人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    households = models.PositiveIntegerField(_("受益户数"), default=1)
    persons = models.PositiveIntegerField(_("受益人数"), default=0)
    unregistered_reason = models.CharField(_("未登记原因"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("受益对象")
        verbose_name_plural = _("受益对象")
        ordering = ["project_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "household"],
                condition=Q(household__isnull=False),
                name="beneficiary_household_once",
            ),
            models.CheckConstraint(
                condition=Q(household__isnull=False) | ~Q(unregistered_reason=""),
                name="beneficiary_counted_has_reason",
            ),
        ]

    def __str__(self) -> str:
        if self.household_id:
            return self.household.code
        return _("未登记 %(households)s户%(persons)s人") % {
            "households": self.households,
            "persons": self.persons,
        }

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url()

    @property
    def is_registered(self) -> bool:
        return self.household_id is not None


class OutcomeKind(models.TextChoices):
    JOBS_CREATED = "jobs_created", _("带动就业(人)")
    PEOPLE_HOME = "people_home", _("吸引返乡(人)")
    INCOME_PER_HOUSEHOLD = "income_per_household", _("户均增收(元)")
    INCOME_PER_PERSON = "income_per_person", _("人均增收(元)")
    COLLECTIVE_INCOME = "collective_income", _("村集体收入(元)")
    SALES = "sales", _("销售额(元)")
    PROFIT = "profit", _("利润(元)")


COUNTED_OUTCOMES = (OutcomeKind.JOBS_CREATED, OutcomeKind.PEOPLE_HOME)


class Outcome(models.Model):
    """One indicator of what a project achieved, as of a date (the latest one counts)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outcomes")
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    kind = models.CharField(_("指标"), max_length=30, choices=OutcomeKind.choices)
    value = models.DecimalField(_("数值"), **MONEY)
    as_of = models.DateField(_("截至日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("成效指标")
        verbose_name_plural = _("成效指标")
        ordering = ["project_id", "kind", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "as_of"], name="outcome_once_per_day"),
            models.CheckConstraint(condition=Q(value__gte=0), name="outcome_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url()


class Shareholding(models.Model):
    """A household's shares in a project (入股), on which yearly dividends are paid."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="shareholdings")
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("入股户"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    shares = models.PositiveIntegerField(_("股数"))
    since_year = models.PositiveSmallIntegerField(_("入股年份"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("入股")
        verbose_name_plural = _("入股")
        ordering = ["project_id", "household_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "household"], name="shareholding_once"),
            models.CheckConstraint(condition=Q(shares__gt=0), name="shareholding_shares_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.household.code} × {self.shares}"

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url()


class DividendPayout(models.Model):
    """One shareholder's dividend of one year, written by a payout run (one line per shareholder)."""

    shareholding = models.ForeignKey(Shareholding, on_delete=models.PROTECT, related_name="payouts")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="payouts")
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    shares = models.PositiveIntegerField(_("股数"))
    amount = models.DecimalField(_("分红(元)"), **MONEY)
    paid_on = models.DateField(_("发放日期"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("分红")
        verbose_name_plural = _("分红")
        ordering = ["project_id", "-year", "shareholding_id"]
        constraints = [
            models.UniqueConstraint(fields=["shareholding", "year"], name="dividend_once_a_year"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="dividend_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.amount}"


# Activities and helpers -------------------------------------------------------------------------------


class ActivityKind(models.TextChoices):
    CLINIC = "clinic", _("义诊")
    TRAINING = "training", _("培训")
    EDUCATION_AID = "education_aid", _("助学")
    GOODS_DONATION = "goods_donation", _("捐赠物资")
    VISIT = "visit", _("走访慰问")
    PARTY_BUILDING = "party_building", _("党建活动")


class HelperKind(models.TextChoices):
    WORKER = "worker", _("劳动模范")
    UNIT = "unit", _("先进集体")


class HelperLevel(models.TextChoices):
    NATIONAL = "national", _("全国")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class Helper(models.Model):
    """A model worker or an honoured unit who takes part in the assistance (劳模助力)."""

    kind = models.CharField(_("类别"), max_length=20, choices=HelperKind.choices)
    name = models.CharField(_("姓名/名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=20, choices=HelperLevel.choices)
    honours = models.CharField(_("荣誉称号"), max_length=300, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    studio = models.CharField(_("创新工作室"), max_length=100, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("帮扶地区"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    description = models.TextField(_("事迹"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("劳模助力")
        verbose_name_plural = _("劳模助力")
        ordering = ["region_code", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assistance:helper-detail", args=[self.pk])


class HelperResult(models.Model):
    """What a helper achieved in one year: bases built, trainings held, trainees, jobs, households lifted."""

    helper = models.ForeignKey(Helper, on_delete=models.CASCADE, related_name="results")
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    bases_built = models.PositiveIntegerField(_("建成基地"), default=0)
    trainings_held = models.PositiveIntegerField(_("培训场次"), default=0)
    trainees = models.PositiveIntegerField(_("培训人数"), default=0)
    jobs = models.PositiveIntegerField(_("带动就业"), default=0)
    households_lifted = models.PositiveIntegerField(_("带动脱贫户数"), default=0)

    class Meta:
        verbose_name = _("劳模成果")
        verbose_name_plural = _("劳模成果")
        ordering = ["helper_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["helper", "year"], name="helper_result_once_a_year")]

    def __str__(self) -> str:
        return f"{self.helper} {self.year}"

    def get_absolute_url(self) -> str:
        return self.helper.get_absolute_url()


RESULT_FIELDS = ("bases_built", "trainings_held", "trainees", "jobs", "households_lifted")


class Activity(models.Model):
    """A free clinic, a training, education aid, a donation of goods, a visit or a party-building event."""

    kind = models.CharField(_("活动类型"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("活动名称"), max_length=200)
    date = models.DateField(_("日期"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("活动地区"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("组织单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organiser = models.CharField(_("组织者"), max_length=100, blank=True)
    helper = models.ForeignKey(
        Helper,
        verbose_name=_("劳模/先进集体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("帮扶项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    person_times = models.PositiveIntegerField(_("服务人次"))
    distinct_people = models.PositiveIntegerField(_("服务人数"), null=True, blank=True)
    value_given = models.DecimalField(_("折合价值(元)"), default=ZERO, **MONEY)
    description = models.TextField(_("活动内容"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("帮扶活动")
        verbose_name_plural = _("帮扶活动")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(distinct_people__isnull=True) | Q(distinct_people__lte=models.F("person_times")),
                name="activity_people_within_person_times",
            ),
            models.CheckConstraint(condition=Q(value_given__gte=0), name="activity_value_not_negative"),
        ]
        indexes = [models.Index(fields=["region_code", "date"], name="activity_region_date")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assistance:activity-detail", args=[self.pk])


# Public disclosure -----------------------------------------------------------------------------------


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("待处理")
    HANDLED = "handled", _("已处理")


class Feedback(models.Model):
    """A message the public left on a disclosure page (公示意见), for the office's queue."""

    project = models.ForeignKey(
        Project, verbose_name=_("帮扶项目"), on_delete=models.CASCADE, related_name="feedback"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    message = models.TextField(_("意见内容"))
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    client_key = models.CharField(max_length=64, db_index=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    reply = models.CharField(_("处理情况"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, editable=False, db_index=True)

    class Meta:
        verbose_name = _("公示意见")
        verbose_name_plural = _("公示意见")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("assistance:feedback-handle", args=[self.pk])
