"""Beat down for two days, then restarted: every reminder, overdue mark, escalation and cadence breach
of those days is produced once; running again produces nothing more."""

import datetime

from django.core import mail

from liaison.models import Notification

from .scenario import T0, T1, build, effects, run_all


def kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_two_days_of_downtime_are_caught_up_exactly_once(personas, estate_a, oc_a):
    objs = build(personas, estate_a=estate_a, oc_a=oc_a)
    run_all(T0)  # the last tick before the outage
    before = effects()
    emails_before = len(mail.outbox)

    run_all(T1)  # beat is back
    after = effects()
    assert after["deadline_events"] > before["deadline_events"]
    issue, meeting = objs["issue"], objs["meeting"]
    issue.refresh_from_db()
    meeting.refresh_from_db()
    # the issue: overdue (reply + callback) and escalated to the office director, with the true times
    assert issue.reply_overdue and issue.callback_overdue and issue.escalation_level >= 1
    overdue = issue.events.get(deadline="reply", level=1)
    assert overdue.event_at == T0 + datetime.timedelta(days=1)
    assert "issue.overdue" in kinds(personas["dept_a"])
    assert "issue.escalated" in kinds(personas["director_a"])
    # the minutes deadline passed during the outage: the breach is recorded once
    assert meeting.minutes_breach_at is not None
    # the signers are reminded (once, not once per missed day)
    for who in ("chair_a", "member_a"):
        assert kinds(personas[who]).count("signoff.reminder") == 1, kinds(personas[who])
    # cadence: periods of the rules are evaluated and their notices sent
    assert after["cadence_periods"] > 0 and after["cadence_notices"] > 0

    # a second run at the same moment, and the next ticks: nothing more
    emails_after = len(mail.outbox)
    assert emails_after > emails_before
    run_all(T1)
    run_all(T1 + datetime.timedelta(minutes=5))
    assert effects() == after
    assert len(mail.outbox) == emails_after
    # and no one got the same e-mail twice
    sent = [(tuple(m.to), m.subject) for m in mail.outbox]
    assert len(sent) == len(set(sent)), [s for s in sent if sent.count(s) > 1]
