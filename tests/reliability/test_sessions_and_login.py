"""Sessions, idle timeout, login throttling (django-axes) and password re-entry for sign-off."""

import datetime
import time

from django.test import Client
from django.urls import reverse
from django.utils import timezone


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_session_cookie_is_httponly_and_samesite(director_a, password):
    client = Client()
    r = _login(client, "director_a", password)
    assert r.status_code == 302
    cookie = r.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() in ("lax", "strict")
    # a page's JavaScript cannot read the CSRF cookie either
    client.get(reverse("home"))
    assert client.cookies["csrftoken"]["httponly"] is True


def test_session_id_changes_at_login(director_a, password):
    """Session fixation: the id an attacker planted before login is not the one that is signed in."""
    client = Client()
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    _login(client, "director_a", password)
    assert client.session.session_key != before
    assert client.get(reverse("home")).status_code == 200


def test_idle_session_is_logged_out_and_active_one_is_not(director_a, settings):
    settings.IDLE_TIMEOUT_SECONDS = 1800
    client = Client()
    client.force_login(director_a)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - 1000  # active 17 minutes ago: still signed in
    session.save()
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - 1801  # idle 30 minutes
    session.save()
    r = client.get(reverse("home"))
    assert r.status_code == 302 and reverse("login") in r["Location"]
    assert client.get(reverse("home")).status_code == 302  # and stays logged out


def test_logout_needs_post(director_a):
    client = Client()
    client.force_login(director_a)
    assert client.get(reverse("logout")).status_code == 405  # a link or <img> cannot log people out
    assert client.get(reverse("home")).status_code == 200


def test_login_locks_after_five_failures_even_with_the_right_password_then_cools_off(
    director_a, supervisor_a, password, settings
):
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    client = Client()
    assert _login(client, "director_a", "wrong-password").status_code == 200  # the form again, with the message
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "director_a", "wrong-password")
    r = _login(client, "director_a", password)
    assert r.status_code in (403, 429), "the right password must not get in while locked"
    assert "_auth_user_id" not in client.session
    # another account from the same address is not locked (lockout by username and address)
    assert _login(Client(), "supervisor_a", password).status_code == 302
    # after the cool-off the right password works again
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    )
    assert _login(Client(), "director_a", password).status_code == 302


def test_locked_out_page_is_clear(director_a, settings):
    settings.AXES_ENABLED = True
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        r = _login(client, "director_a", "wrong-password")
    body = r.content.decode()
    assert r.status_code in (403, 429)
    assert "Traceback" not in body
    assert "锁" in body or "lock" in body.lower() or "分钟" in body


def test_signing_needs_the_password_again(world, personas, password):
    from records.models import Signature

    client = Client()
    client.force_login(personas["chair_a"])
    url = reverse("records:signoff_sign", args=[world.signoff.pk])
    data = {"decision": "agree", "version_id": world.version.pk, "version_sha256": world.version.sha256}
    r = client.post(url, {**data, "password": "not-my-password"})
    assert r.status_code in (200, 400)
    assert not Signature.objects.filter(signer__user=personas["chair_a"]).exists()
    r = client.post(url, {**data, "password": password})
    assert r.status_code in (200, 302)
    assert Signature.objects.filter(signer__user=personas["chair_a"]).count() == 1
