from django.db.models import QuerySet

from bangfu.core.permissions import Cap
from bangfu.core.scoping import in_scope, scope
from bangfu.regions.models import Region
from bangfu.regions.selectors import region_path

from .models import Household, MemberHistory, Person


def household_list(*, user) -> QuerySet[Household]:
    return scope(Household.objects.select_related("region"), user, Cap.REGISTRY_VIEW)


def person_list(*, user) -> QuerySet[Person]:
    return scope(Person.objects.select_related("household"), user, Cap.REGISTRY_VIEW)


def region_path_names(household: Household) -> list[Region]:
    return region_path(household.region)[2:]  # township and village (county and above are implied by scope)


def household_page(*, household: Household, user) -> dict:
    """Everything the household page shows besides its fields."""
    incomes = list(household.incomes.order_by("year"))
    return {
        "members": list(household.members.filter(is_active=True).order_by("pk")),
        "former_members": list(
            MemberHistory.objects.filter(household=household, left_on__isnull=False)
            .select_related("person", "person__household")
            .order_by("-left_on")
        ),
        "incomes": incomes,
        "income_chart": {
            "years": [str(i.year) for i in incomes],
            "per_capita": [float(i.per_capita_net) for i in incomes],
            "net": [float(i.net_income) for i in incomes],
        },
        "status_changes": list(
            household.status_changes.select_related("recorded_by").order_by("-date", "-pk")
        ),
        "pairings": list(household.pairings.select_related("organization").order_by("-start_date")),
        # where this household is, not anywhere: a reader here may be a revealer in another county
        "can_reveal": in_scope(user, Cap.SENSITIVE_REVEAL, household.region_code),
    }
