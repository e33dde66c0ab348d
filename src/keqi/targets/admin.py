from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from keqi.registry.admin import ReadOnlyAdmin

from .models import IndicatorValue, Target, ValueImport


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Targets are set on the targets pages (a source is required, every change kept with who and why)."""

    list_display = ("year", "indicator", "scope_key", "value", "source")
    list_filter = ("year", "indicator")


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("as_of", "indicator", "year", "scope_key", "value", "source")
    list_filter = ("indicator", "year")


@admin.register(ValueImport)
class ValueImportAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "created_at", "uploaded_by", "status", "rows", "error_count")
    list_filter = ("status",)
