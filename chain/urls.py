from django.urls import path

from . import views

app_name = "chain"
urlpatterns = [
    path("<slug:kind>/<int:pk>/", views.node, name="node"),
]
