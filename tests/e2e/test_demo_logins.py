"""Each demo role logs in through the real login form in Chromium and sees the home page made for it."""

import pytest

from liaison import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPECTED = {
    "admin": ("系统管理", "打开系统配置"),
    "director": ("我负责的小区", "锦绣苑"),
    "supervisor": ("我负责的小区", "翠湖花园"),
    "engineer": ("分派给我的工作", "翠湖花园"),
    "leader": ("全部小区", "老城新村"),
    "assessor": ("全部小区", "老城新村"),
    "oc_chair": ("我的委员会", "翠湖花园业主委员会"),
    "mc_chair": ("我的委员会", "老城新村小区管理委员会"),
}


def login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#home-title")


def test_each_role_sees_its_home(live_server, page):
    demo.seed()
    for username, (title, must_see) in EXPECTED.items():
        login(page, live_server.url, username)
        assert title in page.inner_text("#home-title"), username
        assert must_see in page.content(), username
        if username == "oc_chair":
            assert "锦绣苑" not in page.content()  # another estate's committee never shows
        page.click("text=退出登录")
        page.wait_for_selector("#login-submit")


def test_switch_language_in_the_browser(live_server, page):
    demo.seed()
    login(page, live_server.url, "director")
    page.click("#lang-en")
    page.wait_for_selector("text=My estates")
    page.click("#lang-zh-hans")
    page.wait_for_selector("text=我负责的小区")
