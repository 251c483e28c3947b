from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "bangfu.audit"
    label = "audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        add(
            NavItem(_("审计"), _("变更记录"), "audit:change-list", Cap.AUDIT_VIEW, order=900),
            NavItem(_("审计"), _("敏感信息查看记录"), "audit:access-list", Cap.AUDIT_VIEW, order=910),
            NavItem(_("审计"), _("账本校验"), "audit:verify", Cap.AUDIT_VERIFY, order=920),
        )
