"""In Chromium: on the issue page, text typed into one form survives submitting another (static/js/drafts.js,
issue 17 item 1). The director types a reply, then classifies the issue: after the reload the reply is
back; the classify form, saved, has no draft left; leaving with the typed reply asks first; sending the
reply drops its draft."""

import datetime

import pytest
from django.utils import timezone

from followups.models import Issue, Reply

from .test_browser import login

pytestmark = pytest.mark.browser

REPLY = "已联系工程部，明天上午九点到场检查渗水点。"


@pytest.mark.django_db(transaction=True)
def test_the_reply_typed_survives_classifying_the_issue(
    live_server, browser, raise_issue, director_a, dept_a, password
):
    now = timezone.now()
    issue = raise_issue(raised_at=now - datetime.timedelta(hours=1), now=now, actor=director_a)
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = ctx.new_page()
    errors, dialogs = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 400" not in m.text else None)
    page.on("dialog", lambda d: (dialogs.append(d.type), d.accept()))
    login(page, live_server, director_a, password)
    url = live_server.url + issue.get_absolute_url()
    page.goto(url)

    page.fill("#form-reply textarea[name=text]", REPLY)
    page.fill("#form-callback textarea[name=result]", "电话未接通")
    # classified without the person responsible: refused, the reply is still there
    page.check("#form-classify input[value=company]")
    page.click("#submit-classify")
    page.wait_for_selector("#form-classify .invalid-feedback")
    assert page.input_value("#form-reply textarea[name=text]") == REPLY
    assert page.input_value("#form-callback textarea[name=result]") == "电话未接通"

    page.select_option("#form-classify select[name=assignee]", str(dept_a.pk))
    page.click("#submit-classify")
    page.wait_for_selector(".alert-success")
    assert Issue.objects.get(pk=issue.pk).assignee == dept_a
    assert dialogs == []  # submitting a form of the page does not ask "leave?"
    # the text typed in the other forms is back, and the page says so
    assert page.input_value("#form-reply textarea[name=text]") == REPLY
    assert page.input_value("#form-callback textarea[name=result]") == "电话未接通"
    assert page.locator("#form-reply .draft-restored").is_visible()
    assert page.locator("#form-classify .draft-restored").count() == 0  # saved: its draft is gone
    keys = page.evaluate("Object.keys(localStorage)")
    assert f"liaison:draft:issue-{issue.pk}-classify" not in keys
    assert f"liaison:draft:issue-{issue.pk}-reply" in keys

    # leaving with the typed reply asks first (answered: leave)
    page.evaluate("document.querySelector('#form-reply textarea').dispatchEvent(new Event('input', {bubbles: true}))")
    page.goto(live_server.url + "/issues/")
    assert "beforeunload" in dialogs
    page.goto(url)
    assert page.input_value("#form-reply textarea[name=text]") == REPLY  # still kept on this device

    page.click("#submit-reply")
    page.wait_for_selector(".alert-success")
    assert Reply.objects.filter(issue=issue, text=REPLY).exists()
    assert page.input_value("#form-reply textarea[name=text]") == ""  # sent: the draft went with it
    page.reload()
    assert page.input_value("#form-reply textarea[name=text]") == ""
    assert page.input_value("#form-callback textarea[name=result]") == "电话未接通"  # never sent: kept
    assert errors == []
    ctx.close()
