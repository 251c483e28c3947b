from django.utils.translation import gettext_lazy as _

from bangfu.core.listings import Listing, register
from bangfu.core.permissions import Cap
from bangfu.core.tables import Column, Table

from . import filters
from .models import DeliveryRequest, Donation, Enrolment, Item, Meeting, Redemption, StockMove, Store

stores = register(
    Listing(
        key="supermarket.store",
        title=_("爱心超市"),
        model=Store,
        capability=Cap.SUPERMARKET_VIEW,
        queryset=lambda: Store.objects.select_related("region", "organization"),
        filterset_class=filters.StoreFilterSet,
        default_sort="region_code",
        table=Table(
            [
                Column("name", _("超市名称"), sort="name", link=True),
                Column("region", _("所在地区"), accessor="region.name", sort="region_code"),
                Column("organization", _("运营单位"), accessor="organization.name"),
                Column("opened_on", _("开业日期"), sort="opened_on"),
                Column("status", _("状态"), sort="status"),
                Column("point_value", _("每积分价值(元)"), numeric=True),
            ]
        ),
    )
)

items = register(
    Listing(
        key="supermarket.item",
        title=_("物品目录"),
        model=Item,
        capability=Cap.SUPERMARKET_VIEW,
        queryset=lambda: Item.objects.select_related("region"),
        filterset_class=filters.ItemFilterSet,
        default_sort="name",
        table=Table(
            [
                Column("name", _("物品名称"), sort="name", link=True),
                Column("category", _("类别"), sort="category"),
                Column("unit", _("单位")),
                Column("points_price", _("兑换积分"), sort="points_price", numeric=True),
                Column("reference_value", _("参考价值(元)"), sort="reference_value", numeric=True),
                Column("region", _("目录所属地区"), accessor="region.name"),
                Column("is_active", _("在用")),
            ]
        ),
    )
)

donations = register(
    Listing(
        key="supermarket.donation",
        title=_("捐赠"),
        model=Donation,
        capability=Cap.SUPERMARKET_VIEW,
        queryset=lambda: Donation.objects.select_related("store"),
        filterset_class=filters.DonationFilterSet,
        default_sort="-date",
        table=Table(
            [
                Column("receipt_number", _("收据编号"), sort="receipt_number", link=True),
                Column("date", _("捐赠日期"), sort="date"),
                Column("store", _("爱心超市"), accessor="store.name", sort="store__name"),
                Column("donor_kind", _("捐赠方类型")),
                Column("donor", _("捐赠方"), accessor="donor_label", sort="donor_name"),
                Column("goods_value", _("物资价值(元)"), sort="goods_value", numeric=True),
                Column("cash", _("现金(元)"), sort="cash", numeric=True),
                Column("show_on_board", _("同意上荣誉榜")),
            ]
        ),
    )
)

moves = register(
    Listing(
        key="supermarket.move",
        title=_("库存变动"),
        model=StockMove,
        capability=Cap.SUPERMARKET_VIEW,
        queryset=lambda: StockMove.objects.select_related("store", "item", "other_store"),
        filterset_class=filters.StockMoveFilterSet,
        default_sort="-date",
        table=Table(
            [
                Column("date", _("日期"), sort="date"),
                Column("store", _("爱心超市"), accessor="store.name", sort="store__name"),
                Column("item", _("物品"), accessor=lambda m: str(m.item)),
                Column("kind", _("类型"), sort="kind"),
                Column("quantity", _("数量"), sort="quantity", numeric=True),
                Column(
                    "other_store",
                    _("对方超市"),
                    accessor=lambda m: m.other_store.name if m.other_store else "",
                ),
                Column("reason", _("原因")),
            ]
        ),
    )
)

enrolments = register(
    Listing(
        key="supermarket.enrolment",
        title=_("救助对象"),
        model=Enrolment,
        capability=Cap.SUPERMARKET_VIEW,
        queryset=lambda: Enrolment.objects.select_related("store", "household"),
        filterset_class=filters.EnrolmentFilterSet,
        default_sort="region_code",
        table=Table(
            [
                Column("household", _("农户"), accessor=lambda e: str(e.household), link=True),
                Column("store", _("爱心超市"), accessor="store.name", sort="store__name"),
                Column("basis", _("纳入依据"), sort="basis"),
                Column("reason", _("理由")),
                Column("enrolled_on", _("纳入日期"), sort="enrolled_on"),
                Column("is_active", _("有效")),
            ]
        ),
    )
)

meetings = register(
    Listing(
        key="supermarket.meeting",
        title=_("评议会"),
        model=Meeting,
        capability=Cap.SUPERMARKET_VIEW,
        queryset=lambda: Meeting.objects.select_related("store", "region"),
        filterset_class=filters.MeetingFilterSet,
        default_sort="-held_on",
        table=Table(
            [
                Column("held_on", _("评议日期"), sort="held_on", link=True),
                Column("region", _("村"), accessor="region.name"),
                Column("store", _("爱心超市"), accessor="store.name"),
                Column("status", _("状态"), sort="status"),
                Column("publicised_on", _("公示开始")),
                Column("publicity_days", _("公示天数"), numeric=True),
            ]
        ),
    )
)

redemptions = register(
    Listing(
        key="supermarket.redemption",
        title=_("兑换记录"),
        model=Redemption,
        capability=Cap.SUPERMARKET_VIEW,
        queryset=lambda: Redemption.objects.select_related("store", "household"),
        filterset_class=filters.RedemptionFilterSet,
        default_sort="-date",
        table=Table(
            [
                Column("receipt_number", _("单号"), sort="receipt_number", link=True),
                Column("date", _("兑换日期"), sort="date"),
                Column("store", _("爱心超市"), accessor="store.name", sort="store__name"),
                Column("household", _("农户"), accessor=lambda r: str(r.household)),
                Column("delivery", _("方式"), sort="delivery"),
                Column("points", _("积分"), sort="points", numeric=True),
                Column("value", _("价值(元)"), sort="value", numeric=True),
            ]
        ),
    )
)

deliveries = register(
    Listing(
        key="supermarket.delivery",
        title=_("上门服务"),
        model=DeliveryRequest,
        capability=Cap.SUPERMARKET_VIEW,
        queryset=lambda: DeliveryRequest.objects.select_related("store", "household", "trip"),
        filterset_class=filters.DeliveryFilterSet,
        default_sort="-requested_at",
        table=Table(
            [
                Column("household", _("农户"), accessor=lambda d: str(d.household), link=True),
                Column("store", _("爱心超市"), accessor="store.name"),
                Column("status", _("状态"), sort="status"),
                Column("requested_at", _("申请时间"), sort="requested_at"),
                Column("trip", _("送货行程"), accessor=lambda d: str(d.trip) if d.trip else ""),
                Column("delivered_at", _("送达时间")),
                Column("note", _("说明")),
            ]
        ),
    )
)
