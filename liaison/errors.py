"""The pages for when things go wrong: not found (404), not allowed (403), an expired form (the CSRF
failure, 403) and a server error (500).

Each is in the portal's layout and the user's language (`liaison.language`) and offers a way back. The
texts live here, in the liaison catalogue, so that the four templates only lay them out. The 500 page needs
neither the database nor the request (the error may be the database): it is rendered without context
processors from a template that does not extend base.html, and if even that fails a plain text answers.
"""

import logging
from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

log = logging.getLogger(__name__)

PLAIN_500 = "服务器出错，错误已记录。请稍后再试。\nA server error occurred and was logged. Please try again later.\n"


def _referer(request):
    """The page the user came from, if it is one of ours, else "".

    After a GET the same address would only show this page again; after a POST (a form sent to its own
    address, as most are) it is the form."""
    back = request.META.get("HTTP_REFERER", "")
    if not back or (request.method == "GET" and back == request.build_absolute_uri()):
        return ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ""
    return back


def _login_url(request):
    """The login page, coming back here afterwards; None for a logged-in user or on the login page."""
    if request.user.is_authenticated or request.path == reverse("login"):
        return None
    return f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}"


def _link(label, url, ident, primary=False):
    return {"label": label, "url": url, "id": ident, "primary": primary}


def _ways_back(request, *, back_label=None):
    """Buttons: log in (when not logged in), back to the previous page of ours (if any), the home page."""
    links = []
    login_url = _login_url(request)
    if login_url:
        links.append(_link(_("Log in"), login_url, "error-login"))
    back = _referer(request)
    if back:
        links.append(_link(back_label or _("Back to the previous page"), back, "error-back"))
    links.append(_link(_("Go to the home page"), reverse("home"), "error-home"))
    links[0]["primary"] = True
    return links


@requires_csrf_token  # base.html's language switch and logout button carry the token
def page_not_found(request, exception=None):
    context = {
        "code": 404,
        "title": _("Page not found"),
        # deny by default: another estate's objects answer 404 as well, so do not claim it does not exist
        "message": _("This page does not exist, or you may not see it."),
        "hints": [_("Check the address, or start again from the home page.")],
        "links": _ways_back(request),
    }
    return render(request, "404.html", context, status=404)


@requires_csrf_token
def permission_denied(request, exception=None):
    context = {
        "code": 403,
        "title": _("Not allowed"),
        "message": _("Your account may not open this page or do this."),
        "hints": [
            _("You are not logged in. Log in and try again.")
            if not request.user.is_authenticated
            else _("If you think you should be able to, ask the administrator.")
        ],
        "links": _ways_back(request),
    }
    return render(request, "403.html", context, status=403)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: nothing was saved; tell the user how to keep what they typed."""
    context = {
        "code": 403,
        "title": _("The form has expired"),
        "message": _(
            "This form could not be sent: the page was open for a long time, or you logged in again "
            "in another window. Nothing was saved."
        ),
        "steps": [
            _("To keep what you typed, go back to the form with your browser's Back button and copy your text."),
            _("Reload the form page, paste your text and submit again."),
        ],
        # the referer is the form itself: opening it again gives a fresh form (and token)
        "links": _ways_back(request, back_label=_("Open the form again")),
    }
    return render(request, "403_csrf.html", context, status=403)


def server_error(request):
    try:
        context = {
            "code": 500,
            "title": _("Something went wrong"),
            "message": _("The server could not complete this request. The error has been logged."),
            "hints": [
                _(
                    "Please try again in a moment. If you were submitting a form, go back first and check "
                    "whether it was saved."
                )
            ],
            # a plain path: reversing URLs is one more thing that could be broken
            "links": [_link(_("Go to the home page"), "/", "error-home", primary=True)],
        }
        # no request: no context processors, no session, no database
        body = loader.get_template("500.html").render(context)
    except Exception:  # the error page must answer whatever broke
        log.exception("the 500 page could not be rendered")
        return HttpResponse(PLAIN_500, status=500, content_type="text/plain; charset=utf-8")
    return HttpResponseServerError(body)
