from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "bangfu.fieldwork"
    label = "fieldwork"
    verbose_name = _("驻村工作")

    def ready(self) -> None:
        from bangfu.core.navigation import NavItem, add
        from bangfu.core.permissions import Cap

        from . import imports  # noqa: F401 - registers the visits import kind

        _register_attachments()

        section = _("驻村工作")
        add(
            NavItem(section, _("驻村工作队"), "fieldwork:team-list", Cap.FIELDWORK_VIEW, order=500),
            NavItem(section, _("驻村签到"), "fieldwork:checkin", Cap.ATTENDANCE_CHECKIN, order=505),
            NavItem(section, _("五天四夜考勤"), "fieldwork:compliance", Cap.FIELDWORK_VIEW, order=510),
            NavItem(section, _("请假"), "fieldwork:leave-list", Cap.FIELDWORK_VIEW, order=515),
            NavItem(section, _("走访"), "fieldwork:visit-list", Cap.FIELDWORK_VIEW, order=520),
            NavItem(section, _("诉求"), "fieldwork:need-list", Cap.FIELDWORK_VIEW, order=525),
            NavItem(section, _("走访覆盖"), "fieldwork:coverage", Cap.FIELDWORK_VIEW, order=530),
            NavItem(section, _("法定节假日"), "fieldwork:holiday-list", Cap.FIELDWORK_VIEW, order=535),
        )


def _register_attachments() -> None:
    """A visit's photos are attachments: seen by whoever sees the visit, added (and removed,
    audited) by whoever may record visits in its village, at most MAX_PHOTOS to a visit. Never
    public: they show households."""
    from bangfu.attachments.registry import register
    from bangfu.core.permissions import Cap

    from .models import Visit
    from .services import MAX_PHOTOS

    register(Visit, view=Cap.FIELDWORK_VIEW, edit=Cap.VISIT_RECORD, max_per_owner=MAX_PHOTOS)
