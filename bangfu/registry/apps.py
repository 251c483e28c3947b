from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "bangfu.registry"
    label = "registry"
    verbose_name = _("建档立卡")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap
        from bangfu.core.views import RevealView

        from . import imports  # noqa: F401 - registers the registry's import kinds
        from .models import Person

        RevealView.register("registry.person", Person, "id_number")
        add(
            NavItem(_("建档立卡"), _("农户"), "registry:household-list", Cap.REGISTRY_VIEW, order=100),
            NavItem(_("建档立卡"), _("家庭成员"), "registry:person-list", Cap.REGISTRY_VIEW, order=110),
        )
