"""A committee member's journey in Chromium: raise an issue online, the office assigns it, the engineer
resolves it, the member confirms the resolution and sees it closed."""

import pytest
from django.urls import reverse

from followups import actions
from followups.models import Issue

pytestmark = pytest.mark.browser


def login(page, live_server, user, password):
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("#login-submit")
    page.wait_for_url(live_server.url + "/")


@pytest.mark.django_db(transaction=True)
def test_committee_member_raises_an_issue_and_confirms_its_resolution(
    live_server, browser, chair_a, director_a, dept_a, password
):
    page = browser.new_page()
    errors = []
    # a refused form answers 400 on purpose; anything else in the console (CSP, scripts) is a bug
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 400" not in m.text else None)
    login(page, live_server, chair_a, password)
    page.click("#panel-raise")
    page.fill("#id_title", "3栋东侧路灯不亮")
    page.fill("#id_description", "晚间出行不便，请尽快维修。")
    page.select_option("#id_category", "facilities")
    page.fill("#id_location", "3栋东侧")
    page.click("#issue-submit")
    page.wait_for_selector("#issue-title")
    assert "3栋东侧路灯不亮" in page.inner_text("#issue-title")
    assert page.locator("#deadline-table").is_visible()  # the member sees when a reply is due
    issue = Issue.objects.get()
    assert issue.source == "online"

    # the office assigns it, the engineer replies and resolves it (as functions: not this journey's subject)
    actions.assign(issue, assignee=dept_a, actor=director_a)
    actions.add_reply(issue, text="已安排工程部明天更换灯具。", actor=dept_a)
    actions.mark_resolved(issue, resolution="已更换LED灯具，夜间测试正常。", actor=dept_a)

    page.goto(live_server.url + "/")
    assert "3栋东侧路灯不亮" in page.inner_text("#issues-panel")
    page.goto(live_server.url + issue.get_absolute_url())
    assert "已安排工程部明天更换灯具。" in page.inner_text("#replies")
    assert "已更换LED灯具" in page.inner_text("#issue-resolution")
    # disputing without saying why is refused with a message, nothing changes
    page.check("#form-confirm input[value=unsatisfied]")
    page.click("#submit-confirm")
    assert page.locator("#form-confirm .invalid-feedback, #form-confirm .alert-danger").count() > 0
    assert Issue.objects.get().status == Issue.Status.RESOLVED
    page.check("#form-confirm input[value=satisfied]")
    page.fill("#form-confirm textarea[name=comment]", "灯亮了，谢谢。")
    page.click("#submit-confirm")
    page.wait_for_selector("#issue-closed")
    assert page.locator("#issue-status").inner_text() in ("已关闭", "Closed")
    assert "灯亮了，谢谢。" in page.inner_text("#callbacks")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.CLOSED and issue.close_reason == Issue.CloseReason.CONFIRMED
    assert not errors  # no CSP or script errors on the way
