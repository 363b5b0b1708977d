"""Notifications: the inbox, the outbox of deliveries, group robots, preferences and mutes.

A message is written in the same transaction as the event that causes it; delivery to outside
channels happens later (Celery, after commit) from `Delivery` rows. Unique keys make a repeated
event (a scan run twice) a no-op. See docs/notifications.md for the delivery promise.
"""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

# Kinds are strings chosen by the apps ("meeting.notice", "issue.overdue", ...); preferences and
# mutes work on the part before the first dot. Unknown prefixes fall under "other".
KIND_CATEGORIES = [
    ("meeting", _("Meetings")),
    ("cadence", _("Meeting cadence")),
    ("issue", _("Issues and follow-ups")),
    ("signoff", _("Sign-off of records")),
    ("digest", _("Daily digest")),
    ("other", _("Other messages")),
]
KNOWN_CATEGORIES = {c for c, _label in KIND_CATEGORIES}
# SMS that are no notification (liaison.otp): a one-time sign-in link and a signing code; they have an
# approved template each but no preference (they are sent only when the member asks for them)
OTP_CATEGORIES = [
    ("login", _("Sign-in link by SMS")),
    ("code", _("Signing code by SMS")),
]
SMS_TEMPLATE_CATEGORIES = KIND_CATEGORIES + OTP_CATEGORIES


def kind_category(kind):
    prefix = (kind or "").split(".", 1)[0]
    return prefix if prefix in KNOWN_CATEGORIES else "other"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    estate = models.ForeignKey(
        "liaison.Estate", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("estate")
    )
    kind = models.CharField(_("kind"), max_length=50)
    # (object, event, deadline, recipient): a database constraint makes each message happen once
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    # structured content for richer rendering (the digest's sections); the text is in `body`
    data = models.JSONField(default=dict, blank=True)
    # the item the message is about (its page's path, e.g. /issues/12/): acting on the item marks the
    # recipient's messages about it read (liaison.notify.acted_on)
    about = models.CharField(max_length=300, blank=True, default="")
    # subject and body in the portal's other languages ({"en": {"subject": …, "body": …}}), rendered when
    # the message was stored: the inbox and the email show the reader's language (see text_in)
    texts = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]
        indexes = [
            # serves the header's unread count: WHERE recipient_id = ? AND read_at IS NULL
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            # serves the inbox list: WHERE recipient_id = ? ORDER BY created DESC
            models.Index(fields=["recipient", "-created"], name="notification_inbox"),
        ]

    def __str__(self):
        return self.subject

    def text_in(self, language):
        """(subject, body) in `language` when the message has it, else as stored."""
        other = (self.texts or {}).get(language) if isinstance(self.texts, dict) else None
        if isinstance(other, dict):
            return other.get("subject", self.subject), other.get("body", self.body)
        return self.subject, self.body

    @property
    def shown_subject(self):
        """The subject in the active language (the reader's)."""
        return self.text_in(translation.get_language())[0]

    @property
    def shown_body(self):
        return self.text_in(translation.get_language())[1]


class RobotWebhook(models.Model):
    """An estate's group-chat robot (企业微信 / 钉钉 / 飞书). Configured by administrators."""

    class Provider(models.TextChoices):
        WECOM = "wecom", _("WeCom (企业微信)")
        DINGTALK = "dingtalk", _("DingTalk (钉钉)")
        FEISHU = "feishu", _("Feishu (飞书)")

    class Format(models.TextChoices):
        TEXT = "text", _("Plain text")
        MARKDOWN = "markdown", _("Markdown")

    estate = models.ForeignKey(
        "liaison.Estate", verbose_name=_("estate"), on_delete=models.CASCADE, related_name="robot_webhooks"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. the group chat's name"))
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    url = models.URLField(
        _("webhook URL"),
        max_length=500,
        help_text=_("The robot's address as the group chat shows it; https only."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "DingTalk or Feishu 'signature' security setting (starts with SEC for DingTalk); leave empty if not used."
        ),
    )
    format = models.CharField(_("message format"), max_length=10, choices=Format.choices, default=Format.MARKDOWN)
    kinds = models.CharField(
        _("message kinds"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated: meeting, cadence, issue, signoff, digest, other. Empty: all kinds."),
    )
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["estate__name", "name"]

    def __str__(self):
        return f"{self.estate} · {self.name} ({self.get_provider_display()})"

    def accepts(self, kind):
        wanted = {k.strip() for k in self.kinds.split(",") if k.strip()}
        return not wanted or kind_category(kind) in wanted

    def clean(self):
        from django.core.exceptions import ValidationError

        from liaison.webhooks import WebhookURLError, validate_webhook_url

        if self.url:
            try:
                validate_webhook_url(self.url)
            except WebhookURLError as exc:
                raise ValidationError({"url": str(exc)})
        wanted = {k.strip() for k in self.kinds.split(",") if k.strip()}
        unknown = wanted - KNOWN_CATEGORIES
        if unknown:
            raise ValidationError({"kinds": _("Unknown kinds: %(kinds)s") % {"kinds": ", ".join(sorted(unknown))}})


class GroupMessage(models.Model):
    """One message to an estate's group chat(s), once per key (notify_group)."""

    estate = models.ForeignKey(
        "liaison.Estate", verbose_name=_("estate"), on_delete=models.CASCADE, related_name="group_messages"
    )
    kind = models.CharField(_("kind"), max_length=50)
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("group message")
        verbose_name_plural = _("group messages")
        ordering = ["-created", "-id"]

    def __str__(self):
        return self.subject


class Delivery(models.Model):
    """One message on one outside channel: claimed before sending, marked after."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEBHOOK = "webhook", _("Group robot")
        SMS = "sms", _("SMS")
        WECHAT = "wechat", _("WeChat")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # held for quiet hours and read in the portal (or acted on) before the daytime came: not sent
        SKIPPED = "skipped", _("Not sent: already read")

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    group_message = models.ForeignKey(
        GroupMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    webhook = models.ForeignKey(
        RobotWebhook, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # sent again after a worker died between sending and marking it (an email is resent once at most)
    resent = models.BooleanField(_("sent again after an interruption"), default=False)
    # the provider's id of the message (an SMS's BizId / SerialNo), stored when it is marked sent
    provider_message_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    # held for the recipient's quiet hours (liaison/quiet.py): due at the start of the next daytime
    # window, when the recipient's held messages go out together as one
    held = models.BooleanField(_("held for quiet hours"), default=False)
    # the delivery whose message carried this one (a bundle of held messages)
    bundle = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="bundled", verbose_name=_("sent with")
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"],
                condition=Q(notification__isnull=False),
                name="delivery_once_per_channel",
            ),
            models.UniqueConstraint(
                fields=["group_message", "webhook"],
                condition=Q(group_message__isnull=False),
                name="delivery_once_per_robot",
            ),
            models.CheckConstraint(
                condition=(Q(notification__isnull=False, group_message__isnull=True, webhook__isnull=True))
                | Q(notification__isnull=True, group_message__isnull=False, webhook__isnull=False),
                name="delivery_one_target",
            ),
        ]
        indexes = [
            # serves the delivery loop: WHERE status IN (pending, sending) ORDER BY next_attempt_at
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="delivery_due",
            ),
        ]

    def __str__(self):
        target = self.notification or self.group_message
        return f"{target} · {self.get_channel_display()} · {self.get_status_display()}"


class DeliveryAttempt(models.Model):
    """Each try on a channel: when, how long, and what came back."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    channel = models.CharField(_("channel"), max_length=20, choices=Delivery.Channel.choices)
    started_at = models.DateTimeField(_("time"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    ok = models.BooleanField(_("succeeded"), default=False)
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["started_at", "id"]


class NotificationPreference(models.Model):
    """A user's choice of email for one category of messages (the inbox is always on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(_("kind"), max_length=20, choices=KIND_CATEGORIES)
    email = models.BooleanField(_("email"), default=True)
    # SMS costs money and reaches a phone at once: a member asks for it (off when no row says otherwise)
    sms = models.BooleanField(_("SMS"), default=False)
    # WeChat reaches only those who bound their account (itself the choice): on unless turned off
    wechat = models.BooleanField(_("WeChat"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="preference_once_per_category")]


SMS_SEGMENT = 70  # characters of one Chinese SMS segment, the signature included
SMS_VARIABLE_LIMIT = 35  # the providers' limit on one variable's value
SMS_VARIABLES = {
    "subject": _("the message's subject"),
    "estate": _("the estate's name"),
    "time": _("when the message was stored (12月1日 22:07)"),
    "link": _("the one-time sign-in link (sign-in link template only)"),
    "code": _("the 6-digit signing code (signing code template only)"),
}
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def fill(text, values):
    """`text` with each ${name} replaced by its value, nothing shortened (a link or a code must stay whole)."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), text)


def _cut(value, limit):
    return value if len(value) <= limit else value[: limit - 1] + "…"


def sms_fixed_length(text, sign):
    """Characters of the message without its variables' values: the signature 【…】 and the template."""
    return len(f"【{sign}】") + len(_PLACEHOLDER.sub("", text))


class SmsTemplate(models.Model):
    """The pre-approved SMS template (模板) for one category of messages: its code at the provider, its
    approved text with ${name} placeholders, and the variables in the order the provider wants them."""

    category = models.CharField(_("kind"), max_length=20, choices=SMS_TEMPLATE_CATEGORIES, unique=True)
    template_code = models.CharField(
        _("template code"),
        max_length=50,
        help_text=_("As approved by the SMS provider: SMS_123456789 (Alibaba Cloud) or a number (Tencent Cloud)."),
    )
    text = models.CharField(
        _("approved text"),
        max_length=200,
        help_text=_("The template's text as approved, with ${subject}, ${estate} or ${time} where the values go."),
    )
    variables = models.CharField(
        _("variables"),
        max_length=100,
        blank=True,
        help_text=_(
            "Comma-separated, in the provider's order (Tencent Cloud numbers them {1}, {2}…): subject, estate, time."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")
        ordering = ["category"]

    def __str__(self):
        return f"{self.get_category_display()} · {self.template_code}"

    def variable_names(self):
        return [v.strip() for v in self.variables.split(",") if v.strip()]

    def clean(self):
        from django.core.exceptions import ValidationError

        from liaison.sms import sign_name

        names = self.variable_names()
        unknown = [n for n in names if n not in SMS_VARIABLES]
        if unknown:
            raise ValidationError({"variables": _("Unknown variables: %(names)s") % {"names": ", ".join(unknown)}})
        used = _PLACEHOLDER.findall(self.text or "")
        if sorted(set(used)) != sorted(set(names)):
            raise ValidationError(
                {
                    "variables": _("The variables must be exactly those in the text: %(names)s")
                    % {"names": ", ".join(used) or "—"}
                }
            )
        room = SMS_SEGMENT - sms_fixed_length(self.text or "", sign_name())
        if room < 4 * max(len(names), 1):
            raise ValidationError(
                {
                    "text": _(
                        "With the signature the text leaves %(room)s characters for the values: an SMS segment "
                        "holds %(limit)s characters. Shorten the text."
                    )
                    % {"room": room, "limit": SMS_SEGMENT}
                }
            )

    def render(self, values, sign):
        """(params [(name, value)], the message as read) fitted into one 70-character segment: the subject
        is shortened first ("…"), then the estate's name."""
        names = self.variable_names()
        params = {n: _cut(str(values.get(n, "")), SMS_VARIABLE_LIMIT) for n in names}
        room = SMS_SEGMENT - sms_fixed_length(self.text, sign)
        for name in ("subject", "estate", "time"):
            over = sum(len(v) for v in params.values()) - room
            if over > 0 and name in params and params[name]:
                value = params[name]
                params[name] = value[: max(len(value) - over - 1, 1)] + "…"
        text = f"【{sign}】" + _PLACEHOLDER.sub(lambda m: params.get(m.group(1), ""), self.text)
        return [(n, params[n]) for n in names], text


class WeChatTemplate(models.Model):
    """The official account's template message for one category: its template id and which value goes
    into each of the template's fields (e.g. thing1=subject, thing2=estate, time3=time)."""

    category = models.CharField(_("kind"), max_length=20, choices=KIND_CATEGORIES, unique=True)
    template_id = models.CharField(_("template id"), max_length=100)
    fields = models.CharField(
        _("fields"),
        max_length=200,
        help_text=_("Comma-separated field=value pairs; values: subject, estate, time. E.g. thing1=subject,time2=time"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("WeChat template")
        verbose_name_plural = _("WeChat templates")
        ordering = ["category"]

    def __str__(self):
        return f"{self.get_category_display()} · {self.template_id}"

    def pairs(self):
        result = []
        for part in self.fields.split(","):
            name, _sep, source = part.partition("=")
            if name.strip():
                result.append((name.strip(), source.strip()))
        return result

    def clean(self):
        from django.core.exceptions import ValidationError

        pairs = self.pairs()
        bad = [f"{n}={s}" for n, s in pairs if s not in SMS_VARIABLES]
        if not pairs or bad:
            raise ValidationError({"fields": _("Write field=value pairs with the values subject, estate or time.")})

    def data(self, values):
        # WeChat cuts a "thing" field at 20 characters and refuses longer ones: keep within it
        return {name: {"value": _cut(str(values.get(source, "")), 20)} for name, source in self.pairs()}


class WeChatBinding(models.Model):
    """A portal user bound to their WeChat (the official account's openid for them)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wechat", verbose_name=_("user")
    )
    openid = models.CharField(max_length=64, unique=True)
    bound_at = models.DateTimeField(_("bound at"), default=timezone.now)

    class Meta:
        verbose_name = _("WeChat binding")
        verbose_name_plural = _("WeChat bindings")


class WeChatBindTicket(models.Model):
    """A one-time binding ticket: the scene of the QR code shown on the user's profile page."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.CharField(max_length=64, unique=True)
    qr_url = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class EstateMute(models.Model):
    """An estate silences one outside channel, for one category of messages or (empty) for all."""

    estate = models.ForeignKey(
        "liaison.Estate", verbose_name=_("estate"), on_delete=models.CASCADE, related_name="channel_mutes"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Delivery.Channel.choices)
    category = models.CharField(
        _("kind"), max_length=20, choices=KIND_CATEGORIES, blank=True, help_text=_("Empty: every kind.")
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("estate channel mute")
        verbose_name_plural = _("estate channel mutes")
        constraints = [
            models.UniqueConstraint(fields=["estate", "channel", "category"], name="mute_once"),
        ]

    def __str__(self):
        return f"{self.estate} · {self.get_channel_display()} · {self.get_category_display() or '*'}"


class DigestRun(models.Model):
    """Claims one user's digest for one local day: the unique row makes it happen once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created = models.DateTimeField(default=timezone.now)
    items = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_day")]
