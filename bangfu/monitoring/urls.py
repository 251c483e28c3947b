from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.board, name="board"),
    path("quality/", views.quality, name="quality"),
    path("thresholds/", views.ThresholdListView.as_view(), name="threshold-list"),
    path("thresholds/new/", views.ThresholdCreateView.as_view(), name="threshold-create"),
    path("thresholds/<int:pk>/", views.ThresholdEditView.as_view(), name="threshold-edit"),
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/new/", views.event_create, name="event-create"),
    path("flags/", views.FlagListView.as_view(), name="flag-list"),
    path("flags/run/", views.rules_run, name="rules-run"),
    path("flags/<int:pk>/", views.flag_detail, name="flag-detail"),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/new/", views.case_create, name="case-create"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/notice/", views.notice, name="case-notice"),
]
