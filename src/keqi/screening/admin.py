from django.contrib import admin

from keqi.registry.admin import ReadOnlyAdmin

from .models import ScreeningRun


@admin.register(ScreeningRun)
class ScreeningRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "assess_on", "reporting_unit", "status", "firms", "engine", "created_at", "finished_at")
    list_filter = ("status", "reporting_unit")
    list_select_related = ("reporting_unit",)
