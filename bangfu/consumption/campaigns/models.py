"""Campaigns (线上预订、线下扫码领取): members pre-order gift boxes online and collect them in person.

Counters that many members change at once — a package's remaining stock, a slot's
remaining places, a member's boxes in a campaign — are columns changed only by one
conditional UPDATE each (``remaining >= n``), backed by CheckConstraints, so that no
interleaving of requests can take them below zero or a member above the limit.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CANCELLED = "cancelled", _("已取消")


class Campaign(models.Model):
    """A pre-order campaign run by an organiser (a union) for members of chosen organisations."""

    organizer = models.ForeignKey(
        "accounts.Organization", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    name = models.CharField(_("活动名称"), max_length=200)
    description = models.TextField(_("活动说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    opens_at = models.DateTimeField(_("预订开始"))
    closes_at = models.DateTimeField(_("预订截止"))
    pickup_closes_at = models.DateTimeField(_("领取截止"), help_text=_("此后领取码失效"))
    per_member_limit = models.PositiveIntegerField(_("每人限订(份)"), default=1)
    eligible_organizations = models.ManyToManyField(
        "accounts.Organization", verbose_name=_("可预订单位"), related_name="+"
    )
    include_suborganizations = models.BooleanField(
        _("含下级单位"), default=True, help_text=_("下级单位(如基层工会)的会员也可预订")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("预订活动")
        verbose_name_plural = _("预订活动")
        ordering = ["-opens_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="campaign_window_ordered"),
            models.CheckConstraint(
                condition=Q(pickup_closes_at__gte=F("closes_at")), name="campaign_pickup_after_window"
            ),
            models.CheckConstraint(condition=Q(per_member_limit__gte=1), name="campaign_limit_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign-detail", args=[self.pk])

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == CampaignStatus.PUBLISHED and self.opens_at <= now < self.closes_at


class PaidBy(models.TextChoices):
    ORGANIZER = "organizer", _("组织单位支付")
    MEMBER = "member", _("会员自付")


class CampaignItem(models.Model):
    """A package (礼盒) offered in a campaign: products × quantities, a price, a stock."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("预订活动"), on_delete=models.CASCADE, related_name="items"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    name = models.CharField(_("礼盒名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    price = models.DecimalField(_("单价(元)"), **MONEY)
    paid_by = models.CharField(_("支付方"), max_length=20, choices=PaidBy.choices, default=PaidBy.ORGANIZER)
    stock = models.PositiveIntegerField(_("库存(份)"))
    remaining = models.IntegerField(_("剩余(份)"), editable=False)

    class Meta:
        verbose_name = _("礼盒")
        verbose_name_plural = _("礼盒")
        ordering = ["campaign_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__gte=0), name="campaign_item_remaining_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(remaining__lte=F("stock")), name="campaign_item_remaining_le_stock"
            ),
            models.CheckConstraint(
                condition=Q(price__gte=Decimal("0")), name="campaign_item_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignItemLine(models.Model):
    """One product in a package, and how many of its units the package holds."""

    item = models.ForeignKey(CampaignItem, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "consumption.Product", verbose_name=_("产品"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("数量"))

    class Meta:
        verbose_name = _("礼盒内容")
        verbose_name_plural = _("礼盒内容")
        ordering = ["item_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="campaign_line_quantity_positive"),
            models.UniqueConstraint(fields=["item", "product"], name="campaign_line_unique_product"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


class PickupSite(models.Model):
    """A place where members collect their boxes; its staff list says who may hand them over."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("预订活动"), on_delete=models.CASCADE, related_name="sites"
    )
    name = models.CharField(_("领取点"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    contact_phone = models.CharField(_("预约电话"), max_length=30, blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("领取点工作人员"), related_name="pickup_sites", blank=True
    )

    class Meta:
        verbose_name = _("领取点")
        verbose_name_plural = _("领取点")
        ordering = ["campaign_id", "pk"]

    def __str__(self) -> str:
        return self.name


class PickupSlot(models.Model):
    """A time window at a site, with a number of places."""

    site = models.ForeignKey(
        PickupSite, verbose_name=_("领取点"), on_delete=models.CASCADE, related_name="slots"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("可约人数"))
    remaining = models.IntegerField(_("剩余名额"), editable=False)

    class Meta:
        verbose_name = _("领取时段")
        verbose_name_plural = _("领取时段")
        ordering = ["site_id", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(remaining__gte=0), name="pickup_slot_remaining_not_negative"),
            models.CheckConstraint(
                condition=Q(remaining__lte=F("capacity")), name="pickup_slot_remaining_le_capacity"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="pickup_slot_ordered"),
        ]

    def __str__(self) -> str:
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


class MemberAllowance(models.Model):
    """How many boxes a member holds in a campaign (placed or collected orders).

    One row per member and campaign; the limit check is a conditional UPDATE of this row,
    which is what makes a member's concurrent orders queue behind each other.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ordered = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="member_allowance_unique"),
            models.CheckConstraint(condition=Q(ordered__gte=0), name="member_allowance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.campaign_id}: {self.ordered}"


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("待领取")
    COLLECTED = "collected", _("已领取")
    CANCELLED = "cancelled", _("已取消")


class Order(models.Model):
    """A member's order of some boxes of one package, to be collected in one slot."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("预订活动"), on_delete=models.PROTECT, related_name="orders"
    )
    item = models.ForeignKey(
        CampaignItem, verbose_name=_("礼盒"), on_delete=models.PROTECT, related_name="orders"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("会员"),
        on_delete=models.PROTECT,
        related_name="campaign_orders",
    )
    member_organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("会员单位"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    quantity = models.PositiveIntegerField(_("数量(份)"))
    unit_price = models.DecimalField(_("单价(元)"), **MONEY)
    total = models.DecimalField(_("金额(元)"), **MONEY)
    paid_by = models.CharField(_("支付方"), max_length=20, choices=PaidBy.choices)
    slot = models.ForeignKey(
        PickupSlot, verbose_name=_("领取时段"), on_delete=models.PROTECT, related_name="orders"
    )
    site = models.ForeignKey(
        PickupSite, verbose_name=_("领取点"), on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED, db_index=True
    )
    idempotency_key = models.CharField(max_length=64, editable=False)
    token = models.CharField(
        max_length=64, unique=True, editable=False
    )  # random; the QR code carries it signed
    short_code = models.CharField(_("领取码"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("下单时间"), default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True, editable=False)
    collected_at = models.DateTimeField(_("领取时间"), null=True, blank=True, editable=False)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    collected_site = models.ForeignKey(
        PickupSite,
        verbose_name=_("实际领取点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    audit_hidden = ("token", "short_code")

    class Meta:
        verbose_name = _("预订订单")
        verbose_name_plural = _("预订订单")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "idempotency_key"], name="order_unique_idempotency_key"
            ),
            models.UniqueConstraint(fields=["campaign", "short_code"], name="order_unique_short_code"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(status="collected") | Q(collected_at__isnull=False, collected_by__isnull=False),
                name="order_collected_has_handover",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "site", "slot", "status"], name="order_board")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.item} × {self.quantity}"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:order-detail", args=[self.pk])

    @property
    def short_code_display(self) -> str:
        return f"{self.short_code[:4]}-{self.short_code[4:]}"


class ScanMiss(models.Model):
    """A typed short code that matched no order: counted to rate-limit guessing, per staff and site."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(PickupSite, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["staff", "site", "created_at"], name="scan_miss_window")]

    def __str__(self) -> str:
        return f"{self.staff_id}@{self.site_id} {self.created_at:%Y-%m-%d %H:%M}"
