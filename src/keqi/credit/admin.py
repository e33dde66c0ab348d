from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from keqi.registry.admin import ReadOnlyAdmin

from .models import CreditPolicy, Default, FundEntry, Loan, Repayment


@admin.register(CreditPolicy)
class CreditPolicyAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("lpr_one_year", "breaker_loss_ratio")


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("enterprise", "bank", "amount", "grade", "granted_on", "due_on", "status", "reporting_unit")
    list_filter = ("status", "bank", "reporting_unit")
    search_fields = ("enterprise__name", "enterprise__uscc", "bank")
    list_select_related = ("enterprise", "reporting_unit")


@admin.register(Repayment)
class RepaymentAdmin(ReadOnlyAdmin):
    list_display = ("loan", "paid_on", "principal", "interest")


@admin.register(Default)
class DefaultAdmin(ReadOnlyAdmin):
    list_display = ("loan", "recorded_on", "overdue_principal", "compensation", "city_share", "district_share")


@admin.register(FundEntry)
class FundEntryAdmin(ReadOnlyAdmin):
    list_display = ("reporting_unit", "kind", "amount", "city_part", "district_part", "entry_on", "memo")
    list_filter = ("kind", "reporting_unit")
