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
    path("compliance/", views.compliance, name="compliance"),
]
