"""The module navigation: apps add their entries; each entry shows only to users with its capability."""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse


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


def for_user(user) -> list[tuple[Any, list[dict]]]:
    sections: dict[str, list[dict]] = {}
    labels: dict[str, Any] = {}
    for item in sorted(NAV, key=lambda i: i.order):
        if user.is_authenticated and user.has_capability(item.capability):
            key = str(item.section)
            labels[key] = item.section
            sections.setdefault(key, []).append(
                {"label": item.label, "url": reverse(item.url_name), "icon": item.icon}
            )
    return [(labels[key], entries) for key, entries in sections.items()]
