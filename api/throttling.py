"""Rate limits: per token (keyed on the token's id), per user for the browser session, per address
for anonymous requests.

Counts live in a Django cache (`API_THROTTLE_CACHE`, default "default"). Django's default cache is a
per-process LocMemCache: with several gunicorn workers each keeps its own count, so a client can do up to
workers × the rate. Point API_THROTTLE_CACHE at a shared cache (Redis) in production for an exact limit.
"""

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from liaison import clientip

from .models import ApiToken

DEFAULT_RATES = {
    "token": "120/min",
    "session": "120/min",
    "anon": "30/min",
}


def rate_for(scope):
    return getattr(settings, "API_THROTTLE_RATES", {}).get(scope, DEFAULT_RATES[scope])


class ApiRateThrottle(SimpleRateThrottle):
    """One bucket per token; read per request so a changed setting applies at once (and in tests)."""

    scope = "api"

    def __init__(self):
        # the cache and rate are resolved per request in allow_request (settings may change in tests)
        pass

    def _scope_and_ident(self, request):
        if isinstance(getattr(request, "auth", None), ApiToken):
            return "token", f"t{request.auth.pk}"
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return "session", f"u{user.pk}"
        return "anon", f"ip{self.get_ident(request)}"

    def get_ident(self, request):
        # DRF's own reads X-Forwarded-For from anyone (NUM_PROXIES unset): a client could write a new address
        # in it for every request; the address comes from liaison.clientip (trusted proxies only)
        return clientip.client_ip(request) or "unknown"

    def get_cache_key(self, request, view):
        scope, ident = self._scope_and_ident(request)
        return f"api-throttle:{scope}:{ident}"

    def allow_request(self, request, view):
        self.cache = caches[getattr(settings, "API_THROTTLE_CACHE", "default")]
        scope, _ident = self._scope_and_ident(request)
        self.rate = rate_for(scope)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
