from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("jobs/", views.JobListView.as_view(), name="job-list"),
    path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="job-detail"),
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
    path("reveal/<str:key>/<int:pk>/", views.RevealView.as_view(), name="reveal"),
]
