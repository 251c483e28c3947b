from django.utils.translation import gettext_lazy as _

from bangfu.core.listings import Listing, register
from bangfu.core.permissions import Cap
from bangfu.core.tables import Column, Table

from .filters import CampaignFilterSet, OrderFilterSet
from .models import Campaign, Order

campaigns = register(
    Listing(
        key="campaigns.campaign",
        title=_("预订活动"),
        model=Campaign,
        capability=Cap.CAMPAIGN_MANAGE,
        queryset=lambda: Campaign.objects.select_related("organizer"),
        filterset_class=CampaignFilterSet,
        default_sort="-opens_at",
        table=Table(
            [
                Column("name", _("活动名称"), sort="name", link=True),
                Column("organizer", _("组织单位"), accessor="organizer.name", sort="organizer__name"),
                Column("status", _("状态"), sort="status"),
                Column("opens_at", _("预订开始"), sort="opens_at"),
                Column("closes_at", _("预订截止"), sort="closes_at"),
                Column("per_member_limit", _("每人限订(份)"), numeric=True),
            ]
        ),
    )
)

orders = register(
    Listing(
        key="campaigns.order",
        title=_("预订订单"),
        model=Order,
        capability=Cap.CAMPAIGN_MANAGE,
        queryset=lambda: Order.objects.select_related(
            "campaign",
            "item",
            "member",
            "member_organization",
            "site",
            "slot",
            "collected_by",
            "collected_site",
        ),
        filterset_class=OrderFilterSet,
        default_sort="-created_at",
        table=Table(
            [
                Column("campaign", _("预订活动"), accessor="campaign.name", sort="campaign__name"),
                Column("member", _("会员"), accessor=lambda o: str(o.member), sort="member__username"),
                Column("member_organization", _("会员单位"), accessor="member_organization.name"),
                Column("item", _("礼盒"), accessor="item.name", sort="item__name"),
                Column("quantity", _("数量(份)"), sort="quantity", numeric=True),
                Column("total", _("金额(元)"), sort="total", numeric=True),
                Column("paid_by", _("支付方")),
                Column("site", _("领取点"), accessor="site.name", sort="site__name"),
                Column("slot", _("领取时段"), accessor=lambda o: str(o.slot), sort="slot__starts_at"),
                Column("status", _("状态"), sort="status"),
                Column("created_at", _("下单时间"), sort="created_at"),
                Column("collected_at", _("领取时间"), sort="collected_at"),
                Column("collected_site", _("实际领取点"), accessor="collected_site.name"),
                Column("collected_by", _("经办人"), accessor=lambda o: str(o.collected_by or "")),
            ]
        ),
    )
)
