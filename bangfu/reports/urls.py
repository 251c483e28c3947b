from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("scorecard/", views.scorecard, name="scorecard"),
    path("scorecard/export/", views.scorecard_export, name="scorecard-export"),
    path("scorecard/publish/", views.snapshot_publish, name="snapshot-publish"),
    path("compare/", views.compare, name="compare"),
    path("snapshots/", views.snapshot_list, name="snapshot-list"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot-detail"),
    path("records/<str:key>/", views.RecordListView.as_view(), name="records"),
]
