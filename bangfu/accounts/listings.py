from django.utils.translation import gettext_lazy as _

from bangfu.core.listings import Listing, register
from bangfu.core.permissions import Cap
from bangfu.core.tables import Column, Table

from .filters import OrganizationFilterSet, UserFilterSet
from .models import Organization, User

organizations = register(
    Listing(
        key="accounts.organization",
        title=_("单位"),
        model=Organization,
        capability=Cap.ORGANIZATION_VIEW,
        queryset=lambda: Organization.objects.select_related("region", "parent"),
        filterset_class=OrganizationFilterSet,
        default_sort="region_code",
        table=Table(
            [
                Column("name", _("名称"), sort="name", link=True),
                Column("kind", _("类型"), sort="kind"),
                Column("region", _("所在地区"), accessor="region.name", sort="region_code"),
                Column("parent", _("上级单位"), accessor="parent.name"),
                Column("contact_name", _("联系人")),
                Column(
                    "contact_phone", _("联系电话"), sensitive=True, masker=lambda v: v[:3] + "****" + v[-4:]
                ),
            ]
        ),
    )
)

users = register(
    Listing(
        key="accounts.user",
        title=_("用户"),
        model=User,
        capability=Cap.USER_VIEW,
        queryset=lambda: User.objects.prefetch_related("memberships"),
        filterset_class=UserFilterSet,
        default_sort="username",
        table=Table(
            [
                Column("username", _("用户名"), sort="username", link=True),
                Column("display_name", _("姓名"), sort="display_name"),
                Column("roles", _("角色"), accessor=lambda u: _("、").join(u.role_labels())),
                Column("is_active", _("有效")),
                Column("last_login", _("最近登录"), sort="last_login"),
            ]
        ),
    )
)
