from django.urls import path

app_name = "assets"
urlpatterns: list = []
