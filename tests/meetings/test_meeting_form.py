"""Scheduling without friction: the kinds offered follow the committee chosen, and the notice override
and the overlap confirmation appear only once the server finds them needed (still enforced there)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting

pytestmark = pytest.mark.django_db


def _post(kinds, committee, starts, kind="oc_routine", **extra):
    return {
        "estate": committee.estate_id,
        "committee": committee.pk,
        "kind": kinds[kind].pk,
        "title": "电梯更新专题会议",
        "starts_at": timezone.localtime(starts).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(starts + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "管理处会议室",
        **extra,
    }


def _field_kind(html, name):
    """How the page shows a field: "hidden", "textarea", "checkbox" or None."""
    if re.search(rf'<textarea[^>]*name="{name}"', html):
        return "textarea"
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    if tag is None:
        return None
    kind = re.search(r'type="(\w+)"', tag.group(0))
    return kind.group(1) if kind else None


def test_a_new_meeting_page_asks_for_neither_override_nor_overlap(client_for, kinds, estate_a, oc_a, rc_a, director_a):
    html = client_for(director_a).get(reverse("meetings:create") + f"?estate={estate_a.pk}").content.decode()
    assert _field_kind(html, "override_reason") == "hidden" and _field_kind(html, "confirm_overlap") == "hidden"
    # what the page needs to offer only the kinds of the committee chosen
    assert f'value="{oc_a.pk}" data-kind="oc"' in html and f'value="{rc_a.pk}" data-kind="rc"' in html
    assert f'value="{kinds["rc_contact"].pk}" data-committee-kinds="rc"' in html


def test_too_short_a_notice_then_shows_the_override_and_accepts_a_reason(client_for, kinds, estate_a, oc_a, director_a):
    client = client_for(director_a)
    url = reverse("meetings:create") + f"?estate={estate_a.pk}"
    starts = timezone.now() + datetime.timedelta(days=3)
    r = client.post(url, _post(kinds, oc_a, starts, kind="special_topic"))
    html = r.content.decode()
    assert r.status_code == 200 and "§4.1.4.2" in html and "还差" in html
    assert _field_kind(html, "override_reason") == "textarea"
    assert not Meeting.objects.exists()
    r = client.post(url, _post(kinds, oc_a, starts, kind="special_topic", override_reason="台风后地库进水，须紧急商议"))
    assert r.status_code == 302
    assert Meeting.objects.get().notice_override_reason == "台风后地库进水，须紧急商议"


def test_an_overlap_shows_the_confirmation_box(client_for, kinds, estate_a, oc_a, director_a):
    client = client_for(director_a)
    url = reverse("meetings:create") + f"?estate={estate_a.pk}"
    starts = timezone.now() + datetime.timedelta(days=10)
    assert client.post(url, _post(kinds, oc_a, starts)).status_code == 302
    r = client.post(url, _post(kinds, oc_a, starts + datetime.timedelta(minutes=30)))
    html = r.content.decode()
    assert _field_kind(html, "confirm_overlap") == "checkbox" and _field_kind(html, "override_reason") == "hidden"
    assert Meeting.objects.count() == 1
    assert client.post(url, _post(kinds, oc_a, starts, confirm_overlap="on")).status_code == 302


@pytest.mark.browser
def test_the_kinds_offered_follow_the_committee(
    browser, live_server, transactional_db, kinds, estate_a, oc_a, rc_a, director_a, password
):
    from .test_browser import _login

    page = browser.new_context(locale="zh-CN").new_page()
    _login(page, live_server.url, director_a, password)
    page.goto(f"{live_server.url}/meetings/new/?estate={estate_a.pk}")

    def offered():
        return page.eval_on_selector_all(
            "#id_kind option", "os => os.filter(o => o.value && !o.disabled).map(o => o.value)"
        )

    page.select_option("#id_committee", str(rc_a.pk))
    rc_kinds = set(offered())
    assert str(kinds["rc_contact"].pk) in rc_kinds and str(kinds["oc_monthly"].pk) not in rc_kinds
    page.select_option("#id_committee", str(oc_a.pk))
    oc_kinds = set(offered())
    assert str(kinds["oc_monthly"].pk) in oc_kinds and str(kinds["rc_contact"].pk) not in oc_kinds
    page.context.close()
