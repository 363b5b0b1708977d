"""A user's API tokens end with their password or their account (issue 22): when a saved User's password
hash differs from the stored one (a change on the password page, a reset, the admin, set_unusable_password)
or the account is switched off, every active token of theirs is revoked in the same transaction, as the
sessions end (Django's session hash is derived from the password). Connected in ApiConfig.ready().
"""

from django.db import transaction
from django.utils import timezone

from liaison.models import audit

from .models import ApiToken

_BEFORE = "_api_tokens_before_save"


def remember_credentials(sender, instance, raw=False, update_fields=None, **kwargs):
    """pre_save: the stored password hash and is_active, when this save may change them."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. the login's last_login update: no query
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", "is_active").first()
    setattr(instance, _BEFORE, stored)


def revoke_on_credentials_change(sender, instance, created=False, raw=False, **kwargs):
    """post_save: revoke the user's active tokens when the password changed or the account was disabled."""
    stored = instance.__dict__.pop(_BEFORE, None)
    if raw or created or stored is None:
        return
    password, was_active = stored
    if password == instance.password and (instance.is_active or not was_active):
        return
    reason = "password_changed" if password != instance.password else "account_disabled"
    revoke_all(instance, reason=reason)


def revoke_all(user, *, reason, now=None):
    """Revoke every active token of `user` (conditional UPDATE per token, one audit row each)."""
    now = now or timezone.now()
    revoked = 0
    with transaction.atomic():
        for token in ApiToken.objects.active().filter(user=user):
            if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now) == 1:
                audit(token, "api_token_revoked", job=reason, now=now, changes={"name": token.name, "reason": reason})
                revoked += 1
    return revoked
