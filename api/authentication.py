"""Token authentication (``Authorization: Bearer lia_…``) and session authentication with CSRF."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiToken, hash_token

KEYWORDS = ("bearer", "token")


class TokenAuthentication(authentication.BaseAuthentication):
    """A per-user token created on the portal's tokens page. ``request.auth`` is the ApiToken."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header: give one token after “Bearer”."))
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
        if token is None or not token.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."))
        token.touch(timezone.now())
        return token.user, token

    def authenticate_header(self, request):
        # makes DRF answer 401 (not 403) to a request without credentials
        return 'Bearer realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The portal's own session (browser, Swagger UI); unsafe methods need the CSRF token."""


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token from the portal page /api/tokens/ (shown once when created).",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
