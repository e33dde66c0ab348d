from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CultivationTask, LadderTier, TierRecord


@admin.register(LadderTier)
class LadderTierAdmin(SimpleHistoryAdmin):
    """The tier ladder: the city administrator edits it here; every change is kept with who and when."""

    list_display = ("level", "key", "label_zh", "label_en", "qualification_kinds", "entry_families")
    ordering = ("level",)


@admin.register(TierRecord)
class TierRecordAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "year", "tier", "source", "next_edition", "next_verdict", "recorded_at")
    list_filter = ("year", "tier", "source")
    search_fields = ("enterprise__name", "enterprise__uscc")
    list_select_related = ("enterprise", "tier")
    raw_id_fields = ("enterprise", "run")


@admin.register(CultivationTask)
class CultivationTaskAdmin(SimpleHistoryAdmin):
    list_display = ("enterprise", "kind", "title", "assigned_to", "due_on", "status", "outcome")
    list_filter = ("kind", "status", "outcome")
    search_fields = ("enterprise__name", "enterprise__uscc", "title")
    list_select_related = ("enterprise", "assigned_to")
    raw_id_fields = ("enterprise",)
