from django.urls import path

from . import views

app_name = "procurement"
urlpatterns = [
    path("", views.index, name="index"),
    path("purchases/<int:pk>/", views.purchase_detail, name="purchase_detail"),
    path("results/", views.results, name="results"),
    path("thresholds/", views.thresholds, name="thresholds"),
    path("suppliers/", views.supplier_list, name="supplier_list"),
    path("suppliers/export.xlsx", views.supplier_export, name="supplier_export"),
    path("suppliers/totals/", views.supplier_totals, name="supplier_totals"),
    path("suppliers/totals/export.xlsx", views.supplier_totals_export, name="supplier_totals_export"),
    path("suppliers/new/", views.supplier_create, name="supplier_create"),
    path("suppliers/<int:pk>/", views.supplier_detail, name="supplier_detail"),
    path("suppliers/<int:pk>/edit/", views.supplier_edit, name="supplier_edit"),
    path("suppliers/<int:pk>/export.xlsx", views.supplier_records_export, name="supplier_records_export"),
    path("suppliers/<int:pk>/blacklist/", views.supplier_blacklist, name="supplier_blacklist"),
    path("suppliers/<int:pk>/qualifications/", views.qualification_add, name="qualification_add"),
]
