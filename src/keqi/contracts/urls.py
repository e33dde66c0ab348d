from django.urls import path

from . import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("export.xlsx", views.contract_export, name="export"),
    path("template.xlsx", views.template_download, name="template"),
    *views.uploads.urls(),  # imports/: history, new/, <pk>/, <pk>/apply/, <pk>/retry/
    path("statistics/", views.statistics, name="statistics"),
    path("enterprises/<str:uscc>/", views.enterprise_contracts, name="enterprise"),
]
