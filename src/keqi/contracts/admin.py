from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from keqi.registry.admin import ReadOnlyAdmin

from .models import ContractImport, TechContract


@admin.register(TechContract)
class TechContractAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("number", "title", "category", "seller_name", "buyer_name", "registered_on", "contract_amount",
                    "reporting_unit", "status")
    list_filter = ("status", "category", "reporting_unit")
    search_fields = ("number", "title", "seller_name", "buyer_name", "seller_uscc", "buyer_uscc")
    list_select_related = ("reporting_unit",)


@admin.register(ContractImport)
class ContractImportAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "created_at", "uploaded_by", "status", "rows", "error_count")
    list_filter = ("status",)
