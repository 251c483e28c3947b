from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsumptionConfig(AppConfig):
    name = "bangfu.consumption"
    label = "consumption"
    verbose_name = _("消费帮扶")
