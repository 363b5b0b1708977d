"""A form sent twice makes one row (issue 22, row 9): four identical POSTs at once of "raise an issue", a
walk-in, a reply or a resolution made four.

Pages: a form carries a one-time token (`{% submit_once %}` from the `portal` tag library, a hidden
`_once` input, new at every render). The first POST with a token claims it in the cache
with what the form says (`cache.add`, atomic in Redis and in the per-process cache) and runs; a success (a redirect) stores
where it went, and every repeat of that token is sent there too, without running the view again
(a repeat that arrives while the first still runs waits for it). A first POST that fails (the form
again, with its messages) frees the token, so the corrected form can be sent.

API: a POST with an `Idempotency-Key` header is answered once per key and caller (the bearer token or
the session): the first 2xx response is stored and replayed for every repeat (with
`Idempotent-Replayed: true`); the same key with another body is a 422; a repeat while the first runs
waits, then 409 `in_progress` if it is still running.

Kept for SUBMIT_ONCE_SECONDS (a day). With the cache unreachable the request runs as before.
"""

import hashlib
import logging
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

FIELD = "_once"
PENDING = "pending"
WAIT_SECONDS = 20  # how long a repeat waits for the first to finish (a save takes well under a second)


def new_token():
    return secrets.token_urlsafe(16)


def _ttl():
    return getattr(settings, "SUBMIT_ONCE_SECONDS", 86400)


def _caller(request):
    """Who sent it: the bearer token (hashed), else the session's user, else the session."""
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth:
        return "a" + hashlib.sha256(auth.encode()).hexdigest()[:32]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return "s" + (request.session.session_key or "") if hasattr(request, "session") else "anon"


def _key(kind, request, token):
    digest = hashlib.sha256(f"{_caller(request)}|{request.path}|{token}".encode()).hexdigest()[:40]
    return f"submit-once:{kind}:{digest}"


def _content(request):
    """What the form says (its fields and files, not the CSRF token): only an identical repeat is one. A
    page brought back (the browser's Back) keeps its token; edited and sent again it is a new submission."""
    items = sorted((k, v) for k, vs in request.POST.lists() if k != "csrfmiddlewaretoken" for v in vs)
    files = sorted((k, f.name, f.size) for k, fs in request.FILES.lists() for f in fs)
    return hashlib.sha256(repr((items, files)).encode()).hexdigest()


def _wait(key):
    """The stored outcome once the first request has finished, None if it freed the key (it failed)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = cache.get(key)
        if value != PENDING:
            return value
        time.sleep(0.05)
    return PENDING


class SubmitOnceMiddleware:
    """After CSRF and authentication (it reads the user); see the module's docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path_info.startswith("/api/"):
            return self._api(request)
        response = self.get_response(request)
        self._finish_form(request, response)
        return response

    # --- pages: the form token ------------------------------------------------------------------------

    def process_view(self, request, view, args, kwargs):
        # here, not in __call__: the CSRF check (an earlier process_view) has passed
        if request.method != "POST" or request.path_info.startswith("/api/"):
            return None
        token = request.POST.get(FIELD, "")
        if not token or len(token) > 64:
            return None
        key = _key("form", request, f"{token}|{_content(request)}")
        try:
            if cache.add(key, PENDING, timeout=_ttl()):
                request._submit_once_key = key
                return None
            outcome = _wait(key)
        except Exception:  # noqa: BLE001 - the cache is down: the form is saved as without the token
            log.warning("submit-once: the cache is unreachable; %s runs unguarded", request.path)
            return None
        if outcome is None:  # the first try failed and freed the token: this one runs (and may fail too)
            return None
        if outcome == PENDING:
            return HttpResponse(
                _("This form is still being saved. Reload the page in a moment to see the result."),
                status=409,
                content_type="text/plain; charset=utf-8",
            )
        return HttpResponseRedirect(outcome["location"])

    @staticmethod
    def _finish_form(request, response):
        key = getattr(request, "_submit_once_key", None)
        if key is None:
            return
        try:
            if response.status_code in (301, 302, 303) and response.get("Location"):
                cache.set(key, {"location": response["Location"]}, timeout=_ttl())
            else:
                cache.delete(key)
        except Exception:  # noqa: BLE001
            log.warning("submit-once: could not record the outcome of %s", request.path)

    # --- API: Idempotency-Key -------------------------------------------------------------------------

    def _api(self, request):
        idem = request.META.get("HTTP_IDEMPOTENCY_KEY", "").strip()
        if not idem:
            return self.get_response(request)
        if len(idem) > 255:
            return JsonResponse(
                {
                    "code": "invalid_idempotency_key",
                    "message": _("The Idempotency-Key header is longer than 255 characters."),
                },
                status=400,
            )
        key = _key("api", request, idem)
        # an upload is compared by its fields and files (its body is not read into memory here)
        body = (
            _content(request)
            if request.content_type == "multipart/form-data"
            else hashlib.sha256(request.body).hexdigest()
        )
        try:
            claimed = cache.add(key, PENDING, timeout=_ttl())
            stored = None if claimed else _wait(key)
        except Exception:  # noqa: BLE001
            log.warning("idempotency: the cache is unreachable; %s runs unguarded", request.path)
            return self.get_response(request)
        if not claimed and stored is None:  # the first failed and freed the key: run this one
            claimed = cache.add(key, PENDING, timeout=_ttl())
            if not claimed:
                stored = _wait(key)
        if not claimed:
            return self._replay(stored, body)
        response = self.get_response(request)
        try:
            if 200 <= response.status_code < 300 and not response.streaming:
                cache.set(
                    key,
                    {
                        "body_hash": body,
                        "status": response.status_code,
                        "content": response.content.decode("utf-8", "replace"),
                        "content_type": response.get("Content-Type", "application/json"),
                        "location": response.get("Location", ""),
                    },
                    timeout=_ttl(),
                )
            else:
                cache.delete(key)
        except Exception:  # noqa: BLE001
            log.warning("idempotency: could not store the response of %s", request.path)
        return response

    @staticmethod
    def _replay(stored, body):
        if stored == PENDING or stored is None:
            return JsonResponse(
                {"code": "in_progress", "message": _("A request with this Idempotency-Key is still being processed.")},
                status=409,
            )
        if stored["body_hash"] != body:
            return JsonResponse(
                {
                    "code": "idempotency_key_reused",
                    "message": _("This Idempotency-Key was used with a different request body."),
                },
                status=422,
            )
        response = HttpResponse(stored["content"], status=stored["status"], content_type=stored["content_type"])
        if stored["location"]:
            response["Location"] = stored["location"]
        response["Idempotent-Replayed"] = "true"
        return response
