from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "bangfu.consumption.campaigns"
    label = "campaigns"
    verbose_name = _("预订活动")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        from . import listings  # noqa: F401 - registers the campaign listings for exports

        add(
            NavItem(_("预订领取"), _("预订活动"), "campaigns:campaign-list", Cap.CAMPAIGN_MANAGE, order=400),
            NavItem(_("预订领取"), _("预订订单"), "campaigns:order-list", Cap.CAMPAIGN_MANAGE, order=410),
            NavItem(_("预订领取"), _("我的预订"), "campaigns:member-home", Cap.CAMPAIGN_ORDER, order=420),
            NavItem(_("预订领取"), _("扫码领取"), "campaigns:scan-home", Cap.PICKUP_SCAN, order=430),
        )
