from django.contrib import admin

from .models import ImportantMatter, MatterPolicy, SignoffRequest, WorkContactSheet, WorkPlan


@admin.register(WorkContactSheet)
class WorkContactSheetAdmin(admin.ModelAdmin):
    list_display = ["number", "subject", "estate", "committee", "direction", "status", "issued_on"]
    list_filter = ["status", "direction", "estate"]
    search_fields = ["subject", "number"]


@admin.register(SignoffRequest)
class SignoffRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "estate", "committee", "status", "created_at", "completed_at"]
    list_filter = ["status", "estate"]
    readonly_fields = ["public_code"]

    def has_change_permission(self, request, obj=None):
        return False  # signatures and versions change only through the portal's rules


@admin.register(WorkPlan)
class WorkPlanAdmin(admin.ModelAdmin):
    list_display = ["estate", "year", "month", "status"]
    list_filter = ["status", "estate"]


@admin.register(MatterPolicy)
class MatterPolicyAdmin(admin.ModelAdmin):
    # §4.1.6: by when each kind of matter must be raised with the 业委会 (editable)
    list_display = ["kind", "raise_within_days", "remind_before_hours", "escalate_after_hours"]


@admin.register(ImportantMatter)
class ImportantMatterAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "estate", "committee", "known_at", "raise_by", "raised_at"]
    list_filter = ["kind", "estate"]
    search_fields = ["title"]

    def has_change_permission(self, request, obj=None):
        return False  # through the portal's action (audit row, the scan's clock)
