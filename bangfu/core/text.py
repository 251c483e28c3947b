"""Small text helpers shared by pages, exports and messages."""

from collections.abc import Iterable

from django.utils.translation import gettext as _


def join_list(items: Iterable) -> str:
    """Items joined the way the current language lists them: 、 in Chinese, ", " in English."""
    return _("、").join(str(item) for item in items)
