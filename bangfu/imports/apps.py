from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "bangfu.imports"
    label = "imports"
    verbose_name = _("数据导入")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        from . import engine  # noqa: F401 - registers the import job handler

        add(NavItem(_("数据导入"), _("导入数据"), "imports:run-list", Cap.IMPORT, order=800))
