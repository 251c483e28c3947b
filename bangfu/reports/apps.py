from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "bangfu.reports"
    label = "reports"
    verbose_name = _("报表")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        from . import jobs, listings  # noqa: F401 - registers the job kinds and listings
        from .scorecard import autodiscover

        autodiscover()
        section = _("报表")
        add(
            NavItem(section, _("成绩单"), "reports:scorecard", Cap.DASHBOARD_VIEW, order=900),
            NavItem(section, _("两期对比"), "reports:compare", Cap.DASHBOARD_VIEW, order=910),
            NavItem(section, _("已发布成绩单"), "reports:snapshot-list", Cap.DASHBOARD_VIEW, order=920),
        )
