"""Views: work contact sheets, forms from meetings/follow-ups, the monthly work plan, batch printing —
happy and unhappy paths, scoping per role."""

import datetime
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison.models import AuditEntry, Notification
from records import batch, plans
from records.models import BatchJob, WorkContactSheet, WorkPlan, WorkPlanItem

from . import factories as f

pytestmark = pytest.mark.django_db


def contact_data(committee, **kw):
    data = {
        "committee": committee.pk,
        "direction": "to",
        "number": "",
        "issued_on": "2026-11-20",
        "subject": "关于消防通道占用的联系单",
        "content": "消防通道长期被车辆占用。",
        "support_requested": "请业委会协助劝导。",
        "reply_by": "2026-11-27",
        "reply": "",
        "replied_on": "",
        "replied_by_name": "",
        "status": "sent",
    }
    data.update(kw)
    return data


def test_director_creates_contact_sheet_with_automatic_number(client, director_a, oc_a):
    client.force_login(director_a)
    r = client.post(reverse("records:contact_create"), contact_data(oc_a))
    sheet = WorkContactSheet.objects.get()
    assert r.status_code == 302 and sheet.number == "2026-001" and sheet.estate == oc_a.estate
    client.post(reverse("records:contact_create"), contact_data(oc_a, subject="第二份"))
    assert WorkContactSheet.objects.filter(number="2026-002").exists()
    assert AuditEntry.objects.filter(action="contact.created").count() == 2
    page = client.get(sheet.get_absolute_url()).content.decode()
    assert "消防通道长期被车辆占用" in page and "工作联系单" in page


def test_contact_form_errors_keep_input_and_write_nothing(client, director_a, oc_a):
    client.force_login(director_a)
    r = client.post(reverse("records:contact_create"), contact_data(oc_a, subject="", reply="已处理", replied_on=""))
    body = r.content.decode()
    assert r.status_code == 200 and not WorkContactSheet.objects.exists()
    assert "消防通道长期被车辆占用" in body and "请填写答复日期" in body
    f.contact_sheet(oc_a, number="2026-009")
    r = client.post(reverse("records:contact_create"), contact_data(oc_a, number="2026-009"))
    assert "已被使用" in r.content.decode() and WorkContactSheet.objects.count() == 1


def test_contact_sheet_in_another_estates_committee_is_refused(client, director_a, oc_b, oc_a):
    client.force_login(director_a)
    r = client.post(reverse("records:contact_create"), contact_data(oc_b))
    assert r.status_code == 200 and not WorkContactSheet.objects.exists()  # not a valid choice


def test_contact_sheet_scoping(client, oc_a, director_a, chair_a, chair_b, rc_member_a, leader):
    sheet = f.contact_sheet(oc_a, by=director_a)
    url = sheet.get_absolute_url()
    client.force_login(chair_a)
    assert client.get(url).status_code == 200
    assert client.get(reverse("records:contact_edit", args=[sheet.pk])).status_code == 403  # read only
    for user in (chair_b, rc_member_a):  # other estate / other committee of the same estate
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert sheet.subject not in client.get(reverse("records:contact_list")).content.decode()
    client.force_login(leader)
    assert client.get(url).status_code == 200
    sheet.status = WorkContactSheet.Status.DRAFT
    sheet.save()
    client.force_login(chair_a)
    assert client.get(url).status_code == 404  # drafts stay inside the company


def test_contact_pdf_download(client, oc_a, director_a):
    sheet = f.contact_sheet(oc_a, by=director_a)
    client.force_login(director_a)
    r = client.get(reverse("records:contact_pdf", args=[sheet.pk]))
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert "PF-09-R05" in r["Content-Disposition"]


def test_pdf_failure_shows_a_message_not_a_500(client, oc_a, director_a, settings):
    settings.PDF_MAX_HTML_BYTES = 100
    sheet = f.contact_sheet(oc_a, by=director_a)
    client.force_login(director_a)
    r = client.get(reverse("records:contact_pdf", args=[sheet.pk]), follow=True)
    assert r.status_code == 200 and "文件过大" in r.content.decode()


def test_signin_and_minutes_views_scoped(client, oc_a, director_a, chair_a, chair_b):
    m = f.meeting(oc_a.estate, oc_a, organizer=director_a)
    f.invite(m, "张喆", user=chair_a)
    mi = f.minutes(m, final=False)
    client.force_login(director_a)
    assert client.get(reverse("records:signin_pdf", args=[m.pk])).content.startswith(b"%PDF")
    assert "张喆" in client.get(reverse("records:signin_html", args=[m.pk])).content.decode()
    assert client.get(reverse("records:minutes_pdf", args=[m.pk])).status_code == 200
    client.force_login(chair_a)
    assert client.get(reverse("records:minutes_html", args=[m.pk])).status_code == 404  # draft minutes
    mi.finalised_at = timezone.now()
    mi.save()
    assert client.get(reverse("records:minutes_html", args=[m.pk])).status_code == 200
    client.force_login(chair_b)
    for name in ("records:signin_pdf", "records:signin_html", "records:minutes_html", "records:minutes_pdf"):
        assert client.get(reverse(name, args=[m.pk])).status_code == 404


def test_minutes_signoff_from_finalised_minutes(client, oc_a, director_a, chair_a):
    m = f.meeting(oc_a.estate, oc_a, organizer=director_a)
    mi = f.minutes(m)
    client.force_login(director_a)
    url = reverse("records:signoff_create") + f"?source=minutes&minutes={mi.pk}"
    chair = chair_a.memberships.get()
    r = client.post(url, {"title": "会议记录确认", "members": [str(chair.pk)], "rule": "all"})
    assert r.status_code == 302
    req = chair.committee.signoff_requests.get()
    assert req.minutes_id == mi.pk and "开展业主意见征询" in req.current_version().html


def test_callback_views(client, oc_a, director_a, chair_b):
    issue = f.issue(oc_a.estate, oc_a)
    f.callback(issue)
    client.force_login(director_a)
    assert "黄昇" in client.get(reverse("records:callbacks_issue", args=[issue.pk])).content.decode()
    r = client.get(reverse("records:callbacks_month", args=[oc_a.estate.pk]) + "?year=2026&month=11&format=pdf")
    assert r.content.startswith(b"%PDF")
    r = client.get(reverse("records:callbacks_month", args=[oc_a.estate.pk]) + "?year=abc&month=99")
    assert r.status_code == 200  # bad month falls back to this month
    client.force_login(chair_b)
    assert client.get(reverse("records:callbacks_issue", args=[issue.pk])).status_code == 404
    assert client.get(reverse("records:callbacks_month", args=[oc_a.estate.pk])).status_code == 404


def _rule(estate, kind_code="routine", **kw):
    from meetings.models import CadenceRule, MeetingKind

    kind, _ = MeetingKind.objects.get_or_create(code=kind_code, defaults={"name": "工作协调会议"})
    rule = CadenceRule.objects.create(
        estate=estate,
        code=kw.pop("code", "oc-monthly"),
        name=kw.pop("name", "与业委会月度沟通"),
        committee_kind="oc",
        min_count=kw.pop("min_count", 1),
        period="month",
        effective_from=datetime.date(2026, 1, 1),
        clause="§4.1.5",
        **kw,
    )
    rule.kinds.add(kind)
    return rule


def test_work_plan_generated_adjusted_submitted_approved(client, oc_a, director_a, leader):
    _rule(oc_a.estate, min_count=2)
    f.meeting(
        oc_a.estate,
        oc_a,
        organizer=director_a,
        starts_at=timezone.make_aware(datetime.datetime(2026, 12, 10, 14)),
        title="十二月协调会",
    )
    now = timezone.make_aware(datetime.datetime(2026, 11, 24, 10))
    plan = plans.get_or_create_plan(oc_a.estate, 2026, 12, by=director_a, now=now)
    items = list(plan.items.all())
    origins = sorted(i.origin for i in items)
    assert origins == ["cadence", "meeting"]  # 2 required - 1 scheduled = 1 still to plan
    assert plans.generate(plan, by=director_a, now=now) == 0  # idempotent
    client.force_login(director_a)
    r = client.post(plan.get_absolute_url(), {"action": "add", "date": "2027-01-03", "activity": "x"})
    assert "计划所属月份" in r.content.decode()
    client.post(
        plan.get_absolute_url(),
        {"action": "add", "date": "2026-12-15", "activity": "走访居委会", "counterpart": "粤海社区居委会"},
    )
    cadence = plan.items.get(origin="cadence")
    client.post(reverse("records:plan_item_toggle", args=[plan.pk, cadence.pk]))
    assert plan.items.get(pk=cadence.pk).removed
    client.post(reverse("records:plan_action", args=[plan.pk, "submit"]))
    plan.refresh_from_db()
    assert plan.status == WorkPlan.Status.SUBMITTED
    assert Notification.objects.filter(recipient=leader, kind="plan.submitted").exists()
    # the director cannot approve; the leader must give a reason to return it
    assert (
        client.post(reverse("records:plan_action", args=[plan.pk, "decide"]), {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(leader)
    client.post(reverse("records:plan_action", args=[plan.pk, "decide"]), {"decision": "return", "comment": ""})
    plan.refresh_from_db()
    assert plan.status == WorkPlan.Status.SUBMITTED
    client.post(reverse("records:plan_action", args=[plan.pk, "decide"]), {"decision": "approve", "comment": "同意"})
    plan.refresh_from_db()
    assert plan.status == WorkPlan.Status.APPROVED and plan.decided_by == leader
    r = client.get(reverse("records:plan_pdf", args=[plan.pk]))
    assert r.content.startswith(b"%PDF")


def test_work_plan_scoping(client, estate_a, director_b, chair_a):
    plan = WorkPlan.objects.create(estate=estate_a, year=2026, month=12)
    WorkPlanItem.objects.create(plan=plan, activity="x")
    for user in (director_b, chair_a):
        client.force_login(user)
        assert client.get(plan.get_absolute_url()).status_code == 404
        assert client.post(reverse("records:plan_action", args=[plan.pk, "submit"])).status_code == 404
    client.force_login(director_b)
    r = client.post(reverse("records:plan_open"), {"estate": estate_a.pk, "year": 2026, "month": 12})
    assert r.status_code == 404


def test_batch_signin_next_week_inline_and_in_background(client, oc_a, director_a, settings, chair_b, pdftext):
    now = timezone.now()
    start, _end = batch.meetings_forms.next_week(now)
    for i in range(3):
        f.meeting(
            oc_a.estate,
            oc_a,
            organizer=director_a,
            starts_at=start + datetime.timedelta(days=i, hours=10),
            title=f"会议{i}",
        )
    client.force_login(director_a)
    page = client.get(reverse("records:batch")).content.decode()
    assert "会议0" in page and "会议2" in page
    r = client.post(reverse("records:batch_start"), {"kind": "signin_next_week"})
    assert r["Content-Type"] == "application/pdf"
    settings.RECORDS_INLINE_BATCH = 1
    r = client.post(reverse("records:batch_start"), {"kind": "signin_next_week"})
    job = BatchJob.objects.get()
    assert r.status_code == 302 and job.status == BatchJob.Status.QUEUED
    assert batch.run_job(job.pk) is True
    assert batch.run_job(job.pk) is False  # claimed once
    status = client.get(reverse("records:batch_job", args=[job.pk]) + "?format=json").json()
    assert status["status"] == "done" and status["percent"] == 100
    data = client.get(reverse("records:batch_download", args=[job.pk])).content
    text = pdftext(data)
    assert text.count("AM-02-R02") == 3 and "会议0" in text and "会议2" in text  # one sheet per meeting
    client.force_login(chair_b)
    assert client.get(reverse("records:batch_job", args=[job.pk])).status_code in (403, 404)


def test_month_archive_zip(client, oc_a, director_a):
    m = f.meeting(oc_a.estate, oc_a, organizer=director_a)
    inv = f.invite(m, "张喆")
    f.attend(m, inv)
    m.attendance_recorded_at = m.ends_at
    m.save()
    f.minutes(m)
    f.contact_sheet(oc_a, by=director_a)
    f.callback(f.issue(oc_a.estate, oc_a))
    client.force_login(director_a)
    client.post(
        reverse("records:batch_start"), {"kind": "month_archive", "estate": oc_a.estate.pk, "year": 2026, "month": 11}
    )
    job = BatchJob.objects.get()
    assert batch.run_job(job.pk)
    names = zipfile.ZipFile(io.BytesIO(bytes(BatchJob.objects.get().result))).namelist()
    assert sorted(n[:9] for n in names) == ["AM-02-R02", "AM-02-R03", "CS-01-R01", "PF-09-R05"]


def test_month_archive_of_foreign_estate_refused(client, director_a, estate_b):
    client.force_login(director_a)
    r = client.post(
        reverse("records:batch_start"), {"kind": "month_archive", "estate": estate_b.pk, "year": 2026, "month": 11}
    )
    assert r.status_code == 404 and not BatchJob.objects.exists()


def test_verify_page_is_public_and_unknown_code_is_404(client, db):
    assert client.get(reverse("records:verify")).status_code == 200
    assert client.get(reverse("records:verify_code", args=["NOPE"])).status_code == 404
    r = client.post(reverse("records:verify"), {})
    assert "请上传 PDF" in r.content.decode()
