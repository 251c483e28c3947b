from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "bangfu.accounts"
    label = "accounts"
    verbose_name = _("单位与用户")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        add(
            NavItem(_("基础数据"), _("单位"), "accounts:organization-list", Cap.ORGANIZATION_VIEW, order=20),
            NavItem(_("基础数据"), _("用户"), "accounts:user-list", Cap.USER_VIEW, order=30),
        )
