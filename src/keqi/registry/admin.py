from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AnnualReport, Enterprise, ExportFile, ImportBatch, Qualification, ReportingUnit


@admin.register(ReportingUnit)
class ReportingUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "zone")
    list_filter = ("kind", "zone")


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    list_display = ("name", "uscc", "reporting_unit", "registered_on", "hitech_field", "status")
    list_filter = ("reporting_unit", "hitech_field", "status")
    search_fields = ("name", "uscc")
    list_select_related = ("reporting_unit",)


@admin.register(AnnualReport)
class AnnualReportAdmin(SimpleHistoryAdmin):
    list_display = ("enterprise", "fiscal_year", "staff_total", "revenue", "rd_expense")
    list_filter = ("fiscal_year",)
    search_fields = ("enterprise__name", "enterprise__uscc")
    list_select_related = ("enterprise",)
    raw_id_fields = ("enterprise",)


@admin.register(Qualification)
class QualificationAdmin(SimpleHistoryAdmin):
    list_display = ("enterprise", "kind", "number", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("enterprise__name", "enterprise__uscc", "number")
    raw_id_fields = ("enterprise",)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("original_name", "created_at", "uploaded_by", "status", "rows", "error_count")
    list_filter = ("status",)
    readonly_fields = ("sha256", "errors", "summary")


@admin.register(ExportFile)
class ExportFileAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "requested_by", "status", "enterprises", "rows")
    list_filter = ("status",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the admin shows but does not change: they are written only through their app's services, whose
    rules (all-or-nothing imports, the fund's splits, a screening's completeness) the admin would skip."""

    show_full_result_count = False  # no second COUNT(*) over a large table

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
