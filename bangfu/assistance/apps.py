from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "bangfu.assistance"
    label = "assistance"
    verbose_name = _("帮扶项目")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        from . import imports, listings  # noqa: F401 - registers the import kinds and listings

        section = _("帮扶项目")
        add(
            NavItem(section, _("帮扶关系"), "assistance:partnership-list", Cap.ASSISTANCE_VIEW, order=600),
            NavItem(section, _("帮扶项目"), "assistance:project-list", Cap.ASSISTANCE_VIEW, order=610),
            NavItem(section, _("帮扶活动"), "assistance:activity-list", Cap.ASSISTANCE_VIEW, order=620),
            NavItem(section, _("劳模助力"), "assistance:helper-list", Cap.ASSISTANCE_VIEW, order=630),
            NavItem(section, _("帮扶成效"), "assistance:figures", Cap.ASSISTANCE_VIEW, order=640),
            NavItem(section, _("公示意见"), "assistance:feedback-list", Cap.PROJECT_MANAGE, order=650),
        )
