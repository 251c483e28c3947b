from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("households/", views.HouseholdListView.as_view(), name="household-list"),
    path("households/new/", views.HouseholdCreateView.as_view(), name="household-create"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household-detail"),
    path("households/<int:pk>/edit/", views.HouseholdEditView.as_view(), name="household-edit"),
    path("households/<int:pk>/members/new/", views.PersonAddView.as_view(), name="person-add"),
    path("households/<int:pk>/income/", views.IncomeView.as_view(), name="income"),
    path("households/<int:pk>/status/", views.StatusChangeView.as_view(), name="status-change"),
    path("households/<int:pk>/pairings/new/", views.PairingView.as_view(), name="pairing"),
    path("persons/", views.PersonListView.as_view(), name="person-list"),
    path("persons/<int:pk>/edit/", views.PersonEditView.as_view(), name="person-edit"),
    path("persons/<int:pk>/move/", views.PersonMoveView.as_view(), name="person-move"),
]
