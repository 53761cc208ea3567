from django.urls import path

app_name = "construction"
urlpatterns: list = []
