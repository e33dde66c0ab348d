from django.urls import path

from . import views

app_name = "targets"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("allocations/", views.allocations, name="allocations"),
    path("units/<int:pk>/", views.unit_page, name="unit"),
    path("report/", views.report, name="report"),
    path("report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("values/", views.values, name="values"),
    path("values/template.xlsx", views.values_template, name="values_template"),
    *views.uploads.urls(),  # values/imports/: history, new/, <pk>/, <pk>/apply/, <pk>/retry/
]
