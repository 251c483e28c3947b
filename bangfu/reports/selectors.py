"""Figures for the home page, each computed from records in the user's scope."""

from django.db.models import Count

from bangfu.accounts.models import Organization, User
from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope
from bangfu.regions.models import Region


def home_figures(*, user) -> dict:
    regions = scope(Region.objects.all(), user, Cap.REGION_VIEW)
    organizations = scope(Organization.objects.all(), user, Cap.ORGANIZATION_VIEW)
    level_counts = dict(regions.values_list("level").annotate(n=Count("code")).order_by())
    by_kind = list(organizations.values("kind").annotate(n=Count("id")).order_by("-n"))
    return {
        "counties": level_counts.get("county", 0),
        "townships": level_counts.get("township", 0),
        "villages": level_counts.get("village", 0),
        "organizations": organizations.count(),
        "users": scope(User.objects.all(), user, Cap.USER_VIEW).count()
        if user.has_capability(Cap.USER_VIEW)
        else None,
        "organizations_by_kind": by_kind,
        "registry": registry_figures(user=user) if user.has_capability(Cap.REGISTRY_VIEW) else None,
    }


def registry_figures(*, user) -> dict:
    """Each figure equals the total of the household or person list it links to."""
    from bangfu.registry.models import HouseholdStatus
    from bangfu.registry.selectors import household_list, person_list

    households = household_list(user=user)
    return {
        "households": households.count(),
        "persons": person_list(user=user).filter(is_active=True).count(),
        "lifted": households.filter(status=HouseholdStatus.LIFTED).count(),
        "safety_net": households.exclude(safety_net="").count(),
    }
