"""One-time secrets sent by SMS (liaison.otp): a sign-in link and a signing code.

Only a keyed hash of the secret is stored (`secret_hash`); the secret itself exists in the SMS and in
the member's hands. A row is used at most once (`used_at`, set by a conditional UPDATE), expires at
`expires_at`, and counts wrong tries in `attempts`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SmsChallenge(models.Model):
    class Purpose(models.TextChoices):
        LOGIN = "login", _("Sign-in link")
        SIGN = "sign", _("Signing code")

    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=11)
    # what the secret may be used for: "" (sign in) or "signoff:<request id>" (sign that request)
    target = models.CharField(max_length=50, blank=True)
    nonce = models.CharField(max_length=32)
    secret_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("SMS one-time secret")
        verbose_name_plural = _("SMS one-time secrets")
        indexes = [models.Index(fields=["user", "purpose", "target", "-created_at"], name="otp_latest_for_user")]

    def __str__(self):
        return f"{self.purpose} {self.user_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def phone_last4(self):
        return self.phone[-4:]
