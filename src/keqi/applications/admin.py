"""The admin: the city administrator corrects the working-day calendar and the filing windows here too
(the 工作日历 page is the everyday way); cases are read-only, they change only through their workflow."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Application, CalendarDay, CalendarYear, FilingWindow, PublicityBatch


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0


@admin.register(CalendarYear)
class CalendarYearAdmin(SimpleHistoryAdmin):
    list_display = ("year", "confirmed", "document", "edited")
    inlines = [CalendarDayInline]

    def save_model(self, request, obj, form, change):
        obj.edited = True
        super().save_model(request, obj, form, change)


@admin.register(FilingWindow)
class FilingWindowAdmin(SimpleHistoryAdmin):
    list_display = ("fiscal_year", "opens_on", "closes_on")


@admin.register(PublicityBatch)
class PublicityBatchAdmin(admin.ModelAdmin):
    list_display = ("title", "programme", "opens_on", "working_days", "closes_on", "status")
    readonly_fields = [f.name for f in PublicityBatch._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("pk", "enterprise", "programme", "state", "reporting_unit", "updated_at")
    list_filter = ("programme", "state")
    search_fields = ("enterprise__name", "enterprise__uscc", "number")
    readonly_fields = [f.name for f in Application._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
