"""The portal's language: Chinese unless the user chose English.

Django's LocaleMiddleware follows the browser's Accept-Language, so an office computer with an English
browser would turn the portal English for whoever sits at it. Here the language is, in order:

1. a logged-in user's own choice (`User.language`): kept on the account, so it follows them to any
   browser, and it is the language of their notifications too;
2. else the language cookie the switch sets (visitors who are not logged in: the login page);
3. else `settings.LANGUAGE_CODE` (zh-hans). Never Accept-Language.

The switch is Django's `set_language` view (`/i18n/setlang/`); this middleware refuses a language the
portal does not offer before that view runs and stores a logged-in user's choice on the account. The
JSON API picks its own language (`api.base.ApiViewMixin`).
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.i18n import LANGUAGE_QUERY_PARAMETER


def offered(code):
    return bool(code) and code in dict(settings.LANGUAGES)


def account_language(user):
    """The language a logged-in user chose, or None."""
    if user is not None and user.is_authenticated and offered(getattr(user, "language", "")):
        return user.language
    return None


def language_for(request):
    """(language, whether it came from the account)."""
    chosen = account_language(getattr(request, "user", None))
    if chosen:
        return chosen, True
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return (cookie if offered(cookie) else settings.LANGUAGE_CODE), False


def _safe_next(request):
    """Where the switch would have sent the user: `next`, else the page they came from, else home."""
    for url in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
    return "/"


def _set_cookie(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LanguageMiddleware:
    """In place of LocaleMiddleware, after AuthenticationMiddleware (it needs `request.user`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language, from_account = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        name = settings.LANGUAGE_COOKIE_NAME
        if from_account and request.COOKIES.get(name) != language and name not in response.cookies:
            # this browser follows the account: after logging out, the login page stays in their language
            _set_cookie(response, language)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name != "set_language":
            return None
        code = request.POST.get(LANGUAGE_QUERY_PARAMETER, "")
        if not offered(code):
            # Django's view would store any language it has a catalogue for (fr, de, …) in the cookie
            return HttpResponseRedirect(_safe_next(request))
        user = request.user
        if user.is_authenticated and user.language != code:
            user.language = code
            user.save(update_fields=["language"])
        return None  # Django's view sets the cookie and redirects
