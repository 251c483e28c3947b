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

    def covers(self, day: datetime.date) -> bool:
        return not self.is_revoked and self.valid_from <= day <= self.valid_to
