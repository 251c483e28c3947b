from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from bangfu.core.idnumber import mask

register = template.Library()


@register.filter
def yuan(value) -> str:
    """1234.5 -> "1,234.50元"."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return _("%(amount)s元") % {"amount": formats.number_format(amount, 2, force_grouping=True)}


@register.filter
def wan_yuan(value) -> str:
    """15953100 -> "1595.31万元", as the reports write totals."""
    try:
        amount = Decimal(value) / Decimal(10000)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return _("%(amount)s万元") % {"amount": formats.number_format(amount, 2)}


@register.filter
def masked(value) -> str:
    return mask(str(value)) if value else ""


@register.simple_tag(takes_context=True)
def sort_link(context, column) -> str:
    """The querystring that sorts by ``column`` (toggling direction)."""
    request = context["request"]
    query = request.GET.copy()
    current = query.get("sort", "")
    query["sort"] = f"-{column.name}" if current == column.name else column.name
    query.pop("page", None)
    return "?" + query.urlencode()
