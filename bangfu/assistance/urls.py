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
    path("projects/<int:pk>/beneficiaries/new/", views.BeneficiaryAddView.as_view(), name="beneficiary-add"),
    path(
        "projects/<int:pk>/beneficiaries/count/",
        views.BeneficiaryCountView.as_view(),
        name="beneficiary-count",
    ),
    path("projects/<int:pk>/outcomes/new/", views.OutcomeRecordView.as_view(), name="outcome-record"),
    path("projects/<int:pk>/shares/new/", views.ShareholdingAddView.as_view(), name="shareholding-add"),
    path("projects/<int:pk>/dividends/run/", views.DividendRunView.as_view(), name="dividend-run"),
    path("projects/<int:pk>/disclosure/", views.DisclosureView.as_view(), name="disclosure"),
    path("activities/", views.ActivityListView.as_view(), name="activity-list"),
    path("activities/new/", views.ActivityCreateView.as_view(), name="activity-create"),
    path("activities/<int:pk>/", views.ActivityDetailView.as_view(), name="activity-detail"),
    path("helpers/", views.HelperListView.as_view(), name="helper-list"),
    path("helpers/new/", views.HelperCreateView.as_view(), name="helper-create"),
    path("helpers/<int:pk>/", views.HelperDetailView.as_view(), name="helper-detail"),
    path("helpers/<int:pk>/results/", views.HelperResultView.as_view(), name="helper-result"),
    path("feedback/", views.FeedbackListView.as_view(), name="feedback-list"),
    path("feedback/<int:pk>/", views.FeedbackHandleView.as_view(), name="feedback-handle"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("public/regions/<str:code>/", views.public_region, name="public-region"),
    path("public/organizations/<int:pk>/", views.public_organization, name="public-organization"),
    path("public/projects/<int:pk>/", views.public_project, name="public-project"),
]
