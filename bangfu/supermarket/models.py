"""Love supermarkets (爱心超市): stores stocked by donations, where safety-net households
take goods for points earned at village evaluation meetings.

Two ledgers are money and hash-chained (``bangfu audit verify`` covers them): donations
(one chain per store) and point entries (one chain per household's account). Stock is a
ledger of signed movements; the balance per store and item is kept beside it, changed
only by conditional UPDATEs in the same transaction as the movement, and backed by a
CheckConstraint, so no interleaving can take it below zero. The same holds for a points
account's spendable balance.
"""

import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.audit.models import ChainedEntry
from bangfu.core.scoping import collapse, prefix_q

MONEY = {"max_digits": 14, "decimal_places": 2}


def _append_only(*args, **kwargs):
    raise ValueError("stock movements are append-only: record a correcting movement instead")


def _ancestors_q(field: str, prefixes: list[str]) -> Q:
    """Rows whose region is at or above one of ``prefixes``: a county's catalogue serves its villages."""
    codes = set()
    for prefix in collapse(prefixes):
        for length in (2, 4, 6, 9, 12):
            if length <= len(prefix):
                codes.add(prefix[:length].ljust(12, "0"))
    return Q(**{f"{field}__in": sorted(codes)})


class StoreStatus(models.TextChoices):
    OPERATING = "operating", _("运营中")
    SUSPENDED = "suspended", _("暂停")
    CLOSED = "closed", _("已关闭")


class Store(models.Model):
    """A love supermarket in a township or village, run by an organisation, kept by keepers."""

    name = models.CharField(_("超市名称"), max_length=100)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("运营单位"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    keepers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("超市管理员"), blank=True, related_name="supermarket_stores"
    )
    opened_on = models.DateField(_("开业日期"))
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=StoreStatus.choices, default=StoreStatus.OPERATING
    )
    point_value = models.DecimalField(
        _("每积分价值(元)"), default=Decimal("1.00"), help_text=_("例如1积分=1元"), **MONEY
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("爱心超市")
        verbose_name_plural = _("爱心超市")
        ordering = ["region_code", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(point_value__gt=0), name="store_point_value_positive"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="store_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supermarket:store-detail", args=[self.pk])

    @staticmethod
    def scope_query(prefixes: list[str]) -> Q:
        """Stores in the scope, and the township store that serves a village user's village."""
        return prefix_q("region_code", prefixes) | _ancestors_q("region_code", prefixes)


class ItemCategory(models.TextChoices):
    GRAIN_OIL = "grain_oil", _("粮油")
    FOOD = "food", _("食品")
    DAILY = "daily", _("日用品")
    CLOTHING = "clothing", _("衣物被褥")
    APPLIANCE = "appliance", _("小家电")
    STUDY = "study", _("学习用品")
    OTHER = "other", _("其他")


class Item(models.Model):
    """An entry of the goods catalogue of a region (usually the county), shared by its stores."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("目录所属地区"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    name = models.CharField(_("物品名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=20, choices=ItemCategory.choices)
    unit = models.CharField(_("单位"), max_length=10)
    points_price = models.PositiveIntegerField(_("兑换积分"))
    reference_value = models.DecimalField(_("参考价值(元)"), **MONEY)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("物品")
        verbose_name_plural = _("物品")
        ordering = ["region_code", "category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name", "unit"], name="supermarket_item_unique"),
            models.CheckConstraint(condition=Q(points_price__gte=1), name="item_points_positive"),
            models.CheckConstraint(condition=Q(reference_value__gte=0), name="item_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.unit})"

    def get_absolute_url(self) -> str:
        return reverse("supermarket:item-detail", args=[self.pk])

    @staticmethod
    def scope_query(prefixes: list[str]) -> Q:
        return prefix_q("region_code", prefixes) | _ancestors_q("region_code", prefixes)


def lines_digest(lines) -> str:
    """SHA-256 of a donation's lines as ``(item_id, quantity, value)``, in the order they were written."""
    encoded = json.dumps([[item, quantity, format(value, "f")] for item, quantity, value in lines])
    return hashlib.sha256(encoded.encode()).hexdigest()


class DonorKind(models.TextChoices):
    ORGANIZATION = "organization", _("单位")
    PERSON = "person", _("个人")
    ANONYMOUS = "anonymous", _("匿名")


class Donation(ChainedEntry):
    """Goods or money given to a store, on the store's hash-chained donation ledger.

    ``lines_digest`` is a SHA-256 of the donation's lines, so that the chain covers them too.
    """

    ledger_name = "supermarket.donation"
    hash_fields = (
        "store",
        "receipt_number",
        "donor_kind",
        "donor_organization",
        "donor_name",
        "show_on_board",
        "date",
        "cash",
        "goods_value",
        "lines_digest",
        "reverses",
    )

    store = models.ForeignKey(Store, verbose_name=_("爱心超市"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    receipt_number = models.CharField(_("收据编号"), max_length=30, unique=True)
    donor_kind = models.CharField(_("捐赠方类型"), max_length=20, choices=DonorKind.choices)
    donor_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("捐赠单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    donor_name = models.CharField(_("捐赠方"), max_length=100, blank=True)
    show_on_board = models.BooleanField(_("同意上荣誉榜"), default=False)
    date = models.DateField(_("捐赠日期"))
    cash = models.DecimalField(_("现金(元)"), default=Decimal("0.00"), **MONEY)
    goods_value = models.DecimalField(_("物资价值(元)"), default=Decimal("0.00"), **MONEY)
    lines_digest = models.CharField(max_length=64, editable=False)
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
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        indexes = [models.Index(fields=["region_code", "date"], name="donation_region_date")]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.donor_label}"

    def get_absolute_url(self) -> str:
        return reverse("supermarket:donation-detail", args=[self.pk])

    @property
    def total_value(self) -> Decimal:
        return self.cash + self.goods_value

    @property
    def donor_label(self) -> str:
        if self.donor_kind == DonorKind.ANONYMOUS:
            return str(_("爱心人士(匿名)"))
        return self.donor_name

    @classmethod
    def detail_problems(cls):
        """Donations whose lines, as stored now, no longer give the digest their entry was hashed with."""
        lines = DonationLine.objects.order_by("donation_id", "pk").values_list(
            "donation_id", "item_id", "quantity", "value"
        )
        donations = cls._base_manager.order_by("pk").values_list("pk", "chain__key", "seq", "lines_digest")
        stream = iter(lines.iterator(chunk_size=5000))
        pending = next(stream, None)
        for pk, key, seq, digest in donations.iterator(chunk_size=5000):
            own = []
            while pending is not None and pending[0] < pk:  # cannot happen: lines keep their donation
                pending = next(stream, None)
            while pending is not None and pending[0] == pk:
                own.append(pending[1:])
                pending = next(stream, None)
            if lines_digest(own) != digest:
                yield key, seq, "the donation's lines do not match the digest it was recorded with"


class DonationLine(models.Model):
    """Goods of one item in a donation, valued in yuan."""

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("物品"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"))
    value = models.DecimalField(_("价值(元)"), **MONEY)

    class Meta:
        verbose_name = _("捐赠明细")
        verbose_name_plural = _("捐赠明细")
        ordering = ["donation_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="donation_line_quantity_positive"),
            models.CheckConstraint(condition=Q(value__gte=0), name="donation_line_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class MoveKind(models.TextChoices):
    DONATION_IN = "donation_in", _("捐赠入库")
    PURCHASE_IN = "purchase_in", _("采购入库")
    OPENING = "opening", _("期初库存")
    TRANSFER_IN = "transfer_in", _("调入")
    TRANSFER_OUT = "transfer_out", _("调出")
    REDEMPTION_OUT = "redemption_out", _("兑换出库")
    ADJUSTMENT = "adjustment", _("盘点调整")
    WRITE_OFF = "write_off", _("报损")
    DONATION_REVERSAL = "donation_reversal", _("捐赠冲正")


class StockMove(models.Model):
    """One signed change of one item's stock at one store. Never edited: corrections are new moves."""

    store = models.ForeignKey(Store, verbose_name=_("爱心超市"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    item = models.ForeignKey(Item, verbose_name=_("物品"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=MoveKind.choices)
    quantity = models.IntegerField(_("数量"), help_text=_("入库为正,出库为负"))
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    donation = models.ForeignKey(
        Donation, null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    redemption = models.ForeignKey(
        "Redemption", null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    stocktake = models.ForeignKey(
        "StockTake", null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    other_store = models.ForeignKey(
        Store,
        verbose_name=_("对方超市"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记账时间"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("库存变动")
        verbose_name_plural = _("库存变动")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["store", "item"], name="stockmove_store_item")]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stockmove_quantity_not_zero"),
            models.CheckConstraint(
                condition=Q(kind__in=["donation_in", "purchase_in", "opening", "transfer_in"], quantity__gt=0)
                | Q(
                    kind__in=["transfer_out", "redemption_out", "write_off", "donation_reversal"],
                    quantity__lt=0,
                )
                | Q(kind="adjustment"),
                name="stockmove_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item} {self.quantity:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            _append_only()
        super().save(*args, **kwargs)

    delete = _append_only


class StockBalance(models.Model):
    """The stock of one item at one store: the sum of its movements, never below zero."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    item = models.ForeignKey(Item, verbose_name=_("物品"), on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField(_("库存"), default=0)

    class Meta:
        verbose_name = _("库存")
        verbose_name_plural = _("库存")
        ordering = ["store_id", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "item"], name="stock_balance_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.store} {self.item} {self.quantity}"


class StockTake(models.Model):
    """A count of a store's goods; each difference from the ledger became an adjustment."""

    store = models.ForeignKey(Store, verbose_name=_("爱心超市"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    date = models.DateField(_("盘点日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("盘点")
        verbose_name_plural = _("盘点")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.store} {self.date}"

    def get_absolute_url(self) -> str:
        return reverse("supermarket:stocktake-detail", args=[self.pk])


class StockTakeLine(models.Model):
    stocktake = models.ForeignKey(StockTake, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("物品"), on_delete=models.PROTECT, related_name="+")
    ledger_quantity = models.IntegerField(_("账面数量"))
    counted_quantity = models.PositiveIntegerField(_("实盘数量"))

    class Meta:
        ordering = ["stocktake_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "item"], name="stocktake_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.ledger_quantity}->{self.counted_quantity}"

    @property
    def difference(self) -> int:
        return self.counted_quantity - self.ledger_quantity


class EnrolmentBasis(models.TextChoices):
    SAFETY_NET = "safety_net", _("兜底保障户")
    OFFICE = "office", _("经办公室认定")


class Enrolment(models.Model):
    """A household entitled to a store's goods: safety-net by default, others on the office's reason."""

    store = models.ForeignKey(Store, verbose_name=_("爱心超市"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    basis = models.CharField(_("纳入依据"), max_length=20, choices=EnrolmentBasis.choices)
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    enrolled_on = models.DateField(_("纳入日期"))
    ended_on = models.DateField(_("退出日期"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("救助对象")
        verbose_name_plural = _("救助对象")
        ordering = ["store_id", "region_code", "household_id"]
        constraints = [
            # One store at a time, so one points account serves the household everywhere it is known.
            models.UniqueConstraint(
                fields=["household"], condition=Q(is_active=True), name="enrolment_one_active"
            ),
            models.CheckConstraint(
                condition=~Q(basis="office") | ~Q(reason=""), name="enrolment_office_needs_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} @ {self.store}"

    def get_absolute_url(self) -> str:
        return reverse("supermarket:account-detail", args=[self.household_id])


class PointAccount(models.Model):
    """A household's points: ``balance`` is what it may spend now (scores past their publicity)."""

    household = models.OneToOneField(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="+"
    )
    store = models.ForeignKey(Store, verbose_name=_("爱心超市"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    balance = models.IntegerField(_("可用积分"), default=0)
    created_at = models.DateTimeField(_("开户时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        ordering = ["region_code", "household_id"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="point_account_not_negative"),
        ]

    def __str__(self) -> str:
        return str(self.household)

    def get_absolute_url(self) -> str:
        return reverse("supermarket:account-detail", args=[self.household_id])


class PointKind(models.TextChoices):
    MEETING = "meeting", _("评议积分")
    ALLOWANCE = "allowance", _("按月补贴")
    OPENING = "opening", _("期初积分")
    REDEMPTION = "redemption", _("兑换")
    REVERSAL = "reversal", _("冲正")


REVERSIBLE_POINTS = (PointKind.MEETING, PointKind.ALLOWANCE, PointKind.OPENING)


class PointEntry(ChainedEntry):
    """One change of a household's points, on the account's hash-chained ledger."""

    ledger_name = "supermarket.points"
    hash_fields = ("account", "kind", "points", "date", "meeting", "redemption", "period", "note")
    hash_fields_when_set = ("reverses",)

    account = models.ForeignKey(PointAccount, on_delete=models.PROTECT, related_name="entries")
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    kind = models.CharField(_("类型"), max_length=20, choices=PointKind.choices)
    points = models.IntegerField(_("积分"))
    date = models.DateField(_("日期"))
    meeting = models.ForeignKey("Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    redemption = models.ForeignKey(
        "Redemption", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("补贴月份"), max_length=7, blank=True)  # YYYY-MM of an allowance
    note = models.CharField(_("说明"), max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    class Meta(ChainedEntry.Meta):
        verbose_name = _("积分明细")
        verbose_name_plural = _("积分明细")
        constraints = [
            *ChainedEntry.Meta.constraints,
            models.UniqueConstraint(
                fields=["account", "period"], condition=~Q(period=""), name="point_allowance_once_a_month"
            ),
            models.CheckConstraint(condition=~Q(points=0), name="point_entry_not_zero"),
        ]
        indexes = [models.Index(fields=["region_code", "date"], name="pointentry_region_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}"

    @property
    def is_reversible(self) -> bool:
        """Credits can be corrected by a reversal; a redemption is undone by its own goods, not here."""
        return self.kind in REVERSIBLE_POINTS and self.points > 0


class ScoreCategory(models.TextChoices):
    PUBLIC_WORKS = "public_works", _("公益劳动")
    DISPUTES = "disputes", _("调解纠纷")
    CUSTOMS = "customs", _("移风易俗")
    HONOURS = "honours", _("获得荣誉")
    HYGIENE = "hygiene", _("环境卫生")
    DEDUCTION = "deduction", _("扣分")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("评议中")
    PUBLICISED = "publicised", _("公示中")
    CONFIRMED = "confirmed", _("已入账")


class Meeting(models.Model):
    """A village evaluation meeting: its scores are publicised, then credited once the period ends."""

    store = models.ForeignKey(Store, verbose_name=_("爱心超市"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    held_on = models.DateField(_("评议日期"))
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=3)
    publicised_on = models.DateField(_("公示开始"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("评议会")
        verbose_name_plural = _("评议会")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.region.name} {self.held_on}"

    def get_absolute_url(self) -> str:
        return reverse("supermarket:meeting-detail", args=[self.pk])

    @property
    def spendable_on(self):
        import datetime

        if self.publicised_on is None:
            return None
        return self.publicised_on + datetime.timedelta(days=self.publicity_days)


class MeetingScore(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="scores")
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("类别"), max_length=20, choices=ScoreCategory.choices)
    points = models.IntegerField(_("积分"))
    reason = models.CharField(_("事由"), max_length=200)

    class Meta:
        verbose_name = _("评议积分")
        verbose_name_plural = _("评议积分")
        ordering = ["meeting_id", "household_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category="deduction", points__lt=0)
                | (~Q(category="deduction") & Q(points__gt=0)),
                name="meeting_score_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_category_display()} {self.points:+d}"


class PointRule(models.Model):
    """A monthly allowance every active account at a store receives."""

    store = models.OneToOneField(
        Store, verbose_name=_("爱心超市"), on_delete=models.CASCADE, related_name="+"
    )
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    monthly_points = models.PositiveIntegerField(_("每月积分"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")

    def __str__(self) -> str:
        return f"{self.store} {self.monthly_points}"


class Delivery(models.TextChoices):
    COUNTER = "counter", _("到店兑换")
    HOME = "home", _("上门服务")


class Redemption(models.Model):
    """Goods handed to a household against its points: one person-time served."""

    store = models.ForeignKey(Store, verbose_name=_("爱心超市"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    receipt_number = models.CharField(_("单号"), max_length=30, unique=True)
    date = models.DateField(_("兑换日期"))
    delivery = models.CharField(_("方式"), max_length=10, choices=Delivery.choices, default=Delivery.COUNTER)
    points = models.PositiveIntegerField(_("积分"))
    value = models.DecimalField(_("价值(元)"), **MONEY)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("兑换")
        verbose_name_plural = _("兑换")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["region_code", "date"], name="redemption_region_date"),
            models.Index(fields=["store", "date"], name="redemption_store_date"),
        ]

    def __str__(self) -> str:
        return self.receipt_number

    def get_absolute_url(self) -> str:
        return reverse("supermarket:redemption-detail", args=[self.pk])


class RedemptionLine(models.Model):
    redemption = models.ForeignKey(Redemption, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("物品"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"))
    points = models.PositiveIntegerField(_("积分"))
    value = models.DecimalField(_("价值(元)"), **MONEY)

    class Meta:
        ordering = ["redemption_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="redemption_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class TripStatus(models.TextChoices):
    PLANNED = "planned", _("待出发")
    DONE = "done", _("已完成")


class Trip(models.Model):
    """A run of the store's van (爱心超市专车) taking goods to households that cannot come."""

    store = models.ForeignKey(Store, verbose_name=_("爱心超市"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    date = models.DateField(_("出车日期"))
    staff = models.CharField(_("送货人员"), max_length=100)
    vehicle = models.CharField(_("车辆"), max_length=50, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=TripStatus.choices, default=TripStatus.PLANNED
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("送货行程")
        verbose_name_plural = _("送货行程")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.store} {self.date}"

    def get_absolute_url(self) -> str:
        return reverse("supermarket:trip-detail", args=[self.pk])


class DeliveryStatus(models.TextChoices):
    REQUESTED = "requested", _("待安排")
    ASSIGNED = "assigned", _("已安排")
    DELIVERED = "delivered", _("已送达")
    CANCELLED = "cancelled", _("已取消")


class DeliveryRequest(models.Model):
    """A request (by a cadre or keeper) to bring goods to a household's door."""

    store = models.ForeignKey(Store, verbose_name=_("爱心超市"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.REQUESTED
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    trip = models.ForeignKey(
        Trip,
        verbose_name=_("送货行程"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    redemption = models.OneToOneField(
        Redemption, null=True, blank=True, on_delete=models.PROTECT, related_name="delivery_request"
    )
    delivered_by = models.CharField(_("送达人"), max_length=100, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("上门服务申请")
        verbose_name_plural = _("上门服务申请")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.household} {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("supermarket:delivery-detail", args=[self.pk])


class DeliveryLine(models.Model):
    request = models.ForeignKey(DeliveryRequest, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("物品"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"))

    class Meta:
        ordering = ["request_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="delivery_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"
