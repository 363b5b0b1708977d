"""The public signed-document check (no login) is limited per client address (settings.VERIFY_RATE)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from liaison import ratelimit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_too_many_checks_from_one_address_get_a_clear_429(client, settings):
    settings.VERIFY_RATE = "3/600"
    url = reverse("records:verify")
    for _ in range(3):
        r = client.post(url, {"sha256": "0" * 64}, REMOTE_ADDR="203.0.113.7")
        assert r.status_code == 200 and 'data-result="nomatch"' in r.content.decode()
    r = client.post(url, {"sha256": "a" * 64}, REMOTE_ADDR="203.0.113.7")
    body = r.content.decode()
    assert r.status_code == 429
    assert 'value="' + "a" * 64 + '"' in body  # what was typed is kept for the next try
    assert "您所在地址的核验次数过多，请几分钟后再试。" in body and 'id="verify-result"' not in body
    assert 'id="verify-submit"' in body  # the form is there to try again later
    # another address is not affected, and looking at the page is never limited
    assert client.post(url, {"sha256": "0" * 64}, REMOTE_ADDR="203.0.113.8").status_code == 200
    assert client.get(url, REMOTE_ADDR="203.0.113.7").status_code == 200


def test_window_resets():
    assert all(ratelimit.allow("t", "a", limit=2, window=60, now=1000) for _ in range(2))
    assert not ratelimit.allow("t", "a", limit=2, window=60, now=1001)
    assert ratelimit.allow("t", "a", limit=2, window=60, now=1060)  # next window


def test_parse():
    assert ratelimit.parse("30/600") == (30, 600)
    assert ratelimit.parse("5") == (5, 60)
