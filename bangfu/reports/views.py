from django.shortcuts import render
from django.utils.translation import gettext as _

from bangfu.accounts.models import OrganizationKind
from bangfu.core.permissions import Cap
from bangfu.core.views import requires

from .selectors import home_figures


@requires(Cap.DASHBOARD_VIEW)
def home(request):
    figures = home_figures(user=request.user)
    labels = dict(OrganizationKind.choices)
    chart = {
        "categories": [str(labels.get(row["kind"], row["kind"])) for row in figures["organizations_by_kind"]],
        "values": [row["n"] for row in figures["organizations_by_kind"]],
        "series_name": _("单位数"),
    }
    return render(request, "reports/home.html", {"figures": figures, "chart": chart, "title": _("首页")})
