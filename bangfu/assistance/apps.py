from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "bangfu.assistance"
    label = "assistance"
    verbose_name = _("帮扶项目")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        from . import listings  # noqa: F401 - registers the listings for exports

        section = _("帮扶项目")
        add(
            NavItem(section, _("帮扶关系"), "assistance:partnership-list", Cap.ASSISTANCE_VIEW, order=600),
            NavItem(section, _("帮扶项目"), "assistance:project-list", Cap.ASSISTANCE_VIEW, order=610),
        )
