"""Writes of the api app: creating a user's API token (the portal page /api/tokens/ calls this)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from liaison.models import audit

from .models import ApiToken

MAX_ACTIVE_TOKENS = 10


def create_token(user, name, *, now):
    """A new token for `user`, at most MAX_ACTIVE_TOKENS active at once. Returns (token, raw secret).

    The count and the insert run with the user's row locked (SELECT … FOR UPDATE), so concurrent requests
    of one user take turns: 8 at once with 8 active tokens make 2, not 8 (issue 22, row 11)."""
    with transaction.atomic(durable=True):
        get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
        if user.api_tokens.active().count() >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                _("You already have %(n)s active tokens; revoke one you no longer use first.")
                % {"n": MAX_ACTIVE_TOKENS},
                code="token_limit",
            )
        token, raw = ApiToken.create_for(user, name, now=now)
        audit(token, "api_token_created", actor=user, now=now, changes={"name": token.name, "prefix": token.prefix})
    return token, raw
