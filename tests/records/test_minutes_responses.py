"""Members confirm a meeting's final minutes or object with a comment (issue 16 item 4): one answer per
member, changeable while the minutes are open to answers (two weeks after distribution), only for members
of the meeting's committee; the director sees who confirmed, who objected and what, and who has not
answered, and is told of an objection (the member is not told of their own)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from liaison.models import AuditEntry, Notification
from liaison.notify import notify
from records import actions
from records.models import MinutesResponse

from . import factories as f

pytestmark = pytest.mark.django_db
OBJECTION = "第二项决议写成“十日内张贴公告”，会上定的是“七日内”，请更正。"


@pytest.fixture
def meeting(estate_a, oc_a, director_a, chair_a, member_a, secretary_a):
    return f.meeting(estate_a, oc_a, organizer=director_a)


@pytest.fixture
def minutes(meeting, director_a):
    mi = f.minutes(meeting)
    mi.finalised_at = mi.distributed_at = timezone.now() - datetime.timedelta(hours=3)
    mi.finalised_by = director_a
    mi.save()
    return mi


def answer_url(meeting):
    return reverse("records:minutes_respond", args=[meeting.pk])


def page_url(meeting):
    return reverse("records:minutes_html", args=[meeting.pk])


def test_a_member_confirms_another_objects_and_the_director_sees_both_and_who_has_not_answered(
    client_for, meeting, minutes, chair_a, member_a, secretary_a, director_a
):
    r = client_for(chair_a).post(answer_url(meeting), {"answer": "confirmed", "comment": ""})
    assert r.status_code == 302 and r["Location"].endswith("#minutes-answers")
    r = client_for(member_a).post(answer_url(meeting), {"answer": "objected", "comment": OBJECTION})
    assert r.status_code == 302
    answers = dict(MinutesResponse.objects.values_list("user__username", "answer"))
    assert answers == {"chair_a": "confirmed", "member_a": "objected"}

    html = client_for(director_a).get(page_url(meeting)).content.decode()
    section = html.split('id="minutes-answers"', 1)[1]
    assert "张喆" in section.split('id="answers-confirmed"', 1)[1].split("</ul>", 1)[0]
    objected = section.split('id="answers-objected"', 1)[1].split("</ul>", 1)[0]
    assert "刘堃" in objected and "七日内" in objected
    unanswered = section.split('id="answers-unanswered"', 1)[1].split("</ul>", 1)[0]
    assert "孙珺" in unanswered and "张喆" not in unanswered and "刘堃" not in unanswered
    assert "已确认 1" in section and "有异议 1" in section and "未回复 1" in section
    assert 'id="answer-card"' not in html  # the director does not answer

    # the objection is told to the director (and whoever distributed the minutes), never to the member
    told = Notification.objects.filter(kind="meeting.minutes_objection")
    assert list(told.values_list("recipient__username", flat=True)) == ["director_a"]
    assert "刘堃" in told.get().subject and "七日内" in told.get().body
    assert told.get().url == page_url(meeting) + "#minutes-answers"
    # a confirmation tells nobody
    assert Notification.objects.filter(kind__startswith="meeting.minutes").count() == 1


def test_the_member_sees_their_answer_and_may_change_it(client_for, meeting, minutes, member_a, director_a):
    c = client_for(member_a)
    html = c.get(page_url(meeting)).content.decode()
    assert 'id="answer-card"' in html and "确认或提出异议" in html
    c.post(answer_url(meeting), {"answer": "objected", "comment": OBJECTION})
    c.post(answer_url(meeting), {"answer": "confirmed", "comment": "已与主任核对，记录无误。"})
    response = MinutesResponse.objects.get()
    assert (response.answer, response.version) == ("confirmed", 2)
    html = c.get(page_url(meeting)).content.decode()
    mine = html.split('id="my-answer"', 1)[1].split("</div>", 1)[0]
    assert "已确认" in mine
    assert 'id="answers-objected"' not in html  # members see their own answer, not the roll call
    entries = AuditEntry.objects.filter(action__startswith="minutes.").order_by("pk")
    assert list(entries.values_list("action", flat=True)) == ["minutes.objected", "minutes.confirmed"]
    # the same answer again changes nothing
    c.post(answer_url(meeting), {"answer": "confirmed", "comment": "已与主任核对，记录无误。"})
    assert MinutesResponse.objects.get().version == 2 and entries.count() == 2


def test_an_objection_needs_a_comment(client_for, meeting, minutes, member_a):
    r = client_for(member_a).post(answer_url(meeting), {"answer": "objected", "comment": " "})
    assert r.status_code == 400
    assert "请写明异议内容：提出异议须附意见。" in r.content.decode()
    assert not MinutesResponse.objects.exists()
    assert not Notification.objects.filter(kind="meeting.minutes_objection").exists()


@pytest.mark.parametrize("who", ["chair_b", "rc_member_a"])
def test_a_member_of_another_estate_or_committee_is_refused_and_nothing_saved(
    client_for, meeting, minutes, chair_b, rc_member_a, who
):
    user = {"chair_b": chair_b, "rc_member_a": rc_member_a}[who]
    c = client_for(user)
    assert c.post(answer_url(meeting), {"answer": "objected", "comment": OBJECTION}).status_code == 404
    assert c.get(page_url(meeting)).status_code == 404
    with pytest.raises(PermissionDenied):
        actions.respond_to_minutes(minutes, user=user, answer="confirmed", now=timezone.now())
    assert not MinutesResponse.objects.exists()
    assert not Notification.objects.filter(kind="meeting.minutes_objection").exists()


def test_staff_cannot_answer_for_a_member(client_for, meeting, minutes, director_a):
    assert client_for(director_a).post(answer_url(meeting), {"answer": "confirmed"}).status_code == 403
    assert not MinutesResponse.objects.exists()


def test_only_final_minutes_are_answered(client_for, meeting, minutes, member_a):
    minutes.finalised_at = minutes.distributed_at = None
    minutes.save()
    assert client_for(member_a).post(answer_url(meeting), {"answer": "confirmed"}).status_code == 404
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        actions.respond_to_minutes(minutes, user=member_a, answer="confirmed", now=timezone.now())
    assert "尚未定稿" in e.value.messages[0]
    assert not MinutesResponse.objects.exists()


def test_answers_close_two_weeks_after_distribution(client_for, meeting, minutes, member_a, director_a):
    closes = actions.minutes_answers_close_at(minutes)
    assert closes == minutes.distributed_at + datetime.timedelta(days=14)
    actions.respond_to_minutes(minutes, user=member_a, answer="confirmed", now=closes - datetime.timedelta(minutes=1))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        actions.respond_to_minutes(minutes, user=member_a, answer="objected", comment=OBJECTION, now=closes)
    assert "截止" in e.value.messages[0]
    assert MinutesResponse.objects.get().answer == "confirmed"
    minutes.distributed_at = minutes.finalised_at = timezone.now() - datetime.timedelta(days=15)
    minutes.save()
    html = client_for(member_a).get(page_url(meeting)).content.decode()
    assert 'id="answers-closed"' in html and 'id="answer-card"' not in html and 'id="my-answer"' in html
    r = client_for(member_a).post(answer_url(meeting), {"answer": "objected", "comment": OBJECTION})
    assert r.status_code == 400 and MinutesResponse.objects.get().answer == "confirmed"


def test_answering_marks_the_minutes_message_read(meeting, minutes, member_a):
    notify(
        [member_a],
        kind="minutes.distributed",
        key=f"meeting:{meeting.pk}:minutes",
        subject="会议记录",
        url=meeting.get_absolute_url(),
    )
    actions.respond_to_minutes(minutes, user=member_a, answer="confirmed", now=timezone.now())
    assert Notification.objects.get(kind="minutes.distributed").read_at is not None
