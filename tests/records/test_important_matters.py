"""Important matters (issue 19 item 3, seed 000 §4.1.6): recorded with their kind, when they became known and
by when they must be raised with the 业委会 (per-kind default, e.g. a major accident the same day); a reminder
before that moment and the leader told after it, each exactly once; committee members see a matter once it
is raised with them, never another estate's; the assessment counts those raised late."""

import datetime
import os
import threading
import zoneinfo

import pytest
from django.db import connection
from django.urls import reverse

from assessment import metrics
from assessment.months import Month
from liaison.models import AuditEntry, Notification
from records import matter_scan, matters
from records.matter_forms import MatterForm
from records.models import ImportantMatter, MatterEvent, MatterPolicy, WorkContactSheet

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def sh(*args):
    return datetime.datetime(*args, tzinfo=SH)


NOW = sh(2026, 3, 10, 10, 0)


def record(user, now, *, instance=None, **data):
    form = MatterForm(data, instance=instance, user=user)
    assert form.is_valid(), form.errors
    return matters.save_matter(form, by=user, now=now)


def base(oc, **kw):
    data = {
        "committee": oc.pk,
        "kind": "accident",
        "title": "3号楼电梯困人",
        "description": "电梯困人两小时，消防到场",
        "known_at": "2026-03-10T09:00",
    }
    data.update(kw)
    return data


@pytest.fixture
def accident(director_a, oc_a):
    return record(director_a, NOW, **base(oc_a))


def test_a_major_accident_is_to_be_raised_the_same_day_and_policies_are_editable(accident, director_a, oc_a):
    assert accident.raise_by == sh(2026, 3, 10, 23, 59, 59)
    # the reminder comes first: 2 hours before the day ends
    assert accident.next_check_at == sh(2026, 3, 10, 21, 59, 59)
    fund = record(director_a, NOW, **base(oc_a, kind="fund", title="外墙维修动用维修资金"))
    assert fund.raise_by == sh(2026, 3, 13, 23, 59, 59)
    MatterPolicy.objects.filter(kind="fund").update(raise_within_days=1)
    fund2 = record(director_a, NOW, **base(oc_a, kind="fund", title="屋面防水"))
    assert fund2.raise_by == sh(2026, 3, 11, 23, 59, 59)
    assert AuditEntry.objects.filter(object_type="records.importantmatter", action="matter.created").count() == 3


def test_reminder_then_leader_each_once(accident, director_a, leader):
    assert matter_scan.scan(sh(2026, 3, 10, 21, 0)) == {"reminded": 0, "escalated": 0, "skipped": 0}
    assert matter_scan.scan(sh(2026, 3, 10, 22, 0)) == {"reminded": 1, "escalated": 0, "skipped": 0}
    assert matter_scan.scan(sh(2026, 3, 10, 22, 30)) == {"reminded": 0, "escalated": 0, "skipped": 0}
    assert Notification.objects.filter(recipient=director_a, kind="matter.reminder").count() == 1
    assert not Notification.objects.filter(recipient=leader).exists()
    assert matter_scan.scan(sh(2026, 3, 11, 0, 1)) == {"reminded": 0, "escalated": 1, "skipped": 0}
    assert matter_scan.scan(sh(2026, 3, 12, 9)) == {"reminded": 0, "escalated": 0, "skipped": 0}
    told = Notification.objects.get(recipient=leader, kind="matter.escalated")
    assert "3号楼电梯困人" in told.subject
    accident.refresh_from_db()
    assert accident.escalated_at == sh(2026, 3, 10, 23, 59, 59) and accident.next_check_at is None


def test_after_downtime_the_late_reminder_is_skipped_and_the_leader_told_once(accident, director_a, leader):
    assert matter_scan.scan(sh(2026, 3, 11, 8)) == {"reminded": 0, "escalated": 1, "skipped": 1}
    assert not Notification.objects.filter(kind="matter.reminder").exists()
    assert MatterEvent.objects.filter(matter=accident).count() == 2


def test_a_raised_matter_is_not_chased(accident, director_a, leader, oc_a):
    sheet = WorkContactSheet.objects.create(
        estate=oc_a.estate, committee=oc_a, subject="电梯困人情况说明", content="x", status="sent"
    )
    data = base(oc_a, raised_at="2026-03-10T15:00", raised_via="contact", contact_sheet=sheet.pk)
    record(director_a, sh(2026, 3, 10, 16), instance=accident, version=accident.version, **data)
    accident.refresh_from_db()
    assert accident.link == sheet and accident.next_check_at is None
    assert matter_scan.scan(sh(2026, 3, 12)) == {"reminded": 0, "escalated": 0, "skipped": 0}


def test_bad_input_is_refused_on_the_page_with_the_input_kept(client_for, director_a, oc_a):
    c = client_for(director_a)
    url = reverse("records:matter_create")
    r = c.post(url, base(oc_a, known_at="2099-01-01T09:00", title="未来的事"))
    assert r.status_code == 200 and "未来的事" in r.content.decode()
    assert "知悉时间不能晚于现在。" in r.content.decode()
    r = c.post(url, base(oc_a, raise_by="2026-03-09T09:00", title="倒填日期"))
    assert (
        r.status_code == 200 and "倒填日期" in r.content.decode() and "提交期限不能早于知悉时间。" in r.content.decode()
    )
    r = c.post(url, base(oc_a, raised_at="2026-03-10T09:30", raised_via="meeting", title="没选会议"))
    assert (
        r.status_code == 200 and "没选会议" in r.content.decode() and "请选择提交该事项的会议。" in r.content.decode()
    )
    assert not ImportantMatter.objects.exists()


def test_refusal_messages_in_english(client_for, director_a, oc_a):
    director_a.language = "en"
    director_a.save(update_fields=["language"])
    c = client_for(director_a)
    r = c.post(reverse("records:matter_create"), base(oc_a, raise_by="2026-03-09T09:00"))
    body = r.content.decode()
    assert "The raise-by moment cannot be before the matter became known." in body


def test_committee_sees_a_matter_once_raised_and_never_another_estates(
    client_for, accident, director_a, oc_a, chair_a, chair_b, director_b
):
    detail = reverse("records:matter_detail", args=[accident.pk])
    assert client_for(chair_a).get(detail).status_code == 404  # not raised yet: internal
    assert "3号楼电梯困人" not in client_for(chair_a).get(reverse("records:matter_list")).content.decode()
    ImportantMatter.objects.filter(pk=accident.pk).update(raised_at=sh(2026, 3, 10, 15), raised_via="meeting")
    r = client_for(chair_a).get(detail)
    assert r.status_code == 200 and "电梯困人两小时" in r.content.decode()
    assert "3号楼电梯困人" in client_for(chair_a).get(reverse("records:matter_list")).content.decode()
    for outsider in (chair_b, director_b):
        assert client_for(outsider).get(detail).status_code == 404
        assert "3号楼电梯困人" not in client_for(outsider).get(reverse("records:matter_list")).content.decode()
        assert client_for(outsider).get(reverse("records:matter_edit", args=[accident.pk])).status_code == 404
    assert client_for(chair_a).get(reverse("records:matter_edit", args=[accident.pk])).status_code == 403


def test_list_filters_by_state(client_for, director_a, oc_a, accident):
    other = record(director_a, NOW, **base(oc_a, kind="service", title="停水检修"))
    ImportantMatter.objects.filter(pk=other.pk).update(raised_at=sh(2026, 3, 10, 9, 30), raised_via="meeting")
    c = client_for(director_a)
    late = c.get(reverse("records:matter_list"), {"state": "late"}).content.decode()
    assert "3号楼电梯困人" in late and "停水检修" not in late  # the accident's day is past (now)
    raised = c.get(reverse("records:matter_list"), {"state": "raised", "kind": "service"}).content.decode()
    assert "停水检修" in raised and "3号楼电梯困人" not in raised


def test_assessment_counts_matters_raised_late_against_a_hand_count(director_a, oc_a, estate_a):
    # due in March: on time (raised before), raised late, never raised; one due in April is not March's
    on_time = record(director_a, NOW, **base(oc_a, title="按时"))
    late = record(director_a, NOW, **base(oc_a, title="迟报"))
    never = record(director_a, NOW, **base(oc_a, title="未报"))
    april = record(director_a, NOW, **base(oc_a, title="四月", raise_by="2026-04-02T12:00"))
    ImportantMatter.objects.filter(pk=on_time.pk).update(raised_at=sh(2026, 3, 10, 12), raised_via="meeting")
    ImportantMatter.objects.filter(pk=late.pk).update(raised_at=sh(2026, 3, 12, 12), raised_via="meeting")
    assert april.raise_by.month == 4 and never.raised_at is None
    cells = metrics.family_counts(metrics.FAMILIES["matters"], Month(2026, 3), sh(2026, 4, 5), None)
    assert sum(c["matter_due"] for c in cells.values()) == 3
    assert sum(c["matter_late"] for c in cells.values()) == 2
    names = set(
        metrics.records_for("matter_late", Month(2026, 3), sh(2026, 4, 5), estate_ids=[estate_a.pk]).values_list(
            "title", flat=True
        )
    )
    assert names == {"迟报", "未报"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_send_each_once_on_postgresql(director_a, oc_a, leader):
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    for i in range(5):
        record(director_a, NOW, **base(oc_a, title=f"事故{i}"))
    barrier = threading.Barrier(3)
    errors = []

    def run():
        try:
            barrier.wait(timeout=30)
            for at in (sh(2026, 3, 10, 22), sh(2026, 3, 11, 1)):
                matter_scan.scan(at)
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert MatterEvent.objects.count() == 10
    assert Notification.objects.filter(recipient=director_a, kind="matter.reminder").count() == 5
    assert Notification.objects.filter(recipient=leader, kind="matter.escalated").count() == 5


def test_the_assessment_drill_down_lists_the_late_matters(client_for, assessor, director_a, oc_a):
    late = record(director_a, NOW, **base(oc_a, title="迟报事项"))
    on_time = record(director_a, NOW, **base(oc_a, title="按时事项"))
    ImportantMatter.objects.filter(pk=on_time.pk).update(raised_at=sh(2026, 3, 10, 12), raised_via="meeting")
    assert late.raised_at is None
    url = reverse("assessment:records", kwargs={"year": 2026, "month": 3, "metric": "matter_late"})
    r = client_for(assessor).get(url)
    body = r.content.decode()
    assert r.status_code == 200 and "迟报事项" in body and "按时事项" not in body
