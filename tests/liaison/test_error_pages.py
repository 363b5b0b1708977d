"""When things go wrong the user sees the portal's own page, in their language, with a way back.

Not found (404), not allowed (403), an expired form (the CSRF failure) and a server error (500), with DEBUG
off as under `make run`.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path, reverse

from liaison import errors
from liaison import urls as project_urls


def _boom(request):
    raise RuntimeError("a bug")


def _forbidden(request):
    raise PermissionDenied


# this module is also the URL configuration of the tests marked `pytest.mark.urls(__name__)`: the project's
# URLs and its handlers, plus a view that fails and one that refuses everybody
urlpatterns = [
    path("test-boom/", _boom),
    path("test-forbidden/", _forbidden),
    path("", include(project_urls)),
]
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

LAYOUT = 'class="navbar-brand"'  # base.html's top bar


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def test_a_bad_address_shows_our_page_not_found_not_the_url_list(client, director_a):
    client.force_login(director_a)
    r = client.get("/no-such-page/")
    assert r.status_code == 404
    body = r.content.decode()
    assert LAYOUT in body and 'id="whoami"' in body  # the portal's layout, with the user's menu
    assert "页面不存在" in body and "此页面不存在，或您无权查看。" in body
    assert 'href="/" id="error-home">返回首页</a>' in body
    # none of Django's debug page: no list of URL patterns, no "Page not found (404)" in English
    assert "URLconf" not in body and "estates/&lt;int:pk&gt;" not in body and "Page not found" not in body


def test_another_estates_object_gets_the_same_page(client, director_a, estate_b):
    client.force_login(director_a)
    r = client.get(reverse("estate_detail", args=[estate_b.pk]))
    assert r.status_code == 404
    body = r.content.decode()
    assert "页面不存在" in body and estate_b.name not in body


def test_page_not_found_offers_login_to_a_visitor_and_speaks_english_when_chosen(client, db):
    client.cookies["django_language"] = "en"
    body = client.get("/estates/999999/nothing/").content.decode()
    assert "Page not found" in body and "页面不存在" not in body
    assert 'href="/login/?next=%2Festates%2F999999%2Fnothing%2F" id="error-login">Log in</a>' in body
    assert 'id="error-home">Go to the home page</a>' in body


def test_not_allowed_offers_back_and_home(client, director_a):
    client.force_login(director_a)  # a director may not create estates
    r = client.get(reverse("estate_create"), HTTP_REFERER="http://testserver/estates/")
    assert r.status_code == 403
    body = r.content.decode()
    assert LAYOUT in body and "无权访问" in body and "您的账号无权打开此页面或执行此操作。" in body
    assert 'href="http://testserver/estates/" id="error-back">返回上一页</a>' in body
    assert 'id="error-home">返回首页</a>' in body
    assert "error-login" not in body  # logged in already


def test_not_allowed_never_links_back_to_another_site(client, director_a):
    client.force_login(director_a)
    body = client.get(reverse("estate_create"), HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in body and "error-back" not in body and 'id="error-home"' in body


@pytest.mark.urls(__name__)
def test_not_allowed_asks_a_visitor_to_log_in(client, db):
    r = client.get("/test-forbidden/", HTTP_REFERER="http://testserver/login/")
    assert r.status_code == 403
    body = r.content.decode()
    assert "您尚未登录，请登录后重试。" in body
    assert 'href="/login/?next=%2Ftest-forbidden%2F" id="error-login">登录</a>' in body
    assert 'id="error-back">返回上一页</a>' in body and 'id="error-home">返回首页</a>' in body


def test_an_expired_form_says_so_in_chinese_and_how_to_keep_the_text(director_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(director_a)
    form = "http://testserver" + reverse("staff_list")
    r = client.post(reverse("estate_create"), {"name": "新小区"}, HTTP_REFERER=form)
    assert r.status_code == 403
    body = r.content.decode()
    assert LAYOUT in body and "表单已过期" in body and "未保存任何内容" in body
    assert "浏览器的“后退”按钮" in body and "复制" in body  # how not to lose what was typed
    assert f'href="{form}" id="error-back">重新打开表单</a>' in body and 'id="error-home">返回首页</a>' in body
    assert "Forbidden" not in body and "CSRF" not in body


def test_an_expired_login_form_offers_the_login_page_again(db):
    client = Client(enforce_csrf_checks=True)
    login = "http://testserver" + reverse("login")
    r = client.post(reverse("login"), {"username": "someone", "password": "x"}, HTTP_REFERER=login)
    assert r.status_code == 403
    body = r.content.decode()
    assert "表单已过期" in body and f'href="{login}" id="error-back">重新打开表单</a>' in body
    assert "error-login" not in body  # the form to open again is the login page itself


def test_an_expired_form_in_english_for_a_user_who_chose_english(director_a):
    director_a.language = "en"
    director_a.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(director_a)
    body = client.post(reverse("estate_create"), {"name": "x"}).content.decode()
    assert "The form has expired" in body and "Back button" in body and "表单已过期" not in body


@pytest.mark.urls(__name__)
def test_a_server_error_shows_a_calm_page_without_the_database(settings, caplog):
    # no `db` fixture: a database query by the error page would leave only the plain-text fallback
    client = Client(raise_request_exception=False)
    r = client.get("/test-boom/")
    assert r.status_code == 500
    assert [str(rec.exc_info[1]) for rec in caplog.records if rec.exc_info] == ["a bug"]  # the view's own error
    body = r.content.decode()
    assert LAYOUT in body and "系统出错了" in body and "错误已记录" in body
    assert 'href="/" id="error-home">返回首页</a>' in body
    assert "RuntimeError" not in body and "a bug" not in body and "Traceback" not in body


@pytest.mark.urls(__name__)
def test_a_server_error_in_english_when_chosen(settings):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    body = client.get("/test-boom/").content.decode()
    assert "Something went wrong" in body and "系统出错了" not in body


@pytest.mark.urls(__name__)
def test_a_server_error_answers_even_if_its_page_cannot_be_drawn(settings, monkeypatch):
    def broken(name):
        raise ValueError("missing static manifest entry")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    r = Client(raise_request_exception=False).get("/test-boom/")
    assert r.status_code == 500
    assert "服务器出错" in r.content.decode() and "server error" in r.content.decode()


def test_without_debug_the_pages_keep_their_styles(client, db):
    r = client.get("/static/css/portal.css")
    assert r.status_code == 200 and b".row-overdue" in b"".join(r.streaming_content)


@pytest.mark.parametrize(("env", "debug"), [({}, "False"), ({"LIAISON_DEBUG": "1"}, "True")])
def test_make_run_has_no_debug_pages_unless_asked(env, debug):
    base = {k: v for k, v in os.environ.items() if k not in ("LIAISON_DEBUG", "DJANGO_DEBUG")}
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from django.conf import settings; print(settings.DEBUG)"],
        cwd=Path(__file__).resolve().parents[2],
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == debug
