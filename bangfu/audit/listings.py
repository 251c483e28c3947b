from django.utils.translation import gettext_lazy as _

from bangfu.core.listings import Listing, register
from bangfu.core.permissions import Cap
from bangfu.core.tables import Column, Table

from .models import AccessLog, ChangeRecord

changes = register(
    Listing(
        key="audit.change",
        title=_("变更记录"),
        model=ChangeRecord,
        capability=Cap.AUDIT_VIEW,
        queryset=lambda: ChangeRecord.objects.select_related("content_type"),
        default_sort="-timestamp",
        table=Table(
            [
                Column("timestamp", _("时间"), sort="timestamp"),
                Column("actor_label", _("操作人"), sort="actor_label"),
                Column("action", _("操作"), sort="action"),
                Column("content_type", _("类型"), accessor=lambda r: r.content_type.name),
                Column("object_repr", _("对象")),
                Column("changes", _("变更字段"), accessor=lambda r: _("、").join(r.changes)),
            ]
        ),
    )
)

accesses = register(
    Listing(
        key="audit.access",
        title=_("敏感信息查看记录"),
        model=AccessLog,
        capability=Cap.AUDIT_VIEW,
        queryset=lambda: AccessLog.objects.select_related("content_type"),
        default_sort="-timestamp",
        table=Table(
            [
                Column("timestamp", _("时间"), sort="timestamp"),
                Column("actor_label", _("查看人"), sort="actor_label"),
                Column("object_repr", _("对象")),
                Column("field", _("字段")),
                Column("purpose", _("用途")),
                Column("ip_address", _("IP地址")),
            ]
        ),
    )
)
