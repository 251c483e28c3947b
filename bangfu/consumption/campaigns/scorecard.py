"""Pre-order campaigns (线上预订、线下领取) on the scorecard: campaigns, orders, pickups."""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.permissions import Cap
from bangfu.reports import units
from bangfu.reports.scorecard import Figure, Section, add_period, section

from .models import Campaign, Order, OrderStatus

CAMPAIGNS = "campaigns.campaign"
ORDERS = "campaigns.order"
ZERO = Decimal("0.00")

add_period(CAMPAIGNS, "opens_at", "datetime")
add_period(ORDERS, "created_at", "datetime")


@section("campaigns", title=gettext_lazy("预订活动"), capability=Cap.CAMPAIGN_MANAGE, order=35)
def build(card) -> Section:
    campaigns = card.rows(Campaign.objects.all(), Cap.CAMPAIGN_MANAGE).filter(
        card.period_q("opens_at", "datetime")
    )
    orders = (
        card.rows(Order.objects.all(), Cap.CAMPAIGN_MANAGE)
        .filter(card.period_q("created_at", "datetime"))
        .exclude(status=OrderStatus.CANCELLED)
    )
    totals = orders.aggregate(
        n=Count("pk"),
        amount=Sum("total"),
        collected=Count("pk", filter=Q(status=OrderStatus.COLLECTED)),
    )
    figures = [
        Figure("campaigns", _("预订活动"), campaigns.count(), units.ITEM, CAMPAIGNS),
        Figure(
            "orders",
            _("有效订单"),
            totals["n"],
            units.PERSON_TIME,
            ORDERS,
            {"status_not": OrderStatus.CANCELLED},
        ),
        Figure(
            "amount",
            _("订单金额"),
            totals["amount"] or ZERO,
            units.YUAN,
            ORDERS,
            {"status_not": OrderStatus.CANCELLED},
            measure="sum:total",
        ),
        Figure(
            "collected",
            _("已领取"),
            totals["collected"],
            units.PERSON_TIME,
            ORDERS,
            {"status": OrderStatus.COLLECTED},
        ),
    ]
    return Section("campaigns", _("预订活动"), figures, narrate=narrate)


def _status_not(queryset, value):
    if value not in OrderStatus.values:
        raise ValueError(value)
    return queryset.exclude(status=value)


def _register_filters():
    from bangfu.core.listings import add_filter

    add_filter(ORDERS, "status_not", gettext_lazy("排除状态"), _status_not)


_register_filters()


def narrate(sec: Section, card) -> list[str]:
    return [
        _(
            "%(period)s开展线上预订、线下领取活动%(campaigns)s,会员预订%(orders)s、金额%(amount)s,已领取%(collected)s。"
        )
        % {
            "period": card.period.label(),
            "campaigns": sec["campaigns"].text(),
            "orders": sec["orders"].text(),
            "amount": sec["amount"].text(),
            "collected": sec["collected"].text(),
        }
    ]
