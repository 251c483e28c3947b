from ninja import Router, Schema

from bangfu.core.api import Page, page, require
from bangfu.core.permissions import Cap
from bangfu.core.scoping import get_scoped_or_404

from . import listings
from .models import Region

router = Router(tags=["regions"])


class RegionSchema(Schema):
    code: str
    name: str
    level: str
    parent_id: str | None


@router.get("", response=Page[RegionSchema], summary="List regions in scope")
def region_list(request, limit: int = 100, offset: int = 0, q: str = "", level: str = "", parent: str = ""):
    """Filter with ``q`` (name or code prefix), ``level`` and ``parent`` (a parent code)."""
    return page(listings.regions, request, limit=limit, offset=offset)


@router.get("/{code}", response=RegionSchema, summary="One region")
def region_detail(request, code: str):
    require(request, Cap.REGION_VIEW)
    return get_scoped_or_404(Region.objects.all(), request.user, Cap.REGION_VIEW, pk=code)
