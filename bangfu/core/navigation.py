"""The module navigation: apps add their entries; each entry shows only to users with its capability."""

from dataclasses import dataclass
from typing import Any

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse


@dataclass(frozen=True)
class NavItem:
    section: Any
    label: Any
    url_name: str
    capability: str
    icon: str = ""
    order: int = 100


NAV: list[NavItem] = []


def add(*items: NavItem) -> None:
    for item in items:
        if item not in NAV:
            NAV.append(item)


# Every page shows every entry's URL; reversing one depends only on the URL resolver (a new one
# when the URLconf changes) and the script prefix, so each is reversed once per (resolver, prefix).
_URLS: dict[tuple[Any, str, str], str] = {}


def _url(url_name: str) -> str:
    key = (get_resolver(get_urlconf()), get_script_prefix(), url_name)
    url = _URLS.get(key)
    if url is None:
        url = _URLS[key] = reverse(url_name)
    return url


def for_user(user) -> list[tuple[Any, list[dict]]]:
    sections: dict[str, list[dict]] = {}
    labels: dict[str, Any] = {}
    for item in sorted(NAV, key=lambda i: i.order):
        if user.is_authenticated and user.has_capability(item.capability):
            key = str(item.section)
            labels[key] = item.section
            sections.setdefault(key, []).append(
                {"label": item.label, "url": _url(item.url_name), "icon": item.icon}
            )
    return [(labels[key], entries) for key, entries in sections.items()]
