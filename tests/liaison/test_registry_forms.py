"""Registry validation: clear Chinese messages, nothing lost, no 500s."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from liaison.models import AuditEntry, Committee, CommitteeMember, Estate

from ..factories import CommitteeFactory, EstateFactory, MemberFactory


def test_bad_mobile_is_refused_in_chinese_and_input_kept(client, director_a, oc_a):
    client.force_login(director_a)
    r = client.post(
        reverse("member_create", args=[oc_a.pk]),
        {"name": "欧阳燊", "role": "member", "phone": "12345", "term_start": "2025-03-01"},
    )
    body = r.content.decode()
    assert r.status_code == 200
    assert "11 位" in body or "11位" in body  # the message explains the mainland format
    assert 'value="欧阳燊"' in body and 'value="12345"' in body
    assert not CommitteeMember.objects.filter(name="欧阳燊").exists()


def test_good_member_is_saved_and_audited(client, director_a, oc_a):
    client.force_login(director_a)
    r = client.post(
        reverse("member_create", args=[oc_a.pk]),
        {"name": "欧阳燊", "role": "member", "phone": "13912345678", "term_start": "2025-03-01"},
    )
    assert r.status_code == 302
    m = CommitteeMember.objects.get(name="欧阳燊")
    assert AuditEntry.objects.filter(
        object_type="liaison.committeemember", object_id=str(m.pk), action="member_added", actor=director_a
    ).exists()


def test_term_end_before_start_refused(client, director_a, oc_a):
    client.force_login(director_a)
    r = client.post(
        reverse("member_create", args=[oc_a.pk]),
        {"name": "甲", "role": "member", "term_start": "2025-03-01", "term_end": "2025-02-01"},
    )
    assert "任期结束日期必须晚于开始日期" in r.content.decode()
    r = client.post(
        reverse("committee_create", args=[oc_a.estate.pk]),
        {"kind": "rc", "name": "乙", "term_start": "2025-03-01", "term_end": "2024-02-01"},
    )
    assert "任期结束日期必须晚于开始日期" in r.content.decode()
    assert not Committee.objects.filter(name="乙").exists()


def test_second_active_chair_refused(client, director_a, chair_a, oc_a):
    client.force_login(director_a)
    r = client.post(
        reverse("member_create", args=[oc_a.pk]), {"name": "另一个主任", "role": "chair", "term_start": "2025-03-01"}
    )
    assert "已有一位在任主任" in r.content.decode()
    assert oc_a.active_members().filter(role="chair").count() == 1


def test_second_active_chair_refused_by_the_database_too(oc_a, chair_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(committee=oc_a, role=CommitteeMember.Role.CHAIR)


def test_ending_a_term_keeps_history_and_frees_the_chair(client, director_a, chair_a, oc_a):
    client.force_login(director_a)
    old = oc_a.members.get(user=chair_a)
    r = client.post(reverse("member_end_term", args=[old.pk]), {"ended_on": "2026-06-30", "end_reason": "换届"})
    assert r.status_code == 302
    r = client.post(
        reverse("member_create", args=[oc_a.pk]), {"name": "新主任", "role": "chair", "term_start": "2026-07-01"}
    )
    assert r.status_code == 302
    page = client.get(reverse("committee_detail", args=[oc_a.pk])).content.decode()
    assert "新主任" in page and "换届" in page  # former chair still listed, with the reason
    old.refresh_from_db()
    assert old.ended_on == datetime.date(2026, 6, 30)


def test_end_term_before_start_refused(client, director_a, chair_a, oc_a):
    client.force_login(director_a)
    m = oc_a.members.get(user=chair_a)
    r = client.post(reverse("member_end_term", args=[m.pk]), {"ended_on": "2020-01-01", "end_reason": "x"})
    assert r.status_code == 200 and "不能早于" in r.content.decode()
    m.refresh_from_db()
    assert m.ended_on is None


def test_duplicate_estate_name_refused(client, admin_user):
    EstateFactory(name="翠湖花园")
    client.force_login(admin_user)
    r = client.post(reverse("estate_create"), {"name": "翠湖花园", "address": "另一个地址"})
    assert r.status_code == 200
    assert "已有名为" in r.content.decode() and 'value="另一个地址"' in r.content.decode()
    assert Estate.objects.filter(name="翠湖花园").count() == 1


def test_management_committee_term_defaults_to_two_years_and_seats_are_limited(client, director_a, estate_a):
    client.force_login(director_a)
    r = client.post(
        reverse("committee_create", args=[estate_a.pk]), {"kind": "mc", "name": "管委会", "term_start": "2024-02-29"}
    )
    assert r.status_code == 302
    mc = Committee.objects.get(name="管委会")
    assert mc.term_end == datetime.date(2026, 2, 28)
    for i in range(7):
        MemberFactory(committee=mc, role=CommitteeMember.Role.MEMBER, user=None, name=f"委员{i}")
    r = client.post(
        reverse("member_create", args=[mc.pk]), {"name": "第八位委员", "role": "member", "term_start": "2024-03-01"}
    )
    assert "最多" in r.content.decode()
    assert not CommitteeMember.objects.filter(name="第八位委员").exists()


def test_management_committee_longer_than_two_years_refused(client, director_a, estate_a):
    client.force_login(director_a)
    r = client.post(
        reverse("committee_create", args=[estate_a.pk]),
        {"kind": "mc", "name": "管委会", "term_start": "2024-01-01", "term_end": "2027-01-01"},
    )
    assert r.status_code == 200 and "2 年" in r.content.decode()


def test_overlapping_committee_of_same_type_refused(client, director_a, oc_a):
    client.force_login(director_a)
    r = client.post(
        reverse("committee_create", args=[oc_a.estate.pk]),
        {"kind": "oc", "name": "第二届业委会", "term_start": "2026-01-01"},
    )
    assert r.status_code == 200
    assert not Committee.objects.filter(name="第二届业委会").exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "x" * 500, "role": "nonsense", "term_start": "not-a-date"},
        {"role": "chair", "term_start": "2025-13-45", "user": "abc"},
        {},
    ],
)
def test_garbage_input_never_500(client, director_a, oc_a, payload):
    client.force_login(director_a)
    r = client.post(reverse("member_create", args=[oc_a.pk]), payload)
    assert r.status_code == 200
    r = client.post(reverse("committee_create", args=[oc_a.estate.pk]), payload)
    assert r.status_code == 200


def test_committee_constraint_in_the_database(estate_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeFactory(estate=estate_a, term_start=datetime.date(2025, 1, 1), term_end=datetime.date(2024, 1, 1))


def test_member_form_does_not_offer_another_estates_committee_accounts(client, director_a, oc_a, chair_b):
    client.force_login(director_a)
    body = client.get(reverse("member_create", args=[oc_a.pk])).content.decode()
    assert chair_b.name not in body
    r = client.post(
        reverse("member_create", args=[oc_a.pk]),
        {"name": "冒名", "role": "member", "term_start": "2025-03-01", "user": chair_b.pk},
    )
    assert r.status_code == 200 and not CommitteeMember.objects.filter(name="冒名").exists()
