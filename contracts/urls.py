from django.urls import path

from . import views

app_name = "contracts"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/pay/", views.payment_request, name="payment_request"),
    path("<int:pk>/supplement/", views.supplement_request, name="supplement_request"),
    path("payments/", views.payment_list, name="payment_list"),
    path("payments/<int:pk>/", views.payment_detail, name="payment_detail"),
    path("payments/<int:pk>/pay/", views.payment_pay, name="payment_pay"),
]
