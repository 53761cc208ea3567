from django.urls import path

app_name = "procurement"
urlpatterns: list = []
