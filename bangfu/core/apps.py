from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bangfu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import exports  # noqa: F401 - registers the export job handler
