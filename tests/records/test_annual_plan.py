"""The annual work plan (《社区服务办公室年度工作计划》, §4.1.1): generated from the cadence rules and last
year's plan, edited, submitted and approved; the plan against the meetings held; who may see it."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison.models import AuditEntry, Notification
from meetings.models import CadenceRule, Meeting, MeetingKind
from records import actions, annual, plans
from records.models import AnnualPlan, AnnualPlanItem

from . import factories as f

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10):
    return timezone.make_aware(datetime.datetime(y, m, d, h))


@pytest.fixture
def kinds(db):
    routine, _ = MeetingKind.objects.get_or_create(
        code="routine", defaults={"name": "工作协调会议", "name_en": "Routine", "order": 1}
    )
    visit, _ = MeetingKind.objects.get_or_create(
        code="report-visit", defaults={"name": "半年工作汇报走访", "name_en": "Report visit", "order": 2}
    )
    rc, _ = MeetingKind.objects.get_or_create(code="rc-contact", defaults={"name": "居委会沟通", "order": 3})
    return {"routine": routine, "visit": visit, "rc": rc}


def rule(estate, code, name, committee_kind, kind, *, period="month", min_count=1, effective=(2026, 1, 1), **kw):
    r = CadenceRule.objects.create(
        estate=estate,
        code=code,
        name=name,
        committee_kind=committee_kind,
        min_count=min_count,
        period=period,
        effective_from=datetime.date(*effective),
        **kw,
    )
    r.kinds.add(kind)
    return r


@pytest.fixture
def rules(estate_a, oc_a, rc_a, kinds, director_a, supervisor_a):
    return [
        rule(estate_a, "oc-monthly", "与业委会月度沟通", "oc", kinds["routine"]),
        rule(
            estate_a,
            "rc-quarterly",
            "与居委会季度沟通",
            "rc",
            kinds["rc"],
            period="quarter",
            min_count=2,
            responsible="supervisor",
        ),
        # takes effect in July: only the second half-year is planned
        rule(estate_a, "oc-report", "半年工作汇报", "oc", kinds["visit"], period="half_year", effective=(2026, 7, 1)),
        rule(estate_a, "oc-off", "已停用的规则", "oc", kinds["routine"], active=False),
    ]


def test_plan_generated_from_the_rules_matches_a_hand_made_one(rules, estate_a, oc_a, rc_a, kinds, director_a):
    # last year's plan: the item added by hand is carried over; its rule items are not (regenerated)
    last = AnnualPlan.objects.create(estate=estate_a, year=2025)
    AnnualPlanItem.objects.create(
        plan=last, month=4, kind=kinds["routine"], committee=oc_a, topic="消防演练协调", owner="王主任"
    )
    AnnualPlanItem.objects.create(
        plan=last, month=5, kind=kinds["routine"], committee=oc_a, topic="旧的", origin="cadence", source_key="x"
    )
    AnnualPlanItem.objects.create(
        plan=last, month=6, kind=kinds["routine"], committee=oc_a, topic="删掉的", removed=True
    )
    plan = plans.get_or_create_annual(estate_a, 2026, by=director_a, now=at(2025, 12, 20))

    got = sorted((i.month, i.kind.code, i.committee.name, i.topic, i.owner, i.origin) for i in plan.items.all())
    hand_made = sorted(
        [(m, "routine", "翠湖花园业主委员会", "与业委会月度沟通", "王主任", "cadence") for m in range(1, 13)]
        + [(m, "rc-contact", "粤海社区居委会", "与居委会季度沟通", "李主管", "cadence") for m in (3, 6, 9, 12)] * 2
        + [(12, "report-visit", "翠湖花园业主委员会", "半年工作汇报", "王主任", "cadence")]
        + [(4, "routine", "翠湖花园业主委员会", "消防演练协调", "王主任", "carried")]
    )
    assert got == hand_made
    # generating again adds nothing, and an item the director removed stays out
    item = plan.items.filter(origin="cadence").first()
    count = plan.items.count()
    actions.toggle_annual_item(plan, item, by=director_a, now=at(2025, 12, 21))
    assert plans.generate_annual(plan, by=director_a, now=at(2025, 12, 21)) == 0
    assert plan.items.count() == count and plan.items.get(pk=item.pk).removed
    assert AuditEntry.objects.filter(action="annual_plan.item_removed").exists()


def _held(committee, kind, when, title="会议"):
    m = f.meeting(committee.estate, committee, starts_at=when, title=title)
    Meeting.objects.filter(pk=m.pk).update(kind=kind, attendance_recorded_at=when + datetime.timedelta(hours=2))
    return m


def test_plan_against_actual_counts_held_moved_and_missed(client, estate_a, oc_a, rc_a, kinds, director_a):
    plan = AnnualPlan.objects.create(estate=estate_a, year=2026)

    def item(month, kind, committee, topic):
        return AnnualPlanItem.objects.create(plan=plan, month=month, kind=kind, committee=committee, topic=topic)

    march = item(3, kinds["routine"], oc_a, "三月例会")
    april = item(4, kinds["routine"], oc_a, "四月例会")
    april_rc = item(4, kinds["rc"], rc_a, "四月居委会")
    june = item(6, kinds["routine"], oc_a, "六月例会")
    december = item(12, kinds["routine"], oc_a, "十二月例会")
    _held(oc_a, kinds["routine"], at(2026, 3, 12, 14))
    _held(oc_a, kinds["routine"], at(2026, 5, 8, 14), title="推迟到五月的例会")  # April's, held in May
    _held(rc_a, kinds["rc"], at(2026, 4, 20, 9))
    _held(rc_a, kinds["routine"], at(2026, 6, 3, 9))  # the wrong committee: not June's OC meeting
    cancelled = _held(oc_a, kinds["routine"], at(2026, 6, 10, 14))
    Meeting.objects.filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED)

    result = annual.against_actual(plan, at(2026, 7, 10))
    by_item = {r["item"].pk: r for r in result["items"]}
    assert by_item[march.pk]["status"] == "held"
    assert by_item[april.pk]["status"] == "moved" and by_item[april.pk]["month"] == 5
    assert by_item[april.pk]["meeting"].title == "推迟到五月的例会"
    assert by_item[april_rc.pk]["status"] == "held"
    assert by_item[june.pk]["status"] == "missed"
    assert by_item[december.pk]["status"] == "planned"
    april_row = result["months"][3]
    assert (april_row["planned"], april_row["held"], april_row["moved"], april_row["missed"]) == (2, 1, 1, 0)
    assert april_row["moved_to"] == [5]
    assert result["totals"] == {"planned": 5, "held": 2, "moved": 1, "missed": 1, "open": 1}
    # June is only missed once its month (and the grace day) is over
    assert annual.against_actual(plan, at(2026, 6, 25))["months"][5]["open"] == 1

    # the page's 12-month table and the item says where it moved to
    client.force_login(director_a)
    body = client.get(plan.get_absolute_url()).content.decode()
    assert "已改期" in body and "5月" in body and "未召开" in body
    # the estate's page shows the same table
    body = client.get(reverse("estate_detail", args=[estate_a.pk])).content.decode()
    assert 'id="estate-annual-months"' in body


def test_approved_annual_plan_feeds_the_monthly_plan(estate_a, oc_a, kinds, director_a, leader, client):
    plan = AnnualPlan.objects.create(estate=estate_a, year=2026, prepared_by=director_a)
    AnnualPlanItem.objects.create(
        plan=plan, month=12, kind=kinds["routine"], committee=oc_a, topic="年终座谈", owner="王主任"
    )
    AnnualPlanItem.objects.create(plan=plan, month=11, kind=kinds["routine"], committee=oc_a, topic="十一月例会")
    client.force_login(director_a)
    client.post(reverse("records:annual_action", args=[plan.pk, "submit"]))
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.SUBMITTED
    assert Notification.objects.filter(recipient=leader, kind="plan.submitted").exists()
    assert (
        client.post(reverse("records:annual_action", args=[plan.pk, "decide"]), {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(leader)
    client.post(reverse("records:annual_action", args=[plan.pk, "decide"]), {"decision": "approve", "comment": "同意"})
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.APPROVED and plan.decided_by == leader
    assert Notification.objects.filter(recipient=director_a, kind="plan.decided").exists()

    monthly = plans.get_or_create_plan(estate_a, 2026, 12, by=director_a, now=at(2026, 11, 24))
    items = list(monthly.items.all())
    assert [(i.origin, i.activity, i.responsible) for i in items] == [("annual", "工作协调会议：年终座谈", "王主任")]
    # an approved plan is not edited
    client.force_login(director_a)
    r = client.post(
        plan.get_absolute_url(),
        {"action": "add", "month": 5, "kind": kinds["routine"].pk, "committee": oc_a.pk, "topic": "x"},
    )
    assert r.status_code == 403


def test_another_estates_director_gets_404_and_a_committee_member_sees_nothing(
    client, estate_a, oc_a, kinds, director_b, chair_a
):
    plan = AnnualPlan.objects.create(estate=estate_a, year=2026)
    item = AnnualPlanItem.objects.create(plan=plan, month=3, kind=kinds["routine"], committee=oc_a, topic="三月例会")
    urls = [
        plan.get_absolute_url(),
        reverse("records:annual_pdf", args=[plan.pk]),
        reverse("records:annual_item_edit", args=[plan.pk, item.pk]),
    ]
    for user in (director_b, chair_a):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(reverse("records:annual_action", args=[plan.pk, "submit"])).status_code == 404
        assert client.post(reverse("records:annual_item_toggle", args=[plan.pk, item.pk])).status_code == 404
    client.force_login(director_b)
    assert client.post(reverse("records:annual_open"), {"estate": estate_a.pk, "year": 2026}).status_code == 404
    client.force_login(chair_a)
    assert client.get(reverse("records:plan_list")).status_code == 403
    body = client.get(reverse("estate_detail", args=[estate_a.pk])).content.decode()
    assert "estate-annual-plan" not in body and "三月例会" not in body
    assert not plan.items.filter(removed=True).exists() and AnnualPlan.objects.get(pk=plan.pk).status == "draft"


def test_bad_items_are_refused_with_a_message_and_the_input_kept(client, estate_a, oc_a, kinds, director_a):
    plan = AnnualPlan.objects.create(estate=estate_a, year=2026)
    client.force_login(director_a)
    data = {
        "action": "add",
        "month": "13",
        "kind": kinds["routine"].pk,
        "committee": oc_a.pk,
        "topic": "地下车库照明专题",
    }
    r = client.post(plan.get_absolute_url(), data)
    body = r.content.decode()
    assert r.status_code == 400 and "月份须为1至12" in body and 'value="地下车库照明专题"' in body
    r = client.post(plan.get_absolute_url(), {**data, "month": "0"})
    assert "月份须为1至12" in r.content.decode()
    r = client.post(plan.get_absolute_url(), {**data, "month": "5", "kind": ""})
    body = r.content.decode()
    assert r.status_code == 400 and "请选择会议类型" in body and 'value="地下车库照明专题"' in body
    assert not plan.items.exists()
    # an edit with a bad month keeps the item as it was
    item = AnnualPlanItem.objects.create(plan=plan, month=3, kind=kinds["routine"], committee=oc_a, topic="三月例会")
    url = reverse("records:annual_item_edit", args=[plan.pk, item.pk])
    r = client.post(url, {**data, "month": "abc", "topic": "改过的"})
    assert r.status_code == 400 and 'value="改过的"' in r.content.decode()
    item.refresh_from_db()
    assert (item.month, item.topic) == (3, "三月例会")
    r = client.post(url, {**data, "month": "9", "topic": "改到九月"})
    item.refresh_from_db()
    assert (item.month, item.topic) == (9, "改到九月")
    assert AuditEntry.objects.filter(action="annual_plan.item_changed").exists()
    # a year out of range when opening
    r = client.post(reverse("records:annual_open"), {"estate": estate_a.pk, "year": "99999"}, follow=True)
    assert "请选择有效的年份" in r.content.decode()


def test_annual_plan_pdf_is_a_chinese_a4_form(client, estate_a, oc_a, kinds, director_a, pdftext):
    plan = AnnualPlan.objects.create(estate=estate_a, year=2026, prepared_by=director_a)
    AnnualPlanItem.objects.create(
        plan=plan, month=3, kind=kinds["routine"], committee=oc_a, topic="三月例会", owner="王主任"
    )
    client.force_login(director_a)
    r = client.get(reverse("records:annual_pdf", args=[plan.pk]))
    assert r["Content-Type"] == "application/pdf"
    text = pdftext(r.content)
    assert "2026年度社区服务办公室工作计划" in text and "三月例会" in text and "3月" in text


def test_the_assessment_counts_the_months_missed_plan_items(estate_a, oc_a, kinds, director_a):
    from assessment import live
    from assessment.months import Month

    plan = AnnualPlan.objects.create(estate=estate_a, year=2026)
    for topic in ("六月例会", "六月走访"):
        AnnualPlanItem.objects.create(plan=plan, month=6, kind=kinds["routine"], committee=oc_a, topic=topic)
    _held(oc_a, kinds["routine"], at(2026, 6, 18, 14))
    assert annual.month_by_estate([estate_a.pk], 2026, 6, at(2026, 7, 10)) == {
        estate_a.pk: {"plan_planned": 2, "plan_held": 1, "plan_moved": 0, "plan_missed": 1}
    }
    data = live.compute(Month(2026, 6), at(2026, 7, 10), [estate_a.pk])
    assert data["estates"][estate_a.pk]["plan_missed"] == 1
    assert data["staff"][(director_a.pk, estate_a.pk)]["plan_missed"] == 1


def test_the_cadence_page_shows_this_month_of_each_estates_plan(
    client, estate_a, estate_b, oc_a, rc_a, kinds, director_a, director_b
):
    today = timezone.localdate()
    plan = AnnualPlan.objects.create(estate=estate_a, year=today.year)
    AnnualPlanItem.objects.create(plan=plan, month=today.month, kind=kinds["routine"], committee=oc_a, topic="例会")
    AnnualPlanItem.objects.create(plan=plan, month=today.month, kind=kinds["rc"], committee=rc_a, topic="居委会")
    start = timezone.make_aware(datetime.datetime(today.year, today.month, 1, 0, 5))
    _held(oc_a, kinds["routine"], start)
    client.force_login(director_a)
    body = client.get(reverse("meetings:cadence")).content.decode()
    table = body.split('id="cadence-annual-plan"')[1].split("</table>")[0]
    cells = [c.strip() for c in re.findall(r'<td class="text-end">([^<]*)', table)]
    assert estate_a.name in table and cells[:3] == ["2", "1", "0"]  # planned, held, moved
    client.force_login(director_b)  # another estate's director sees nothing of estate A's plan
    assert 'id="cadence-annual-plan"' not in client.get(reverse("meetings:cadence")).content.decode()
