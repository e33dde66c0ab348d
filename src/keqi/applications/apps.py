from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "keqi.applications"
    verbose_name = "申报与年度填报"
