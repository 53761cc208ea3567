from django.urls import path

from . import views

app_name = "budget"
urlpatterns = [
    path("", views.index, name="index"),
    path("lines/<int:pk>/", views.line_detail, name="line_detail"),
    path("ledger/", views.ledger, name="ledger"),
    path("import/", views.import_lines, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("export/", views.export, name="export"),
    path("exports/<uuid:pk>/", views.export_job, name="export_job"),
    path("exports/<uuid:pk>/progress/", views.export_progress, name="export_progress"),
    path("exports/<uuid:pk>/download/", views.export_download, name="export_download"),
]
