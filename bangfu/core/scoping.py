"""Region scoping: the one place where a query is narrowed to what a user may see.

Every list, detail, search, export, report and API query passes through
``scope()``. A scoped model keeps its region's 12-digit code in a column named by
``scope_field`` (``region_code`` by default), or defines ``scope_query(prefixes)``
when its region is reached through another table; a user's scope is the set of code
prefixes of the memberships whose role carries the capability asked for. An
object outside the scope is reported as missing (404), never as forbidden.
"""

from collections.abc import Iterable

from django.db.models import Model, Q, QuerySet
from django.http import Http404

NATIONWIDE = ""  # the empty prefix covers every code
CODE_LENGTH = 12


def collapse(prefixes: Iterable[str]) -> list[str]:
    """Drop prefixes already covered by a shorter one: ["41", "4104"] -> ["41"]."""
    result: list[str] = []
    for prefix in sorted(set(prefixes), key=lambda p: (len(p), p)):
        if not any(prefix.startswith(kept) for kept in result):
            result.append(prefix)
    return sorted(result)


def prefix_range(prefix: str) -> tuple[str, str]:
    """The closed range of 12-digit codes under a prefix; a plain B-tree index serves it."""
    return prefix.ljust(CODE_LENGTH, "0"), prefix.ljust(CODE_LENGTH, "9")


def prefix_q(field: str, prefixes: Iterable[str]) -> Q:
    prefixes = collapse(prefixes)
    if NATIONWIDE in prefixes:
        return Q()
    query = Q(pk__in=[])
    for prefix in prefixes:
        low, high = prefix_range(prefix)
        query |= Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return query


def user_prefixes(user, capability: str) -> list[str]:
    """The region prefixes within which ``user`` holds ``capability`` (empty: nowhere)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return user.scope_prefixes(capability)


def scope(queryset: QuerySet, user, capability: str) -> QuerySet:
    """Narrow ``queryset`` to the objects ``user`` may reach with ``capability``."""
    model = queryset.model
    prefixes = user_prefixes(user, capability)
    if not prefixes:
        return queryset.none()
    if NATIONWIDE in prefixes:
        # Not through the Q below: Q() | extra is just extra, which would narrow a nationwide scope.
        return queryset.all()
    query = region_q(model, prefixes)
    extra = getattr(model, "scope_extra", None)
    if extra is not None:
        query |= extra(user, capability)
    return queryset.filter(query)


def region_q(model, prefixes: Iterable[str]) -> Q:
    """The condition "lies under one of ``prefixes``" for ``model``, read the way ``scope()`` reads it."""
    custom = getattr(model, "scope_query", None)
    prefixes = collapse(prefixes)
    return custom(prefixes) if custom else prefix_q(getattr(model, "scope_field", "region_code"), prefixes)


def within(queryset: QuerySet, prefixes: Iterable[str]) -> QuerySet:
    """Narrow an already scoped ``queryset`` further to region ``prefixes`` (a report's own scope).

    Unlike ``scope()`` this grants nothing: it only ever removes rows."""
    prefixes = collapse(prefixes)
    if NATIONWIDE in prefixes:
        return queryset
    return queryset.filter(region_q(queryset.model, prefixes))


def get_scoped_or_404(queryset: QuerySet, user, capability: str, **lookup) -> Model:
    try:
        return scope(queryset, user, capability).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def in_scope(user, capability: str, region_code: str) -> bool:
    prefixes = user_prefixes(user, capability)
    return any(region_code.startswith(prefix) for prefix in prefixes)
