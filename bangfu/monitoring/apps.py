from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "bangfu.monitoring"
    label = "monitoring"
    verbose_name = _("防止返贫监测")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        from . import imports, jobs  # noqa: F401 - registers the import kind and the rules job

        section = _("防止返贫监测")
        add(
            NavItem(section, _("监测看板"), "monitoring:board", Cap.MONITORING_VIEW, order=600),
            NavItem(section, _("预警线索"), "monitoring:flag-list", Cap.MONITORING_VIEW, order=605),
            NavItem(section, _("监测对象"), "monitoring:case-list", Cap.MONITORING_VIEW, order=610),
            NavItem(section, _("风险事件"), "monitoring:event-list", Cap.MONITORING_VIEW, order=615),
            NavItem(section, _("数据质量"), "monitoring:quality", Cap.MONITORING_VIEW, order=620),
            NavItem(section, _("监测标准"), "monitoring:threshold-list", Cap.MONITORING_VIEW, order=625),
        )
