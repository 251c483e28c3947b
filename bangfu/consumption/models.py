"""Consumption assistance (消费帮扶): suppliers in poor areas, their certified products.

Purchases, quotas and campaigns build on these three tables. A product counts as
certified (扶贫产品/帮扶产品认定) only on the days a valid certification covers it,
so the question is always "certified on which date", never a flag typed by hand.
"""

import datetime
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
# Supplier users reach only their own supplier's catalogue; buyers browse it by region (see scoping.py).
CATALOGUE_BOUND = frozenset({"supplier"})


class SupplierKind(models.TextChoices):
    BASE = "base", _("扶贫基地")
    COOPERATIVE = "cooperative", _("合作社")
    ENTERPRISE = "enterprise", _("企业")
    HOUSEHOLD = "household", _("农户")


class Supplier(models.Model):
    """A seller in a poor area. Its users act through ``organization`` (their membership)."""

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=SupplierKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    organization = models.OneToOneField(
        "accounts.Organization",
        verbose_name=_("对应单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplier",
        help_text=_("供应商用户通过该单位的成员身份登录管理"),
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("农户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("类型为农户时,对应的建档立卡户"),
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    description = models.TextField(_("简介"), blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("供应商")
        verbose_name_plural = _("供应商")
        ordering = ["region_code", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "region"], name="supplier_unique_name_region")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("consumption:supplier-detail", args=[self.pk])

    bound_roles = CATALOGUE_BOUND

    @staticmethod
    def reach_q(reach) -> Q:
        return reach.region_q("region_code") | Q(organization_id__in=reach.supplier_orgs)


class ProductCategory(models.TextChoices):
    GRAIN_OIL = "grain_oil", _("粮油")
    MEAT_EGG = "meat_egg", _("肉禽蛋")
    VEGETABLE = "vegetable", _("蔬菜")
    FRUIT = "fruit", _("水果干果")
    FUNGUS = "fungus", _("食用菌")
    TEA = "tea", _("茶叶饮品")
    PROCESSED = "processed", _("加工食品")
    HANDICRAFT = "handicraft", _("手工艺品")
    OTHER = "other", _("其他")


class ProductQuerySet(models.QuerySet):
    def certified_on(self, day: datetime.date) -> "ProductQuerySet":
        """Products a certification covers on ``day``."""
        return self.filter(
            Q(certifications__valid_from__lte=day)
            & Q(certifications__valid_to__gte=day)
            & Q(certifications__is_revoked=False)
        ).distinct()


class Product(models.Model):
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="products"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    name = models.CharField(_("品名"), max_length=100)
    category = models.CharField(_("品类"), max_length=20, choices=ProductCategory.choices)
    specification = models.CharField(_("规格"), max_length=100, blank=True)
    unit = models.CharField(_("单位"), max_length=10, help_text=_("如:斤、箱、盒、袋"))
    price = models.DecimalField(_("单价(元)"), **MONEY)
    photo = models.ImageField(_("图片"), upload_to="products/%Y/", blank=True)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("在售"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    objects = ProductQuerySet.as_manager()

    # a file field is no JSON value: services record the photo's file name themselves
    audit_exclude = ("photo",)

    class Meta:
        verbose_name = _("产品")
        verbose_name_plural = _("产品")
        ordering = ["supplier_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "name", "specification"], name="product_unique_per_supplier"
            ),
            models.CheckConstraint(condition=Q(price__gte=Decimal("0")), name="product_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.specification}".strip()

    def get_absolute_url(self) -> str:
        return reverse("consumption:product-detail", args=[self.pk])

    bound_roles = CATALOGUE_BOUND

    @staticmethod
    def reach_q(reach) -> Q:
        return reach.region_q("region_code") | Q(supplier__organization_id__in=reach.supplier_orgs)

    def certified_on(self, day: datetime.date) -> bool:
        return any(c.covers(day) for c in self.certifications.all())

    @property
    def certified(self) -> bool:
        """Certified today (扶贫产品): a valid, unrevoked certification covers it."""
        return self.certified_on(timezone.localdate())


class Certification(models.Model):
    """A certification (认定) by a body, valid for a period, covering some of a supplier's products."""

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="certifications"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    body = models.CharField(_("认定机构"), max_length=200)
    number = models.CharField(_("认定编号"), max_length=100)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"))
    products = models.ManyToManyField(
        Product, verbose_name=_("认定产品"), related_name="certifications", blank=True
    )
    is_revoked = models.BooleanField(_("已撤销"), default=False)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("产品认定")
        verbose_name_plural = _("产品认定")
        ordering = ["-valid_to", "number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="certification_unique_number"),
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="certification_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("consumption:certification-detail", args=[self.pk])

    def covers(self, day: datetime.date) -> bool:
        return not self.is_revoked and self.valid_from <= day <= self.valid_to

    bound_roles = CATALOGUE_BOUND

    @staticmethod
    def reach_q(reach) -> Q:
        return reach.region_q("region_code") | Q(supplier__organization_id__in=reach.supplier_orgs)


# Purchases ---------------------------------------------------------------------------------------


class Channel(models.TextChoices):
    DIRECT = "direct", _("直接采购")
    ONLINE = "online", _("电商平台")
    CAMPAIGN = "campaign", _("预订活动")
    CANTEEN = "canteen", _("食堂采购")


class Purpose(models.TextChoices):
    WELFARE = "welfare", _("工会福利慰问品")
    CANTEEN = "canteen", _("食堂食材")
    OFFICE = "office", _("办公用品")
    OTHER = "other", _("其他")


class PaidBy(models.TextChoices):
    UNIT = "unit", _("本单位")
    UNION = "union", _("本单位工会")
    STAFF = "staff", _("职工个人")


class PurchaseSource(models.TextChoices):
    FORM = "form", _("页面录入")
    IMPORT = "import", _("批量导入")
    API = "api", _("接口")


class Purchase(models.Model):
    """A recorded purchase (采购) by a buyer unit from one supplier on one date.

    ``buyer`` is the unit the purchase counts for. When the unit's union or one of its
    staff paid (``paid_by``), it still counts toward the unit's figures. Its region
    code is the buyer's; the supplier's region code is kept too, so that the office
    of the county where the money arrives sees it as well.
    """

    buyer = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("采购单位"),
        on_delete=models.PROTECT,
        related_name="purchases",
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="purchases"
    )
    supplier_region_code = models.CharField(max_length=12, db_index=True, editable=False)
    date = models.DateField(_("采购日期"), db_index=True)
    channel = models.CharField(_("销售渠道"), max_length=20, choices=Channel.choices, default=Channel.DIRECT)
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices, default=Purpose.WELFARE)
    invoice_number = models.CharField(_("发票号"), max_length=50, blank=True)
    paid_by = models.CharField(_("付款方"), max_length=10, choices=PaidBy.choices, default=PaidBy.UNIT)
    union = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("代为采购的工会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="union_purchases",
    )
    staff_name = models.CharField(_("职工姓名"), max_length=50, blank=True)
    total_amount = models.DecimalField(_("金额(元)"), default=Decimal("0"), editable=False, **MONEY)
    certified_amount = models.DecimalField(
        _("认定产品金额(元)"), default=Decimal("0"), editable=False, **MONEY
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=PurchaseSource.choices, default=PurchaseSource.FORM, editable=False
    )
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("采购")
        verbose_name_plural = _("采购")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["buyer", "date"], name="purchase_buyer_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["recorded_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="purchase_unique_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(total_amount__gte=Decimal("0"))
                & Q(certified_amount__lte=models.F("total_amount")),
                name="purchase_amounts_ordered",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.buyer_id and self.buyer.name} · {self.supplier_id and self.supplier.name} · {self.date}"
        )

    def get_absolute_url(self) -> str:
        return reverse("consumption:purchase-detail", args=[self.pk])

    @staticmethod
    def scope_query(prefixes: list[str]) -> Q:
        from bangfu.core.scoping import prefix_q

        return prefix_q("region_code", prefixes) | prefix_q("supplier_region_code", prefixes)

    @staticmethod
    def reach_q(reach) -> Q:
        return (
            reach.region_q("region_code", "supplier_region_code")
            | Q(buyer_id__in=reach.buyer_orgs)
            | Q(union_id__in=reach.buyer_orgs)
            | Q(supplier__organization_id__in=reach.supplier_orgs)
        )

    @property
    def certified_share(self) -> Decimal | None:
        if not self.total_amount:
            return None
        return self.certified_amount / self.total_amount


class PurchaseLine(models.Model):
    """One product on a purchase. ``certified`` is fixed when the line is written: whether a
    valid, unrevoked certification covered the product on the purchase date, as known then."""

    purchase = models.ForeignKey(
        Purchase, verbose_name=_("采购"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(Product, verbose_name=_("产品"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"))
    unit_price = models.DecimalField(_("单价(元)"), **MONEY)
    amount = models.DecimalField(_("金额(元)"), editable=False, **MONEY)
    certified = models.BooleanField(_("认定产品"), default=False, editable=False)
    certification = models.ForeignKey(
        Certification,
        verbose_name=_("认定依据"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("采购明细")
        verbose_name_plural = _("采购明细")
        ordering = ["purchase_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["purchase", "product"], name="purchase_line_unique_product"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchase_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gt=Decimal("0")), name="purchase_line_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


# Quotas and declarations ---------------------------------------------------------------------------


class QuotaKind(models.TextChoices):
    UNION_WELFARE = "union_welfare", _("工会福利慰问品比例")
    RESERVED_SHARE = "reserved_share", _("预留份额")


DEFAULT_SHARE = {QuotaKind.UNION_WELFARE: Decimal("80.00"), QuotaKind.RESERVED_SHARE: Decimal("10.00")}


class Quota(models.Model):
    """What share of a unit's spending in a year must go to certified products.

    ``union_welfare``: a union's welfare goods (工会福利慰问品), default 80%.
    ``reserved_share``: a budget unit's reserved share (预留份额) of its food procurement,
    default 10%; a unit with no canteen is exempt; units that share a canteen name the
    unit that files for them (``filed_by``), whose quota then counts their purchases too.
    """

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="quotas"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类型"), max_length=20, choices=QuotaKind.choices)
    share_percent = models.DecimalField(_("比例(%)"), max_digits=5, decimal_places=2)
    has_canteen = models.BooleanField(_("有食堂"), default=True)
    canteen_outsourced = models.BooleanField(_("食堂外包"), default=False)
    filed_by = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("合并填报单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("与其他单位共用食堂时,由该单位统一填报"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("采购比例要求")
        verbose_name_plural = _("采购比例要求")
        ordering = ["-year", "region_code", "organization_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "kind"], name="quota_unique_unit_year_kind"
            ),
            models.CheckConstraint(
                condition=Q(share_percent__gt=Decimal("0")) & Q(share_percent__lte=Decimal("100")),
                name="quota_share_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id and self.organization.name} {self.year} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("consumption:quota-edit", args=[self.pk])

    @property
    def exempt(self) -> bool:
        return self.kind == QuotaKind.RESERVED_SHARE and not self.has_canteen

    @staticmethod
    def reach_q(reach) -> Q:
        return reach.region_q("region_code") | Q(organization_id__in=reach.buyer_orgs)


class Declaration(models.Model):
    """A unit's own statement of its spending totals for a year (the base its shares are taken of)."""

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="declarations"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    welfare_total = models.DecimalField(_("福利慰问品支出总额(元)"), null=True, blank=True, **MONEY)
    food_total = models.DecimalField(_("食堂食材采购总额(元)"), null=True, blank=True, **MONEY)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    declared_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    declared_at = models.DateTimeField(_("填报时间"), default=timezone.now)

    class Meta:
        verbose_name = _("支出申报")
        verbose_name_plural = _("支出申报")
        ordering = ["-year", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="declaration_unique_unit_year"),
            models.CheckConstraint(
                condition=(Q(welfare_total__isnull=True) | Q(welfare_total__gte=Decimal("0")))
                & (Q(food_total__isnull=True) | Q(food_total__gte=Decimal("0"))),
                name="declaration_totals_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id and self.organization.name} {self.year}"

    @staticmethod
    def reach_q(reach) -> Q:
        return reach.region_q("region_code") | Q(organization_id__in=reach.buyer_orgs)


# From purchase to household (联农带农) ---------------------------------------------------------------


class LinkKind(models.TextChoices):
    BUYS_FROM = "buys_from", _("收购农产品")
    EMPLOYS = "employs", _("吸纳务工")
    DIVIDEND = "dividend", _("入股分红")


class HouseholdLink(models.Model):
    """A supplier's tie to a household in a year: it buys from, employs or pays dividends to it."""

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="household_links"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="+"
    )
    household_region_code = models.CharField(_("农户所在村"), max_length=12, db_index=True, editable=False)
    kind = models.CharField(_("带动方式"), max_length=20, choices=LinkKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(
        _("支付金额(元)"), null=True, blank=True, help_text=_("收购款、工资或分红,已知时填写"), **MONEY
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("联农带农")
        verbose_name_plural = _("联农带农")
        ordering = ["-year", "supplier_id", "household_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "household", "kind", "year"], name="household_link_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=Decimal("0")), name="household_link_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"

    bound_roles = CATALOGUE_BOUND

    @staticmethod
    def reach_q(reach) -> Q:
        return reach.region_q("region_code", "household_region_code") | Q(
            supplier__organization_id__in=reach.supplier_orgs
        )
