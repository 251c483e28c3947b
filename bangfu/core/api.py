"""Pieces every app's API router shares: token auth, capability checks, paging, errors."""

from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from ninja import Schema
from ninja.security import HttpBearer, django_auth

from .listings import Listing

T = TypeVar("T")
MAX_LIMIT = 500


class TokenAuth(HttpBearer):
    """``Authorization: Bearer bf_…`` with a personal API token."""

    def authenticate(self, request, token: str):
        from bangfu.accounts.services import token_authenticate

        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


AUTH = [TokenAuth(), django_auth]


def require(request, capability: str) -> None:
    if not request.user.has_capability(capability):
        raise PermissionDenied


class Page(Schema, Generic[T]):
    count: int
    limit: int
    offset: int
    results: list[T]


def page(listing: Listing, request, *, limit: int, offset: int) -> dict[str, Any]:
    """A scoped, filtered, sorted slice of a listing, filtered by the same FilterSet as the page."""
    require(request, listing.capability)
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if key not in ("limit", "offset"):
            params.setlist(key, values)
    rows = listing.rows(request.user, params)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return {
        "count": rows.count(),
        "limit": limit,
        "offset": offset,
        "results": list(rows[offset : offset + limit]),
    }
