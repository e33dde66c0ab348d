from django.urls import path

from . import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("export.xlsx", views.contract_export, name="export"),
    path("template.xlsx", views.template_download, name="template"),
    path("imports/new/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("statistics/", views.statistics, name="statistics"),
    path("enterprises/<str:uscc>/", views.enterprise_contracts, name="enterprise"),
]
