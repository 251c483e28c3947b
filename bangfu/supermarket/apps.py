from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupermarketConfig(AppConfig):
    name = "bangfu.supermarket"
    label = "supermarket"
    verbose_name = _("爱心超市")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        from . import imports  # noqa: F401 - registers the import kinds

        section = _("爱心超市")
        add(
            NavItem(section, _("爱心超市"), "supermarket:store-list", Cap.SUPERMARKET_VIEW, order=400),
            NavItem(section, _("物品目录"), "supermarket:item-list", Cap.SUPERMARKET_VIEW, order=410),
            NavItem(section, _("捐赠"), "supermarket:donation-list", Cap.SUPERMARKET_VIEW, order=420),
            NavItem(section, _("库存变动"), "supermarket:move-list", Cap.SUPERMARKET_VIEW, order=430),
            NavItem(section, _("救助对象"), "supermarket:enrolment-list", Cap.SUPERMARKET_VIEW, order=440),
            NavItem(section, _("评议会"), "supermarket:meeting-list", Cap.SUPERMARKET_VIEW, order=450),
            NavItem(section, _("兑换记录"), "supermarket:redemption-list", Cap.SUPERMARKET_VIEW, order=460),
            NavItem(section, _("上门服务"), "supermarket:delivery-list", Cap.SUPERMARKET_VIEW, order=470),
            NavItem(section, _("爱心超市数据"), "supermarket:figures", Cap.SUPERMARKET_VIEW, order=480),
        )
