from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    AuditEntry,
    Committee,
    CommitteeMember,
    Company,
    Department,
    Estate,
    Notification,
    StaffAssignment,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "name", "role", "department", "phone", "is_active")
    list_filter = ("role", "is_active", "department")
    search_fields = ("username", "name", "phone", "email")
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Portal"), {"fields": ("name", "role", "phone", "department", "language")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Portal"), {"fields": ("name", "role", "phone", "email")}),)


class AssignmentInline(admin.TabularInline):
    model = StaffAssignment
    extra = 1


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin):
    list_display = ("name", "district", "street_office", "company")
    search_fields = ("name", "address")
    inlines = [AssignmentInline]


class MemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ("name", "estate", "kind", "term_start", "term_end")
    list_filter = ("kind",)
    inlines = [MemberInline]


admin.site.register(Company)
admin.site.register(Department)


@admin.register(AuditEntry)
class AuditAdmin(admin.ModelAdmin):
    list_display = ("created", "actor", "actor_label", "action", "object_type", "object_id", "estate")
    list_filter = ("action", "object_type")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created", "recipient", "kind", "subject", "read_at")
    list_filter = ("kind",)


from . import admin_notifications  # noqa: E402, F401 - the notification admins
