"""Deny by default: each role against its own and another estate's objects (role × own/foreign)."""

import pytest
from django.urls import reverse

from liaison.models import CommitteeMember

from ..factories import MemberFactory

ROLES = [
    "director_a",
    "supervisor_a",
    "dept_a",
    "leader",
    "assessor",
    "admin_user",
    "chair_a",
    "rc_member_a",
    "chair_b",
    "director_b",
]

# expected status per role for estate A's objects (B's people must never see them)
READ = {
    "estate_detail": dict(
        director_a=200,
        supervisor_a=200,
        dept_a=200,
        leader=200,
        assessor=200,
        admin_user=200,
        chair_a=404,
        rc_member_a=404,
        chair_b=404,
        director_b=404,
    ),
    "committee_detail": dict(
        director_a=200,
        supervisor_a=200,
        dept_a=200,
        leader=200,
        assessor=200,
        admin_user=200,
        chair_a=200,
        rc_member_a=404,
        chair_b=404,
        director_b=404,
    ),
    "committee_edit": dict(
        director_a=200,
        supervisor_a=200,
        dept_a=403,
        leader=403,
        assessor=403,
        admin_user=200,
        chair_a=403,
        rc_member_a=404,
        chair_b=404,
        director_b=404,
    ),
    "member_create": dict(
        director_a=200,
        supervisor_a=200,
        dept_a=403,
        leader=403,
        assessor=403,
        admin_user=200,
        chair_a=403,
        rc_member_a=404,
        chair_b=404,
        director_b=404,
    ),
    "member_edit": dict(
        director_a=200,
        supervisor_a=200,
        dept_a=403,
        leader=403,
        assessor=403,
        admin_user=200,
        chair_a=403,
        rc_member_a=404,
        chair_b=404,
        director_b=404,
    ),
    "estate_edit": dict(
        director_a=403,
        supervisor_a=403,
        dept_a=403,
        leader=403,
        assessor=403,
        admin_user=200,
        chair_a=404,
        rc_member_a=404,
        chair_b=404,
        director_b=404,
    ),
}


@pytest.fixture
def everyone(request, estate_a, oc_a, rc_a):
    return {name: request.getfixturevalue(name) for name in ROLES}


def url_for(name, estate, committee, member):
    arg = {
        "estate_detail": estate.pk,
        "estate_edit": estate.pk,
        "committee_detail": committee.pk,
        "committee_edit": committee.pk,
        "member_create": committee.pk,
        "member_edit": member.pk,
    }[name]
    return reverse(name, args=[arg])


@pytest.mark.parametrize("view", list(READ))
def test_matrix_get(view, everyone, client, estate_a, oc_a):
    member = oc_a.members.get(user=everyone["chair_a"])
    url = url_for(view, estate_a, oc_a, member)
    for role, user in everyone.items():
        client.force_login(user)
        status = client.get(url).status_code
        assert status == READ[view][role], f"{role} GET {view}: {status}"


def test_foreign_posts_change_nothing(everyone, client, estate_a, oc_a):
    member = oc_a.members.get(user=everyone["chair_a"])
    for role in ["chair_b", "director_b", "chair_a", "dept_a", "leader"]:
        client.force_login(everyone[role])
        r = client.post(
            reverse("member_edit", args=[member.pk]), {"name": "篡改", "role": "member", "term_start": "2025-01-01"}
        )
        assert r.status_code in (403, 404), role
        r = client.post(reverse("member_end_term", args=[member.pk]), {"ended_on": "2026-01-01", "end_reason": "x"})
        assert r.status_code in (403, 404), role
        r = client.post(
            reverse("committee_edit", args=[oc_a.pk]), {"kind": "oc", "name": "篡改", "term_start": "2025-01-01"}
        )
        assert r.status_code in (403, 404), role
    member.refresh_from_db()
    oc_a.refresh_from_db()
    assert member.name != "篡改" and member.ended_on is None and oc_a.name != "篡改"


def test_guessing_ids_of_another_estate_gives_404(client, chair_b, oc_a, estate_a):
    victim = MemberFactory(committee=oc_a, role=CommitteeMember.Role.MEMBER)
    client.force_login(chair_b)
    for url in [
        reverse("committee_detail", args=[oc_a.pk]),
        reverse("member_edit", args=[victim.pk]),
        reverse("estate_detail", args=[estate_a.pk]),
        reverse("committee_detail", args=[999999]),
    ]:
        r = client.get(url)
        assert r.status_code == 404
        assert "翠湖花园" not in r.content.decode()


def test_estate_list_is_scoped(client, director_a, director_b, estate_a, estate_b, leader):
    client.force_login(director_b)
    body = client.get(reverse("estate_list")).content.decode()
    assert "锦绣苑" in body and "翠湖花园" not in body
    client.force_login(leader)
    body = client.get(reverse("estate_list")).content.decode()
    assert "锦绣苑" in body and "翠湖花园" in body


def test_committee_member_cannot_list_estates_or_staff(client, chair_a):
    client.force_login(chair_a)
    assert client.get(reverse("estate_list")).status_code == 403
    assert client.get(reverse("staff_list")).status_code == 403


def test_ended_membership_loses_access(client, chair_a, oc_a):
    m = oc_a.members.get(user=chair_a)
    m.ended_on = m.term_start.replace(year=2026)
    m.save()
    client.force_login(chair_a)
    assert client.get(reverse("committee_detail", args=[oc_a.pk])).status_code == 404


def test_anonymous_is_sent_to_login_everywhere(client, estate_a, oc_a):
    for url in [
        reverse("home"),
        reverse("estate_detail", args=[estate_a.pk]),
        reverse("committee_detail", args=[oc_a.pk]),
        reverse("inbox"),
        reverse("staff_list"),
    ]:
        r = client.get(url)
        assert r.status_code == 302 and reverse("login") in r["Location"]
