"""A day's worth of due work across the apps, and `run_all(now)`: every periodic job of the beat schedule,
called as plain functions with `now` (what the Celery tasks call)."""

import datetime
import zoneinfo

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
T0 = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=SH)  # the last beat tick before the outage
T1 = T0 + datetime.timedelta(days=2)  # beat back after two days


def build(p, *, estate_a, oc_a):
    """Work that falls due during the two days: deadlines of an issue, a minutes deadline, a resolution,
    cadence periods, sign-off reminders, the daily digest."""
    from followups import actions as f_actions
    from meetings.cadence_defaults import ensure_default_kinds, install_default_rules
    from meetings.models import Meeting, Resolution
    from records.models import DocumentVersion, Signer, SignoffRequest, sha256

    from .world import PDF

    director = p["director_a"]
    kinds = ensure_default_kinds()
    install_default_rules(estate_a, effective_from=datetime.date(2026, 1, 1))
    # an issue raised 2 days before T0: reply and callback due T0 + 1 day, escalation a day later
    issue = f_actions.raise_issue(
        estate=estate_a,
        committee=oc_a,
        raised_by="张喆",
        raised_at=T0 - datetime.timedelta(days=2),
        description="地下车库B区渗水",
        source="meeting",
        now=T0 - datetime.timedelta(days=2),
    )
    issue = f_actions.assign(issue, assignee=p["dept_a"], actor=director, now=T0 - datetime.timedelta(days=2))
    # a meeting held 2 days before T0: minutes due T0 + 1 day, never written
    held_at = T0 - datetime.timedelta(days=2)
    meeting = Meeting.objects.create(
        estate=estate_a,
        committee=oc_a,
        kind=kinds["oc_routine"],
        title="二月例会",
        starts_at=held_at,
        ends_at=held_at + datetime.timedelta(hours=2),
        place="会议室",
        status=Meeting.Status.HELD,
        organizer=director,
        attendance_recorded_at=held_at,
        minutes_due_at=held_at + datetime.timedelta(days=3),
    )
    Resolution.objects.create(
        meeting=meeting,
        text="修电梯",
        owner=director,
        owner_name="王主任",
        action="联系厂家",
        due_date=(T0 + datetime.timedelta(days=1)).date(),
    )
    # a report waiting for two signatures, first reminder the morning after T0
    req = SignoffRequest.objects.create(
        estate=estate_a, committee=oc_a, title="外墙维修报告", source="report", requested_by=director, created_at=T0
    )
    DocumentVersion.objects.create(
        request=req, number=1, title="外墙维修报告", pdf=PDF, sha256=sha256(PDF), created_at=T0
    )
    for m in oc_a.members.filter(user__isnull=False):
        Signer.objects.create(
            request=req,
            member=m,
            user=m.user,
            name=m.name,
            is_chair=m.role == "chair",
            next_reminder_at=T0 + datetime.timedelta(hours=23),
        )
    return {"issue": issue, "meeting": meeting, "signoff": req}


def run_all(now):
    """Every periodic job (see <app>/beat.py), as the beat would run them at `now`."""
    from followups.scan import scan
    from liaison import delivery, digest
    from meetings.jobs import run_daily
    from records.signoff import send_reminders

    return {
        "meetings": run_daily(now),
        "followups": scan(now),
        "records": send_reminders(now),
        "digest": digest.send_digests(now),
        "delivery": delivery.deliver_pending(now=now),
    }


def effects():
    """Counts of everything a job can produce (messages, outbox rows, events, history)."""
    from followups.models import DeadlineEvent
    from liaison.models import AuditEntry, Delivery, DigestRun, GroupMessage, Notification
    from meetings.models import CadencePeriod

    return {
        "notifications": Notification.objects.count(),
        "deliveries": Delivery.objects.count(),
        "group_messages": GroupMessage.objects.count(),
        "deadline_events": DeadlineEvent.objects.count(),
        "digests": DigestRun.objects.count(),
        "audit": AuditEntry.objects.count(),
        "cadence_periods": CadencePeriod.objects.count(),
        "cadence_notices": CadencePeriod.objects.exclude(at_risk_notified_at=None).count()
        + CadencePeriod.objects.exclude(missed_notified_at=None).count(),
    }
