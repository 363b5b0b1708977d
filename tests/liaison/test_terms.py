"""Committee terms (issue 20, item 1): reminders 180/90/30/7 days before the term ends, each once; the
lapsed flag on the estate, home and sign-off pages; re-election and voted extensions (seed 002 第七条)."""

import datetime
import os
import threading
import zoneinfo

import pytest
from django.db import connection
from django.urls import reverse

from liaison import terms
from liaison.models import AuditEntry, Committee, Delivery, Notification, TermEvent, TermReminder

from ..factories import CommitteeFactory

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
END = datetime.date(2027, 6, 30)


def at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SH)


def before(days, hour=10):
    return at(END - datetime.timedelta(days=days), hour)


@pytest.fixture
def ending(oc_a, director_a, chair_a):
    oc_a.term_start, oc_a.term_end = datetime.date(2022, 7, 1), END
    oc_a.save()
    return oc_a


def reminders_of(user):
    return list(Notification.objects.filter(recipient=user, kind="term.due").order_by("created"))


def test_each_threshold_once_across_scans_and_a_rerun(ending, director_a, chair_a, member_a):
    assert terms.scan_terms(before(200)) == 0  # nothing due yet: no message
    sent_on = {}
    for days in (180, 179, 90, 90, 60, 30, 29, 7, 7, 3, 0):
        # two scans on each day (the beat catches up hourly) and a re-run: only the threshold's day sends
        got = terms.scan_terms(before(days)) + terms.scan_terms(before(days, hour=11))
        sent_on[days] = sent_on.get(days, 0) + got
    assert {d: n for d, n in sent_on.items() if n} == {180: 1, 90: 1, 30: 1, 7: 1}
    for user in (director_a, chair_a):
        subjects = [n.subject for n in reminders_of(user)]
        assert len(subjects) == 4, subjects
        assert "180" in subjects[0] and "7" in subjects[-1]
        assert "6月30日" in subjects[0]
    assert reminders_of(member_a) == []  # the director and the chair, not every member
    assert TermReminder.objects.filter(committee=ending, term_end=END, sent=True).count() == 4


def test_late_entry_sends_the_nearest_threshold_only(ending, director_a):
    assert terms.scan_terms(before(20)) == 1
    (n,) = reminders_of(director_a)
    assert "20" in n.subject
    # 180 and 90 passed over, not sent later; 7 still comes
    assert set(TermReminder.objects.filter(sent=False).values_list("days", flat=True)) == {180, 90}
    assert terms.scan_terms(before(19)) == 0
    assert terms.scan_terms(before(7)) == 1


def test_reelection_starts_a_new_term_with_its_own_reminders(ending, director_a):
    terms.scan_terms(before(30))
    from liaison import actions

    actions.record_reelection(
        ending,
        actor=director_a,
        held_on=datetime.date(2027, 6, 20),
        method="业主大会书面表决",
        result="张喆等 7 人当选",
        new_end=datetime.date(2032, 6, 19),
        now=before(10),
    )
    ending.refresh_from_db()
    assert (ending.term_start, ending.term_end) == (datetime.date(2027, 6, 20), datetime.date(2032, 6, 19))
    assert terms.scan_terms(before(7)) == 0  # the old term's last reminder is not sent any more
    assert terms.scan_terms(at(datetime.date(2031, 12, 22))) == 1  # 180 days before the new end


def test_chairs_reminder_waits_for_the_daytime(ending, director_a, chair_a, settings):
    chair_a.email, director_a.email = "chair@example.com", "dir@example.com"
    chair_a.save(), director_a.save()
    terms.scan_terms(before(90, hour=23))  # 23:00: quiet hours
    held = Delivery.objects.get(notification__recipient=chair_a)
    assert held.held and held.next_attempt_at == at(END - datetime.timedelta(days=89), 8)
    assert not Delivery.objects.get(notification__recipient=director_a).held  # staff are never held


def test_beat_schedules_the_term_scan(settings):
    assert settings.CELERY_BEAT_SCHEDULE["committee-term-scan"]["task"] == "liaison.tasks.scan_terms"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_on_postgresql_send_once(ending, director_a, chair_a):
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("integration: needs DATABASE_URL=postgres://…")
    barrier = threading.Barrier(4)
    errors = []

    def scan():
        try:
            barrier.wait(timeout=30)
            for days in (90, 89):
                terms.scan_terms(before(days))
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(reminders_of(director_a)) == 1 and len(reminders_of(chair_a)) == 1
    assert AuditEntry.objects.filter(action="term.reminded").count() == 1


# --- the lapsed flag -------------------------------------------------------------------------------------


def test_term_lapsed_rule():
    c = Committee(term_start=datetime.date(2025, 1, 1), term_end=datetime.date(2026, 12, 31))
    assert not terms.term_lapsed(c, at(datetime.date(2026, 12, 31), 23))  # the last day is still in term
    assert terms.term_lapsed(c, at(datetime.date(2027, 1, 1), 0))
    assert not terms.term_lapsed(Committee(term_start=datetime.date(2025, 1, 1), term_end=None), at(END))


def test_lapsed_term_flagged_on_estate_home_and_signoff_pages(client, oc_a, director_a, chair_a, estate_a):
    from records.models import SignoffRequest

    oc_a.term_end = datetime.date(2025, 12, 31)  # before today: lapsed
    oc_a.save()
    req = SignoffRequest.objects.create(estate=estate_a, committee=oc_a, title="年度报告", source="report")
    flag = "任期已于2025年12月31日届满"
    client.force_login(director_a)
    for url in (
        reverse("estate_detail", args=[estate_a.pk]),
        reverse("home"),
        reverse("committee_detail", args=[oc_a.pk]),
        reverse("records:signoff_list"),
    ):
        assert flag in client.get(url).content.decode(), url
    client.force_login(chair_a)
    assert flag in client.get(reverse("home")).content.decode()
    assert req.pk


def test_term_in_force_not_flagged(client, oc_a, director_a, estate_a):
    client.force_login(director_a)
    assert "届满" not in client.get(reverse("estate_detail", args=[estate_a.pk])).content.decode()


# --- terms longer than normal, extensions, re-elections -----------------------------------------------------


def mc_post(**extra):
    return {"kind": "mc", "name": "老街坊小区管理委员会", "term_start": "2025-07-01", "term_end": "2028-01-01", **extra}


def test_mc_term_longer_than_two_years_needs_the_vote_and_cites_article_seven(client, director_a, estate_a):
    client.force_login(director_a)
    r = client.post(reverse("committee_create", args=[estate_a.pk]), mc_post())
    body = r.content.decode()
    assert r.status_code == 200 and "第七条" in body and "第八条" not in body
    assert 'value="老街坊小区管理委员会"' in body and 'value="2028-01-01"' in body  # input kept
    assert not Committee.objects.filter(name="老街坊小区管理委员会").exists()
    # with the committee's decision, 2025-07-01 → 2028-01-01 (2.5 years) is accepted and recorded
    r = client.post(
        reverse("committee_create", args=[estate_a.pk]), mc_post(extension_decision="2027年5月成员大会表决延期换届")
    )
    assert r.status_code == 302
    c = Committee.objects.get(name="老街坊小区管理委员会")
    assert c.term_end == datetime.date(2028, 1, 1)
    e = TermEvent.objects.get(committee=c)
    assert e.kind == "extension" and e.old_end == datetime.date(2027, 7, 1) and "延期换届" in e.result


def test_mc_term_beyond_one_year_extension_refused(client, director_a, estate_a):
    client.force_login(director_a)
    r = client.post(
        reverse("committee_create", args=[estate_a.pk]), mc_post(term_end="2028-07-02", extension_decision="表决")
    )
    body = r.content.decode()
    assert "最长不超过1年" in body and "2028年7月1日" in body and "第七条" in body
    assert 'value="2028-07-02"' in body
    assert not Committee.objects.filter(name="老街坊小区管理委员会").exists()


@pytest.fixture
def mc_a(estate_a):
    return CommitteeFactory(
        estate=estate_a,
        kind=Committee.Kind.MC,
        name="老街坊小区管理委员会",
        term_start=datetime.date(2025, 7, 1),
        term_end=datetime.date(2027, 7, 1),
    )


def test_voted_extension_recorded_with_its_decision(client, director_a, mc_a):
    client.force_login(director_a)
    url = reverse("committee_extend", args=[mc_a.pk])
    r = client.post(url, {"new_end": "2028-01-01", "held_on": "2027-05-10", "result": "成员大会 7 票赞成 0 票反对"})
    assert r.status_code == 302
    mc_a.refresh_from_db()
    assert mc_a.term_end == datetime.date(2028, 1, 1)
    page = client.get(reverse("committee_detail", args=[mc_a.pk])).content.decode()
    assert "成员大会 7 票赞成 0 票反对" in page
    assert AuditEntry.objects.filter(action="term.extended", actor=director_a).exists()
    # a second extension may not go beyond one year past the normal end (2027-07-01)
    r = client.post(url, {"new_end": "2028-07-02", "held_on": "2027-12-01", "result": "再次延期"})
    body = r.content.decode()
    assert r.status_code == 200 and "2028年7月1日" in body and "第七条" in body
    assert 'value="2028-07-02"' in body and "再次延期" in body
    mc_a.refresh_from_db()
    assert mc_a.term_end == datetime.date(2028, 1, 1) and mc_a.term_events.count() == 1


def test_extension_limit_for_other_kinds_is_a_setting(oc_a, settings):
    oc_a.term_start, oc_a.term_end = datetime.date(2022, 1, 1), datetime.date(2027, 1, 1)
    assert terms.extension_problem(oc_a, datetime.date(2028, 1, 1)) is None
    assert terms.extension_problem(oc_a, datetime.date(2028, 1, 2))
    settings.LIAISON_TERM_EXTENSION_MONTHS = {"oc": 6}
    assert "6" in str(terms.extension_problem(oc_a, datetime.date(2027, 7, 2)))


def test_reelection_form_records_and_starts_the_next_term(client, director_a, mc_a):
    client.force_login(director_a)
    r = client.post(
        reverse("committee_reelect", args=[mc_a.pk]),
        {"held_on": "2027-06-28", "method": "居民代表大会举手表决", "result": "9 人当选"},
    )
    assert r.status_code == 302
    mc_a.refresh_from_db()
    assert (mc_a.term_start, mc_a.term_end) == (datetime.date(2027, 6, 28), datetime.date(2029, 6, 28))
    e = mc_a.term_events.get()
    assert (e.method, e.old_end, e.recorded_by) == ("居民代表大会举手表决", datetime.date(2027, 7, 1), director_a)
    page = client.get(reverse("committee_detail", args=[mc_a.pk])).content.decode()
    assert "居民代表大会举手表决" in page and "9 人当选" in page


def test_reelection_before_the_term_started_refused_input_kept(client, director_a, mc_a):
    client.force_login(director_a)
    r = client.post(
        reverse("committee_reelect", args=[mc_a.pk]),
        {"held_on": "2025-06-01", "method": "举手表决", "result": "当选名单"},
    )
    body = r.content.decode()
    assert r.status_code == 200 and "换届" in body and "当选名单" in body
    assert mc_a.term_events.count() == 0


def test_only_the_director_records_terms(client, supervisor_a, chair_a, director_b, mc_a, oc_a):
    for user, committee in ((supervisor_a, mc_a), (chair_a, oc_a)):
        client.force_login(user)
        assert client.get(reverse("committee_reelect", args=[committee.pk])).status_code == 403
    client.force_login(director_b)  # another estate's director: not found
    assert client.post(reverse("committee_extend", args=[mc_a.pk]), {"new_end": "2028-01-01"}).status_code == 404
    assert TermEvent.objects.count() == 0


def test_editing_a_committee_with_a_recorded_extension_needs_no_second_decision(client, director_a, estate_a):
    client.force_login(director_a)
    client.post(reverse("committee_create", args=[estate_a.pk]), mc_post(extension_decision="成员大会表决延期换届"))
    c = Committee.objects.get(name="老街坊小区管理委员会")
    r = client.post(reverse("committee_edit", args=[c.pk]), mc_post(secretariat_contact="吴燊"))
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.secretariat_contact == "吴燊" and c.term_events.count() == 1
