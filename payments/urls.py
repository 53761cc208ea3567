from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("history/", views.history, name="history"),
    path("case/<int:pk>/", views.case_pay, name="case"),
    path("<int:pk>/refund/", views.payment_refund, name="refund"),
    path("<int:pk>/void/", views.payment_void, name="void"),
]
