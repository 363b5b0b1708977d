from django.contrib import admin
from django.utils import timezone

from liaison.models import audit

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "name", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # tokens are created by their owner on /api/tokens/ (shown once)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        now = timezone.now()
        for token in queryset.filter(revoked_at__isnull=True):
            if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now) == 1:
                audit(token, "api_token_revoked", actor=request.user, now=now, changes={"by": "admin"})
