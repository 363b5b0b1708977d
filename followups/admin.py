from django.contrib import admin

from .models import Callback, DeadlineEvent, DeadlinePolicy, Issue


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "active",
        "priority",
        "source",
        "category",
        "urgency",
        "counting",
        "reply_within",
        "reply_unit",
        "callback_within_days",
        "followup_every_days",
        "tell_leader",
    ]
    list_filter = ["active", "counting"]


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    # read-only here: changes go through the portal so that every step is audited and deadlines recomputed
    list_display = ["pk", "estate", "committee", "raised_at", "status", "assignee", "reply_due_at", "callback_due_at"]
    list_filter = ["status", "estate"]
    search_fields = ["description", "title", "raised_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Callback)
class CallbackAdmin(admin.ModelAdmin):
    list_display = ["issue", "called_at", "method", "person_reached", "satisfaction", "on_time"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(DeadlineEvent)
class DeadlineEventAdmin(admin.ModelAdmin):
    list_display = ["issue", "deadline", "due_at", "level", "event_at", "recorded_at", "job", "skipped"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
