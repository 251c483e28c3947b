from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("changes/", views.ChangeListView.as_view(), name="change-list"),
    path("access/", views.AccessLogListView.as_view(), name="access-list"),
    path("verify/", views.ledger_verify, name="verify"),
]
