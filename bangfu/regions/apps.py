from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "bangfu.regions"
    label = "regions"
    verbose_name = _("行政区划")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        add(NavItem(_("基础数据"), _("行政区划"), "regions:region-list", Cap.REGION_VIEW, order=10))
