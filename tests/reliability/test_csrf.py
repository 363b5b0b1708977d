"""CSRF on every state-changing view: a POST without the token is refused (403) and writes nothing.

The list of URLs is the URL configuration itself (every pattern), so a new view is covered the day it
lands. Object URLs get estate A's objects from the access matrix's builders, the rest are reversed as is.
The user is the administrator (sees everything), so a refusal can only come from the CSRF check.
"""

from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from .conftest import WriteRecorder
from .test_object_access import OBJECT_URLS, POST_DATA
from .urlwalk import all_urls

PUBLIC_KWARGS = {
    "meetings:checkin": lambda w: {"token": w.held.checkin_token},
    "records:verify_code": lambda w: {"code": w.signoff.public_code},
    "meetings:calendar_feed": lambda w: {"token": "x" * 32},
}


def _url(name, kwargs_names, world):
    """estate A's object where a builder exists; otherwise "1" for every argument (the CSRF check runs
    before the view, so the object need not exist)."""
    if name in OBJECT_URLS:
        return reverse(name, kwargs=OBJECT_URLS[name][0](world))
    if name in PUBLIC_KWARGS:
        return reverse(name, kwargs=PUBLIC_KWARGS[name](world))
    try:
        return (
            reverse(name, kwargs={k: "liaison" if k == "app_label" else "1" for k in kwargs_names})
            if not name.split(":")[-1].startswith("<")
            else None
        )
    except NoReverseMatch:
        return None


def test_every_post_without_csrf_token_is_refused(world, personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["admin_user"])
    failures, checked, skipped = [], 0, []
    for name, (_route, kwargs_names) in sorted(all_urls().items()):
        url = _url(name, kwargs_names, world)
        if url is None:
            skipped.append(name)
            continue
        for kind in ("json",) if name.startswith("api:") else ("form",):
            with transaction.atomic(), WriteRecorder() as rec:
                if kind == "form":
                    r = client.post(url, POST_DATA)
                else:
                    r = client.post(url, POST_DATA, content_type="application/json")
                transaction.set_rollback(True)
            checked += 1
            if rec.writes:
                failures.append(f"{name} ({url}) wrote without a CSRF token: {rec.writes}")
            if r.status_code != 403:
                failures.append(f"{name} ({url}): {r.status_code} without a CSRF token (want 403)")
    assert checked > 150, f"only {checked} URLs checked"  # the walk found the project's URLs
    unexpected = [s for s in skipped if not s.startswith("admin:<") and s != "api:not_found"]
    assert not unexpected, f"URLs the CSRF test could not build: {unexpected}"
    assert not failures, "\n".join(failures)


def test_csrf_failure_is_a_clear_page_not_a_stack_trace(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["director_a"])
    r = client.post(reverse("estate_create"), {"name": "x"})
    assert r.status_code == 403
    body = r.content.decode()
    assert "Traceback" not in body and "<html" in body.lower()


def test_post_with_the_token_goes_through(personas):
    """Control: the same client with the token from the form is accepted (so the 403s above are CSRF)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["admin_user"])
    client.get(reverse("inbox"))
    token = client.cookies["csrftoken"].value
    r = client.post(reverse("inbox_read_all"), {"csrfmiddlewaretoken": token})
    assert r.status_code == 302
