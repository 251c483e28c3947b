from django.db.models import QuerySet

from bangfu.core.permissions import Cap
from bangfu.core.scoping import prefix_q, scope

from .models import Region


def region_list(
    *, user, level: str | None = None, parent: str | None = None, q: str = ""
) -> QuerySet[Region]:
    regions = scope(Region.objects.all(), user, Cap.REGION_VIEW)
    if level:
        regions = regions.filter(level=level)
    if parent:
        regions = regions.filter(parent_id=parent)
    if q:
        regions = regions.filter(name__contains=q) if not q.isdigit() else regions.filter(code__startswith=q)
    return regions


def regions_under(prefix: str) -> QuerySet[Region]:
    """All regions whose code starts with ``prefix`` (index range scan on both databases)."""
    return Region.objects.filter(prefix_q("code", [prefix]))


def region_path(region: Region) -> list[Region]:
    """The chain from the province down to ``region``."""
    codes = []
    for length in (2, 4, 6, 9, 12):
        code = region.code[:length].ljust(12, "0")
        if code not in codes:
            codes.append(code)
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]
