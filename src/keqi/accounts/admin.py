from django.contrib import admin

from .models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "reporting_unit", "enterprise", "organisation")
    list_filter = ("role", "reporting_unit")
    search_fields = ("user__username", "enterprise__name", "enterprise__uscc")
    autocomplete_fields = ("enterprise",)
