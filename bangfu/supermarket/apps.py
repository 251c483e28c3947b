from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupermarketConfig(AppConfig):
    name = "bangfu.supermarket"
    label = "supermarket"
    verbose_name = _("爱心超市")
