"""Sign-off choices a committee uses (issue 16 item 4): 同意 / 同意（附意见）/ 不同意（须写明理由）/ 回避.

Each is recorded and counted; 不同意 without a reason is refused in Chinese and nothing is saved; 回避 is
left out of the count (records/signoff.py: evaluate — seed 000 §4.1.7 and seed 002 第六条); the counts
and each dissent's reason are on the sign-off page, the signed PDF and the director's list; migration
0002 turns the old "decline" into "disagree"."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone, translation

from liaison.models import CommitteeMember, Notification, Role
from records import documents, signoff
from records.models import Signature, SignoffRequest
from tests.factories import MemberFactory, UserFactory

from . import factories as f

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime.datetime(2026, 11, 24, 10, 0))
REASON = "维修资金使用方案未经业主大会表决，不同意先行施工。"


def member(user):
    return user.memberships.get(ended_on__isnull=True)


@pytest.fixture
def vice_a(oc_a):
    return MemberFactory(
        committee=oc_a,
        role=CommitteeMember.Role.VICE_CHAIR,
        user=UserFactory(username="vice_a", name="周彧", role=Role.COMMITTEE),
    ).user


@pytest.fixture
def sheet(oc_a, director_a):
    return f.contact_sheet(oc_a, by=director_a)


def start(sheet, users, by, *, rule=SignoffRequest.Rule.ALL):
    fragment = documents.contact_fragment(sheet)
    return signoff.start(
        committee=sheet.committee,
        title=sheet.subject,
        source=SignoffRequest.Source.CONTACT_SHEET,
        members=[member(u) for u in users],
        by=by,
        now=NOW,
        pdf=documents.frozen_pdf(sheet.estate, "contact", fragment, docref=sheet.number),
        html=fragment,
        contact_sheet=sheet,
        rule=rule,
    )


@pytest.fixture
def four(sheet, chair_a, member_a, secretary_a, vice_a, director_a):
    """A request to the chair, a member, the secretary and the vice-chair (rule: all)."""
    return start(sheet, [chair_a, member_a, secretary_a, vice_a], director_a)


def post_sign(client, req, user, password, decision, comment=""):
    v = req.current_version()
    client.force_login(user)
    return client.post(
        reverse("records:signoff_sign", args=[req.pk]),
        {
            "decision": decision,
            "comment": comment,
            "password": password,
            "version_id": v.pk,
            "version_sha256": v.sha256,
        },
    )


def sign(req, user, decision, comment="", *, rf, password):
    v = req.current_version()
    request = rf.post("/")
    request.META["REMOTE_ADDR"] = "10.0.0.9"
    return signoff.sign(
        req,
        request=request,
        user=user,
        password=password,
        decision=decision,
        comment=comment,
        version_id=v.pk,
        version_sha256=v.sha256,
        now=NOW,
    )


def status(req):
    req.refresh_from_db()
    return req.status


def test_each_choice_is_recorded_and_counted(four, chair_a, member_a, secretary_a, vice_a, client, password):
    post_sign(client, four, chair_a, password, "agree")
    post_sign(client, four, member_a, password, "comments", "请补充三家报价。")
    assert status(four) == SignoffRequest.Status.OPEN
    post_sign(client, four, secretary_a, password, "disagree", REASON)
    assert status(four) == SignoffRequest.Status.OPEN  # not before every signer has decided
    assert post_sign(client, four, vice_a, password, "recuse", "本人车位在改造范围内").status_code == 302

    decisions = dict(Signature.objects.values_list("signer__name", "decision"))
    assert decisions == {"张喆": "agree", "刘堃": "comments", "孙珺": "disagree", "周彧": "recuse"}
    t = signoff.tally(four)
    assert (t.agree, t.comments, t.disagree, t.recuse, len(t.pending)) == (1, 1, 1, 1, 0)
    assert (t.voting, t.needed) == (3, 3)
    assert [(s.name, r) for s, r in t.dissents] == [("孙珺", REASON)]
    assert [(s.name, r) for s, r in t.recusals] == [("周彧", "本人车位在改造范围内")]
    # rule "all": one of the three who did not recuse disagrees -> not agreed
    assert status(four) == SignoffRequest.Status.DECLINED
    msg = Notification.objects.get(kind="signoff.completed", recipient__username="director_a")
    assert "同意 2 人" in msg.body and "不同意 1 人" in msg.body and "回避 1 人" in msg.body


def test_the_page_the_pdf_and_the_list_show_counts_and_reasons(
    four, chair_a, member_a, secretary_a, vice_a, director_a, client, password, pdftext
):
    post_sign(client, four, chair_a, password, "agree")
    post_sign(client, four, secretary_a, password, "disagree", REASON)
    post_sign(client, four, vice_a, password, "recuse")
    client.force_login(director_a)
    html = client.get(four.get_absolute_url()).content.decode()
    counts = html.split('id="tally-counts"', 1)[1].split("</ul>", 1)[0]
    for label, n in [("同意", 1), ("同意（附意见）", 0), ("不同意", 1), ("回避", 1), ("尚未签名", 1)]:
        assert f"{label} <strong>{n}</strong>" in counts, (label, counts)
    assert REASON in html.split('id="tally-dissents"', 1)[1]
    assert 'id="tally-foregone"' in html  # rule "all" with a dissent: it cannot be agreed any more
    assert "未回避的 3 名签名人中须有 3 人同意" in html

    listing = client.get(reverse("records:signoff_list")).content.decode()
    assert "同意 1 · 不同意 1 · 回避 1" in listing

    sigs = list(signoff.valid_signatures(four).select_related("signer"))
    text = pdftext(documents.signed_pdf(four, four.current_version(), sigs))
    flat = "".join(text.split())
    assert "同意1" in flat and "不同意1" in flat and "回避1" in flat and "尚未签名1" in flat
    assert "维修资金使用方案未经业主大会表决" in text  # the reason (its cell may wrap further on)
    assert "尚未签名" in text  # the decision column does not wrap


def test_disagree_without_a_reason_is_refused_in_chinese_and_nothing_is_saved(four, secretary_a, client, password, rf):
    r = post_sign(client, four, secretary_a, password, "disagree", "   ")
    assert r.status_code == 400
    assert "选择“不同意”须写明理由，您的签名尚未记录。" in r.content.decode()
    with translation.override("zh-hans"), pytest.raises(signoff.SignError) as e:
        sign(four, secretary_a, "disagree", "", rf=rf, password=password)
    assert str(e.value) == "选择“不同意”须写明理由，您的签名尚未记录。"
    assert not Signature.objects.exists()
    assert status(four) == SignoffRequest.Status.OPEN
    assert not Notification.objects.filter(kind="signoff.completed").exists()


def test_the_form_offers_the_four_choices_and_its_help_names_them(four, secretary_a, client):
    client.force_login(secretary_a)
    html = client.get(four.get_absolute_url()).content.decode()
    form = html.split('id="sign-card"', 1)[1]
    for label in ["同意", "同意（附意见）", "不同意（须写明理由）", "回避（如有利害关系）"]:
        assert f"{label}\n" in form or f"{label}<" in form or f"{label} " in form, label
    assert "不参加" not in form
    assert "选择“同意（附意见）”或“不同意”时必填；选择“回避”时可简要写明原因。" in form


def test_a_recusal_is_not_counted_against(sheet, chair_a, member_a, secretary_a, vice_a, director_a, rf, password):
    # rule all: the chair agrees, the member recuses (no reason needed) -> agreed
    req = start(sheet, [chair_a, member_a], director_a)
    sign(req, chair_a, "agree", rf=rf, password=password)
    sign(req, member_a, "recuse", rf=rf, password=password)
    assert status(req) == SignoffRequest.Status.COMPLETED and req.completed_at

    # rule majority: 2 agree, 1 disagrees, 1 recuses -> 2 of the 3 who take part: agreed
    req = start(sheet, [chair_a, member_a, secretary_a, vice_a], director_a, rule=SignoffRequest.Rule.MAJORITY)
    sign(req, chair_a, "disagree", "理由", rf=rf, password=password)
    sign(req, member_a, "agree", rf=rf, password=password)
    sign(req, secretary_a, "recuse", rf=rf, password=password)
    assert status(req) == SignoffRequest.Status.OPEN
    sign(req, vice_a, "agree", rf=rf, password=password)
    assert status(req) == SignoffRequest.Status.COMPLETED
    t = signoff.tally(req)
    assert (t.voting, t.needed, t.agreeing) == (3, 2, 2)

    # had the recusal counted against, 2 of 4 would not be more than half
    req = start(sheet, [chair_a, member_a, secretary_a, vice_a], director_a, rule=SignoffRequest.Rule.MAJORITY)
    sign(req, chair_a, "agree", rf=rf, password=password)
    sign(req, member_a, "disagree", "理由", rf=rf, password=password)
    sign(req, secretary_a, "disagree", "理由", rf=rf, password=password)
    sign(req, vice_a, "recuse", rf=rf, password=password)
    assert status(req) == SignoffRequest.Status.DECLINED  # 1 of 3 agree


def test_everyone_recusing_agrees_to_nothing(sheet, chair_a, member_a, director_a, rf, password):
    req = start(sheet, [chair_a, member_a], director_a)
    sign(req, chair_a, "recuse", rf=rf, password=password)
    sign(req, member_a, "recuse", rf=rf, password=password)
    assert status(req) == SignoffRequest.Status.DECLINED


def test_a_recusal_reason_is_short(four, vice_a, rf, password):
    with translation.override("zh-hans"), pytest.raises(signoff.SignError) as e:
        sign(four, vice_a, "recuse", "利" * 201, rf=rf, password=password)
    assert "200" in str(e.value)
    assert not Signature.objects.exists()


def test_the_old_decline_still_reaches_the_api_as_disagree(four, secretary_a, rf, password):
    sig = sign(four, secretary_a, "decline", REASON, rf=rf, password=password)
    assert sig.decision == Signature.Decision.DISAGREE and sig.comment == REASON


def test_the_migration_maps_decline_to_disagree(four, chair_a, member_a, secretary_a):
    v = four.current_version()
    signers = {s.name: s for s in four.signers.all()}
    Signature.objects.create(signer=signers["张喆"], version=v, decision="agree", sha256=v.sha256)
    Signature.objects.create(signer=signers["刘堃"], version=v, decision="decline", comment=REASON, sha256=v.sha256)
    Signature.objects.create(
        signer=signers["孙珺"], version=v, decision="decline", comment="旧理由", sha256=v.sha256, voided_at=NOW
    )
    migration = importlib.import_module("records.migrations.0002_signoff_choices_minutes_responses")
    assert migration.map_decline(apps, None) == 2
    rows = dict(Signature.objects.values_list("signer__name", "decision"))
    assert rows == {"张喆": "agree", "刘堃": "disagree", "孙珺": "disagree"}
    assert Signature.objects.get(signer__name="刘堃").comment == REASON  # the reason is kept
    assert not Signature.objects.filter(decision="decline").exists()
    migration.unmap_decline(apps, None)
    assert set(Signature.objects.values_list("decision", flat=True)) == {"agree", "decline"}
