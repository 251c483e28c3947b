from django.utils.translation import gettext_lazy as _

from bangfu.core.permissions import Cap
from bangfu.core.views import ObjectDetailView, ObjectListView

from . import listings
from .models import Region
from .selectors import region_path


class RegionListView(ObjectListView):
    listing = listings.regions


class RegionDetailView(ObjectDetailView):
    model = Region
    capability = Cap.REGION_VIEW
    template_name = "regions/region_detail.html"
    fields = [
        (_("区划代码"), "code"),
        (_("名称"), "name"),
        (_("级别"), "level"),
        (_("所属"), lambda r: " / ".join(p.name for p in region_path(r)[:-1])),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["children"] = context["object"].children.order_by("code")[:500]
        context["children_count"] = context["object"].children.count()
        return context
