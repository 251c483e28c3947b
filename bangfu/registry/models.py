"""The household registry: households, their members, incomes by year, status timeline, pairings."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.core.fields import EncryptedTextField, LookupHashField

MONEY = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0.00")}


class PovertyCause(models.Model):
    """A cause of poverty (致贫原因) from the national code list, kept as data."""

    code = models.CharField(_("代码"), max_length=4, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("致贫原因")
        verbose_name_plural = _("致贫原因")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SafetyNet(models.TextChoices):
    NONE = "", _("无")
    DIBAO = "dibao", _("低保")
    TEKUN = "tekun", _("特困供养")


class HouseholdStatus(models.TextChoices):
    POOR = "poor", _("未脱贫")
    LIFTED = "lifted", _("已脱贫")
    MONITORED = "monitored", _("监测对象")
    RISK_ELIMINATED = "risk_eliminated", _("风险已消除")
    MOVED = "moved", _("已迁出")
    DISSOLVED = "dissolved", _("已销户")


class Household(models.Model):
    """A rural household (户), the unit of assistance."""

    code = models.CharField(_("户编号"), max_length=30, unique=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在村"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, editable=False)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    head = models.ForeignKey(
        "Person", verbose_name=_("户主"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    head_name = models.CharField(_("户主姓名"), max_length=50, blank=True, editable=False)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    registered = models.BooleanField(_("建档立卡户"), default=True)
    registered_year = models.PositiveSmallIntegerField(_("建档年度"), null=True, blank=True)
    lifted_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True)
    safety_net = models.CharField(
        _("兜底保障"), max_length=10, choices=SafetyNet.choices, blank=True, default=""
    )
    status = models.CharField(
        _("当前状态"), max_length=20, choices=HouseholdStatus.choices, default=HouseholdStatus.POOR
    )
    causes = models.ManyToManyField(PovertyCause, verbose_name=_("致贫原因"), blank=True, related_name="+")
    members_count = models.PositiveSmallIntegerField(_("家庭人口"), default=0, editable=False)
    latest_per_capita = models.DecimalField(
        _("最近人均纯收入"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, editable=False)

    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("农户")
        verbose_name_plural = _("农户")
        ordering = ["region_code", "code"]
        indexes = [
            models.Index(fields=["region_code", "code"], name="household_region_code"),
            models.Index(fields=["status", "region_code"], name="household_status_region"),
        ]

    def __str__(self) -> str:
        return f"{self.head_name or '—'}({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("registry:household-detail", args=[self.pk])


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    SON = "son", _("之子")
    DAUGHTER = "daughter", _("之女")
    DAUGHTER_IN_LAW = "daughter_in_law", _("之儿媳")
    SON_IN_LAW = "son_in_law", _("之女婿")
    GRANDCHILD = "grandchild", _("之孙子女")
    PARENT = "parent", _("之父母")
    GRANDPARENT = "grandparent", _("之祖父母")
    SIBLING = "sibling", _("之兄弟姐妹")
    OTHER = "other", _("其他")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS = "serious", _("患有大病")
    DISABLED = "disabled", _("残疾")


class Education(models.TextChoices):
    NONE = "", _("未填写")
    ILLITERATE = "illiterate", _("文盲或半文盲")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中专/中职")
    COLLEGE = "college", _("大专及以上")


class SchoolStage(models.TextChoices):
    NONE = "", _("非在校生")
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职")
    COLLEGE = "college", _("高职高专及以上")


class LaborCapacity(models.TextChoices):
    ORDINARY = "ordinary", _("普通劳动力")
    SKILLED = "skilled", _("技能劳动力")
    WEAK = "weak", _("弱劳动力或半劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动力")


class Employment(models.TextChoices):
    NONE = "", _("未务工")
    TOWNSHIP = "township", _("乡镇内务工")
    COUNTY = "county", _("县内乡外务工")
    PROVINCE = "province", _("省内县外务工")
    OUTSIDE = "outside", _("省外务工")
    SELF = "self", _("自主创业")
    PUBLIC_WELFARE = "public_welfare", _("公益岗位")


class Person(models.Model):
    """A member of a household. The ID number is encrypted; lists show the masked copy."""

    household = models.ForeignKey(
        Household, verbose_name=_("所在户"), on_delete=models.PROTECT, related_name="members"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=200, editable=False, blank=True)
    name_initials = models.CharField(_("拼音首字母"), max_length=20, editable=False, blank=True)
    id_number = EncryptedTextField(_("身份证号"))
    id_number_hash = LookupHashField(unique=True)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    relation = models.CharField(_("与户主关系"), max_length=20, choices=Relation.choices)
    health = models.CharField(_("健康状况"), max_length=10, choices=Health.choices, default=Health.HEALTHY)
    disability_grade = models.PositiveSmallIntegerField(
        _("残疾等级"),
        null=True,
        blank=True,
        choices=[(1, _("一级")), (2, _("二级")), (3, _("三级")), (4, _("四级"))],
    )
    education = models.CharField(
        _("文化程度"), max_length=12, choices=Education.choices, blank=True, default=""
    )
    school_stage = models.CharField(
        _("在校生状况"), max_length=12, choices=SchoolStage.choices, blank=True, default=""
    )
    labor_capacity = models.CharField(
        _("劳动能力"), max_length=10, choices=LaborCapacity.choices, default=LaborCapacity.ORDINARY
    )
    employment = models.CharField(
        _("务工状况"), max_length=16, choices=Employment.choices, blank=True, default=""
    )
    employer = models.CharField(_("务工地点/单位"), max_length=100, blank=True)
    medical_insurance = models.BooleanField(_("基本医疗保险"), default=True)
    pension_insurance = models.BooleanField(_("基本养老保险"), default=False)
    serious_illness_insurance = models.BooleanField(_("大病保险"), default=False)
    is_active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    audit_exclude = ("id_number_masked", "name_pinyin", "name_initials")

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household_id", "pk"]
        indexes = [
            models.Index(fields=["region_code"], name="person_region"),
            models.Index(fields=["name_initials"], name="person_initials"),
            models.Index(fields=["name"], name="person_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True)
                | Q(disability_grade__gte=1, disability_grade__lte=4),
                name="person_disability_grade_range",
            ),
            models.UniqueConstraint(
                fields=["household"], condition=Q(relation="head", is_active=True), name="person_one_head"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:household-detail", args=[self.household_id]) + f"#person-{self.pk}"

    @property
    def age(self) -> int:
        today = timezone.localdate()
        years = today.year - self.birth_date.year
        return years - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))


class MemberHistory(models.Model):
    """Which household a person belonged to, and when: moving a person keeps this history."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="history")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="member_history")
    relation = models.CharField(max_length=20, choices=Relation.choices)
    joined_on = models.DateField(_("迁入日期"))
    left_on = models.DateField(_("迁出日期"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["person_id", "joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(left_on__isnull=True), name="member_history_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.household_id}"


class IncomeRecord(models.Model):
    """A household's income for one year; the per-capita net figure is derived, never typed."""

    household = models.ForeignKey(
        Household, verbose_name=_("农户"), on_delete=models.CASCADE, related_name="incomes"
    )
    region_code = models.CharField(max_length=12, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    wage_income = models.DecimalField(_("工资性收入"), **MONEY)
    production_income = models.DecimalField(_("生产经营性收入"), **MONEY)
    property_income = models.DecimalField(_("财产性收入"), **MONEY)
    transfer_income = models.DecimalField(_("转移性收入"), **MONEY)
    production_cost = models.DecimalField(_("生产经营性支出"), **MONEY)
    members = models.PositiveSmallIntegerField(_("家庭人口"))
    net_income = models.DecimalField(_("家庭纯收入"), max_digits=14, decimal_places=2, editable=False)
    per_capita_net = models.DecimalField(_("人均纯收入"), max_digits=14, decimal_places=2, editable=False)

    class Meta:
        verbose_name = _("收入记录")
        verbose_name_plural = _("收入记录")
        ordering = ["household_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="income_one_per_year"),
            models.CheckConstraint(
                condition=Q(
                    wage_income__gte=0,
                    production_income__gte=0,
                    property_income__gte=0,
                    transfer_income__gte=0,
                    production_cost__gte=0,
                    members__gte=1,
                ),
                name="income_components_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["region_code", "year"], name="income_region_year")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"


class StatusKind(models.TextChoices):
    REGISTERED = "registered", _("识别建档")
    LIFTED = "lifted", _("脱贫")
    MONITORED = "monitored", _("纳入监测")
    RISK_ELIMINATED = "risk_eliminated", _("风险消除")
    MOVED = "moved", _("迁出")
    DISSOLVED = "dissolved", _("销户")


class StatusChange(models.Model):
    """One step in a household's timeline. Append-only: a mistake is corrected by a new entry."""

    household = models.ForeignKey(
        Household, verbose_name=_("农户"), on_delete=models.CASCADE, related_name="status_changes"
    )
    region_code = models.CharField(max_length=12, editable=False)
    kind = models.CharField(_("类型"), max_length=20, choices=StatusKind.choices)
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    approved_by = models.CharField(_("审批人/单位"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["household_id", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("status changes are append-only")
        super().save(*args, **kwargs)


class HouseholdPairing(models.Model):
    """A cadre or helper personally paired with a household (联户帮扶), for a period."""

    household = models.ForeignKey(
        Household, verbose_name=_("农户"), on_delete=models.CASCADE, related_name="pairings"
    )
    region_code = models.CharField(max_length=12, editable=False)
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮扶人(用户)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    helper_name = models.CharField(_("帮扶人"), max_length=50)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("帮扶单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        ordering = ["household_id", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="pairing_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper_name} → {self.household_id}"
