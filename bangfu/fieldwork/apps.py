from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "bangfu.fieldwork"
    label = "fieldwork"
    verbose_name = _("驻村工作")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        section = _("驻村工作")
        add(
            NavItem(section, _("驻村工作队"), "fieldwork:team-list", Cap.FIELDWORK_VIEW, order=500),
        )
