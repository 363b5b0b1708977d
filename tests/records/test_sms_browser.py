"""On a phone (Chromium, is_mobile, 390×844): a member who has no password at hand signs in by the SMS
link (用短信登录) and signs the report waiting for them with a 6-digit SMS code, all by tapping. The SMS
are read from the locmem backend. Then the pages at 390 and 360 px in both languages are no wider than
the screen (set TEST_ARTIFACTS=<folder> to keep a screenshot of each)."""

import datetime
import importlib
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison.models import SmsTemplate
from liaison.sms import console
from records import documents, signoff
from records.models import Signature, SignoffRequest

from . import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _locmem_sms(eager_celery, settings, live_server):
    settings.LIAISON_SMS_BACKEND = "locmem"
    settings.SITE_URL = live_server.url
    # a transactional test empties the tables afterwards, the seeded SMS templates included
    seeded = importlib.import_module("liaison.migrations.0008_sms_login_links_and_signing_codes")
    for category, code, text, variables in seeded.OTP_TEMPLATES:
        SmsTemplate.objects.get_or_create(
            category=category, defaults={"template_code": code, "text": text, "variables": variables}
        )
    console.reset()
    yield
    console.reset()


@pytest.fixture
def req(oc_a, director_a, chair_a, member_a):
    member_a.phone = PHONE
    member_a.save(update_fields=["phone"])
    sheet = f.contact_sheet(oc_a, by=director_a)
    fragment = documents.contact_fragment(sheet)
    return signoff.start(
        committee=oc_a,
        title=sheet.subject,
        source=SignoffRequest.Source.CONTACT_SHEET,
        members=[chair_a.memberships.get(), member_a.memberships.get()],
        by=director_a,
        now=timezone.now() - datetime.timedelta(hours=1),
        pdf=documents.frozen_pdf(oc_a.estate, "contact", fragment, docref=sheet.number),
        html=fragment,
        contact_sheet=sheet,
    )


def phone(browser, size=(390, 844), lang="zh-hans", base=""):
    ctx = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    if lang != "zh-hans":
        ctx.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page = ctx.new_page()
    page.set_default_timeout(15000)
    return ctx, page


def shoot(page, name):
    folder = os.environ.get("TEST_ARTIFACTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def wait_for_sms(count):
    for _i in range(100):
        if len(console.outbox) >= count:
            return console.outbox[count - 1]["text"]
        import time

        time.sleep(0.05)
    raise AssertionError("no SMS")


def test_sign_in_by_link_and_sign_by_code_on_a_phone(live_server, browser, req, member_a):
    ctx, page = phone(browser)
    page.goto(live_server.url + reverse("login"))
    page.tap("#sms-login-link")
    page.fill("#id_phone", "138 1234 5678")
    page.tap("#sms-login-submit")
    page.wait_for_selector("#sms-login-sent")
    link = re.search(r"(http://\S+/l/[\w-]+/)", wait_for_sms(1)).group(1)
    page.goto(link)
    page.tap("#sms-login-open")
    page.wait_for_url(live_server.url + req.get_absolute_url())
    assert fits(page)

    page.check("input[name=decision][value=agree]")
    page.tap("#sign-send-code")
    page.wait_for_selector(".alert-success")
    assert "5678" in page.inner_text(".alert-success")
    assert page.is_checked("input[name=decision][value=agree]")  # the choice survives asking for a code
    code = re.search(r"验证码(\d{6})", wait_for_sms(2)).group(1)
    page.fill("#id_code", code)
    page.tap("#sign-submit")
    page.wait_for_selector(".method-sms >> visible=true")
    assert "手机尾号 5678" in page.inner_text(".method-sms >> visible=true")
    sig = Signature.objects.get(signer__user=member_a)
    assert sig.method == "sms" and sig.phone_last4 == "5678"

    # the same link again: refused, nobody signed in
    ctx2, page2 = phone(browser)
    page2.goto(link)
    page2.tap("#sms-login-open")
    page2.wait_for_selector("#sms-login-refused")
    assert "已使用" in page2.inner_text("#sms-login-refused")
    ctx2.close()
    ctx.close()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("size", [(390, 844), (360, 740)], ids=["390", "360"])
def test_the_pages_fit_a_phone(live_server, browser, req, member_a, size, lang):
    if lang == "en":  # once signed in, the member's own language choice speaks
        member_a.language = "en"
        member_a.save(update_fields=["language"])
    ctx, page = phone(browser, size, lang, live_server.url)
    tag = f"{size[0]}-{lang}"
    page.goto(live_server.url + reverse("login"))
    shoot(page, f"login-{tag}")
    page.goto(live_server.url + reverse("sms_login"))
    page.fill("#id_phone", "12345")
    page.tap("#sms-login-submit")
    page.wait_for_selector(".invalid-feedback")
    assert fits(page)
    shoot(page, f"sms-login-refused-number-{tag}")
    page.fill("#id_phone", PHONE)
    page.tap("#sms-login-submit")
    page.wait_for_selector("#sms-login-sent")
    assert fits(page)
    shoot(page, f"sms-login-sent-{tag}")
    link = re.search(r"(http://\S+/l/[\w-]+/)", wait_for_sms(1)).group(1)
    page.goto(link)
    assert fits(page)
    shoot(page, f"sms-login-open-{tag}")
    page.goto(live_server.url + reverse("sms_login_open", args=["not-a-token"]))
    page.tap("#sms-login-open")
    page.wait_for_selector("#sms-login-refused")
    assert fits(page)
    shoot(page, f"sms-login-bad-link-{tag}")
    page.goto(link)
    page.tap("#sms-login-open")
    page.wait_for_url(live_server.url + req.get_absolute_url())
    page.tap("#sign-send-code")
    page.wait_for_selector(".alert-success")
    page.fill("#id_code", "000000" if "000000" not in console.outbox[-1]["text"] else "111111")
    page.check("input[name=decision][value=agree]")
    page.tap("#sign-submit")
    page.wait_for_selector("#id_code.is-invalid, .alert-danger, .invalid-feedback")
    assert fits(page)
    shoot(page, f"signoff-code-wrong-{tag}")
    ctx.close()
