from django.contrib import admin

from .models import AssessmentMonth


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
