from django.utils.translation import gettext_lazy as _

from bangfu.core.listings import Listing, register
from bangfu.core.permissions import Cap
from bangfu.core.tables import Column, Table

from .filters import RegionFilterSet
from .models import Region

regions = register(
    Listing(
        key="regions.region",
        title=_("行政区划"),
        model=Region,
        capability=Cap.REGION_VIEW,
        queryset=lambda: Region.objects.select_related("parent"),
        filterset_class=RegionFilterSet,
        default_sort="code",
        table=Table(
            [
                Column("code", _("区划代码"), sort="code", link=True),
                Column("name", _("名称"), sort="name", link=True),
                Column("level", _("级别"), sort="level"),
                Column("parent", _("上级"), accessor="parent.name"),
            ]
        ),
    )
)
