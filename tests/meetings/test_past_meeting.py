"""A meeting recorded after it took place (a 19:00 meeting entered at 22:13): nobody invited or told, no
notice rule, the record says it was entered afterwards; its sign-in is stamped with its start and it
counts for the cadence by its real date."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from liaison.models import Notification
from meetings import actions, cadence
from meetings.cadence_defaults import install_default_rules
from meetings.models import Dispatch, Meeting

pytestmark = pytest.mark.django_db


def _form(kinds, committee, starts, hours=2, **extra):
    return {
        "committee": committee.pk,
        "kind": kinds["oc_monthly"].pk,
        "title": "十二月月度沟通会",
        "starts_at": timezone.localtime(starts).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(starts + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"),
        "place": "业委会办公室",
        **extra,
    }


@pytest.fixture
def this_evening():
    # 19:00 today in Shanghai, or yesterday's when it is earlier than 21:00 now
    local = timezone.localtime()
    day = local.date() if local.hour >= 21 else local.date() - datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(19, 0)))


def test_recorded_afterwards_tells_nobody_and_says_so(
    client_for, kinds, estate_a, oc_a, director_a, chair_a, this_evening
):
    client = client_for(director_a)
    url = reverse("meetings:create") + f"?estate={estate_a.pk}&past=1"
    page = client.get(url).content.decode()
    assert 'id="past-meeting-note"' in page and 'name="override_reason"' not in page
    r = client.post(url, _form(kinds, oc_a, this_evening))
    m = Meeting.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("meetings:signin", args=[m.pk])
    assert m.entered_afterwards_by == director_a and m.entered_afterwards_at is not None
    assert m.sent_at is None and not m.notice_override
    assert not Notification.objects.filter(kind="meeting.invitation").exists() and not Dispatch.objects.exists()
    assert m.invitations.filter(user=chair_a).exists()  # a row of the sign-in sheet
    detail = client.get(m.get_absolute_url()).content.decode()
    assert 'id="entered-afterwards"' in detail and director_a.display_name in detail
    # the chair sees the meeting but is not asked whether they will come
    chair_page = client_for(chair_a).get(m.get_absolute_url()).content.decode()
    assert 'name="response"' not in chair_page
    with pytest.raises(ValidationError):
        actions.respond(m.invitations.get(user=chair_a), user=chair_a, response="accepted", now=timezone.now())


def test_a_meeting_not_over_yet_is_scheduled_instead(client_for, kinds, estate_a, oc_a, director_a):
    client = client_for(director_a)
    url = reverse("meetings:create") + f"?estate={estate_a.pk}&past=1"
    r = client.post(url, _form(kinds, oc_a, timezone.now() - datetime.timedelta(minutes=30)))
    assert r.status_code == 200
    assert "尚未结束" in r.content.decode() and "十二月月度沟通会" in r.content.decode()
    assert not Meeting.objects.exists()


def test_ticked_afterwards_it_is_held_from_its_start_and_counts_for_its_month(
    kinds, estate_a, oc_a, director_a, chair_a
):
    rules = {r.code: r for r in install_default_rules(estate_a, effective_from=datetime.date(2026, 1, 1))}
    starts = datetime.datetime(2026, 11, 20, 19, 0, tzinfo=timezone.get_current_timezone())
    entered = starts + datetime.timedelta(hours=3, minutes=13)
    m = actions.record_past_meeting(
        estate=estate_a,
        committee=oc_a,
        kind=kinds["oc_monthly"],
        title="十一月月度沟通会",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="业委会办公室",
        actor=director_a,
        now=entered,
    )
    att = actions.sign_in_invitee(m, m.invitations.get(user=chair_a), actor=director_a, now=entered)
    m.refresh_from_db()
    assert m.status == Meeting.Status.HELD and att.signed_in_at == starts  # not 22:13
    rule = rules["oc_monthly"]
    nov = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    assert cadence.counts(rule, *nov, now=entered)[0] == 1
    assert cadence.evaluate(rule, *nov, now=entered)["status"] == "met"
