from django.urls import path

from . import views

app_name = "attachments"

urlpatterns = [
    path("<int:pk>/", views.file, name="file"),
    path("<int:pk>/thumbnail/", views.thumbnail, name="thumbnail"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("public/<int:pk>/", views.public_file, name="public-file"),
    path("public/<int:pk>/thumbnail/", views.public_thumbnail, name="public-thumbnail"),
    path("of/<str:key>/<int:pk>/", views.panel, name="panel"),
]
