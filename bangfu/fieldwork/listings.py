from django.utils.translation import gettext_lazy as _

from bangfu.core.listings import Listing, register
from bangfu.core.permissions import Cap
from bangfu.core.tables import Column, Table

from .filters import TeamFilterSet
from .models import Team

teams = register(
    Listing(
        key="fieldwork.team",
        title=_("驻村工作队"),
        model=Team,
        capability=Cap.FIELDWORK_VIEW,
        queryset=lambda: Team.objects.select_related("region", "organization"),
        filterset_class=TeamFilterSet,
        default_sort="region_code",
        table=Table(
            [
                Column("name", _("工作队"), accessor=str, link=True),
                Column("region", _("驻点村"), accessor="region.name", sort="region_code"),
                Column("region_code", _("区划代码"), sort="region_code"),
                Column(
                    "organization", _("派出单位"), accessor="organization.name", sort="organization__name"
                ),
                Column("starts_on", _("驻村开始日期"), sort="starts_on"),
                Column("ends_on", _("驻村结束日期"), sort="ends_on"),
            ]
        ),
    )
)
