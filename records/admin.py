from django.contrib import admin

from .models import SignoffRequest, WorkContactSheet, WorkPlan


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
