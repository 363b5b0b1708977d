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
