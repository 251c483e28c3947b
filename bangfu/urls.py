from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView

from bangfu.api.api import api
from bangfu.reports.views import home


@login_not_required
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", home, name="home"),
    path("", include("bangfu.core.urls")),
    path("accounts/", include("bangfu.accounts.urls")),
    path("regions/", include("bangfu.regions.urls")),
    path("audit/", include("bangfu.audit.urls")),
    path("attachments/", include("bangfu.attachments.urls")),
    path("registry/", include("bangfu.registry.urls")),
    path("imports/", include("bangfu.imports.urls")),
    path("campaigns/", include("bangfu.consumption.campaigns.urls")),
    path("consumption/", include("bangfu.consumption.urls")),
    path("fieldwork/", include("bangfu.fieldwork.urls")),
    path("monitoring/", include("bangfu.monitoring.urls")),
    path("supermarket/", include("bangfu.supermarket.urls")),
    path("assistance/", include("bangfu.assistance.urls")),
    path("reports/", include("bangfu.reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False), name="api-docs"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
