"""API tokens: one row per token a user created; only a SHA-256 of the secret is stored.

The secret is 32 random bytes (token_urlsafe), so a fast hash is enough: nobody can guess a preimage,
and a lookup by the hash's unique index finds the token in one query. The full token is shown once,
when it is created; afterwards only its prefix identifies it on the tokens page.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "lia_"
# last_used_at is written at most this often per token (a conditional UPDATE), not on every request
LAST_USED_RESOLUTION_SECONDS = 60


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. “OA system”."))
    # the first characters of the token, shown on the tokens page to tell tokens apart
    prefix = models.CharField(_("prefix"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def create_for(cls, user, name, *, now=None, expires_at=None):
        """Create a token; returns (token, raw secret). The raw secret is never stored."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name.strip()[:100],
            prefix=raw[:12],
            key_hash=hash_token(raw),
            created_at=now or timezone.now(),
            expires_at=expires_at,
        )
        return token, raw

    @property
    def is_active(self):
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    def touch(self, now):
        """Record use, at most once a minute per token (one conditional UPDATE)."""
        limit = now - datetime.timedelta(seconds=LAST_USED_RESOLUTION_SECONDS)
        ApiToken.objects.filter(pk=self.pk).filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=limit)).update(
            last_used_at=now
        )
