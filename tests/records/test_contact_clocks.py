"""Work contact sheets with clocks (issue 19 item 5): a PF-09-R05 received from a committee opens an issue
(or links one) with the reply and callback deadlines; a sheet sent to a committee with a reply_by is reminded
once before the end of that day and marked overdue once, by the deadline-scan pattern."""

import datetime
import os
import threading
import zoneinfo

import pytest
from django.db import connection
from django.urls import reverse

from followups import actions as followups_actions
from followups.models import Issue
from liaison.models import Notification
from records import actions, contact_scan
from records.forms import ContactSheetForm
from records.models import ContactSheetEvent, WorkContactSheet

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def sh(*args):
    return datetime.datetime(*args, tzinfo=SH)


NOW = sh(2026, 3, 10, 10, 0)


def save(user, now, *, instance=None, **data):
    form = ContactSheetForm(data, instance=instance, user=user)
    assert form.is_valid(), form.errors
    if instance is None:
        return actions.create_contact_sheet(form, by=user, now=now)
    return actions.edit_contact_sheet(form, by=user, now=now)


def sheet_data(oc, **kw):
    data = {
        "committee": oc.pk,
        "direction": "to",
        "issued_on": "2026-03-10",
        "subject": "外墙维修方案征求意见",
        "content": "请业委会于3月20日前答复",
        "status": "sent",
        "reply_by": "2026-03-20",
    }
    data.update(kw)
    return data


def test_a_received_sheet_opens_an_issue_with_reply_and_callback_deadlines(director_a, oc_a, client_for):
    sheet = save(
        director_a,
        NOW,
        **sheet_data(oc_a, direction="from", subject="地下车库漏水", content="B2层漏水", reply_by=""),
    )
    issue = sheet.issue
    assert issue is not None and issue.source == "contact_sheet" and issue.source_ref == sheet.number
    assert issue.committee == oc_a and issue.title == "地下车库漏水"
    # the default policy: reply within 3 days, first callback within 3 days of being raised
    assert issue.reply_due_at is not None and issue.reply_due_at > NOW
    assert issue.callback_due_at is not None and issue.next_check_at is not None
    assert sheet.reply_due_at is None  # its clock is the issue's
    page = client_for(director_a).get(sheet.get_absolute_url()).content.decode()
    assert f"#{issue.pk}" in page and "地下车库漏水" in page
    # saving it again does not open a second issue
    save(director_a, NOW, instance=sheet, **sheet_data(oc_a, direction="from", subject="地下车库漏水", reply_by=""))
    assert Issue.objects.count() == 1


def test_a_received_sheet_links_an_issue_already_recorded(director_a, oc_a, oc_b, director_b):
    issue = followups_actions.raise_issue(
        estate=oc_a.estate,
        committee=oc_a,
        raised_by="张喆",
        raised_at=NOW,
        description="路灯不亮",
        source="phone",
        actor=director_a,
        now=NOW,
    )
    sheet = save(director_a, NOW, **sheet_data(oc_a, direction="from", reply_by="", issue=issue.pk))
    assert sheet.issue == issue and Issue.objects.count() == 1
    # a sent sheet cannot carry an issue; another estate's director cannot pick it
    form = ContactSheetForm(sheet_data(oc_a, issue=issue.pk), user=director_a)
    assert not form.is_valid() and "issue" in form.errors
    form = ContactSheetForm(sheet_data(oc_b, direction="from", issue=issue.pk), user=director_b)
    assert not form.is_valid() and "issue" in form.errors


def test_a_draft_received_sheet_opens_nothing(director_a, oc_a):
    sheet = save(director_a, NOW, **sheet_data(oc_a, direction="from", status="draft", reply_by=""))
    assert sheet.issue is None and not Issue.objects.exists()


def test_a_sent_sheet_is_reminded_once_and_marked_overdue_once(director_a, oc_a, leader):
    sheet = save(director_a, NOW, **sheet_data(oc_a))
    assert sheet.reply_due_at == sh(2026, 3, 20, 23, 59, 59)
    assert sheet.next_check_at == sh(2026, 3, 19, 23, 59, 59)
    assert contact_scan.scan(sh(2026, 3, 19, 23)) == {"reminded": 0, "overdue": 0, "skipped": 0}
    assert contact_scan.scan(sh(2026, 3, 20, 9)) == {"reminded": 1, "overdue": 0, "skipped": 0}
    assert contact_scan.scan(sh(2026, 3, 20, 10)) == {"reminded": 0, "overdue": 0, "skipped": 0}
    assert contact_scan.scan(sh(2026, 3, 21, 9)) == {"reminded": 0, "overdue": 1, "skipped": 0}
    assert contact_scan.scan(sh(2026, 3, 25, 9)) == {"reminded": 0, "overdue": 0, "skipped": 0}
    assert Notification.objects.filter(recipient=director_a, kind="contact.reminder").count() == 1
    overdue = Notification.objects.get(recipient=director_a, kind="contact.overdue")
    assert sheet.number in overdue.subject
    sheet.refresh_from_db()
    assert sheet.overdue_at == sh(2026, 3, 20, 23, 59, 59) and sheet.next_check_at is None


def test_overdue_mark_shows_on_list_and_detail(director_a, oc_a, client_for):
    sheet = save(director_a, sh(2026, 1, 5, 10), **sheet_data(oc_a, issued_on="2026-01-05", reply_by="2026-01-08"))
    c = client_for(director_a)
    assert "答复逾期" in c.get(reverse("records:contact_list")).content.decode()
    assert "逾期" in c.get(sheet.get_absolute_url()).content.decode()


def test_a_reply_stops_the_clock_and_a_new_reply_by_is_reminded_again(director_a, oc_a):
    sheet = save(director_a, NOW, **sheet_data(oc_a))
    contact_scan.scan(sh(2026, 3, 20, 9))
    sheet.refresh_from_db()
    sheet = save(director_a, NOW, instance=sheet, **sheet_data(oc_a, reply_by="2026-03-27"))
    assert sheet.next_check_at == sh(2026, 3, 26, 23, 59, 59)
    assert contact_scan.scan(sh(2026, 3, 26, 23, 59, 59))["reminded"] == 1
    sheet.refresh_from_db()
    sheet = save(
        director_a,
        NOW,
        instance=sheet,
        **sheet_data(oc_a, reply_by="2026-03-27", reply="同意", replied_on="2026-03-25", status="replied"),
    )
    assert sheet.reply_due_at is None and sheet.next_check_at is None
    assert contact_scan.scan(sh(2026, 4, 1)) == {"reminded": 0, "overdue": 0, "skipped": 0}


def test_after_downtime_the_reminder_is_skipped_and_the_overdue_mark_made_once(director_a, oc_a):
    save(director_a, NOW, **sheet_data(oc_a))
    assert contact_scan.scan(sh(2026, 3, 23)) == {"reminded": 0, "overdue": 1, "skipped": 1}
    assert not Notification.objects.filter(kind="contact.reminder").exists()


def test_another_estates_people_do_not_see_the_sheet_or_its_issue(director_a, oc_a, client_for, director_b, chair_b):
    sheet = save(director_a, NOW, **sheet_data(oc_a, direction="from", reply_by=""))
    for outsider in (director_b, chair_b):
        c = client_for(outsider)
        assert c.get(sheet.get_absolute_url()).status_code == 404
        assert c.get(reverse("followups:detail", args=[sheet.issue_id])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_send_each_once_on_postgresql(director_a, oc_a):
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    for i in range(4):
        save(director_a, NOW, **sheet_data(oc_a, subject=f"联系单{i}"))
    barrier = threading.Barrier(3)
    errors = []

    def run():
        try:
            barrier.wait(timeout=30)
            for at in (sh(2026, 3, 20, 9), sh(2026, 3, 21, 9)):
                contact_scan.scan(at)
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
    assert ContactSheetEvent.objects.count() == 8
    assert Notification.objects.filter(recipient=director_a, kind="contact.reminder").count() == 4
    assert Notification.objects.filter(recipient=director_a, kind="contact.overdue").count() == 4
    assert WorkContactSheet.objects.filter(overdue_at__isnull=False).count() == 4
