"""Access ends with the member's term (issue 22 row 6): a member whose own term is over sees nothing of
the committee on pages and the API; a member in their term still does."""

import datetime

import pytest
from django.urls import reverse

from liaison import access
from liaison.models import Role
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def former(oc_a):
    user = UserFactory(username="former_a", name="钱前任", role=Role.COMMITTEE)
    MemberFactory(committee=oc_a, user=user, term_start=datetime.date(2020, 1, 1), term_end=datetime.date(2021, 1, 1))
    return user


def test_a_member_whose_term_ended_sees_nothing_of_the_committee(client_for, former, chair_a, oc_a, estate_a):
    assert not access.visible_estates(former).exists() and not access.in_committee(former, oc_a)
    assert access.in_committee(chair_a, oc_a)  # a member in their term still belongs
    client = client_for(former)
    assert "翠湖花园" not in client.get(reverse("followups:list")).content.decode()
    assert client.get(reverse("followups:create")).status_code in (302, 403, 404)  # no form to raise one
    client.post(reverse("followups:create"), {"committee": oc_a.pk, "title": "前任提的问题", "description": "x"})
    from followups.models import Issue

    assert not Issue.objects.filter(title="前任提的问题").exists()
    assert oc_a.name not in client.get(reverse("meetings:list")).content.decode()


def test_the_api_shows_them_nothing_either(api, former, meeting_a):
    ids = [m["id"] for m in api(former).get("/api/meetings/").json()["results"]]
    assert meeting_a.pk not in ids


def test_a_term_ending_today_still_counts(oc_a):
    from django.utils import timezone

    user = UserFactory(username="last_day", name="孙末日", role=Role.COMMITTEE)
    MemberFactory(committee=oc_a, user=user, term_start=datetime.date(2024, 1, 1), term_end=timezone.localdate())
    assert access.in_committee(user, oc_a)
