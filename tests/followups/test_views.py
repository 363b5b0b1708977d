"""Pages and permissions: who sees which issue (the cross-estate matrix), raising online, the steps
as forms with their error messages, list filters, Excel export, bulk assignment."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from followups import actions
from followups.models import Callback, Issue

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue_a(raise_issue):
    return raise_issue(raised_at=at(2026, 3, 2, 10), description="A小区电梯故障")


@pytest.fixture
def issue_b(oc_b, estate_b):
    return actions.raise_issue(
        estate=estate_b,
        committee=oc_b,
        raised_by="黄昇",
        raised_at=at(2026, 3, 2, 10),
        description="B小区绿化",
        source="phone",
        now=at(2026, 3, 2, 11),
    )


@pytest.mark.parametrize(
    "persona,sees_a,sees_b",
    [
        ("director_a", True, False),
        ("supervisor_a", True, False),
        ("dept_a", True, False),
        ("chair_a", True, False),
        ("member_a", True, False),
        ("rc_member_a", False, False),  # another committee of the same estate
        ("chair_b", False, True),
        ("director_b", False, True),
        ("leader", True, True),
        ("assessor", True, True),
        ("admin_user", True, True),
    ],
)
def test_cross_estate_matrix(request, client_for, issue_a, issue_b, persona, sees_a, sees_b):
    client = client_for(request.getfixturevalue(persona))
    for issue, sees in ((issue_a, sees_a), (issue_b, sees_b)):
        assert client.get(reverse("followups:detail", args=[issue.pk])).status_code == (200 if sees else 404)
        listed = client.get(reverse("followups:list")).content.decode()
        assert (issue.description in listed) == sees
        export = client.get(reverse("followups:export"))
        from openpyxl import load_workbook

        rows = [r[0] for r in load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True)]
        assert (issue.pk in rows) == sees
    # a POST on a foreign issue is a 404 too, and changes nothing
    if not sees_b:
        r = client.post(reverse("followups:reply", args=[issue_b.pk]), {"text": "x"})
        assert r.status_code == 404 and issue_b.replies.count() == 0


def test_department_staff_see_issues_assigned_to_them_in_other_estates(client_for, issue_b, director_b, dept_a):
    actions.assign(issue_b, assignee=dept_a, actor=director_b, now=at(2026, 3, 2, 12))
    client = client_for(dept_a)
    assert client.get(reverse("followups:detail", args=[issue_b.pk])).status_code == 200
    home = client.get(reverse("home")).content.decode()
    assert "B小区绿化" in home  # "my assigned work"


def test_committee_member_raises_online_and_cannot_pick_another_committee(client_for, chair_a, oc_a, oc_b, director_a):
    client = client_for(chair_a)
    r = client.post(reverse("followups:create"), {"committee": oc_b.pk, "description": "越权", "urgency": "normal"})
    assert r.status_code == 200 and "越权" in r.content.decode()  # what was typed is kept
    assert not Issue.objects.exists()
    r = client.post(
        reverse("followups:create"),
        {
            "committee": oc_a.pk,
            "title": "路灯不亮",
            "description": "3栋东侧路灯不亮",
            "urgency": "normal",
            "category": "facilities",
        },
    )
    issue = Issue.objects.get()
    assert r.url == issue.get_absolute_url()
    assert issue.source == "online" and issue.raised_by == "张喆"
    assert issue.reply_due_at is not None


def test_staff_raising_in_the_future_gets_a_clear_message(client_for, director_a, oc_a):
    r = client_for(director_a).post(
        reverse("followups:create"),
        {
            "committee": oc_a.pk,
            "raised_by": "张喆",
            "raised_at": "2099-01-01T10:00",
            "source": "meeting",
            "description": "未来",
            "urgency": "normal",
        },
    )
    assert r.status_code == 200
    assert "提出时间不能晚于当前时间。" in r.content.decode()  # in the user's language (zh-hans by default)
    assert "未来" in r.content.decode()  # what was typed is kept
    assert not Issue.objects.exists()


def test_callback_form_refuses_a_date_before_the_issue_and_keeps_input(client_for, director_a, issue_a):
    r = client_for(director_a).post(
        reverse("followups:callback", args=[issue_a.pk]),
        {
            "called_at": "2026-03-01T09:00",
            "method": "phone",
            "person_reached": "张喆",
            "result": "沟通结果XYZ",
            "satisfaction": "satisfied",
        },
    )
    assert r.status_code == 400
    assert "沟通结果XYZ" in r.content.decode()
    assert not Callback.objects.exists()


def test_close_without_callback_is_refused_on_the_page(client_for, director_a, dept_a, issue_a):
    actions.mark_resolved(issue_a, resolution="已修", actor=dept_a, now=timezone.now())
    r = client_for(director_a).post(reverse("followups:close", args=[issue_a.pk]), {"decision": ""})
    assert r.status_code == 400
    issue_a.refresh_from_db()
    assert issue_a.status == Issue.Status.RESOLVED


def test_committee_member_cannot_do_staff_steps(client_for, chair_a, issue_a):
    client = client_for(chair_a)
    for name in ("classify", "reply", "resolve", "callback", "close"):
        assert client.post(reverse(f"followups:{name}", args=[issue_a.pk]), {}).status_code == 403


def test_list_filters_and_overdue_rows(client_for, director_a, issue_a, raise_issue):
    raise_issue(raised_at=timezone.now(), description="新近问题", category="parking")
    client = client_for(director_a)
    page = client.get(reverse("followups:list"), {"overdue": "on"}).content.decode()
    assert "A小区电梯故障" in page and "新近问题" not in page and "row-overdue" in page
    page = client.get(reverse("followups:list"), {"category": "parking"}).content.decode()
    assert "新近问题" in page and "A小区电梯故障" not in page
    page = client.get(reverse("followups:list"), {"q": "电梯"}).content.decode()
    assert "A小区电梯故障" in page and "新近问题" not in page
    page = client.get(reverse("followups:list"), {"date_from": "2026-03-01", "date_to": "2026-03-03"}).content.decode()
    assert "A小区电梯故障" in page and "新近问题" not in page
    r = client.get(reverse("followups:list"), {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert r.status_code == 200


def test_bulk_assign(client_for, director_a, dept_a, issue_a, raise_issue, issue_b):
    other = raise_issue(description="第二个")
    client = client_for(director_a)
    r = client.post(reverse("followups:bulk_assign"), {"issue": [issue_a.pk, other.pk], "assignee": dept_a.pk})
    assert r.status_code == 302
    assert set(Issue.objects.filter(assignee=dept_a).values_list("pk", flat=True)) == {issue_a.pk, other.pk}
    # a foreign issue in the selection: 404, nothing assigned
    r = client.post(reverse("followups:bulk_assign"), {"issue": [issue_a.pk, issue_b.pk], "assignee": director_a.pk})
    assert r.status_code == 404
    assert Issue.objects.get(pk=issue_a.pk).assignee == dept_a


def test_export_marks_overdue_rows(client_for, director_a, issue_a):
    from openpyxl import load_workbook

    r = client_for(director_a).get(reverse("followups:export"))
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.cell(2, 1).value == issue_a.pk
    assert ws.cell(2, 1).fill.fgColor.rgb.endswith("FDE2E1")


def test_attachment_upload_is_checked_and_download_scoped(client_for, director_a, chair_b, issue_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(director_a)
    bad = SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf")
    assert client.post(reverse("followups:attach", args=[issue_a.pk]), {"file": bad}).status_code == 400
    good = SimpleUploadedFile("现场.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert client.post(reverse("followups:attach", args=[issue_a.pk]), {"file": good}).status_code == 302
    att = issue_a.attachments.get()
    assert client.get(reverse("followups:attachment", args=[att.pk])).status_code == 200
    assert client_for(chair_b).get(reverse("followups:attachment", args=[att.pk])).status_code == 404


def test_policies_page_says_which_years_the_calendar_knows(client_for, director_a):
    page = client_for(director_a).get(reverse("followups:policies")).content.decode()
    assert "2026" in page and "2025" in page
