from django.shortcuts import render
from django.utils.translation import gettext as _

from bangfu.core.permissions import Cap
from bangfu.core.views import ObjectListView, requires

from . import ledger, listings


class ChangeListView(ObjectListView):
    listing = listings.changes


class AccessLogListView(ObjectListView):
    listing = listings.accesses


@requires(Cap.AUDIT_VERIFY)
def ledger_verify(request):
    """Check every hash-chained ledger now and show what is broken."""
    problems, checked = [], 0
    if request.method == "POST":
        for item in ledger.verify():
            if isinstance(item, int):
                checked = item
            else:
                problems.append(item)
    return render(
        request,
        "audit/verify.html",
        {
            "problems": problems,
            "checked": checked,
            "ran": request.method == "POST",
            "title": _("账本校验"),
            "ledgers": [m.ledger_name for m in ledger.ledger_models()],
        },
    )
