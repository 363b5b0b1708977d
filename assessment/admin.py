from django.contrib import admin

from .models import AssessmentMonth, ProvisionalSnapshot


@admin.register(AssessmentMonth)
class AssessmentMonthAdmin(admin.ModelAdmin):
    """Read-only: months are closed and recomputed from the dashboard, where it is audited."""

    list_display = ["__str__", "closed_at", "closed_by", "computed_at", "recomputed_count"]
    readonly_fields = [
        "year",
        "month",
        "closed_at",
        "closed_by",
        "computed_at",
        "recomputed_count",
        "weights",
        "totals",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProvisionalSnapshot)
class ProvisionalSnapshotAdmin(admin.ModelAdmin):
    """Read-only: written by the refresh job and the month page's "refresh now"."""

    list_display = ["year", "month", "computed_at"]
    fields = ["year", "month", "computed_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
