"""What every API view shares: token + session authentication, deny by default, per-token rate limits,
JSON errors in the user's language, the schema class."""

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import get_supported_language_variant, parse_accept_lang_header
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer

from . import exceptions
from .authentication import SessionAuthentication, TokenAuthentication
from .schema import ApiAutoSchema
from .throttling import ApiRateThrottle


def language_from_header(request):
    """The first supported language of Accept-Language, or None."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _q in parse_accept_lang_header(header):
        if code == "*":
            continue
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def user_language(user):
    lang = getattr(user, "language", "") or ""
    try:
        return get_supported_language_variant(lang) if lang else None
    except LookupError:
        return None


class ApiViewMixin:
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [ApiRateThrottle]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    schema = ApiAutoSchema()
    metadata_class = None  # no OPTIONS metadata: 405, like any other method a route does not take

    def get_exception_handler(self):
        return exceptions.handler

    def initial(self, request, *args, **kwargs):
        # Accept-Language first; else (once we know who it is) the user's own language; else zh-hans
        self._header_language = language_from_header(request)
        translation.activate(self._header_language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        super().initial(request, *args, **kwargs)

    def perform_authentication(self, request):
        super().perform_authentication(request)
        if not self._header_language and request.user.is_authenticated:
            lang = user_language(request.user)
            if lang:
                translation.activate(lang)
                request.LANGUAGE_CODE = lang


class IssueCursorPagination(CursorPagination):
    """Keyset pagination on (raised_at, id): no OFFSET, no COUNT, constant cost per page."""

    ordering = ("-raised_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class MeetingCursorPagination(CursorPagination):
    ordering = ("-starts_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class SignoffCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
