import re
import time

from django.conf import settings
from django.contrib.auth import logout


class IdleTimeoutMiddleware:
    """Log out a session that has been idle longer than IDLE_TIMEOUT_SECONDS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen")
            if last and now - last > settings.IDLE_TIMEOUT_SECONDS:
                logout(request)
            else:
                # write at most once a minute so every page view does not save the session
                if not last or now - last > 60:
                    request.session["last_seen"] = now
        return self.get_response(request)


class DatabaseErrorMiddleware:
    """A safety net for views that do not handle a failed save themselves.

    The forms that matter re-render with the user's input (`meetings.forms.save_with_form`); for the
    rest (one-button actions) a database error rolls back the request's transaction and the user gets a
    clear page in their language with status 503 instead of the generic 500 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import DatabaseError

        if not isinstance(exception, DatabaseError) or request.path.startswith("/api/"):
            return None
        import logging

        from django.shortcuts import render

        logging.getLogger(__name__).exception("database error on %s %s", request.method, request.path)
        back = request.META.get("HTTP_REFERER", "")
        if not back.startswith(("/", request.build_absolute_uri("/"))):
            back = ""
        try:
            return render(request, "database_error.html", {"back": back}, status=503)
        except DatabaseError:  # the database is down altogether: a page that needs nothing from it
            from django.http import HttpResponse

            return HttpResponse(
                "数据库暂时无法保存，未保存任何内容，请稍后重试。 / The database could not save this; nothing was saved.",
                status=503,
                content_type="text/plain; charset=utf-8",
            )


class ControlCharacterMiddleware:
    """400 for a request whose path, query or form values carry NUL or another control character.

    PostgreSQL cannot store NUL in text (a lookup with it fails as a database error: 503), and no text a
    person types holds control characters, except tab and line breaks in a form's text (issue 22). One
    refusal here, before any view: a short plain page in the user's language (after LanguageMiddleware),
    JSON in the API's error shape under /api/.
    """

    ANYWHERE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
    # a form's text may hold a tab and line breaks
    IN_FORM = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._bad(request):
            return self._refuse(request)
        return self.get_response(request)

    def _bad(self, request):
        if self.ANYWHERE.search(request.path_info) or self.ANYWHERE.search(request.path):
            return True
        for key, values in request.GET.lists():
            if self.ANYWHERE.search(key) or any(self.ANYWHERE.search(v) for v in values):
                return True
        # the pages' forms (CSRF reads them before any view anyway); the API parses its own bodies (DRF)
        if (
            request.method == "POST"
            and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
            and not request.path_info.startswith("/api/")
        ):
            for key, values in request.POST.lists():
                if self.IN_FORM.search(key) or any(self.IN_FORM.search(v) for v in values):
                    return True
        return False

    def _refuse(self, request):
        from django.http import HttpResponseBadRequest, JsonResponse
        from django.utils.translation import gettext as _

        message = _(
            "The request contains a control character (such as NUL) that is not allowed. Remove it and try again."
        )
        if request.path_info.startswith("/api/"):
            return JsonResponse({"code": "control_character", "message": message}, status=400)
        return HttpResponseBadRequest(message + "\n", content_type="text/plain; charset=utf-8")


def too_large_message(limit):
    from django.utils.translation import gettext as _

    return _("The request is too large (the limit is %(limit)s). Shorten the text or send a smaller file.") % {
        "limit": f"{round(limit / 1_000_000, 1):g} MB"
    }


def too_large_response(request, limit):
    """413 for a body over the limit: JSON in the API's error shape under /api/, a short page elsewhere."""
    from django.http import HttpResponse, JsonResponse

    message = too_large_message(limit)
    if request.path_info.startswith("/api/"):
        return JsonResponse({"code": "too_large", "message": message}, status=413)
    return HttpResponse(message + "\n", status=413, content_type="text/plain; charset=utf-8")


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RequestSizeMiddleware:
    """413 for a request body over the limit, judged by its announced length before anything reads it.

    A JSON field of a million Chinese characters used to reach DRF's parser, where Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE raised inside the view: a 500 (issue 22, row 10). Uploads (multipart)
    have their own, larger limit; a body of unannounced length is bounded by Django while reading it
    (RequestDataTooBig: answered 413 here for the pages' views, by api.exceptions for the API).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def limit_for(request):
        if request.content_type == "multipart/form-data":
            return settings.REQUEST_MAX_UPLOAD_BODY_BYTES
        return settings.REQUEST_MAX_BODY_BYTES

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = self.limit_for(request)
        if length > limit:
            return too_large_response(request, limit)
        if (
            request.method == "POST"
            and request.content_type in FORM_TYPES
            and not request.path_info.startswith("/api/")
        ):
            from django.core.exceptions import RequestDataTooBig

            try:  # a page's form: its text fields (not its files) within the body limit
                request.POST  # noqa: B018 (parsed here, as CSRF would, to answer 413 instead of 400)
            except RequestDataTooBig:
                return too_large_response(request, settings.REQUEST_MAX_BODY_BYTES)
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import RequestDataTooBig

        if isinstance(exception, RequestDataTooBig):
            return too_large_response(request, self.limit_for(request))
        return None
