"""Chinese unless the user chose English; the choice is kept on the account, never taken from the browser."""

from django.test import Client
from django.urls import reverse

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def _switch(client, language, next_url="/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_an_english_browser_still_gets_chinese(client, director_a):
    body = client.get(reverse("login"), **ENGLISH_BROWSER).content.decode()
    assert '<html lang="zh-hans">' in body and ">登录</button>" in body
    client.force_login(director_a)
    body = client.get("/", **ENGLISH_BROWSER).content.decode()
    assert "我负责的小区" in body and "My estates" not in body


def test_a_user_who_chose_english_gets_english_in_another_browser(client, director_a, password):
    client.force_login(director_a)
    r = _switch(client, "en")
    assert r.status_code == 302
    director_a.refresh_from_db()
    assert director_a.language == "en"  # also the language of their notifications

    other = Client()  # another computer: no cookie of ours, a Chinese browser
    login_page = other.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert ">登录</button>" in login_page  # not known yet who is logging in
    r = other.post(
        reverse("login"),
        {"username": director_a.username, "password": password},
        HTTP_ACCEPT_LANGUAGE="zh-CN",
        follow=True,
    )
    body = r.content.decode()
    assert "My estates" in body and "我负责的小区" not in body


def test_after_logging_out_the_login_page_stays_in_the_users_language(director_a):
    director_a.language = "en"
    director_a.save()
    client = Client()
    client.force_login(director_a)
    client.get("/")  # this browser learns the account's language
    r = client.post(reverse("logout"), follow=True)
    assert '<html lang="en">' in r.content.decode() and ">Log in</button>" in r.content.decode()


def test_a_visitor_can_choose_english_on_the_login_page(client, db):
    r = _switch(client, "en", next_url=reverse("login"))
    assert r.status_code == 302 and r["Location"] == reverse("login")
    assert ">Log in</button>" in client.get(reverse("login")).content.decode()
    _switch(client, "zh-hans", next_url=reverse("login"))
    assert ">登录</button>" in client.get(reverse("login"), **ENGLISH_BROWSER).content.decode()


def test_switching_back_to_chinese_is_kept_too(client, director_a):
    director_a.language = "en"
    director_a.save()
    client.force_login(director_a)
    _switch(client, "zh-hans")
    director_a.refresh_from_db()
    assert director_a.language == "zh-hans"
    assert "我负责的小区" in client.get("/", **ENGLISH_BROWSER).content.decode()


def test_an_unknown_language_is_refused_without_an_error(client, director_a):
    client.force_login(director_a)
    _switch(client, "en")
    for bad in ("fr", "xx", "en-evil-" + "x" * 300, "", "<script>"):
        r = _switch(client, bad, next_url="/estates/")
        assert r.status_code == 302 and r["Location"] == "/estates/", bad
    r = client.post(reverse("set_language"), {"next": "https://evil.example/"})  # no language at all
    assert r.status_code == 302 and r["Location"] == "/"
    director_a.refresh_from_db()
    assert director_a.language == "en"  # the earlier choice stands
    assert "My estates" in client.get("/").content.decode()


def test_a_visitors_unknown_language_cookie_falls_back_to_chinese(client, db):
    r = _switch(client, "de", next_url=reverse("login"))
    assert r.status_code == 302
    client.cookies["django_language"] = "de"  # set by hand or by an older version
    assert ">登录</button>" in client.get(reverse("login"), **ENGLISH_BROWSER).content.decode()
