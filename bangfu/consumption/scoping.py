"""Who reaches which consumption records.

Most roles act within region prefixes, like everywhere else (core.scoping). Two roles
are bound to their own organisation instead, because a region would say too much:

- a **supplier** user (role ``supplier``, member of the supplier's organisation) manages
  only that supplier's products and certifications and sees only the purchases
  addressed to it, whatever region the membership names;
- a **buyer** user (role ``buyer``) records and sees only the purchases, quotas and
  declarations of the organisation it belongs to (and of that organisation's child
  units, e.g. a federation's grassroots unions).

Both still browse the catalogue (suppliers, products, certifications) within their
membership's regions, as every reader does. Objects outside what a user reaches are
missing (404), never forbidden.
"""

from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from bangfu.core.permissions import ROLE_CAPABILITIES, Role
from bangfu.core.scoping import NATIONWIDE, collapse, prefix_q

BOUND_ROLES = frozenset({Role.BUYER, Role.SUPPLIER})


@dataclass
class Reach:
    prefixes: list[str] = field(default_factory=list)  # from roles that act by region
    buyer_orgs: set[int] = field(default_factory=set)  # organisations the user buys for
    supplier_orgs: set[int] = field(default_factory=set)  # organisations of suppliers the user acts for

    @property
    def nationwide(self) -> bool:
        return NATIONWIDE in self.prefixes

    @property
    def empty(self) -> bool:
        return not (self.prefixes or self.buyer_orgs or self.supplier_orgs)

    def region_q(self, *fields: str) -> Q:
        if not self.prefixes:
            return Q(pk__in=[])
        query = Q(pk__in=[])
        for name in fields:
            query |= prefix_q(name, self.prefixes)
        return query


def reach(user, capability: str, *, bound: frozenset[str] = BOUND_ROLES) -> Reach:
    """What ``user`` reaches with ``capability``; roles in ``bound`` reach their organisation only."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Reach()
    if user.is_superuser:
        return Reach(prefixes=[NATIONWIDE])
    cache = user.__dict__.setdefault("_consumption_reach", {})
    key = (capability, bound)
    if key in cache:
        return cache[key]
    result = Reach()
    prefixes: set[str] = set()
    memberships = user.memberships.filter(is_active=True, organization__is_active=True).prefetch_related(
        "regions"
    )
    for membership in memberships:
        if capability not in ROLE_CAPABILITIES.get(membership.role, ()):
            continue
        if membership.role in bound:
            if membership.role == Role.BUYER:
                result.buyer_orgs.add(membership.organization_id)
            else:
                result.supplier_orgs.add(membership.organization_id)
        else:
            prefixes.update(region.prefix for region in membership.regions.all())
    result.prefixes = collapse(prefixes)
    if result.buyer_orgs:
        from bangfu.accounts.models import Organization

        children = Organization.objects.filter(parent_id__in=result.buyer_orgs).values_list("pk", flat=True)
        result.buyer_orgs |= set(children)
    cache[key] = result
    return result


def scoped(queryset: QuerySet, user, capability: str) -> QuerySet:
    """``queryset`` narrowed by the model's ``reach_q``."""
    found = reach(user, capability, bound=getattr(queryset.model, "bound_roles", BOUND_ROLES))
    if found.empty:
        return queryset.none()
    if found.nationwide:
        return queryset.all()
    return queryset.filter(queryset.model.reach_q(found))


def get_scoped_or_404(queryset: QuerySet, user, capability: str, **lookup) -> Model:
    try:
        return scoped(queryset, user, capability).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def reaches(user, capability: str, obj: Model) -> bool:
    return scoped(type(obj)._default_manager.filter(pk=obj.pk), user, capability).exists()
