"""Admin for notifications: group robots, estate mutes, deliveries with their attempts.

Failed deliveries are listed under "Deliveries" (filter: status = failed) with every attempt's time
and result; the "send again" action starts a new round. Imported by liaison.notification_urls (and
meant to be imported by liaison.admin); it replaces the basic Delivery admin registered there.
"""

import urllib.parse

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from . import delivery as delivery_rules
from .models import (
    Delivery,
    DeliveryAttempt,
    EstateMute,
    GroupMessage,
    NotificationPreference,
    RobotWebhook,
    SmsTemplate,
    WeChatBinding,
    WeChatTemplate,
)
from .notify import enqueue_delivery


class RobotWebhookForm(forms.ModelForm):
    url = forms.URLField(
        label=_("webhook URL"),
        max_length=500,
        assume_scheme="https",
        help_text=RobotWebhook._meta.get_field("url").help_text,
    )
    secret = forms.CharField(
        label=_("signing secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=RobotWebhook._meta.get_field("secret").help_text,
    )
    clear_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)

    class Meta:
        model = RobotWebhook
        fields = ["estate", "name", "provider", "url", "secret", "clear_secret", "format", "kinds", "active"]

    def clean_secret(self):
        value = self.cleaned_data.get("secret", "")
        if not value and self.instance.pk:
            return self.instance.secret  # left empty: keep the stored secret (it is never shown)
        return value

    def clean(self):
        data = super().clean()
        if data.get("clear_secret"):
            data["secret"] = ""
            self.instance.secret = ""
        return data


@admin.register(RobotWebhook)
class RobotWebhookAdmin(admin.ModelAdmin):
    form = RobotWebhookForm
    list_display = ("name", "estate", "provider", "host", "format", "kinds", "active", "signed")
    list_filter = ("provider", "active")
    search_fields = ("name", "estate__name")

    @admin.display(description=pgettext_lazy("server", "host"))
    def host(self, obj):
        return urllib.parse.urlsplit(obj.url).hostname  # the rest of the URL holds the robot's key

    @admin.display(description=_("signed"), boolean=True)
    def signed(self, obj):
        return bool(obj.secret)


@admin.register(EstateMute)
class EstateMuteAdmin(admin.ModelAdmin):
    list_display = ("estate", "channel", "category", "created")
    list_filter = ("channel", "category")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "category", "email", "sms")
    list_filter = ("category", "email", "sms")
    search_fields = ("user__username", "user__name")


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    """Each category's pre-approved SMS template (the model's clean checks the 70-character segment)."""

    list_display = ("category", "template_code", "text", "variables", "active")
    list_filter = ("active",)


@admin.register(WeChatTemplate)
class WeChatTemplateAdmin(admin.ModelAdmin):
    list_display = ("category", "template_id", "fields", "active")
    list_filter = ("active",)


@admin.register(WeChatBinding)
class WeChatBindingAdmin(admin.ModelAdmin):
    """Bindings are made by the member scanning the QR code; an administrator may only remove one."""

    list_display = ("user", "bound_at")
    search_fields = ("user__username", "user__name")
    readonly_fields = ("user", "openid", "bound_at")

    def has_add_permission(self, request):
        return False


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("started_at", "channel", "ok", "duration_ms", "result")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


if admin.site.is_registered(Delivery):
    admin.site.unregister(Delivery)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error")
    list_filter = ("status", "channel")
    search_fields = ("notification__subject", "group_message__subject", "last_error")
    readonly_fields = (
        "notification",
        "group_message",
        "webhook",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "held",
        "bundle",
        "provider_message_id",
    )
    inlines = [AttemptInline]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send the selected failed deliveries again"))
    def send_again(self, request, queryset):
        count = delivery_rules.retry(queryset)
        if count:
            enqueue_delivery()
        self.message_user(
            request,
            ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class GroupDeliveryInline(admin.TabularInline):
    model = Delivery
    fk_name = "group_message"
    extra = 0
    can_delete = False
    fields = ("webhook", "status", "attempts", "sent_at", "last_error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GroupMessage)
class GroupMessageAdmin(admin.ModelAdmin):
    list_display = ("created", "estate", "kind", "subject")
    list_filter = ("kind",)
    search_fields = ("subject", "key")
    readonly_fields = ("estate", "kind", "key", "subject", "body", "url", "created")
    inlines = [GroupDeliveryInline]

    def has_add_permission(self, request):
        return False
