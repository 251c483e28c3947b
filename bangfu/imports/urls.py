from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.run_list, name="run-list"),
    path("<int:pk>/", views.run_detail, name="run-detail"),
    path("<int:pk>/apply/", views.run_apply, name="run-apply"),
    path("<int:pk>/errors.xlsx", views.errors_download, name="run-errors"),
    path("templates/<str:kind>.xlsx", views.template_download, name="template"),
]
