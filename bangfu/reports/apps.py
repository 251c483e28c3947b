from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "bangfu.reports"
    label = "reports"
    verbose_name = _("报表")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        from . import jobs, listings  # noqa: F401 - registers the job kinds and listings
        from .scorecard import autodiscover

        autodiscover()
        from django.db.models.signals import post_migrate, pre_migrate

        pre_migrate.connect(_drop_rollup_triggers, sender=self)
        post_migrate.connect(_install_rollup_triggers, sender=self)
        section = _("报表")
        add(
            NavItem(section, _("成绩单"), "reports:scorecard", Cap.DASHBOARD_VIEW, order=900),
            NavItem(section, _("两期对比"), "reports:compare", Cap.DASHBOARD_VIEW, order=910),
            NavItem(section, _("已发布成绩单"), "reports:snapshot-list", Cap.DASHBOARD_VIEW, order=920),
        )


def _drop_rollup_triggers(sender, using="default", **kwargs) -> None:
    """Migrations rebuild tables (SQLite copies and renames them): no trigger may stand in the way."""
    from .rollups import drop_triggers

    drop_triggers(using)


def _install_rollup_triggers(sender, using="default", plan=None, **kwargs) -> None:
    """Triggers for the cubes as defined now; after migrations that ran, every cube is rebuilt
    before it is next read (rows a migration wrote carried no marks)."""
    from .models import RollupState
    from .rollups import install_triggers

    install_triggers(using)
    if plan:
        RollupState.objects.using(using).all().delete()
