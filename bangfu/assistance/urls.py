from django.urls import path

from . import views

app_name = "assistance"

urlpatterns = [
    path("partnerships/", views.PartnershipListView.as_view(), name="partnership-list"),
    path("partnerships/new/", views.PartnershipCreateView.as_view(), name="partnership-create"),
    path("partnerships/<int:pk>/", views.PartnershipDetailView.as_view(), name="partnership-detail"),
    path("projects/", views.ProjectListView.as_view(), name="project-list"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="project-create"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<int:pk>/edit/", views.ProjectEditView.as_view(), name="project-edit"),
    path("projects/<int:pk>/funds/new/", views.FundEntryCreateView.as_view(), name="fund-entry-create"),
    path("funds/<int:pk>/reverse/", views.FundEntryReverseView.as_view(), name="fund-entry-reverse"),
]
