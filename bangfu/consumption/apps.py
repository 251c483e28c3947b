from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsumptionConfig(AppConfig):
    name = "bangfu.consumption"
    label = "consumption"
    verbose_name = _("消费帮扶")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        from . import imports  # noqa: F401 - registers the purchases import kind

        section = _("消费帮扶")
        add(
            NavItem(section, _("供应商"), "consumption:supplier-list", Cap.CONSUMPTION_VIEW, order=300),
            NavItem(section, _("产品"), "consumption:product-list", Cap.CONSUMPTION_VIEW, order=310),
            NavItem(
                section, _("产品认定"), "consumption:certification-list", Cap.CONSUMPTION_VIEW, order=320
            ),
            NavItem(section, _("采购"), "consumption:purchase-list", Cap.CONSUMPTION_VIEW, order=330),
            NavItem(section, _("消费帮扶统计"), "consumption:totals", Cap.CONSUMPTION_VIEW, order=340),
            NavItem(section, _("采购比例完成情况"), "consumption:board", Cap.CONSUMPTION_VIEW, order=350),
            NavItem(section, _("联农带农"), "consumption:reach", Cap.CONSUMPTION_VIEW, order=360),
        )
