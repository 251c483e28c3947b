from django.urls import path

from . import views

app_name = "fieldwork"

urlpatterns = [
    path("teams/", views.TeamListView.as_view(), name="team-list"),
    path("teams/new/", views.TeamCreateView.as_view(), name="team-create"),
    path("teams/<int:pk>/", views.TeamDetailView.as_view(), name="team-detail"),
    path("teams/<int:pk>/edit/", views.TeamEditView.as_view(), name="team-edit"),
    path("teams/<int:pk>/members/new/", views.MemberAddView.as_view(), name="member-add"),
    path("members/<int:pk>/end/", views.MemberEndView.as_view(), name="member-end"),
    path("checkin/", views.checkin, name="checkin"),
    path("leave/", views.LeaveListView.as_view(), name="leave-list"),
    path("leave/new/", views.leave_request, name="leave-request"),
    path("leave/<int:pk>/", views.leave_decide, name="leave-decide"),
    path("leave/<int:pk>/cancel/", views.leave_cancel, name="leave-cancel"),
    path("holidays/", views.holidays, name="holiday-list"),
    path("holidays/<int:pk>/delete/", views.holiday_delete, name="holiday-delete"),
    path("compliance/", views.compliance, name="compliance"),
    path("visits/", views.VisitListView.as_view(), name="visit-list"),
    path("visits/new/", views.visit_create, name="visit-create"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit-detail"),
    path("needs/", views.NeedListView.as_view(), name="need-list"),
    path("needs/<int:pk>/", views.NeedEditView.as_view(), name="need-edit"),
    path("coverage/", views.CoverageListView.as_view(), name="coverage"),
]
