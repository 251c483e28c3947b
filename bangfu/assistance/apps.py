from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "bangfu.assistance"
    label = "assistance"
    verbose_name = _("帮扶项目")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        from . import imports, listings  # noqa: F401 - registers the import kinds and listings

        _register_attachments()
        section = _("帮扶项目")
        add(
            NavItem(section, _("帮扶关系"), "assistance:partnership-list", Cap.ASSISTANCE_VIEW, order=600),
            NavItem(section, _("帮扶项目"), "assistance:project-list", Cap.ASSISTANCE_VIEW, order=610),
            NavItem(section, _("帮扶活动"), "assistance:activity-list", Cap.ASSISTANCE_VIEW, order=620),
            NavItem(section, _("劳模助力"), "assistance:helper-list", Cap.ASSISTANCE_VIEW, order=630),
            NavItem(section, _("帮扶成效"), "assistance:figures", Cap.ASSISTANCE_VIEW, order=640),
            NavItem(section, _("公示意见"), "assistance:feedback-list", Cap.PROJECT_MANAGE, order=650),
        )


def _disclosed_projects():
    from django.utils import timezone

    from .models import Project

    return Project.objects.filter(disclosed_from__isnull=False, disclosed_from__lte=timezone.localdate())


def _register_attachments() -> None:
    """Projects and activities carry photos and documents (public ones shown once the project is
    disclosed); fund entries carry vouchers, which, like the ledger row, are never removed."""
    from bangfu.attachments.registry import register
    from bangfu.core.permissions import Cap

    from .models import Activity, FundEntry, Project

    register(Project, view=Cap.ASSISTANCE_VIEW, edit=Cap.PROJECT_MANAGE, public_owners=_disclosed_projects)
    register(
        Activity,
        view=Cap.ASSISTANCE_VIEW,
        edit=Cap.PROJECT_MANAGE,
        public_owners=lambda: Activity.objects.filter(project__in=_disclosed_projects()),
    )
    register(FundEntry, view=Cap.ASSISTANCE_VIEW, edit=Cap.FUNDS_RECORD, append_only=True)
