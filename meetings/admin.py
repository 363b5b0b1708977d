from django.contrib import admin

from .models import CadencePeriod, CadenceRule, Contact, Meeting, MeetingKind, VoteRule


@admin.register(MeetingKind)
class MeetingKindAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "name_en",
        "code",
        "committee_kinds",
        "requires_approval",
        "min_notice_days",
        "is_emergency",
        "quorum",
        "majority",
        "allows_consensus",
        "active",
    ]
    list_editable = ["active"]


@admin.register(VoteRule)
class VoteRuleAdmin(admin.ModelAdmin):
    """A committee's own quorum and majority for a kind (a 业委会's rules of procedure)."""

    list_display = ["committee", "kind", "quorum", "majority", "allows_consensus", "clause"]
    list_filter = ["quorum", "majority"]


@admin.register(CadenceRule)
class CadenceRuleAdmin(admin.ModelAdmin):
    list_display = ["estate", "name", "committee_kind", "min_count", "period", "at_risk_days", "active"]
    list_filter = ["estate", "committee_kind", "period", "active"]
    filter_horizontal = ["kinds"]


@admin.register(CadencePeriod)
class CadencePeriodAdmin(admin.ModelAdmin):
    list_display = [
        "estate",
        "rule",
        "period_start",
        "period_end",
        "status",
        "held_count",
        "required_count",
        "closed_at",
    ]
    list_filter = ["status", "estate"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "estate", "committee", "kind", "starts_at", "status", "notice_override"]
    list_filter = ["status", "estate", "kind"]
    readonly_fields = [f.name for f in Meeting._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Read-only: contacts are recorded through actions.record_contact (audit row)."""

    list_display = ["occurred_at", "kind", "estate", "committee", "staff"]
    list_filter = ["kind", "estate"]
    readonly_fields = [f.name for f in Contact._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
