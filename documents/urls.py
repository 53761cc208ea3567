from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/", views.download, name="download"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/replace/", views.replace, name="replace"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
