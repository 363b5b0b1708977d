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
